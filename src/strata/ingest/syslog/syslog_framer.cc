#include "strata/ingest/syslog/syslog_framer.h"

#include <algorithm>

namespace strata::ingest::syslog {

namespace {
constexpr size_t kMaxLengthDigits = 10;
}

void SyslogFramer::Feed(std::string_view data, const Sink& sink) {
  size_t i = 0;
  while (i < data.size()) {
    switch (state_) {
      case State::kStart: {
        const char c = data[i];
        if (buffer_.empty()) {
          if (c == '\n' || c == '\r' || c == '\0') {
            ++i;  // blank lines and stray terminators between frames
          } else if (c >= '1' && c <= '9') {
            buffer_ += c;
            ++i;
          } else {
            state_ = State::kLine;
          }
          break;
        }
        // buffer_ holds the digits of a possible MSG-LEN.
        if (c >= '0' && c <= '9' && buffer_.size() < kMaxLengthDigits) {
          buffer_ += c;
          ++i;
        } else if (c == ' ') {
          size_t length = 0;
          for (char d : buffer_) length = length * 10 + static_cast<size_t>(d - '0');
          buffer_.clear();
          ++i;
          if (length > max_frame_bytes_) {
            state_ = State::kSkipOctets;
            sink(Event::kOversized, {});
          } else {
            state_ = State::kOctets;
          }
          remaining_ = length;
        } else {
          state_ = State::kLine;  // not an octet count: the digits start a line
        }
        break;
      }
      case State::kLine: {
        const size_t nl = data.find('\n', i);
        const size_t end = nl == std::string_view::npos ? data.size() : nl;
        if (buffer_.empty() && nl != std::string_view::npos && end - i <= max_frame_bytes_) {
          sink(Event::kMessage, data.substr(i, end - i));  // the whole line is in this read: no copy
          i = nl + 1;
          state_ = State::kStart;
          break;
        }
        if (buffer_.size() + (end - i) > max_frame_bytes_) {
          buffer_.clear();
          sink(Event::kOversized, {});
          state_ = State::kSkipLine;
          break;  // kSkipLine finds the same LF
        }
        buffer_.append(data.substr(i, end - i));
        i = end;
        if (nl != std::string_view::npos) {
          sink(Event::kMessage, buffer_);
          buffer_.clear();
          state_ = State::kStart;
          ++i;
        }
        break;
      }
      case State::kSkipLine: {
        const size_t nl = data.find('\n', i);
        if (nl == std::string_view::npos) {
          i = data.size();
        } else {
          i = nl + 1;
          state_ = State::kStart;
        }
        break;
      }
      case State::kOctets: {
        const size_t take = std::min(remaining_, data.size() - i);
        if (buffer_.empty() && take == remaining_) {
          sink(Event::kMessage, data.substr(i, take));
        } else {
          buffer_.append(data.substr(i, take));
          if (take == remaining_) {
            sink(Event::kMessage, buffer_);
            buffer_.clear();
          }
        }
        i += take;
        remaining_ -= take;
        if (remaining_ == 0) state_ = State::kStart;
        break;
      }
      case State::kSkipOctets: {
        const size_t take = std::min(remaining_, data.size() - i);
        i += take;
        remaining_ -= take;
        if (remaining_ == 0) state_ = State::kStart;
        break;
      }
    }
  }
}

void SyslogFramer::Finish(const Sink& sink) {
  switch (state_) {
    case State::kStart:
    case State::kLine:
      if (!buffer_.empty()) sink(Event::kMessage, buffer_);
      break;
    case State::kOctets: sink(Event::kTruncated, {}); break;
    case State::kSkipLine:
    case State::kSkipOctets: break;
  }
  buffer_.clear();
  remaining_ = 0;
  state_ = State::kStart;
}

}  // namespace strata::ingest::syslog

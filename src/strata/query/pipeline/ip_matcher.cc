#include "strata/query/pipeline/ip_matcher.h"

#include <arpa/inet.h>

#include <cstring>

namespace strata::query {

namespace {

bool ParseIpv4(std::string_view s, std::array<uint8_t, 16>* out) {
  int part = 0;
  size_t i = 0;
  while (true) {
    if (i >= s.size() || s[i] < '0' || s[i] > '9') return false;
    if (s[i] == '0' && i + 1 < s.size() && s[i + 1] >= '0' && s[i + 1] <= '9') return false;  // leading zero
    int v = 0;
    size_t digits = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      v = v * 10 + (s[i] - '0');
      if (++digits > 3 || v > 255) return false;
      ++i;
    }
    (*out)[part] = static_cast<uint8_t>(v);
    if (++part == 4) return i == s.size();
    if (i >= s.size() || s[i] != '.') return false;
    ++i;
  }
}

bool ParseIpv6(std::string_view s, std::array<uint8_t, 16>* out) {
  char buf[64];
  if (s.size() >= sizeof(buf) || s.find(':') == std::string_view::npos) return false;
  std::memcpy(buf, s.data(), s.size());
  buf[s.size()] = '\0';
  return inet_pton(AF_INET6, buf, out->data()) == 1;
}

bool IsIpChar(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == '.' || c == ':';
}

}  // namespace

bool ParseIpAddress(std::string_view s, int* family, std::array<uint8_t, 16>* bytes) {
  if (ParseIpv4(s, bytes)) {
    *family = 4;
    return true;
  }
  if (ParseIpv6(s, bytes)) {
    *family = 6;
    return true;
  }
  return false;
}

base::Result<IpMatcher> IpMatcher::Compile(std::string_view p) {
  IpMatcher m;
  auto bad = [&] { return base::InvalidArgument("invalid ip filter \"" + std::string(p) + "\""); };
  if (size_t slash = p.find('/'); slash != std::string_view::npos) {
    if (!ParseIpAddress(p.substr(0, slash), &m.family_, &m.lo_)) return bad();
    std::string_view bits_text = p.substr(slash + 1);
    if (bits_text.empty() || bits_text.size() > 3) return bad();
    int bits = 0;
    for (char c : bits_text) {
      if (c < '0' || c > '9') return bad();
      bits = bits * 10 + (c - '0');
    }
    int width = m.family_ == 4 ? 32 : 128;
    if (bits > width) return bad();
    m.hi_ = m.lo_;
    for (int b = bits; b < width; ++b) {
      uint8_t mask = static_cast<uint8_t>(0x80 >> (b % 8));
      m.lo_[b / 8] &= static_cast<uint8_t>(~mask);
      m.hi_[b / 8] |= mask;
    }
    return m;
  }
  if (size_t dash = p.find('-'); dash != std::string_view::npos) {
    int f2 = 0;
    if (!ParseIpAddress(p.substr(0, dash), &m.family_, &m.lo_) ||
        !ParseIpAddress(p.substr(dash + 1), &f2, &m.hi_) || f2 != m.family_) {
      return bad();
    }
    return m;
  }
  if (!ParseIpAddress(p, &m.family_, &m.lo_)) return bad();
  m.hi_ = m.lo_;
  return m;
}

bool IpMatcher::InRange(int family, const std::array<uint8_t, 16>& a) const {
  if (family != family_) return false;
  size_t n = family == 4 ? 4 : 16;
  return std::memcmp(a.data(), lo_.data(), n) >= 0 && std::memcmp(a.data(), hi_.data(), n) <= 0;
}

bool IpMatcher::MatchesAddress(std::string_view text) const {
  int family;
  std::array<uint8_t, 16> a;
  return ParseIpAddress(text, &family, &a) && InRange(family, a);
}

bool IpMatcher::MatchesAnyInLine(std::string_view line) const {
  size_t i = 0;
  const size_t n = line.size();
  while (i < n) {
    while (i < n && !IsIpChar(line[i])) ++i;
    size_t start = i;
    bool dot = false, colon = false;
    while (i < n && IsIpChar(line[i])) {
      dot |= line[i] == '.';
      colon |= line[i] == ':';
      ++i;
    }
    std::string_view run = line.substr(start, i - start);
    if (family_ == 4 ? !dot : !colon) continue;
    // Sentence punctuation and ports: "at 10.0.0.1." / "10.0.0.1:443".
    while (!run.empty() && (run.back() == '.' || (family_ == 4 && run.back() == ':'))) run.remove_suffix(1);
    if (MatchesAddress(run)) return true;
    if (family_ == 4 && colon) {
      size_t c = run.find(':');
      if (MatchesAddress(run.substr(0, c))) return true;
    }
  }
  return false;
}

}  // namespace strata::query

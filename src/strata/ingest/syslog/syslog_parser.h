#pragma once
// Parser of one syslog message (RFC 5424 or RFC 3164, told apart per message) into a LogRecord.
//
// RFC 5424: <PRI>VERSION SP TIMESTAMP SP HOSTNAME SP APP-NAME SP PROCID SP MSGID SP STRUCTURED-DATA [SP MSG]
//   TIMESTAMP  RFC 3339 or "-" (receive time)          HOSTNAME -> label `host` ("-": none)
//   APP-NAME   -> label `service` ("-": none)          PROCID -> field `procid`, MSGID -> field `msgid`
//   STRUCTURED-DATA  "-" or [SD-ID PARAM="VALUE" ...]...: each parameter -> field `sd.<SD-ID>.<PARAM>` (the
//              escapes \" \\ \] undone; a repeated parameter keeps its first position and last value); an
//              element without parameters -> field `sd.<SD-ID>` = "".
//   MSG        the rest after one SP; a leading UTF-8 BOM is dropped.
// RFC 3164: <PRI>TIMESTAMP SP [HOSTNAME SP] [TAG[\[PID\]]: ]CONTENT
//   TIMESTAMP  "Mmm dd hh:mm:ss" (day space- or zero-padded, or unpadded; an optional .fraction), in UTC, in the
//              year of the receive time, or the year before when that would put it more than a day in the future
//              (a December message received in January). An RFC 3339 timestamp is accepted too (rsyslog's
//              forwarding format). Without a valid timestamp the record gets the receive time, no host, and the
//              content is everything after PRI (RFC 3164 §4.3.2).
//   HOSTNAME   the token after the timestamp, unless it is itself a TAG ("su:" or "cron[12]:": senders that
//              leave the host out) -> label `host`.
//   TAG        letters, digits and ._-/ up to 48 bytes, then optional [PID], then ':' -> label `service`, PID ->
//              field `procid`; the colon and one space after it are dropped. No TAG: the content is the message.
// Both: PRI -> label `facility` (kern, user, mail, daemon, auth, syslog, lpr, news, uucp, cron, authpriv, ftp, ntp,
// audit, alert, clock, local0..local7) and label `level` (severity: emerg/alert/crit -> FATAL, err -> ERROR,
// warning -> WARN, notice/info -> INFO, debug -> DEBUG). Extra labels from ParseOptions are added last and win
// over the parsed ones of the same name.
//
// Malformed input is still ingested: no (valid) PRI -> the whole message with facility user and level INFO
// (priority 13, as RFC 3164 §4.3.3 prescribes for relays); a PRI followed by a broken RFC 5424 header or
// structured data -> the whole message (PRI included) as the message with the PRI's facility and level and the
// receive time. Only two inputs fail: empty (InvalidArgument "empty") and over max_message_bytes
// (PayloadTooLarge "message too long: N bytes > limit M"). Trailing CR, LF and NUL bytes are not part of a message.
//
// Pure function, thread-safe. Bytes are kept as received (no UTF-8 validation: the export escapes invalid bytes).

#include <cstdint>
#include <string_view>
#include <vector>

#include "strata/base/status.h"
#include "strata/model/log_record.h"

namespace strata::ingest::syslog {

enum class Format { kRfc5424, kRfc3164, kRaw };

struct ParseOptions {
  int64_t receive_time_ns = 0;
  size_t max_message_bytes = 64 * 1024;
  std::vector<model::Field> extra_labels;  // per-listener labels
};

struct ParsedMessage {
  Format format = Format::kRaw;
  model::LogRecord record;
};

base::Result<ParsedMessage> ParseSyslogMessage(std::string_view message, const ParseOptions& options);

std::string_view FacilityName(int facility);  // 0-23
std::string_view SeverityName(int severity);  // 0-7: emerg ... debug

}  // namespace strata::ingest::syslog

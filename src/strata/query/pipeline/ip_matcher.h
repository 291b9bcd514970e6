#pragma once
// IpMatcher: LogQL's ip("...") argument compiled to an address range of one family: a single address, a range
// `a-b`, or a CIDR (host bits are masked off, as Go's netip.ParsePrefix(...).Masked() does). IPv4 and IPv6 never
// match each other (an IPv4-mapped IPv6 address is IPv6).
//
// As a line filter it looks for any address inside the line: maximal runs of [0-9A-Fa-f.:] are tried as one
// address, and a run like `10.0.0.1:8080` also as the IPv4 address before its first ':'. Immutable; thread-safe;
// no allocation per call.

#include <array>
#include <cstdint>
#include <string_view>

#include "strata/base/status.h"

namespace strata::query {

// Parses a whole string as one IPv4 (dotted quad, no leading zeros) or IPv6 address; family 4 or 6.
bool ParseIpAddress(std::string_view s, int* family, std::array<uint8_t, 16>* bytes);

class IpMatcher {
 public:
  static base::Result<IpMatcher> Compile(std::string_view pattern);

  bool MatchesAddress(std::string_view text) const;  // `text` is exactly one address in range
  bool MatchesAnyInLine(std::string_view line) const;

 private:
  bool InRange(int family, const std::array<uint8_t, 16>& a) const;

  int family_ = 4;
  std::array<uint8_t, 16> lo_{};
  std::array<uint8_t, 16> hi_{};
};

}  // namespace strata::query

#pragma once
// Validation of the argument of LogQL's ip() filter: one address, a range `a-b`, or a CIDR, IPv4 or IPv6.
// Pure; thread-safe.

#include <string_view>

namespace strata::query {

bool IsValidIpFilter(std::string_view pattern);

}  // namespace strata::query

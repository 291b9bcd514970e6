#include "strata/query/lang/ip_filter.h"

#include <arpa/inet.h>

#include <string>

namespace strata::query {

namespace {

// Returns 4 or 6 for a valid address, 0 otherwise.
int AddressFamily(std::string_view s) {
  std::string str(s);
  unsigned char buf[16];
  if (inet_pton(AF_INET, str.c_str(), buf) == 1) return 4;
  if (inet_pton(AF_INET6, str.c_str(), buf) == 1) return 6;
  return 0;
}

}  // namespace

bool IsValidIpFilter(std::string_view p) {
  if (size_t slash = p.find('/'); slash != std::string_view::npos) {
    int fam = AddressFamily(p.substr(0, slash));
    std::string_view bits = p.substr(slash + 1);
    if (fam == 0 || bits.empty() || bits.size() > 3) return false;
    int n = 0;
    for (char c : bits) {
      if (c < '0' || c > '9') return false;
      n = n * 10 + (c - '0');
    }
    return n <= (fam == 4 ? 32 : 128);
  }
  if (size_t dash = p.find('-'); dash != std::string_view::npos) {
    int a = AddressFamily(p.substr(0, dash));
    int b = AddressFamily(p.substr(dash + 1));
    return a != 0 && a == b;
  }
  return AddressFamily(p) != 0;
}

}  // namespace strata::query

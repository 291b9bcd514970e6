#include "bench/common/log_generator.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>

namespace strata::bench {

namespace {

// ---------------------------------------------------------------------------------------------------------------
// Randomness: xoshiro256** seeded by splitmix64. Hand-written (not <random> distributions) so that a seed gives
// the same output with every standard library.

uint64_t SplitMix64(uint64_t& x) {
  uint64_t z = (x += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

class Rng {
 public:
  explicit Rng(uint64_t seed) {
    for (auto& w : s_) w = SplitMix64(seed);
  }
  uint64_t Next() {
    const uint64_t result = Rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = Rotl(s_[3], 45);
    return result;
  }
  // Uniform in [0, n).
  uint64_t Uniform(uint64_t n) { return static_cast<uint64_t>((static_cast<unsigned __int128>(Next()) * n) >> 64); }
  // Uniform in [lo, hi].
  int64_t Range(int64_t lo, int64_t hi) { return lo + static_cast<int64_t>(Uniform(static_cast<uint64_t>(hi - lo + 1))); }
  double Unit() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  bool Chance(double p) { return Unit() < p; }
  template <typename T, size_t N>
  const T& Pick(const std::array<T, N>& a) {
    return a[Uniform(N)];
  }
  template <typename T>
  const T& Pick(const std::vector<T>& a) {
    return a[Uniform(a.size())];
  }

 private:
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t s_[4];
};

// Samples ranks 0..n-1 with P(r) proportional to 1 / (r + 1)^s (or to explicit weights).
class Weighted {
 public:
  Weighted() = default;
  static Weighted Zipf(size_t n, double s) {
    std::vector<double> w(n);
    for (size_t r = 0; r < n; ++r) w[r] = 1.0 / std::pow(static_cast<double>(r + 1), s);
    return Weighted(w);
  }
  explicit Weighted(const std::vector<double>& weights) {
    double sum = 0;
    for (double w : weights) sum += w;
    double acc = 0;
    cdf_.reserve(weights.size());
    for (double w : weights) {
      acc += w / sum;
      cdf_.push_back(acc);
    }
    if (!cdf_.empty()) cdf_.back() = 1.0;
  }
  size_t Sample(Rng& rng) const {
    double u = rng.Unit();
    return static_cast<size_t>(std::upper_bound(cdf_.begin(), cdf_.end(), u) - cdf_.begin());
  }
  size_t size() const { return cdf_.size(); }

 private:
  std::vector<double> cdf_;
};

// ---------------------------------------------------------------------------------------------------------------
// Formatting helpers (append-only, no allocation beyond the output string's growth).

void AppendU(std::string& out, uint64_t v) {
  char buf[24];
  int n = 0;
  do {
    buf[n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v);
  while (n) out.push_back(buf[--n]);
}

void AppendPadded(std::string& out, uint64_t v, int width) {
  char buf[24];
  int n = 0;
  do {
    buf[n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v);
  while (n < width) buf[n++] = '0';
  while (n) out.push_back(buf[--n]);
}

// v / 10^decimals with exactly `decimals` fraction digits ("0.042").
void AppendDecimal(std::string& out, uint64_t v, int decimals) {
  uint64_t p = 1;
  for (int i = 0; i < decimals; ++i) p *= 10;
  AppendU(out, v / p);
  out.push_back('.');
  AppendPadded(out, v % p, decimals);
}

constexpr char kHex[] = "0123456789abcdef";
constexpr char kAlnum[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

void AppendHex(std::string& out, Rng& rng, int digits) {
  while (digits > 0) {
    uint64_t x = rng.Next();
    for (int i = 0; i < 16 && digits > 0; ++i, --digits, x >>= 4) out.push_back(kHex[x & 15]);
  }
}

void AppendAlnum(std::string& out, Rng& rng, int chars) {
  for (int i = 0; i < chars; ++i) out.push_back(kAlnum[rng.Uniform(62)]);
}

void AppendJsonEscaped(std::string& out, std::string_view s) {
  for (char ch : s) {
    unsigned char c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out.push_back(kHex[c >> 4]);
          out.push_back(kHex[c & 15]);
        } else {
          out.push_back(ch);
        }
    }
  }
}

// Civil time from Unix seconds (Howard Hinnant's days_from_civil inverse), UTC.
struct Civil {
  int64_t sec = INT64_MIN;  // the Unix second this was computed for
  int year = 1970, month = 1, day = 1, hour = 0, minute = 0, second = 0;
};

Civil CivilOf(int64_t unix_sec) {
  Civil c;
  c.sec = unix_sec;
  int64_t days = unix_sec >= 0 ? unix_sec / 86400 : -((-unix_sec + 86399) / 86400);
  int64_t rem = unix_sec - days * 86400;
  c.hour = static_cast<int>(rem / 3600);
  c.minute = static_cast<int>(rem / 60 % 60);
  c.second = static_cast<int>(rem % 60);
  days += 719468;
  const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const uint64_t doe = static_cast<uint64_t>(days - era * 146097);
  const uint64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t y = static_cast<int64_t>(yoe) + era * 400;
  const uint64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const uint64_t mp = (5 * doy + 2) / 153;
  c.day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  c.month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  c.year = static_cast<int>(y + (c.month <= 2));
  return c;
}

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

void AppendDate(std::string& out, const Civil& c, char sep) {
  AppendPadded(out, static_cast<uint64_t>(c.year), 4);
  out.push_back(sep);
  AppendPadded(out, static_cast<uint64_t>(c.month), 2);
  out.push_back(sep);
  AppendPadded(out, static_cast<uint64_t>(c.day), 2);
}

void AppendClock(std::string& out, const Civil& c) {
  AppendPadded(out, static_cast<uint64_t>(c.hour), 2);
  out.push_back(':');
  AppendPadded(out, static_cast<uint64_t>(c.minute), 2);
  out.push_back(':');
  AppendPadded(out, static_cast<uint64_t>(c.second), 2);
}

// ---------------------------------------------------------------------------------------------------------------
// Vocabulary.

constexpr std::array<const char*, 18> kUserAgents = {
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.6723.107 Mobile Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
    "okhttp/4.12.0",
    "ShopApp/5.14.2 (iPhone; iOS 18.1; Scale/3.00)",
    "ShopApp/5.14.1 (Android 14; Pixel 8)",
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "kube-probe/1.31",
    "Prometheus/2.55.1",
    "curl/8.5.0",
    "python-requests/2.32.3",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
    "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
    "Go-http-client/1.1",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
};

constexpr std::array<const char*, 24> kWords = {
    "shoes", "red dress", "laptop", "usb c cable", "coffee grinder", "running shoes", "headphones", "desk lamp",
    "winter jacket", "phone case", "backpack", "water bottle", "yoga mat", "monitor", "keyboard", "sunglasses",
    "gift card", "air fryer", "office chair", "tent", "bluetooth speaker", "jeans", "watch", "book"};

constexpr std::array<const char*, 8> kStaticBuilds = {"3f9c2a1b", "8e41d07c", "b2a9e5f3", "51c0d8aa",
                                                       "9d7e6b24", "0a4c3f19", "e6b58d02", "7c21a9e4"};

constexpr std::array<const char*, 10> kUpstreams = {"inventory", "payments", "users", "search", "pricing",
                                                     "recommendations", "auth", "notifications", "ledger", "cart"};
constexpr std::array<const char*, 8> kTables = {"orders", "order_items", "users", "sessions", "products",
                                                 "inventory_levels", "payments", "audit_log"};
constexpr std::array<const char*, 6> kTopics = {"orders.created", "payments.captured", "users.events",
                                                 "inventory.reserved", "emails.outbox", "audit.trail"};
constexpr std::array<const char*, 8> kClients = {"web", "ios", "android", "partner-acme", "partner-globex",
                                                  "internal-batch", "admin-ui", "mobile-bff"};
constexpr std::array<const char*, 8> kFlags = {"new_checkout_flow", "reco_v2", "dark_mode", "fast_search",
                                                "one_click_pay", "loyalty_points", "bnpl", "smart_shipping"};
constexpr std::array<const char*, 6> kSshUsers = {"deploy", "ubuntu", "admin", "ci-runner", "backup", "alice"};
constexpr std::array<const char*, 8> kBadUsers = {"oracle", "test", "guest", "postgres", "ftpuser", "pi",
                                                   "user1", "support"};
constexpr std::array<const char*, 6> kK8sNodes = {"ip-10-0-1-17.ec2.internal",  "ip-10-0-1-42.ec2.internal",
                                                   "ip-10-0-2-9.ec2.internal",   "ip-10-0-2-131.ec2.internal",
                                                   "ip-10-0-3-77.ec2.internal",  "ip-10-0-3-204.ec2.internal"};

struct Route {
  const char* method;
  const char* path;  // '#' is replaced by a number
};
constexpr std::array<Route, 12> kRoutes = {{{"GET", "/api/v1/products/#"},
                                            {"GET", "/api/v1/products"},
                                            {"GET", "/api/v1/cart"},
                                            {"POST", "/api/v1/cart/items"},
                                            {"POST", "/api/v1/orders"},
                                            {"GET", "/api/v1/orders/#"},
                                            {"GET", "/api/v1/users/#"},
                                            {"PUT", "/api/v1/users/#/address"},
                                            {"POST", "/api/v1/payments"},
                                            {"GET", "/api/v1/recommendations"},
                                            {"POST", "/api/v1/auth/token"},
                                            {"DELETE", "/api/v1/cart/items/#"}}};

// Stack frames of the Java service: a few fixed call chains, as real traces repeat.
constexpr std::array<const char*, 14> kFramesLedger = {
    "com.example.ledger.service.AccountService.debit(AccountService.java:214)",
    "com.example.ledger.service.TransferService.transfer(TransferService.java:88)",
    "com.example.ledger.web.TransferController.create(TransferController.java:57)",
    "java.base/jdk.internal.reflect.DirectMethodHandleAccessor.invoke(DirectMethodHandleAccessor.java:103)",
    "java.base/java.lang.reflect.Method.invoke(Method.java:580)",
    "org.springframework.web.method.support.InvocableHandlerMethod.doInvoke(InvocableHandlerMethod.java:255)",
    "org.springframework.web.method.support.InvocableHandlerMethod.invokeForRequest(InvocableHandlerMethod.java:188)",
    "org.springframework.web.servlet.mvc.method.annotation.ServletInvocableHandlerMethod.invokeAndHandle(ServletInvocableHandlerMethod.java:118)",
    "org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerAdapter.invokeHandlerMethod(RequestMappingHandlerAdapter.java:926)",
    "org.springframework.web.servlet.DispatcherServlet.doDispatch(DispatcherServlet.java:1089)",
    "org.springframework.web.servlet.FrameworkServlet.processRequest(FrameworkServlet.java:1014)",
    "jakarta.servlet.http.HttpServlet.service(HttpServlet.java:658)",
    "org.apache.catalina.core.ApplicationFilterChain.internalDoFilter(ApplicationFilterChain.java:195)",
    "org.apache.tomcat.util.threads.TaskThread$WrappingRunnable.run(TaskThread.java:61)"};
constexpr std::array<const char*, 6> kFramesHikari = {
    "com.zaxxer.hikari.pool.HikariPool.createTimeoutException(HikariPool.java:696)",
    "com.zaxxer.hikari.pool.HikariPool.getConnection(HikariPool.java:181)",
    "com.zaxxer.hikari.pool.HikariPool.getConnection(HikariPool.java:146)",
    "com.zaxxer.hikari.HikariDataSource.getConnection(HikariDataSource.java:100)",
    "org.springframework.jdbc.datasource.DataSourceUtils.fetchConnection(DataSourceUtils.java:160)",
    "org.springframework.jdbc.core.JdbcTemplate.execute(JdbcTemplate.java:388)"};

// ---------------------------------------------------------------------------------------------------------------
// The stream catalog.

enum class Kind { kNginx, kApp, kSyslog, kJava, kK8s };
enum class Level { kDebug, kInfo, kWarn, kError };

const char* LevelName(Level l) {
  switch (l) {
    case Level::kDebug: return "debug";
    case Level::kInfo: return "info";
    case Level::kWarn: return "warn";
    case Level::kError: return "error";
  }
  return "info";
}

struct StreamDef {
  Kind kind;
  Level level;
  int service;  // app: index into kServices; syslog: program; k8s: workload; java: host
  model::LabelSet labels;
  double weight;
};

constexpr std::array<const char*, 8> kServices = {"checkout", "payments", "auth", "search",
                                                   "inventory", "notifications", "gateway", "users"};
constexpr std::array<const char*, 4> kPrograms = {"sshd", "kernel", "cron", "systemd"};
struct Workload {
  const char* ns;
  const char* pod;
  const char* container;
};
constexpr std::array<Workload, 6> kWorkloads = {{{"shop", "frontend-7d9f8b6c5-x2k4p", "frontend"},
                                                 {"kube-system", "coredns-5d78c9869d-q8w2n", "coredns"},
                                                 {"shop", "cart-5c8d7f9b4-h4j2k", "cart"},
                                                 {"platform", "ingress-nginx-controller-6b8f9c7d5-m7z9t", "controller"},
                                                 {"monitoring", "prometheus-k8s-0", "prometheus"},
                                                 {"kube-system", "kube-proxy-8vh2l", "kube-proxy"}}};

model::LabelSet MakeLabels(std::initializer_list<std::pair<const char*, std::string>> kv) {
  model::LabelSet labels;
  for (const auto& [k, v] : kv) labels.push_back({k, v});
  model::CanonicalizeLabels(labels);
  return labels;
}

std::string Numbered(const char* prefix, int n) {
  std::string s = prefix;
  AppendPadded(s, static_cast<uint64_t>(n), 2);
  return s;
}

std::vector<StreamDef> BuildCatalog(double skew) {
  // Shares of lines per kind, then Zipf over the sources of a kind, then a fixed share per level.
  std::vector<StreamDef> out;
  auto zipf = [&](int rank) { return 1.0 / std::pow(static_cast<double>(rank + 1), skew); };
  auto add_kind = [&](double share, std::vector<StreamDef> defs, const std::vector<double>& source_w) {
    double sum = 0;
    for (double w : source_w) sum += w;
    for (auto& d : defs) {
      d.weight *= share / sum;
      out.push_back(std::move(d));
    }
  };
  {  // nginx: 4 front hosts, info (2xx/3xx), warn (4xx), error (5xx)
    std::vector<StreamDef> defs;
    std::vector<double> w;
    for (int h = 0; h < 4; ++h) {
      w.push_back(zipf(h));
      for (auto [lvl, share] : {std::pair{Level::kInfo, 0.90}, {Level::kWarn, 0.08}, {Level::kError, 0.02}}) {
        defs.push_back({Kind::kNginx, lvl, 0,
                        MakeLabels({{"service", "nginx"}, {"env", "prod"}, {"host", Numbered("web-", h + 1)},
                                    {"level", LevelName(lvl)}}),
                        zipf(h) * share});
      }
    }
    add_kind(0.30, std::move(defs), w);
  }
  {  // application services: 8 services x 2 prod hosts x 3 levels, plus 2 staging hosts x 4 levels
    std::vector<StreamDef> defs;
    std::vector<double> w;
    int host = 1;
    for (int svc = 0; svc < static_cast<int>(kServices.size()); ++svc) {
      for (int h = 0; h < 2; ++h, ++host) {
        // Ranks interleave so that the biggest sources are the first host of each of the first services.
        double sw = zipf(h * 8 + svc);
        w.push_back(sw);
        for (auto [lvl, share] : {std::pair{Level::kInfo, 0.84}, {Level::kWarn, 0.11}, {Level::kError, 0.05}}) {
          defs.push_back({Kind::kApp, lvl, svc,
                          MakeLabels({{"service", kServices[svc]}, {"env", "prod"}, {"host", Numbered("app-", host)},
                                      {"level", LevelName(lvl)}}),
                          sw * share});
        }
      }
    }
    for (int svc = 0; svc < 2; ++svc) {
      double sw = zipf(16 + svc);
      w.push_back(sw);
      for (auto [lvl, share] : {std::pair{Level::kDebug, 0.40}, {Level::kInfo, 0.45}, {Level::kWarn, 0.10},
                                {Level::kError, 0.05}}) {
        defs.push_back({Kind::kApp, lvl, svc,
                        MakeLabels({{"service", kServices[svc]}, {"env", "staging"}, {"host", Numbered("stg-", svc + 1)},
                                    {"level", LevelName(lvl)}}),
                        sw * share});
      }
    }
    add_kind(0.40, std::move(defs), w);
  }
  {  // syslog: 3 nodes x (sshd info/warn, kernel info/warn, cron info, systemd info)
    std::vector<StreamDef> defs;
    std::vector<double> w;
    for (int node = 0; node < 3; ++node) {
      for (int prog = 0; prog < 4; ++prog) {
        double sw = zipf(prog * 3 + node);
        w.push_back(sw);
        std::vector<std::pair<Level, double>> levels;
        if (prog <= 1) {
          levels = {{Level::kInfo, prog == 0 ? 0.6 : 0.85}, {Level::kWarn, prog == 0 ? 0.4 : 0.15}};
        } else {
          levels = {{Level::kInfo, 1.0}};
        }
        for (auto [lvl, share] : levels) {
          defs.push_back({Kind::kSyslog, lvl, prog,
                          MakeLabels({{"service", kPrograms[prog]}, {"env", "prod"}, {"host", Numbered("node-", node + 1)},
                                      {"level", LevelName(lvl)}}),
                          sw * share});
        }
      }
    }
    add_kind(0.10, std::move(defs), w);
  }
  {  // Java service "ledger": 2 hosts x 3 levels
    std::vector<StreamDef> defs;
    std::vector<double> w;
    for (int h = 0; h < 2; ++h) {
      w.push_back(zipf(h));
      for (auto [lvl, share] : {std::pair{Level::kInfo, 0.82}, {Level::kWarn, 0.10}, {Level::kError, 0.08}}) {
        defs.push_back({Kind::kJava, lvl, h,
                        MakeLabels({{"service", "ledger"}, {"env", "prod"}, {"host", Numbered("jvm-", h + 1)},
                                    {"level", LevelName(lvl)}}),
                        zipf(h) * share});
      }
    }
    add_kind(0.08, std::move(defs), w);
  }
  {  // Kubernetes: 6 workloads x (info, error)
    std::vector<StreamDef> defs;
    std::vector<double> w;
    for (int i = 0; i < static_cast<int>(kWorkloads.size()); ++i) {
      w.push_back(zipf(i));
      const Workload& wl = kWorkloads[i];
      for (auto [lvl, share] : {std::pair{Level::kInfo, 0.93}, {Level::kError, 0.07}}) {
        defs.push_back({Kind::kK8s, lvl, i,
                        MakeLabels({{"namespace", wl.ns}, {"pod", wl.pod}, {"container", wl.container},
                                    {"env", "prod"}, {"level", LevelName(lvl)}}),
                        zipf(i) * share});
      }
    }
    add_kind(0.12, std::move(defs), w);
  }
  return out;
}

// Reservoir sample of needles, driven by its own RNG so sampling never changes the generated records.
class Reservoir {
 public:
  Reservoir(size_t capacity, uint64_t seed) : capacity_(capacity), rng_(seed) {}
  void Offer(std::string_view value, uint32_t count) {
    ++seen_;
    if (items_.size() < capacity_) {
      items_.push_back({std::string(value), count});
      return;
    }
    uint64_t j = rng_.Uniform(seen_);
    if (j < capacity_) items_[j] = {std::string(value), count};
  }
  const std::vector<Needle>& items() const { return items_; }

 private:
  size_t capacity_;
  Rng rng_;
  uint64_t seen_ = 0;
  std::vector<Needle> items_;
};

struct Request {
  std::string trace_id;
  uint32_t remaining = 0;
  uint32_t emitted = 0;
};

}  // namespace

// ---------------------------------------------------------------------------------------------------------------

struct LogGenerator::State {
  State(uint64_t seed, const Options& o)
      : options(o),
        rng(seed),
        trace_sample(o.needle_samples, seed ^ 0x5eed5eed5eed5eedull),
        token_sample(o.needle_samples, seed ^ 0x70c3570c3570c357ull) {
    catalog = BuildCatalog(o.stream_skew);
    std::vector<double> w;
    for (const auto& d : catalog) {
      w.push_back(d.weight);
      labels.push_back(d.labels);
    }
    pick_stream = Weighted(w);
    interval_ns = 1e9 / (o.lines_per_second > 0 ? o.lines_per_second : 1000.0);
    jitter_ns = o.jitter_ns >= 0 ? o.jitter_ns : static_cast<int64_t>(4 * interval_ns);
    // Client IPs: a pool with Zipf popularity (a few NATs and bots dominate), mostly "public" addresses.
    ips.reserve(20000);
    for (int i = 0; i < 20000; ++i) {
      std::string ip;
      uint64_t a = 1 + rng.Uniform(223);
      if (a == 10 || a == 127) a = 11 + rng.Uniform(100);
      AppendU(ip, a);
      for (int k = 0; k < 3; ++k) {
        ip.push_back('.');
        AppendU(ip, rng.Uniform(256));
      }
      ips.push_back(std::move(ip));
    }
    pick_ip = Weighted::Zipf(ips.size(), 1.05);
    pick_ua = Weighted::Zipf(kUserAgents.size(), 1.2);
    pick_user = Weighted::Zipf(200000, 0.9);
    pick_product = Weighted::Zipf(50000, 1.0);
    pick_route = Weighted::Zipf(kRoutes.size(), 0.8);
    requests.resize(kServices.size() + 2);  // app services, then the two Java hosts
    // SSH key fingerprints, one per user.
    for (size_t i = 0; i < kSshUsers.size(); ++i) {
      std::string fp;
      AppendAlnum(fp, rng, 43);
      fingerprints.push_back(std::move(fp));
    }
  }

  // ---- shared pieces ----
  const Civil& CivilFor(int64_t ts) {
    int64_t sec = FloorDiv(ts, 1000000000);
    if (civil.sec != sec) civil = CivilOf(sec);
    return civil;
  }
  const std::string& Ip() { return ips[pick_ip.Sample(rng)]; }
  uint64_t UserId() { return 100000 + pick_user.Sample(rng) * 7919 % 900000; }
  // A random id that occurs once in the whole output; sampled as a needle.
  void UniqueId(std::string& out, const char* prefix, int chars, bool alnum) {
    size_t begin = out.size();
    out += prefix;
    if (alnum) {
      AppendAlnum(out, rng, chars);
    } else {
      AppendHex(out, rng, chars);
    }
    token_sample.Offer(std::string_view(out).substr(begin), 1);
  }
  // Latency in ms: mostly fast, with a long tail.
  uint64_t LatencyMs() {
    double u = rng.Unit();
    if (u < 0.80) return 1 + rng.Uniform(60);
    if (u < 0.97) return 60 + rng.Uniform(400);
    if (u < 0.995) return 460 + rng.Uniform(2000);
    return 2460 + rng.Uniform(28000);
  }
  // The request a line of this service belongs to: continue an open one or start a new one. Returns its index.
  Request& RequestFor(size_t service) {
    auto& open = requests[service];
    if (!open.empty() && (open.size() >= 16 || rng.Chance(0.55))) return open[rng.Uniform(open.size())];
    Request r;
    AppendHex(r.trace_id, rng, 32);
    double u = rng.Unit();
    r.remaining = u < 0.5 ? 1 : u < 0.7 ? 2 : u < 0.85 ? 3 : static_cast<uint32_t>(4 + rng.Uniform(3));
    open.push_back(std::move(r));
    return open.back();
  }
  // Called after a line of the request was emitted.
  void Emitted(size_t service, Request& r) {
    ++r.emitted;
    if (--r.remaining > 0) return;
    trace_sample.Offer(r.trace_id, r.emitted);
    auto& open = requests[service];
    size_t i = static_cast<size_t>(&r - open.data());
    if (i + 1 != open.size()) open[i] = std::move(open.back());
    open.pop_back();
  }

  // ---- fields ----
  model::LogRecord* rec = nullptr;
  size_t nfields = 0;
  std::string& Field(const char* name) {
    auto& fields = rec->fields;
    if (nfields == fields.size()) fields.emplace_back();
    model::Field& f = fields[nfields++];
    f.name.assign(name);
    f.value.clear();
    return f.value;
  }
  void FieldU(const char* name, uint64_t v) { AppendU(Field(name), v); }

  // ---- kinds ----
  void Nginx(const StreamDef& d, int64_t ts, std::string& m);
  void App(const StreamDef& d, int64_t ts, std::string& m);
  void Syslog(const StreamDef& d, int64_t ts, std::string& m);
  void Java(const StreamDef& d, int64_t ts, std::string& m);
  void K8s(const StreamDef& d, int64_t ts, std::string& m);

  Options options;
  Rng rng;
  Reservoir trace_sample;
  Reservoir token_sample;
  std::vector<StreamDef> catalog;
  std::vector<model::LabelSet> labels;
  Weighted pick_stream, pick_ip, pick_ua, pick_user, pick_product, pick_route;
  std::vector<std::string> ips;
  std::vector<std::string> fingerprints;
  std::vector<std::vector<Request>> requests;
  double interval_ns = 1e6;
  int64_t jitter_ns = 0;
  uint64_t lines = 0;
  Civil civil;
  uint64_t uptime_us = 1234567890;  // kernel uptime, advances with time
};

namespace {

void AppendNginxTime(std::string& out, const Civil& c) {
  AppendPadded(out, static_cast<uint64_t>(c.day), 2);
  out.push_back('/');
  out += kMonths[c.month - 1];
  out.push_back('/');
  AppendPadded(out, static_cast<uint64_t>(c.year), 4);
  out.push_back(':');
  AppendClock(out, c);
  out += " +0000";
}

// "123.45"
void AppendAmount(std::string& out, Rng& rng) {
  uint64_t cents = 199 + rng.Uniform(rng.Chance(0.8) ? 15000 : 250000);
  AppendDecimal(out, cents, 2);
}

// Request time in seconds with ms precision, from a latency in ms.
void AppendSeconds(std::string& out, uint64_t ms) { AppendDecimal(out, ms, 3); }

void AppendRoutePath(std::string& out, const char* path, uint64_t id) {
  for (const char* p = path; *p; ++p) {
    if (*p == '#') {
      AppendU(out, id);
    } else {
      out.push_back(*p);
    }
  }
}

}  // namespace

void LogGenerator::State::Nginx(const StreamDef& d, int64_t ts, std::string& m) {
  m += Ip();
  m += " - - [";
  AppendNginxTime(m, CivilFor(ts));
  m += "] \"";
  // Request line.
  const char* method = "GET";
  bool is_static = false;
  const char* probe_ua = nullptr;  // set for health checks and scrapes
  double u = rng.Unit();
  if (d.level == Level::kWarn && u < 0.25) {
    static constexpr std::array<const char*, 6> kJunk = {"/wp-login.php", "/.env", "/admin/config.php",
                                                         "/phpmyadmin/index.php", "/.git/config", "/cgi-bin/luci"};
    m += "GET ";
    m += rng.Pick(kJunk);
  } else if (u < 0.45) {
    const Route& r = kRoutes[pick_route.Sample(rng)];
    method = r.method;
    m += method;
    m.push_back(' ');
    AppendRoutePath(m, r.path, 1000 + pick_product.Sample(rng));
    if (r.path == std::string_view("/api/v1/products") || r.path == std::string_view("/api/v1/recommendations")) {
      m += "?page=";
      AppendU(m, 1 + rng.Uniform(5));
      m += "&size=20";
    }
  } else if (u < 0.72) {
    is_static = true;
    m += "GET ";
    double v = rng.Unit();
    if (v < 0.3) {
      m += "/static/js/main.";
      m += rng.Pick(kStaticBuilds);
      m += ".js";
    } else if (v < 0.45) {
      m += "/static/css/app.";
      m += rng.Pick(kStaticBuilds);
      m += ".css";
    } else {
      m += "/images/products/";
      AppendU(m, 1000 + pick_product.Sample(rng));
      m += rng.Chance(0.5) ? "_400x400.jpg" : "_1200x1200.webp";
    }
  } else if (u < 0.90) {
    m += "GET ";
    double v = rng.Unit();
    if (v < 0.3) {
      m += "/";
    } else if (v < 0.6) {
      m += "/products/";
      AppendU(m, 1000 + pick_product.Sample(rng));
    } else if (v < 0.8) {
      m += "/search?q=";
      for (const char* p = rng.Pick(kWords); *p; ++p) m.push_back(*p == ' ' ? '+' : *p);
      m += "&page=";
      AppendU(m, 1 + rng.Uniform(3));
    } else {
      m += rng.Chance(0.5) ? "/cart" : "/checkout";
    }
  } else {
    bool health = rng.Chance(0.7);
    probe_ua = health ? "kube-probe/1.31" : "Prometheus/2.55.1";
    m += health ? "GET /healthz" : "GET /metrics";
  }
  const bool is_probe = probe_ua != nullptr;
  m += rng.Chance(0.7) ? " HTTP/1.1\" " : " HTTP/2.0\" ";
  // Status and size.
  uint64_t status, bytes;
  if (d.level == Level::kInfo) {
    double v = rng.Unit();
    bool post = method[0] == 'P' && method[1] == 'O';
    status = post ? (v < 0.7 ? 201 : 200) : v < 0.84 ? 200 : v < 0.94 ? 304 : v < 0.97 ? 302 : v < 0.99 ? 204 : 301;
  } else if (d.level == Level::kWarn) {
    double v = rng.Unit();
    status = v < 0.55 ? 404 : v < 0.70 ? 400 : v < 0.82 ? 401 : v < 0.92 ? 403 : 429;
  } else {
    double v = rng.Unit();
    status = v < 0.25 ? 500 : v < 0.65 ? 502 : v < 0.85 ? 503 : 504;
  }
  if (status == 304 || status == 204 || status == 301 || status == 302) {
    bytes = status == 304 || status == 204 ? 0 : 162;
  } else if (status >= 400) {
    bytes = 150 + rng.Uniform(450);
  } else if (is_static) {
    bytes = 2000 + rng.Uniform(rng.Chance(0.7) ? 60000 : 400000);
  } else if (is_probe) {
    bytes = 2 + rng.Uniform(40);
  } else {
    bytes = 120 + rng.Uniform(9000);
  }
  AppendU(m, status);
  m.push_back(' ');
  AppendU(m, bytes);
  // Referer, user agent.
  m += " \"";
  double r = rng.Unit();
  if (is_probe || r < 0.5) {
    m += "-";
  } else if (r < 0.93) {
    m += "https://shop.example.com/";
    if (rng.Chance(0.6)) {
      m += "products/";
      AppendU(m, 1000 + pick_product.Sample(rng));
    }
  } else {
    m += "https://www.google.com/";
  }
  m += "\" \"";
  m += is_probe ? probe_ua : kUserAgents[pick_ua.Sample(rng)];
  m += "\" rt=";
  uint64_t ms = is_static || is_probe ? rng.Uniform(5) : LatencyMs();
  if (d.level == Level::kError && status == 504) ms = 60000 + rng.Uniform(50);
  AppendSeconds(m, ms);
  m += " urt=\"";
  if (is_static) {
    m += "-";
  } else {
    AppendSeconds(m, ms > 0 ? ms - rng.Uniform(std::min<uint64_t>(ms, 3) + 1) : 0);
  }
  m += "\"";
}

void LogGenerator::State::App(const StreamDef& d, int64_t ts, std::string& m) {
  const size_t svc = static_cast<size_t>(d.service);
  Request& req = RequestFor(svc);
  const char* caller = "";
  bool http = false;
  uint64_t http_status = 200, latency = 0, user = 0;
  const size_t caller_field = nfields;  // an index: Field() may grow the vector
  Field("caller");
  Field("trace_id") = req.trace_id;
  AppendHex(Field("span_id"), rng, 16);
  auto upstream = [&] { return kUpstreams[rng.Uniform(kUpstreams.size())]; };
  double u = rng.Unit();
  if (d.level == Level::kInfo) {
    if (u < 0.45) {
      http = true;
      m += "request completed";
      caller = "middleware/logging.go:68";
    } else if (u < 0.80) {
      bool first = rng.Chance(0.5);
      switch (svc) {
        case 0:  // checkout
          if (first) {
            m += "order ";
            UniqueId(m, "ord_", 16, false);
            m += " created: ";
            AppendU(m, 1 + rng.Uniform(6));
            m += " items, total ";
            AppendAmount(m, rng);
            m += rng.Chance(0.8) ? " EUR, shipping standard" : " EUR, shipping express";
            caller = "orders/service.go:211";
            user = UserId();
          } else {
            m += "cart ";
            UniqueId(m, "cart_", 12, false);
            m += " updated: added SKU-";
            AppendU(m, 1000 + pick_product.Sample(rng));
            m += " qty ";
            AppendU(m, 1 + rng.Uniform(3));
            caller = "cart/handler.go:97";
            user = UserId();
          }
          break;
        case 1:  // payments
          if (first) {
            m += "payment ";
            UniqueId(m, "pi_", 24, true);
            m += " authorized: amount ";
            AppendAmount(m, rng);
            m += rng.Chance(0.7) ? " EUR, method card" : rng.Chance(0.5) ? " EUR, method paypal" : " EUR, method sepa";
            caller = "payments/authorize.go:154";
            user = UserId();
          } else {
            m += "webhook ";
            UniqueId(m, "evt_", 24, true);
            m += " processed: charge.succeeded";
            caller = "webhooks/stripe.go:73";
          }
          break;
        case 2:  // auth
          if (first) {
            user = UserId();
            m += "user ";
            AppendU(m, user);
            m += rng.Chance(0.6) ? " logged in via password from " : " logged in via google from ";
            m += Ip();
            caller = "auth/login.go:122";
          } else {
            m += "access token refreshed for session ";
            UniqueId(m, "sess_", 16, false);
            caller = "auth/token.go:88";
            user = UserId();
          }
          break;
        case 3:  // search
          if (first) {
            m += "query \"";
            m += rng.Pick(kWords);
            m += "\" returned ";
            AppendU(m, rng.Uniform(800));
            m += " hits in ";
            AppendU(m, 2 + rng.Uniform(90));
            m += "ms (page ";
            AppendU(m, 1 + rng.Uniform(3));
            m += ")";
            caller = "search/query.go:301";
          } else {
            m += "reindexed ";
            AppendU(m, 1 + rng.Uniform(500));
            m += " products in ";
            AppendU(m, 20 + rng.Uniform(2000));
            m += "ms";
            caller = "search/indexer.go:45";
          }
          break;
        case 4:  // inventory
          if (first) {
            m += "reserved ";
            AppendU(m, 1 + rng.Uniform(5));
            m += " units of SKU-";
            AppendU(m, 1000 + pick_product.Sample(rng));
            static constexpr std::array<const char*, 3> kWh = {" in warehouse FRA1", " in warehouse AMS2",
                                                               " in warehouse WAW1"};
            m += rng.Pick(kWh);
            caller = "stock/reserve.go:66";
          } else {
            m += "stock low for SKU-";
            AppendU(m, 1000 + pick_product.Sample(rng));
            m += ": ";
            AppendU(m, rng.Uniform(10));
            m += " left (threshold 10)";
            caller = "stock/levels.go:140";
          }
          break;
        case 5:  // notifications
          if (first) {
            static constexpr std::array<const char*, 3> kTpl = {"email order_confirmation sent to user ",
                                                                "email shipping_update sent to user ",
                                                                "email password_reset sent to user "};
            user = UserId();
            m += rng.Pick(kTpl);
            AppendU(m, user);
            m += " message_id=";
            UniqueId(m, "msg_", 20, true);
            caller = "mailer/ses.go:59";
          } else {
            user = UserId();
            m += "push notification delivered to ";
            AppendU(m, 1 + rng.Uniform(3));
            m += " devices for user ";
            AppendU(m, user);
            caller = "push/fcm.go:112";
          }
          break;
        case 6: {  // gateway
          if (first) {
            const Route& r = kRoutes[pick_route.Sample(rng)];
            m += "proxied ";
            m += r.method;
            m.push_back(' ');
            AppendRoutePath(m, r.path, 1000 + pick_product.Sample(rng));
            m += " to ";
            m += upstream();
            m += " in ";
            AppendU(m, LatencyMs());
            m += "ms";
            caller = "proxy/forward.go:203";
          } else {
            m += "jwt validated for client ";
            m += rng.Pick(kClients);
            m += " scopes=[orders:read orders:write profile]";
            caller = "proxy/jwt.go:81";
          }
          break;
        }
        default:  // users
          user = UserId();
          if (first) {
            m += "profile updated for user ";
            AppendU(m, user);
            m += rng.Chance(0.5) ? ": fields [address phone]" : ": fields [email]";
            caller = "profile/update.go:77";
          } else {
            m += "password reset requested for user ";
            AppendU(m, user);
            caller = "profile/password.go:39";
          }
      }
    } else {
      double v = rng.Unit();
      if (v < 0.4) {
        m += "cache miss for key user:";
        AppendU(m, UserId());
        m += ":profile";
        caller = "cache/redis.go:133";
      } else if (v < 0.75) {
        m += "published event to topic ";
        m += rng.Pick(kTopics);
        m += " partition=";
        AppendU(m, rng.Uniform(12));
        m += " offset=";
        AppendU(m, 1000000 + (static_cast<uint64_t>(ts / 1000000) % 100000000));
        caller = "events/producer.go:91";
      } else {
        m += "connection pool stats: active=";
        AppendU(m, rng.Uniform(20));
        m += " idle=";
        AppendU(m, rng.Uniform(10));
        m += " waiting=0";
        caller = "db/pool.go:58";
      }
    }
  } else if (d.level == Level::kWarn) {
    if (u < 0.3) {
      http = true;
      http_status = rng.Chance(0.5) ? 404 : rng.Chance(0.5) ? 400 : 429;
      m += "request rejected: ";
      m += http_status == 404 ? "not found" : http_status == 400 ? "invalid request body" : "rate limited";
      caller = "middleware/logging.go:71";
    } else if (u < 0.55) {
      m += "slow query took ";
      AppendU(m, 500 + rng.Uniform(4500));
      m += "ms: SELECT * FROM ";
      m += rng.Pick(kTables);
      m += " WHERE id = $1 FOR UPDATE";
      caller = "db/tracing.go:44";
    } else if (u < 0.8) {
      m += "retrying call to ";
      m += upstream();
      m += " (attempt ";
      AppendU(m, 1 + rng.Uniform(3));
      m += "/3): connection reset by peer";
      caller = "client/retry.go:52";
    } else {
      m += "rate limit at ";
      AppendU(m, 80 + rng.Uniform(20));
      m += "% for client ";
      m += rng.Pick(kClients);
      caller = "ratelimit/limiter.go:118";
    }
  } else if (d.level == Level::kError) {
    if (svc == 1 && u < 0.3) {
      m += "payment ";
      UniqueId(m, "pi_", 24, true);
      m += rng.Chance(0.6) ? " failed: card_declined (insufficient_funds)" : " failed: card_declined (do_not_honor)";
      caller = "payments/authorize.go:171";
      user = UserId();
    } else if (u < 0.35) {
      http = true;
      http_status = rng.Chance(0.5) ? 500 : 503;
      m += "request failed: upstream ";
      m += upstream();
      m += " timeout after ";
      AppendU(m, 1000 * (1 + rng.Uniform(30)));
      m += "ms";
      caller = "middleware/logging.go:74";
    } else if (u < 0.55) {
      m += "failed to publish event to topic ";
      m += rng.Pick(kTopics);
      m += ": kafka: broker not available";
      caller = "events/producer.go:104";
    } else if (u < 0.75) {
      m += "database error: pq: could not serialize access due to concurrent update (table ";
      m += rng.Pick(kTables);
      m += ")";
      caller = "db/tx.go:87";
    } else if (u < 0.9) {
      m += "context deadline exceeded while calling ";
      m += upstream();
      m += ".";
      m += rng.Chance(0.5) ? "Get" : "List";
      m += rng.Pick(kTables);
      caller = "client/grpc.go:64";
    } else {
      m += "panic recovered in handler: runtime error: invalid memory address or nil pointer dereference";
      caller = "middleware/recover.go:29";
    }
  } else {  // debug
    if (u < 0.4) {
      m += "cache hit key=session:";
      AppendHex(m, rng, 16);
      m += " ttl=";
      AppendU(m, rng.Uniform(3600));
      m += "s";
      caller = "cache/redis.go:121";
    } else if (u < 0.7) {
      user = UserId();
      m += "feature flag ";
      m += rng.Pick(kFlags);
      m += rng.Chance(0.5) ? "=true for user " : "=false for user ";
      AppendU(m, user);
      caller = "flags/eval.go:48";
    } else {
      m += "sql: SELECT id, status, updated_at FROM ";
      m += rng.Pick(kTables);
      m += " WHERE id = ";
      AppendU(m, 1 + rng.Uniform(10000000));
      m += " (";
      AppendU(m, rng.Uniform(20));
      m += "ms)";
      caller = "db/tracing.go:39";
    }
  }
  rec->fields[caller_field].value.assign(caller);
  if (http) {
    const Route& r = kRoutes[pick_route.Sample(rng)];
    Field("method").assign(r.method);
    AppendRoutePath(Field("route"), r.path, 1000 + pick_product.Sample(rng));
    if (d.level == Level::kInfo) http_status = r.method[0] == 'P' && r.method[1] == 'O' ? 201 : 200;
    latency = d.level == Level::kError ? 1000 + rng.Uniform(29000) : LatencyMs();
    FieldU("status", http_status);
    FieldU("latency_ms", latency);
    Field("client_ip") = Ip();
    if (rng.Chance(0.85)) user = UserId();
  }
  if (user) FieldU("user_id", user);
  {  // the build that logged it: constant per service and environment
    static constexpr std::array<const char*, 8> kVersions = {"2.41.0", "1.18.3", "3.2.7",  "0.9.14",
                                                             "1.77.1", "2.3.0",  "4.12.5", "1.5.22"};
    std::string& v = Field("version");
    v = kVersions[svc];
    for (const auto& l : d.labels) {
      if (l.name == "env" && l.value == "staging") v += "-rc.1";
    }
  }
  Emitted(svc, req);
}

void LogGenerator::State::Syslog(const StreamDef& d, int64_t ts, std::string& m) {
  static constexpr std::array<const char*, 4> kFacility = {"auth", "kern", "cron", "daemon"};
  Field("facility").assign(kFacility[d.service]);
  const uint64_t pid = d.service == 1 ? 0 : 1000 + rng.Uniform(60000);
  if (pid) FieldU("pid", pid);
  auto port = [&] { return 30000 + rng.Uniform(35000); };
  double u = rng.Unit();
  uptime_us = static_cast<uint64_t>((ts - options.start_ns) / 1000) + 86400000000ull;
  switch (d.service) {
    case 0: {  // sshd
      size_t who = rng.Uniform(kSshUsers.size());
      if (d.level == Level::kInfo) {
        if (u < 0.35) {
          m += "Accepted publickey for ";
          m += kSshUsers[who];
          m += " from ";
          m += Ip();
          m += " port ";
          AppendU(m, port());
          m += " ssh2: RSA SHA256:";
          m += fingerprints[who];
        } else if (u < 0.6) {
          m += "pam_unix(sshd:session): session opened for user ";
          m += kSshUsers[who];
          m += "(uid=";
          AppendU(m, 1000 + who);
          m += ") by (uid=0)";
        } else if (u < 0.85) {
          m += "pam_unix(sshd:session): session closed for user ";
          m += kSshUsers[who];
        } else {
          m += "Received disconnect from ";
          m += Ip();
          m += " port ";
          AppendU(m, port());
          m += ":11: disconnected by user";
        }
      } else {
        if (u < 0.4) {
          m += "Failed password for invalid user ";
          m += rng.Pick(kBadUsers);
          m += " from ";
          m += Ip();
          m += " port ";
          AppendU(m, port());
          m += " ssh2";
        } else if (u < 0.7) {
          m += "Invalid user ";
          m += rng.Pick(kBadUsers);
          m += " from ";
          m += Ip();
          m += " port ";
          AppendU(m, port());
        } else if (u < 0.9) {
          m += "Connection closed by authenticating user root ";
          m += Ip();
          m += " port ";
          AppendU(m, port());
          m += " [preauth]";
        } else {
          m += "error: maximum authentication attempts exceeded for root from ";
          m += Ip();
          m += " port ";
          AppendU(m, port());
          m += " ssh2 [preauth]";
        }
      }
      break;
    }
    case 1: {  // kernel
      m += "[";
      AppendU(m, uptime_us / 1000000);
      m += ".";
      AppendPadded(m, uptime_us % 1000000, 6);
      m += "] ";
      if (d.level == Level::kInfo) {
        if (u < 0.35) {
          m += "audit: type=1400 audit(";
          AppendU(m, static_cast<uint64_t>(ts / 1000000000));
          m += ".";
          AppendPadded(m, static_cast<uint64_t>(ts / 1000000 % 1000), 3);
          m += ":";
          AppendU(m, 100000 + rng.Uniform(900000));
          m += "): apparmor=\"DENIED\" operation=\"open\" class=\"file\" profile=\"cri-containerd.apparmor.d\" "
               "name=\"/proc/sys/kernel/osrelease\" pid=";
          AppendU(m, 1000 + rng.Uniform(60000));
          m += " comm=\"node\" requested_mask=\"r\" denied_mask=\"r\" fsuid=0 ouid=0";
        } else if (u < 0.7) {
          m += "cni0: port ";
          AppendU(m, 1 + rng.Uniform(30));
          m += "(veth";
          AppendHex(m, rng, 8);
          m += rng.Chance(0.5) ? ") entered forwarding state" : ") entered disabled state";
        } else {
          m += "IPv4: martian source 10.0.";
          AppendU(m, rng.Uniform(4));
          m += ".";
          AppendU(m, rng.Uniform(256));
          m += " from ";
          m += Ip();
          m += ", on dev eth0";
        }
      } else {
        if (u < 0.4) {
          m += "TCP: request_sock_TCP: Possible SYN flooding on port 443. Sending cookies.  Check SNMP counters.";
        } else if (u < 0.7) {
          m += "Out of memory: Killed process ";
          AppendU(m, 1000 + rng.Uniform(60000));
          m += " (java) total-vm:";
          AppendU(m, 4000000 + rng.Uniform(4000000));
          m += "kB, anon-rss:";
          AppendU(m, 2000000 + rng.Uniform(2000000));
          m += "kB, file-rss:0kB, shmem-rss:0kB, UID:1000 pgtables:";
          AppendU(m, 4000 + rng.Uniform(4000));
          m += "kB oom_score_adj:0";
        } else {
          m += "nvme nvme0: I/O ";
          AppendU(m, rng.Uniform(1024));
          m += " QID ";
          AppendU(m, 1 + rng.Uniform(8));
          m += " timeout, completion polled";
        }
      }
      break;
    }
    case 2: {  // cron
      if (u < 0.3) {
        m += "(root) CMD (/usr/local/bin/backup.sh --incremental >> /var/log/backup.log 2>&1)";
      } else if (u < 0.5) {
        m += "(www-data) CMD (php /var/www/app/artisan schedule:run >> /dev/null 2>&1)";
      } else if (u < 0.75) {
        m += "pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)";
      } else {
        m += "pam_unix(cron:session): session closed for user root";
      }
      break;
    }
    default: {  // systemd
      if (u < 0.3) {
        size_t who = rng.Uniform(kSshUsers.size());
        m += "Started Session ";
        AppendU(m, 1000 + rng.Uniform(90000));
        m += " of User ";
        m += kSshUsers[who];
        m += ".";
      } else if (u < 0.6) {
        m += "run-containerd-runc-k8s.io-";
        Rng ids(rng.Uniform(40));  // one of 40 container ids
        AppendHex(m, ids, 64);
        m += "-runc.";
        AppendAlnum(m, rng, 6);
        m += ".mount: Deactivated successfully.";
      } else if (u < 0.8) {
        m += "logrotate.service: Deactivated successfully.";
      } else {
        m += rng.Chance(0.5) ? "Starting Daily apt download activities..." : "Finished Rotate log files.";
      }
    }
  }
}

void LogGenerator::State::Java(const StreamDef& d, int64_t ts, std::string& m) {
  const size_t key = kServices.size() + static_cast<size_t>(d.service);
  Request& req = RequestFor(key);
  std::string span;
  AppendHex(span, rng, 16);
  Field("span_id") = span;
  Field("trace_id") = req.trace_id;
  const Civil& c = CivilFor(ts);
  AppendDate(m, c, '-');
  m.push_back('T');
  AppendClock(m, c);
  m.push_back('.');
  AppendPadded(m, static_cast<uint64_t>(ts / 1000000 % 1000), 3);
  m += d.level == Level::kInfo ? "Z  INFO 1 --- [ledger] [nio-8080-exec-" : d.level == Level::kWarn
                                                                                ? "Z  WARN 1 --- [ledger] [nio-8080-exec-"
                                                                                : "Z ERROR 1 --- [ledger] [nio-8080-exec-";
  AppendU(m, 1 + rng.Uniform(50));
  m += "] [";
  m += req.trace_id;
  m += "-";
  m += span;
  m += "] ";
  auto account = [&] {
    m += "DE";
    AppendPadded(m, 10 + rng.Uniform(89), 2);
    m += "500105";
    AppendPadded(m, pick_user.Sample(rng) * 7919 % 10000000000ull, 10);
  };
  double u = rng.Unit();
  if (d.level == Level::kInfo) {
    if (u < 0.5) {
      m += "c.e.ledger.web.TransferController        : Transfer ";
      UniqueId(m, "tr_", 16, false);
      m += " from ";
      account();
      m += " to ";
      account();
      m += " amount ";
      AppendAmount(m, rng);
      m += " EUR accepted";
    } else if (u < 0.8) {
      m += "c.e.ledger.service.BalanceService        : Balance recalculated for account ";
      account();
      m += " in ";
      AppendU(m, 1 + rng.Uniform(40));
      m += " ms";
    } else {
      m += "com.zaxxer.hikari.pool.HikariPool        : HikariPool-1 - Pool stats (total=20, active=";
      AppendU(m, rng.Uniform(20));
      m += ", idle=";
      AppendU(m, rng.Uniform(20));
      m += ", waiting=0)";
    }
  } else if (d.level == Level::kWarn) {
    if (u < 0.5) {
      m += "c.e.ledger.repository.SlowQueryLogger    : Slow repository call AccountRepository.findByIdForUpdate took ";
      AppendU(m, 500 + rng.Uniform(5000));
      m += " ms";
    } else {
      m += "c.e.ledger.service.TransferService       : Retrying optimistic lock on account ";
      account();
      m += " (attempt ";
      AppendU(m, 1 + rng.Uniform(3));
      m += ")";
    }
  } else {
    if (u < 0.5) {
      m += "c.e.ledger.web.TransferController        : Transfer ";
      UniqueId(m, "tr_", 16, false);
      m += " failed: Account ";
      size_t acct_begin = m.size();
      account();
      std::string acct = m.substr(acct_begin);
      m += " is locked";
      if (rng.Chance(0.5)) {
        m += "\njava.lang.IllegalStateException: Account ";
        m += acct;
        m += " is locked";
        size_t frames = 8 + rng.Uniform(kFramesLedger.size() - 7);
        for (size_t i = 0; i < frames; ++i) {
          m += "\n\tat ";
          m += kFramesLedger[i];
        }
      }
    } else {
      m += "o.a.c.c.C.[.[.[/].[dispatcherServlet]    : Servlet.service() for servlet [dispatcherServlet] in context "
           "with path [] threw exception [Request processing failed: org.springframework.transaction."
           "CannotCreateTransactionException: Could not open JDBC Connection for transaction] with root cause";
      if (rng.Chance(0.5)) {
        m += "\njava.sql.SQLTransientConnectionException: HikariPool-1 - Connection is not available, request timed "
             "out after 30000ms (total=20, active=20, idle=0, waiting=";
        AppendU(m, 1 + rng.Uniform(200));
        m += ")";
        for (const char* f : kFramesHikari) {
          m += "\n\tat ";
          m += f;
        }
        size_t frames = 4 + rng.Uniform(6);
        for (size_t i = 0; i < frames; ++i) {
          m += "\n\tat ";
          m += kFramesLedger[i];
        }
        m += "\n\t... ";
        AppendU(m, 40 + rng.Uniform(30));
        m += " common frames omitted";
      }
    }
  }
  Emitted(key, req);
}

void LogGenerator::State::K8s(const StreamDef& d, int64_t ts, std::string& m) {
  const int w = d.service;
  Field("node").assign(kK8sNodes[static_cast<size_t>(w) % kK8sNodes.size()]);
  Field("stream").assign(d.level == Level::kError ? "stderr" : "stdout");
  const Civil& c = CivilFor(ts);
  const uint64_t frac_us = static_cast<uint64_t>(ts / 1000 % 1000000);
  auto iso_ms = [&] {
    AppendDate(m, c, '-');
    m.push_back('T');
    AppendClock(m, c);
    m.push_back('.');
    AppendPadded(m, frac_us / 1000, 3);
    m.push_back('Z');
  };
  auto klog = [&](char sev, const char* file_line) {
    m.push_back(sev);
    AppendPadded(m, static_cast<uint64_t>(c.month), 2);
    AppendPadded(m, static_cast<uint64_t>(c.day), 2);
    m.push_back(' ');
    AppendClock(m, c);
    m.push_back('.');
    AppendPadded(m, frac_us, 6);
    m += "       1 ";
    m += file_line;
    m += "] ";
  };
  auto pod_ip = [&] {
    m += "10.244.";
    AppendU(m, rng.Uniform(8));
    m += ".";
    AppendU(m, 2 + rng.Uniform(250));
  };
  double u = rng.Unit();
  bool err = d.level == Level::kError;
  switch (w) {
    case 0: {  // frontend: logfmt
      m += err ? "level=error ts=" : "level=info ts=";
      iso_ms();
      if (!err) {
        const Route& r = kRoutes[pick_route.Sample(rng)];
        m += " caller=server.js:88 msg=\"request served\" method=";
        m += r.method;
        m += " path=";
        AppendRoutePath(m, r.path, 1000 + pick_product.Sample(rng));
        m += " status=200 duration_ms=";
        AppendU(m, LatencyMs());
        m += " bytes=";
        AppendU(m, 200 + rng.Uniform(20000));
      } else {
        m += " caller=api.js:41 msg=\"upstream request failed\" upstream=";
        m += kUpstreams[rng.Uniform(kUpstreams.size())];
        m += " err=\"ECONNRESET\" retry=";
        m += rng.Chance(0.5) ? "true" : "false";
      }
      break;
    }
    case 1: {  // coredns
      static constexpr std::array<const char*, 6> kNames = {
          "cart.shop.svc.cluster.local.", "frontend.shop.svc.cluster.local.", "redis.shop.svc.cluster.local.",
          "postgres.platform.svc.cluster.local.", "api.stripe.com.", "kafka.platform.svc.cluster.local."};
      if (!err) {
        m += "[INFO] ";
        pod_ip();
        m += ":";
        AppendU(m, 30000 + rng.Uniform(35000));
        m += " - ";
        AppendU(m, rng.Uniform(65536));
        m += rng.Chance(0.7) ? " \"A IN " : " \"AAAA IN ";
        m += rng.Pick(kNames);
        m += " udp 52 false 512\" NOERROR qr,aa,rd 106 0.000";
        AppendPadded(m, 50 + rng.Uniform(900), 3);
        m += "s";
      } else {
        m += "[ERROR] plugin/errors: 2 ";
        m += rng.Pick(kNames);
        m += " AAAA: read udp 10.244.0.12:";
        AppendU(m, 30000 + rng.Uniform(35000));
        m += "->10.0.0.2:53: i/o timeout";
      }
      break;
    }
    case 2: {  // cart: logrus
      m += "time=\"";
      AppendDate(m, c, '-');
      m.push_back('T');
      AppendClock(m, c);
      m += "Z\" level=";
      if (!err) {
        m += "info msg=\"cart updated\" cart_id=";
        AppendHex(m, rng, 12);
        m += " items=";
        AppendU(m, 1 + rng.Uniform(8));
        m += " user_id=";
        AppendU(m, UserId());
      } else {
        m += "error msg=\"redis command failed\" cmd=HGETALL err=\"dial tcp 10.96.";
        AppendU(m, rng.Uniform(256));
        m += ".";
        AppendU(m, rng.Uniform(256));
        m += ":6379: connect: connection refused\"";
      }
      break;
    }
    case 3: {  // ingress-nginx controller
      if (!err && u < 0.9) {
        const Route& r = kRoutes[pick_route.Sample(rng)];
        m += Ip();
        m += " - - [";
        AppendNginxTime(m, c);
        m += "] \"";
        m += r.method;
        m += " ";
        AppendRoutePath(m, r.path, 1000 + pick_product.Sample(rng));
        m += " HTTP/2.0\" 200 ";
        AppendU(m, 100 + rng.Uniform(8000));
        m += " \"-\" \"";
        m += kUserAgents[pick_ua.Sample(rng)];
        m += "\" ";
        AppendU(m, 30 + rng.Uniform(600));
        uint64_t ms = LatencyMs();
        m += " ";
        AppendSeconds(m, ms);
        m += " [shop-frontend-80] [] ";
        pod_ip();
        m += ":8080 ";
        AppendU(m, 100 + rng.Uniform(8000));
        m += " ";
        AppendSeconds(m, ms);
        m += " 200 ";
        AppendHex(m, rng, 32);  // $req_id
      } else if (!err) {
        klog('I', "controller.go:193");
        m += "\"Configuration changes detected, backend reload required\"";
      } else {
        klog('E', "store.go:1041");
        m += "\"Error obtaining Endpoints for Service\" err=\"no object matching key \\\"shop/legacy-api\\\" in local "
             "store\"";
      }
      break;
    }
    case 4: {  // prometheus: go-kit logfmt
      m += "ts=";
      iso_ms();
      if (!err) {
        m += " caller=head.go:";
        AppendU(m, 800 + rng.Uniform(400));
        m += " level=info component=tsdb msg=\"Head GC completed\" caller=truncateMemory duration=";
        AppendU(m, 10 + rng.Uniform(900));
        m += ".";
        AppendU(m, rng.Uniform(1000));
        m += "ms";
      } else {
        m += " caller=scrape.go:1777 level=warn component=\"scrape manager\" scrape_pool=kubernetes-pods "
             "target=http://";
        pod_ip();
        m += ":9102/metrics msg=\"Append failed\" err=\"out of bounds\"";
      }
      break;
    }
    default: {  // kube-proxy: klog
      if (!err) {
        klog('I', "proxier.go:805");
        m += "\"SyncProxyRules complete\" elapsed=\"";
        AppendU(m, 20 + rng.Uniform(200));
        m += "ms\"";
      } else {
        klog('E', "reflector.go:147");
        m += "k8s.io/client-go/informers/factory.go:160: Failed to watch *v1.EndpointSlice: the server has asked for "
             "the client to provide credentials";
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------

LogGenerator::LogGenerator(uint64_t seed, Options options) : s_(std::make_unique<State>(seed, options)) {}
LogGenerator::~LogGenerator() = default;

void LogGenerator::Next(model::LogRecord* out) {
  State& s = *s_;
  const StreamDef& d = s.catalog[s.pick_stream.Sample(s.rng)];
  const int64_t nominal = s.options.start_ns + static_cast<int64_t>(static_cast<double>(s.lines) * s.interval_ns);
  const int64_t ts = nominal + (s.jitter_ns > 0 ? static_cast<int64_t>(s.rng.Uniform(static_cast<uint64_t>(s.jitter_ns))) : 0);
  ++s.lines;
  out->timestamp_ns = ts;
  out->labels = d.labels;
  out->message.clear();
  s.rec = out;
  s.nfields = 0;
  switch (d.kind) {
    case Kind::kNginx: s.Nginx(d, ts, out->message); break;
    case Kind::kApp: s.App(d, ts, out->message); break;
    case Kind::kSyslog: s.Syslog(d, ts, out->message); break;
    case Kind::kJava: s.Java(d, ts, out->message); break;
    case Kind::kK8s: s.K8s(d, ts, out->message); break;
  }
  out->fields.resize(s.nfields);
  s.rec = nullptr;
}

uint64_t LogGenerator::lines() const { return s_->lines; }
const std::vector<model::LabelSet>& LogGenerator::streams() const { return s_->labels; }
const std::vector<Needle>& LogGenerator::trace_ids() const { return s_->trace_sample.items(); }
const std::vector<Needle>& LogGenerator::unique_tokens() const { return s_->token_sample.items(); }

void AppendRfc3339Nanos(int64_t ns, std::string* out) {
  int64_t sec = FloorDiv(ns, 1000000000);
  Civil c = CivilOf(sec);
  AppendDate(*out, c, '-');
  out->push_back('T');
  AppendClock(*out, c);
  out->push_back('.');
  AppendPadded(*out, static_cast<uint64_t>(ns - sec * 1000000000), 9);
  out->push_back('Z');
}

void AppendNdjsonLine(const model::LogRecord& r, std::string* out) {
  *out += "{\"_time\":\"";
  AppendRfc3339Nanos(r.timestamp_ns, out);
  out->push_back('"');
  auto kv = [&](std::string_view k, std::string_view v) {
    *out += ",\"";
    AppendJsonEscaped(*out, k);
    *out += "\":\"";
    AppendJsonEscaped(*out, v);
    out->push_back('"');
  };
  for (const auto& l : r.labels) kv(l.name, l.value);
  kv("_msg", r.message);
  for (const auto& f : r.fields) kv(f.name, f.value);
  *out += "}\n";
}

}  // namespace strata::bench

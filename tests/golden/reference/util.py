"""Small helpers shared by the reference evaluator: durations, byte sizes, IP ranges, patterns, number formatting,
Loki's timestamp parameter rules."""
import datetime
import decimal
import ipaddress
import math
import re

NS = {"ns": 1, "us": 1000, "µs": 1000, "μs": 1000, "ms": 1_000_000, "s": 1_000_000_000, "m": 60_000_000_000,
      "h": 3_600_000_000_000}
PROM = {"ms": 1_000_000, "s": 1_000_000_000, "m": 60_000_000_000, "h": 3_600_000_000_000, "d": 86_400_000_000_000,
        "w": 7 * 86_400_000_000_000, "y": 365 * 86_400_000_000_000}


def parse_prom_duration(s):
    """Prometheus duration: [0-9]+(y|w|d|h|m|s|ms) repeated, largest unit first; returns ns."""
    if not s or not re.fullmatch(r"(\d+(ms|y|w|d|h|m|s))+", s):
        raise ValueError(f'not a valid duration string: "{s}"')
    total = 0
    for num, unit in re.findall(r"(\d+)(ms|y|w|d|h|m|s)", s):
        total += int(num) * PROM[unit]
    return total


def parse_go_duration(s):
    """Go time.ParseDuration; returns ns or None."""
    m = re.fullmatch(r"([-+]?)((?:[0-9]*\.?[0-9]+(?:ns|us|µs|μs|ms|s|m|h))+)", s)
    if not m:
        return None if s != "0" else 0
    total = decimal.Decimal(0)
    for num, unit in re.findall(r"([0-9]*\.?[0-9]+)(ns|us|µs|μs|ms|s|m|h)", m.group(2)):
        total += decimal.Decimal(num) * NS[unit]
    v = int(total)
    return -v if m.group(1) == "-" else v


def parse_duration_literal(s):
    try:
        return parse_prom_duration(s)
    except ValueError:
        return parse_go_duration(s)


BYTE_UNITS = {"b": 1, "kb": 1000, "kib": 1024, "mb": 1000 ** 2, "mib": 1024 ** 2, "gb": 1000 ** 3, "gib": 1024 ** 3,
              "tb": 1000 ** 4, "tib": 1024 ** 4, "pb": 1000 ** 5, "pib": 1024 ** 5,
              "k": 1000, "ki": 1024, "m": 1000 ** 2, "mi": 1024 ** 2, "g": 1000 ** 3, "gi": 1024 ** 3, "": 1}


def parse_bytes_literal(s):
    """A LogQL bytes literal (the unit must end in B)."""
    m = re.fullmatch(r"([0-9]*\.?[0-9]+)(B|kB|KB|MB|GB|TB|PB|KiB|MiB|GiB|TiB|PiB)", s)
    if not m:
        return None
    return int(decimal.Decimal(m.group(1)) * BYTE_UNITS[m.group(2).lower()])


def humanize_parse_bytes(s):
    """go-humanize ParseBytes: number, optional space, case-insensitive unit; None on failure."""
    m = re.fullmatch(r"\s*([0-9]*\.?[0-9]+)\s*([A-Za-z]*)\s*", s.replace(",", ""))
    if not m or m.group(2).lower() not in BYTE_UNITS:
        return None
    return float(int(decimal.Decimal(m.group(1)) * BYTE_UNITS[m.group(2).lower()]))


def parse_float(s):
    """strconv.ParseFloat subset: decimal numbers, exponents, inf/nan."""
    s2 = s.strip()
    if s2 != s or not re.fullmatch(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?|[-+]?(?i:inf|infinity|nan)", s):
        return None
    return float(s)


def matcher_matches(op, pattern, value):
    if op == "=":
        return value == pattern
    if op == "!=":
        return value != pattern
    if op == "=~":
        return re.fullmatch(pattern, value, re.S) is not None
    if op == "!~":
        return re.fullmatch(pattern, value, re.S) is None
    raise ValueError(op)


def parse_ip_spec(v):
    """An address, a range a-b, or a CIDR -> (lo, hi) ints with a version, else None."""
    try:
        if "/" in v:
            net = ipaddress.ip_network(v, strict=False)
            return (net.version, int(net.network_address), int(net.broadcast_address))
        if "-" in v:
            a, b = v.split("-", 1)
            a, b = ipaddress.ip_address(a.strip()), ipaddress.ip_address(b.strip())
            if a.version != b.version or int(a) > int(b):
                return None
            return (a.version, int(a), int(b))
        a = ipaddress.ip_address(v)
        return (a.version, int(a), int(a))
    except ValueError:
        return None


def ip_in(spec, addr_text):
    try:
        a = ipaddress.ip_address(addr_text)
    except ValueError:
        return False
    version, lo, hi = spec
    return a.version == version and lo <= int(a) <= hi


def ips_in_line(line):
    """Candidate addresses in a line: maximal runs of IP characters that parse as an address."""
    out = []
    for tok in re.findall(r"[0-9A-Fa-f:.]+", line):
        for cand in (tok, tok.strip(".:")):
            try:
                ipaddress.ip_address(cand)
                out.append(cand)
                break
            except ValueError:
                continue
    return out


def parse_pattern(p):
    """`<name>` captures and literals -> [("lit", text) | ("cap", name)]."""
    parts = []
    i = 0
    lit = ""
    while i < len(p):
        m = re.match(r"<(_|[A-Za-z_][A-Za-z0-9_]*)>", p[i:])
        if m:
            if lit:
                parts.append(("lit", lit))
                lit = ""
            parts.append(("cap", m.group(1)))
            i += m.end()
        else:
            lit += p[i]
            i += 1
    if lit:
        parts.append(("lit", lit))
    return parts


def pattern_matches(parts, line):
    """Loki's pattern matcher: a leading literal anchors at the start; each capture runs to the first occurrence of
    the next literal; a missing literal ends matching (the capture takes the rest). Returns [(name, value)]."""
    caps = []
    if not line or not parts:
        return caps
    expr = list(parts)
    if expr[0][0] == "lit":
        if not line.startswith(expr[0][1]):
            return caps
        line = line[len(expr[0][1]):]
        expr = expr[1:]
    while expr:
        if len(expr) == 1:
            if expr[0][1] != "_":
                caps.append((expr[0][1], line))
            return caps
        cap, lit = expr[0][1], expr[1][1]
        expr = expr[2:]
        i = line.find(lit)
        if i < 0:
            if cap != "_":
                caps.append((cap, line))
            return caps
        if cap != "_":
            caps.append((cap, line[:i]))
        line = line[i + len(lit):]
    return caps


def pattern_test(parts, line):
    """Loki's pattern filter (|>): literals in order, anchored at the start for a leading literal, and the whole
    line consumed when the pattern ends on a literal."""
    if not line or not parts:
        return False
    expr = list(parts)
    if expr[0][0] == "lit":
        if not line.startswith(expr[0][1]):
            return False
        line = line[len(expr[0][1]):]
        expr = expr[1:]
    while expr:
        if len(expr) == 1:
            return True
        lit = expr[1][1]
        expr = expr[2:]
        i = line.find(lit)
        if i < 0:
            return False
        line = line[i + len(lit):]
    return len(line) == 0


def scalar_binop(op, a, b):
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    if op == "/":
        if b == 0:
            if a == 0 or math.isnan(a):
                return math.nan
            return math.copysign(math.inf, a) * math.copysign(1.0, b)
        return a / b
    if op == "%":
        if b == 0:
            return math.nan
        return math.fmod(a, b)
    if op == "^":
        try:
            return math.pow(a, b)
        except OverflowError:
            return math.inf
    if op == "==":
        return a == b
    if op == "!=":
        return a != b
    if op == ">":
        return a > b
    if op == ">=":
        return a >= b
    if op == "<":
        return a < b
    if op == "<=":
        return a <= b
    raise ValueError(op)


def format_value(v):
    """Go strconv.FormatFloat(v, 'f', -1, 64)."""
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "+Inf" if v > 0 else "-Inf"
    s = format(decimal.Decimal(repr(float(v))), "f")
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    if s == "-0":
        return "-0"
    return s


def parse_loki_time(value, default_ns):
    """pkg/loghttp parseTimestamp: '' -> default; with '.' -> float seconds rounded to ms; an int of <= 10 chars
    -> seconds, else ns; else RFC3339Nano. Raises ValueError."""
    if value is None or value == "":
        return default_ns
    if "." in value:
        try:
            f = float(value)
            secs = math.floor(f) if f >= 0 else math.ceil(f)
            frac = round((f - secs) * 1000) / 1000
            return int(secs) * 1_000_000_000 + int(round(frac * 1e9))
        except ValueError:
            pass
    if re.fullmatch(r"[-+]?\d+", value):
        n = int(value)
        return n * 1_000_000_000 if len(value) <= 10 else n
    return parse_rfc3339(value)


def parse_rfc3339(value):
    m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?([Zz]|[-+]\d{2}:\d{2})", value)
    if not m:
        raise ValueError(f"cannot parse {value!r}")
    y, mo, d, h, mi, s = (int(m.group(k)) for k in range(1, 7))
    frac = int((m.group(7) or "0").ljust(9, "0"))
    dt = datetime.datetime(y, mo, d, h, mi, s, tzinfo=datetime.timezone.utc)
    ns = int(dt.timestamp()) * 1_000_000_000 + frac
    z = m.group(8)
    if z not in ("Z", "z"):
        sign = 1 if z[0] == "+" else -1
        ns -= sign * (int(z[1:3]) * 3600 + int(z[4:6]) * 60) * 1_000_000_000
    return ns


def parse_step(value):
    """step / interval: float seconds or a Prometheus duration -> ns; ValueError otherwise."""
    try:
        return int(round(float(value) * 1e9))
    except ValueError:
        return parse_prom_duration(value)


def rfc3339(ns):
    secs, frac = divmod(ns, 1_000_000_000)
    return datetime.datetime.fromtimestamp(secs, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S") + f".{frac:09d}Z"

#!/usr/bin/env python3
"""Side-by-side benchmark: Strata against VictoriaLogs on the same generated data, in the same run (bench/README.md).

  python3 bench/side_by_side/side_by_side.py [--lines 2000000] [--clients 4] [--ingest-runs 3] [--query-runs 5]
  python3 bench/side_by_side/side_by_side.py --smoke      # seconds: checks the harness end to end, no results file

Steps: (1) `sbs_dataset` writes the seeded generator's records as Loki push JSON and _bulk bodies (batches of 1000)
plus the ground truth; (2) each system is started alone (2 cores: never both at once) with its own data directory;
(3) ingest: --clients keep-alive clients post the batches over the same protocol to each system; (4) queries: the
query set of PERFORMANCE.md in LogQL (Strata's Loki API) and LogsQL (VictoriaLogs), counts checked against each
other and against the generator's truth; (5) tail probe: push acknowledgement -> live-tail delivery; (6) one
Markdown report into bench/results/<date>-side-by-side-<host>.md. Exits 1 on any count mismatch or error.
"""
import argparse
import datetime
import http.client
import itertools
import json
import mmap
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "../.."))
CLK_TCK = os.sysconf("SC_CLK_TCK")
VL_VERSION = os.environ.get("VL_VERSION", "v1.52.1")
VL_DEFAULT_BIN = os.path.join(os.environ.get("PEERS_DIR", "/opt/strata-peers"), f"victoria-logs-{VL_VERSION}",
                              "victoria-logs")
LABELS = ["service", "env", "host", "level", "namespace", "pod", "container"]  # the generator's stream labels
ALL = '{env=~".+"}'  # every generated stream has env; LogQL needs one matcher that rejects ""

FAILURES = []
QUIET_SECONDS = 4.0  # the data directory unchanged this long = flushes and merges are done (1 s in --smoke)


def fail(msg):
    FAILURES.append(msg)
    print(f"\n!!!!! MISMATCH / FAILURE: {msg}\n", file=sys.stderr, flush=True)


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def dir_bytes(path, exclude=()):
    total = 0
    for dp, dns, fns in os.walk(path):
        dns[:] = [d for d in dns if d not in exclude]
        for f in fns:
            try:
                total += os.lstat(os.path.join(dp, f)).st_size
            except OSError:
                pass
    return total


def proc_cpu(pid):
    with open(f"/proc/{pid}/stat") as f:
        parts = f.read().rsplit(")", 1)[1].split()
    return (int(parts[11]) + int(parts[12])) / CLK_TCK  # utime + stime (fields 14, 15)


def proc_hwm(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return 0


def pct(xs, p):
    if not xs:
        return float("nan")
    xs = sorted(xs)
    k = min(len(xs) - 1, max(0, int(round(p / 100.0 * (len(xs) - 1)))))
    return xs[k]


def req(port, method, path, body=None, headers=None, timeout=300):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        r = conn.getresponse()
        return r.status, r.read()
    finally:
        conn.close()


# ---------------------------------------------------------------------------------------------------------- servers
class Server:
    name = ""

    def __init__(self, work, tag):
        self.data_dir = os.path.join(work, f"{self.name}-{tag}")
        self.log_path = self.data_dir + ".log"
        self.port = free_port()
        self.proc = None

    def wait_ready(self, path, timeout=60):
        try:
            self._wait_ready(path, timeout)
        except BaseException:
            self.stop()  # never leave a server behind
            raise

    def _wait_ready(self, path, timeout):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode}: {self.tail_log()}")
            try:
                if req(self.port, "GET", path, timeout=2)[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.05)
        raise TimeoutError(f"{self.name} not ready: {self.tail_log()}")

    def tail_log(self):
        try:
            with open(self.log_path, errors="replace") as f:
                return f.read()[-3000:]
        except OSError:
            return ""

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def cpu(self):
        return proc_cpu(self.proc.pid)

    def hwm(self):
        return proc_hwm(self.proc.pid)


class Strata(Server):
    name = "strata"
    label = "Strata"

    def __init__(self, work, tag, binary):
        super().__init__(work, tag)
        self.binary = binary

    def start(self):
        os.makedirs(self.data_dir, exist_ok=True)
        self.logf = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [self.binary, "serve", "--data-dir", self.data_dir, "--http-listen", f"127.0.0.1:{self.port}",
             "--grpc-listen", "", "--syslog-listen", "", "--syslog-tls-listen", "", "--forward-listen", "",
             "--retention-default", "365d", "--log-level", "warn",
             "--elasticsearch-label-fields", ",".join(LABELS)],
            stdout=self.logf, stderr=self.logf)
        self.wait_ready("/readyz")
        return self

    def ingest_target(self, proto):
        if proto == "loki":
            return "/loki/api/v1/push", {"Content-Type": "application/json"}
        return "/_bulk", {"Content-Type": "application/x-ndjson"}

    def metric(self, name):
        st, body = req(self.port, "GET", "/metrics")
        total, seen = 0.0, False
        for line in body.decode().splitlines():
            if line.startswith(name) and (len(line) == len(name) or line[len(name)] in " {" or name.endswith("}")):
                total += float(line.rsplit(" ", 1)[1])
                seen = True
        return total if seen else None

    def settle(self, timeout=600):
        """Waits for the head to be flushed to parts and the background merges to go quiet."""
        deadline = time.time() + timeout
        while time.time() < deadline and (self.metric("strata_head_records") or 0) > 0:
            time.sleep(0.2)
        flushed = time.time()
        wait_stable(self.data_dir, deadline, quiet=QUIET_SECONDS)
        return flushed

    def disk_bytes(self):
        return dir_bytes(self.data_dir)

    def version(self):
        try:
            st, body = req(self.port, "GET", "/api/v1/buildinfo")
            return json.loads(body).get("version", "?")
        except Exception:  # noqa: BLE001
            return "?"


class VictoriaLogs(Server):
    name = "victorialogs"
    label = "VictoriaLogs"

    def __init__(self, work, tag, binary):
        super().__init__(work, tag)
        self.binary = binary

    def start(self):
        os.makedirs(self.data_dir, exist_ok=True)
        self.logf = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [self.binary, f"-storageDataPath={self.data_dir}", f"-httpListenAddr=127.0.0.1:{self.port}",
             "-retentionPeriod=100y", "-loki.disableMessageParsing", "-loggerLevel=WARN"],
            stdout=self.logf, stderr=self.logf)
        self.wait_ready("/health")
        return self

    def ingest_target(self, proto):
        if proto == "loki":
            return "/insert/loki/api/v1/push", {"Content-Type": "application/json"}
        q = urllib.parse.urlencode({"_msg_field": "message", "_time_field": "@timestamp",
                                    "_stream_fields": ",".join(LABELS)})
        return "/insert/elasticsearch/_bulk?" + q, {"Content-Type": "application/x-ndjson"}

    def metric(self, name):
        st, body = req(self.port, "GET", "/metrics")
        total, seen = 0.0, False
        for line in body.decode().splitlines():
            if line.startswith(name) and (len(line) == len(name) or line[len(name)] in " {" or name.endswith("}")):
                total += float(line.rsplit(" ", 1)[1])
                seen = True
        return total if seen else None

    def settle(self, timeout=600):
        """force_flush; waits until no rows are pending and no part is in memory only (VictoriaLogs persists in-memory
        parts every -inmemoryDataFlushInterval, 5 s); then force_merge of every day partition and waits for the merges
        to go quiet."""
        deadline = time.time() + timeout
        req(self.port, "GET", "/internal/force_flush")
        flushed = time.time()

        def busy(*names):
            return sum(self.metric(n) or 0 for n in names) > 0
        while time.time() < deadline and busy('vl_pending_rows{type="storage"}', 'vl_storage_parts{type="storage/inmemory"}'):
            time.sleep(0.2)
        pdir = os.path.join(self.data_dir, "partitions")
        for p in sorted(os.listdir(pdir)) if os.path.isdir(pdir) else []:
            req(self.port, "GET", "/internal/force_merge?partition_prefix=" + p)
        time.sleep(0.5)
        while time.time() < deadline and busy("vl_active_force_merges", "vl_active_merges",
                                              'vl_storage_parts{type="storage/inmemory"}'):
            time.sleep(0.2)
        wait_stable(self.data_dir, deadline, quiet=QUIET_SECONDS)
        return flushed

    def disk_bytes(self):
        return dir_bytes(self.data_dir)

    def version(self):
        return VL_VERSION


def wait_stable(path, deadline, quiet):
    last, since = dir_bytes(path), time.time()
    while time.time() < deadline:
        time.sleep(0.5)
        now = dir_bytes(path)
        if now != last:
            last, since = now, time.time()
        elif time.time() - since >= quiet:
            return


# ----------------------------------------------------------------------------------------------------------- ingest
class Batches:
    def __init__(self, data_dir, proto):
        self.f = open(os.path.join(data_dir, f"{proto}.bin"), "rb")
        self.mm = mmap.mmap(self.f.fileno(), 0, access=mmap.ACCESS_READ)
        self.index = []
        with open(os.path.join(data_dir, f"{proto}.idx")) as f:
            for line in f:
                off, ln, lines, raw = map(int, line.split())
                self.index.append((off, ln, lines, raw))

    def body(self, i):
        off, ln, _, _ = self.index[i]
        return self.mm[off:off + ln]


def run_ingest(server, proto, batches, clients):
    path, headers = server.ingest_target(proto)
    n = len(batches.index)
    counter = itertools.count()
    lock = threading.Lock()
    stats = {"lat": [], "lines": 0, "bytes": 0, "raw": 0, "retries": 0, "errors": []}

    def client():
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=120)
        lat, lines, nbytes, raw, retries, errors = [], 0, 0, 0, 0, []
        while True:
            i = next(counter)
            if i >= n:
                break
            body = batches.body(i)
            while True:
                t0 = time.perf_counter()
                try:
                    conn.request("POST", path, body=body, headers=headers)
                    r = conn.getresponse()
                    data = r.read()
                except (OSError, http.client.HTTPException) as e:
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=120)
                    errors.append(f"batch {i}: {e}")
                    break
                dt = time.perf_counter() - t0
                if r.status in (429, 503):
                    retries += 1
                    time.sleep(0.05)
                    continue
                if r.status // 100 != 2 or (proto == "bulk" and b'"errors":true' in data[:200]):
                    errors.append(f"batch {i}: HTTP {r.status} {data[:300]!r}")
                    break
                lat.append(dt)
                _, ln, bl, br = batches.index[i]
                lines += bl
                nbytes += ln
                raw += br
                break
        conn.close()
        with lock:
            stats["lat"] += lat
            stats["lines"] += lines
            stats["bytes"] += nbytes
            stats["raw"] += raw
            stats["retries"] += retries
            stats["errors"] += errors

    cpu0 = server.cpu()
    t0 = time.time()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    t1 = time.time()
    cpu1 = server.cpu()
    flushed_at = server.settle()
    cpu2 = server.cpu()
    res = {
        "seconds": t1 - t0, "lines": stats["lines"], "bytes": stats["bytes"], "raw": stats["raw"],
        "retries": stats["retries"], "errors": stats["errors"],
        "p50_ms": pct(stats["lat"], 50) * 1000, "p99_ms": pct(stats["lat"], 99) * 1000,
        "cpu_ingest": cpu1 - cpu0, "cpu_total": cpu2 - cpu0, "flushed_seconds": flushed_at - t0,
        "rss": server.hwm(), "disk": server.disk_bytes(),
    }
    res["lines_s"] = res["lines"] / res["seconds"]
    res["mb_s"] = res["bytes"] / res["seconds"] / 1e6
    res["raw_mb_s"] = res["raw"] / res["seconds"] / 1e6
    res["flushed_lines_s"] = res["lines"] / max(res["flushed_seconds"], 1e-9)
    for e in res["errors"][:5]:
        log(f"  {server.label} {proto} error: {e}")
    if res["errors"]:
        fail(f"{server.label} {proto} ingest: {len(res['errors'])} failed batches")
    log(f"  {server.label} {proto}: {res['lines']:,} lines in {res['seconds']:.1f} s = {res['lines_s']:,.0f} lines/s, "
        f"p50 {res['p50_ms']:.1f} ms p99 {res['p99_ms']:.1f} ms, CPU {res['cpu_ingest']:.1f} s "
        f"(+{res['cpu_total'] - res['cpu_ingest']:.1f} s to settle), RSS {res['rss'] / 2**20:.0f} MiB, "
        f"disk {res['disk'] / 2**20:.1f} MiB")
    return res


# ---------------------------------------------------------------------------------------------------------- queries
def ns_to_rfc3339(ns):
    s, frac = divmod(ns, 1_000_000_000)
    return datetime.datetime.fromtimestamp(s, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S") + f".{frac:09d}Z"


class StrataQ:
    def __init__(self, server):
        self.port = server.port

    def get(self, path, params):
        st, body = req(self.port, "GET", path + "?" + urllib.parse.urlencode(params))
        if st != 200:
            raise RuntimeError(f"Strata {path} {params.get('query')}: HTTP {st} {body[:300]!r}")
        return body

    def logs(self, q, start, end, limit):
        return lambda: self.get("/loki/api/v1/query_range", {"query": q, "start": str(start), "end": str(end),
                                                             "limit": str(limit), "direction": "backward"})

    def instant(self, q, t):
        return lambda: self.get("/loki/api/v1/query", {"query": q, "time": str(t)})

    def range(self, q, start, end, step):
        return lambda: self.get("/loki/api/v1/query_range", {"query": q, "start": str(start), "end": str(end),
                                                             "step": str(step)})


class VLQ:
    def __init__(self, server):
        self.port = server.port

    def query(self, q, start_ns, end_ns, limit=None):
        params = {"query": q, "start": ns_to_rfc3339(start_ns), "end": ns_to_rfc3339(end_ns)}
        if limit:
            params["limit"] = str(limit)

        def run():
            st, body = req(self.port, "POST", "/select/logsql/query", urllib.parse.urlencode(params).encode(),
                            {"Content-Type": "application/x-www-form-urlencoded"})
            if st != 200:
                raise RuntimeError(f"VictoriaLogs {q}: HTTP {st} {body[:300]!r}")
            return body
        return run


def strata_log_entries(body):
    out = []
    for s in json.loads(body)["data"]["result"]:
        for v in s["values"]:
            out.append(int(v[0]))
    return out


def strata_vector(body, key=None):
    res = {}
    for s in json.loads(body)["data"]["result"]:
        k = s["metric"].get(key, "") if key else ""
        res[k] = res.get(k, 0) + int(float(s["value"][1]))
    return res


def strata_matrix_total(body, shift_ns=60_000_000_000):
    """Points of a count_over_time(...[1m]) matrix, keyed by the bucket start they cover ((t-1m, t] -> t-1m)."""
    res = {}
    for s in json.loads(body)["data"]["result"]:
        for t, v in s["values"]:
            k = int(round(float(t) * 1e9)) - shift_ns
            res[k] = res.get(k, 0) + int(float(v))
    return res


def vl_lines(body):
    return [json.loads(x) for x in body.decode().splitlines() if x.strip()]


def vl_times(body):
    out = []
    for o in vl_lines(body):
        t = o["_time"]
        out.append(rfc3339_to_ns(t))
    return out


def rfc3339_to_ns(t):
    m = re.match(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?Z$", t)
    base = datetime.datetime.strptime(m.group(1), "%Y-%m-%dT%H:%M:%S").replace(tzinfo=datetime.timezone.utc)
    frac = (m.group(2) or "").ljust(9, "0")[:9]
    return int(base.timestamp()) * 1_000_000_000 + int(frac)


def vl_groups(body, key, value="n"):
    return {o.get(key, ""): int(o[value]) for o in vl_lines(body)}


# Tokens and filters of the query set; sbs_dataset counts them exactly (count specs below). Words are chosen so that
# the substring (LogQL |=) and the whole-token (LogsQL word filter) answers are the same; the harness checks that.
FREQ = "HTTP"
HIST = "timeout"
REGEX = 'HTTP/1.[01]" 5[0-9][0-9] '
SEL_LABEL = "service=nginx"
SEL_WORD = "POST"
FIELD, FIELD_N = "latency_ms", 1000
COUNT_SPECS = [f"substr:{FREQ}", f"word:{FREQ}", f"hist/substr:{HIST}", f"word:{HIST}",
               f"label_substr:{SEL_LABEL}:{SEL_WORD}", f"word:{SEL_WORD}", f"substr:{SEL_WORD}",
               f"field_gt:{FIELD}:{FIELD_N}"]


def span(meta):
    t0 = meta["min_ts"] // 1_000_000_000 - 1  # seconds, just before the first line
    t1 = meta["max_ts"] // 1_000_000_000 + 2  # just after the last
    return t0, t1


def query_cases(meta):
    """The PERFORMANCE.md query set. sq: how Strata is asked (Loki API), vq: how VictoriaLogs is asked (LogsQL)."""
    t0, t1 = span(meta)
    w = t1 - t0
    hour_start = max(t0, t1 - 3600)
    counts = meta["counts"]
    trace = max(meta["trace_ids"], key=lambda n: (n["count"], n["value"]))  # a trace id with several lines
    trace1 = [n for n in meta["trace_ids"] if n["count"] == 1]
    token = meta["unique_tokens"][len(meta["unique_tokens"]) // 2]
    lbl, val = SEL_LABEL.split("=")
    hour = f"_time:({ns_to_rfc3339(hour_start * 10**9)}, {ns_to_rfc3339(t1 * 10**9)}] "
    cases = [
        dict(name=f"needle: one trace_id ({trace['count']} lines)", kind="lines", truth=trace["count"],
             sq=("logs", f'{ALL} | trace_id="{trace["value"]}"', 1000),
             vq=(f'trace_id:="{trace["value"]}"', None)),
    ]
    if trace1:
        cases.append(dict(name="needle: trace_id on 1 line", kind="lines", truth=1,
                          sq=("logs", f'{ALL} | trace_id="{trace1[0]["value"]}"', 1000),
                          vq=(f'trace_id:="{trace1[0]["value"]}"', None)))
    cases += [
        dict(name="rare token (emitted once)", kind="lines", truth=token["count"],
             sq=("logs", f'{ALL} |= "{token["value"]}"', 1000), vq=(f'"{token["value"]}"', None)),
        dict(name=f'frequent token "{FREQ}", newest 100', kind="newest", truth=None,
             sq=("logs", f'{ALL} |= "{FREQ}"', 100), vq=(f'"{FREQ}"', 100)),
        dict(name=f'count of "{FREQ}" (all lines)', kind="count", truth=counts[f"substr:{FREQ}"]["total"],
             sq=("instant", f'sum(count_over_time({ALL} |= "{FREQ}" [{w}s]))'),
             vq=(f'"{FREQ}" | stats count() as n', None)),
        dict(name="count by level (all lines)", kind="groups:level", truth=meta["per_level"],
             sq=("instant", f"sum by (level) (count_over_time({ALL}[{w}s]))"),
             vq=("* | stats by (level) count() as n", None)),
        dict(name=f'1-minute histogram of "{HIST}"', kind="histogram", truth=counts[f"hist/substr:{HIST}"],
             sq=("range", f'sum(count_over_time({ALL} |= "{HIST}" [1m]))', 60),
             vq=(f'"{HIST}" | stats by (_time:1m) count() as n', None)),
        dict(name="regex over the last hour", kind="count", truth=None,
             sq=("instant", f"sum(count_over_time({ALL} |~ `{REGEX}` [{t1 - hour_start}s]))"),
             vq=(hour + f"~'{REGEX}' | stats count() as n", None)),
        dict(name=f'selector {{{SEL_LABEL}}} + line filter "{SEL_WORD}"', kind="count",
             truth=counts[f"label_substr:{SEL_LABEL}:{SEL_WORD}"]["total"],
             sq=("instant", f'sum(count_over_time({{{lbl}="{val}"}} |= "{SEL_WORD}" [{w}s]))'),
             vq=(f'{{{lbl}="{val}"}} "{SEL_WORD}" | stats count() as n', None)),
        dict(name=f"field filter {FIELD} > {FIELD_N}", kind="count", truth=counts[f"field_gt:{FIELD}:{FIELD_N}"]["total"],
             sq=("instant", f"sum(count_over_time({ALL} | {FIELD} > {FIELD_N} [{w}s]))"),
             vq=(f"{FIELD}:>{FIELD_N} | stats count() as n", None)),
        dict(name="topk(5) services by lines", kind="groups:service",
             truth=dict(sorted(meta["per_service"].items(), key=lambda kv: -kv[1])[:5]),
             sq=("instant", f"topk(5, sum by (service) (count_over_time({ALL}[{w}s])))"),
             vq=("* | stats by (service) count() as n | sort by (n desc) | limit 5", None)),
    ]
    return cases


def word_notes(meta):
    notes = []
    c = meta["counts"]
    for w in (FREQ, HIST, SEL_WORD):
        sub = c.get(f"substr:{w}", c.get(f"hist/substr:{w}", {})).get("total")
        word = c.get(f"word:{w}", {}).get("total")
        if sub is not None and word is not None and sub != word:
            notes.append(f"{w!r} occurs in {sub} messages as a substring but in {word} as a whole token: LogQL |= and "
                         f"the LogsQL word filter answer differently by design")
    return notes


def run_query_set(srv, meta, runs):
    """Runs every case on one system: {name: {first, median, answer, query, error}}."""
    t0, t1 = span(meta)
    start_ns, end_ns = t0 * 10**9, t1 * 10**9
    out = {}
    for case in query_cases(meta):
        if isinstance(srv, Strata):
            q = StrataQ(srv)
            kind, text, *rest = case["sq"]
            if kind == "logs":
                call = q.logs(text, start_ns, end_ns, rest[0])
            elif kind == "instant":
                call = q.instant(text, t1)
            else:  # points at minute ends: (t-1m, t] from the first line's minute to the last one's
                step = rest[0]
                call = q.range(text, (meta["min_ts"] // 10**9 // step + 1) * step,
                               (meta["max_ts"] // 10**9 // step + 1) * step, step)
        else:
            text, limit = case["vq"]
            call = VLQ(srv).query(text, start_ns, end_ns, limit)
        times, body, err, answer = [], None, None, None
        for _ in range(runs):
            t = time.perf_counter()
            try:
                body = call()
            except Exception as e:  # noqa: BLE001
                err = str(e)
                break
            times.append((time.perf_counter() - t) * 1000)
        if err is None:
            try:
                answer = parse_answer(srv.label, case["kind"], body)
            except Exception as e:  # noqa: BLE001
                err = f"cannot parse the answer: {e}: {body[:300]!r}"
        if err:
            fail(f"{srv.label} query {case['name']!r} ({text}): {err}")
        out[case["name"]] = {"first": times[0] if times else None,
                             "median": statistics.median(times) if times else None,
                             "answer": answer, "query": text, "error": err}
        log(f"  {srv.label} {case['name']}: median {fmt_ms(out[case['name']]['median'])} ms, "
            f"first {fmt_ms(out[case['name']]['first'])} ms, {summarize(case['kind'], answer)}")
    return out


def merge_query_rows(meta, by_system):
    rows = []
    if not by_system:
        return rows
    for case in query_cases(meta):
        row = {"name": case["name"], "truth": case["truth"], "kind": case["kind"],
               "results": {label: res[case["name"]] for label, res in by_system.items()}}
        row["check"] = check_row(row)
        rows.append(row)
    return rows


def parse_answer(label, kind, body):
    if label == "Strata":
        if kind in ("lines", "newest"):
            return sorted(strata_log_entries(body), reverse=True)
        if kind == "count":
            return sum(strata_vector(body).values())
        if kind.startswith("groups:"):
            return strata_vector(body, kind.split(":")[1])
        if kind == "histogram":
            return {k: v for k, v in strata_matrix_total(body).items() if v}
    else:
        if kind in ("lines", "newest"):
            return sorted(vl_times(body), reverse=True)
        if kind == "count":
            lines = vl_lines(body)
            return int(lines[0]["n"]) if lines else 0
        if kind.startswith("groups:"):
            return vl_groups(body, kind.split(":")[1])
        if kind == "histogram":
            return {rfc3339_to_ns(o["_time"]): int(o["n"]) for o in vl_lines(body) if int(o["n"])}
    raise ValueError(kind)


def summarize(kind, answer):
    if answer is None:
        return "error"
    if kind == "lines":
        return f"{len(answer)} lines"
    if kind == "newest":
        return f"{len(answer)} lines"
    if kind == "count":
        return f"{answer:,}"
    if kind.startswith("groups:"):
        return f"{len(answer)} groups, {sum(answer.values()):,} lines"
    if kind == "histogram":
        return f"{len(answer)} buckets, {sum(answer.values()):,} lines"
    return str(answer)


def check_row(row):
    kind, truth = row["kind"], row["truth"]
    answers = {k: r["answer"] for k, r in row["results"].items()}
    problems = []
    if any(a is None for a in answers.values()):
        return "ERROR"

    def norm(a):
        if kind == "lines":
            return len(a)
        if kind == "histogram":
            return a
        return a
    if kind == "histogram" and truth is not None:
        truth_map = {int(k): v for k, v in truth["per_minute"].items()}
        for label, a in answers.items():
            if sum(a.values()) != truth["total"]:
                problems.append(f"{label} total {sum(a.values())} != truth {truth['total']}")
            elif a != truth_map:
                diff = sum(1 for k in set(a) | set(truth_map) if a.get(k, 0) != truth_map.get(k, 0))
                problems.append(f"{label}: {diff} buckets differ from the truth")
    elif truth is not None:
        for label, a in answers.items():
            if norm(a) != truth:
                problems.append(f"{label} {summarize(kind, a)} != truth {truth if not isinstance(truth, dict) else truth}"
                                + (f" (got {a})" if isinstance(a, dict) else ""))
    if len(answers) == 2:
        a, b = answers["Strata"], answers["VictoriaLogs"]
        if norm(a) != norm(b):
            problems.append(f"Strata {summarize(kind, a)} vs VictoriaLogs {summarize(kind, b)}"
                            + (f": {a} vs {b}" if isinstance(a, dict) and len(a) < 10 else ""))
    if problems:
        msg = f"query {row['name']!r}: " + "; ".join(problems)
        fail(msg)
        return "MISMATCH: " + "; ".join(problems)
    return "same" + (" (= truth)" if truth is not None else "") if len(answers) == 2 else \
        ("= truth" if truth is not None else "ok")


def code(text):
    """A Markdown code span inside a table cell (pipes escaped; double backticks when the text has one)."""
    text = text.replace("|", "&#124;")
    return f"`` {text} ``" if "`" in text else f"`{text}`"


def fmt_ms(x):
    if x is None:
        return "-"
    return f"{x:.1f}" if x < 100 else f"{x:,.0f}"


# ------------------------------------------------------------------------------------------------------- tail probe
def tail_probe(server, seconds, rate_hz=20, lines_per_batch=5):
    """Pushes small batches to a fresh stream while a live tail listens; returns delivery delays after the ack."""
    tag = f"probe{int(time.time())}"
    acks, recv = {}, {}
    stop = threading.Event()
    errors = []
    ready = threading.Event()

    if isinstance(server, Strata):
        import websocket  # websocket-client (scripts/bootstrap)
        q = urllib.parse.quote(f'{{service="tailprobe",host="{tag}"}}')
        ws = websocket.create_connection(
            f"ws://127.0.0.1:{server.port}/loki/api/v1/tail?query={q}&limit=1&start={time.time_ns()}", timeout=2)

        def reader():
            ready.set()
            while not stop.is_set():
                try:
                    msg = ws.recv()
                except websocket.WebSocketTimeoutException:
                    continue
                except Exception as e:  # noqa: BLE001
                    if not stop.is_set():
                        errors.append(str(e))
                    return
                now = time.perf_counter()
                if not msg:
                    continue
                for s in json.loads(msg).get("streams", []):
                    for v in s["values"]:
                        seq = v[1].split(" ")[1]
                        recv.setdefault(seq, now)
        closer = ws.close
    else:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=2)
        conn.request("GET", "/select/logsql/tail?" + urllib.parse.urlencode(
            {"query": f'{{service="tailprobe",host="{tag}"}}'}))
        resp = conn.getresponse()
        if resp.status != 200:
            raise RuntimeError(f"VictoriaLogs tail: HTTP {resp.status} {resp.read()[:200]!r}")
        conn.sock.settimeout(None)  # a timed-out HTTPResponse cannot be read again; stop() shuts the socket down

        def reader():
            ready.set()
            while not stop.is_set():
                try:
                    line = resp.readline()
                except Exception as e:  # noqa: BLE001
                    if not stop.is_set():
                        errors.append(str(e))
                    return
                now = time.perf_counter()
                if not line:
                    return
                if line.strip():
                    seq = json.loads(line)["_msg"].split(" ")[1]
                    recv.setdefault(seq, now)
        def closer():
            try:
                conn.sock.shutdown(socket.SHUT_RDWR)
            finally:
                conn.close()

    th = threading.Thread(target=reader, daemon=True)
    th.start()
    ready.wait()
    time.sleep(0.5)
    path = "/loki/api/v1/push" if isinstance(server, Strata) else "/insert/loki/api/v1/push"
    conn2 = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    end = time.time() + seconds
    seq = 0
    while time.time() < end:
        seq += 1
        key = f"{seq:06d}"
        now_ns = time.time_ns()
        body = json.dumps({"streams": [{"stream": {"service": "tailprobe", "env": "bench", "host": tag,
                                                   "level": "info"},
                                        "values": [[str(now_ns + i), f"probe {key} line {i} of the tail probe"]
                                                   for i in range(lines_per_batch)]}]})
        try:
            conn2.request("POST", path, body=body, headers={"Content-Type": "application/json"})
            r = conn2.getresponse()
            r.read()
        except (OSError, http.client.HTTPException) as e:
            errors.append(f"push {key}: {e!r} (no answer within 10 s)")
            break
        acks[key] = time.perf_counter()
        if r.status // 100 != 2:
            errors.append(f"push HTTP {r.status}")
        time.sleep(1.0 / rate_hz)
    deadline = time.time() + 10
    while time.time() < deadline and len(recv) < len(acks):
        time.sleep(0.1)
    stop.set()
    try:
        closer()
    except Exception:  # noqa: BLE001
        pass
    delays = [(recv[k] - acks[k]) * 1000 for k in acks if k in recv]
    res = {"sent": len(acks), "delivered": sum(1 for k in acks if k in recv), "errors": errors,
           "p50": pct(delays, 50), "p99": pct(delays, 99), "max": max(delays) if delays else float("nan"),
           "early": sum(1 for d in delays if d < 0)}
    log(f"  tail {server.label}: {res['delivered']}/{res['sent']} batches delivered, delay p50 {res['p50']:.1f} ms "
        f"p99 {res['p99']:.1f} ms max {res['max']:.1f} ms")
    if res["delivered"] < res["sent"] or errors:
        fail(f"{server.label} tail probe: {res['delivered']}/{res['sent']} delivered; {errors[:3]}")
    return res


# ---------------------------------------------------------------------------------------------------------- report
def machine():
    model, cores = "?", os.cpu_count()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = 0
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal"):
                mem = int(line.split()[1]) * 1024
    return model, cores, mem


def git_rev():
    try:
        return subprocess.check_output(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], text=True).strip()
    except Exception:  # noqa: BLE001
        return "?"


def ratio(a, b, higher_better=True):
    if a is None or b is None or a == 0 or b == 0:
        return "-"
    r = a / b if higher_better else b / a
    return f"{r:.2f}x"


def med(runs, key):
    vals = [r[key] for r in runs]
    return statistics.median(vals) if vals else None


def report(args, meta, ingest, queries, tail, versions, started):
    model, cores, mem = machine()
    load = os.getloadavg()
    out = []
    out.append(f"# Side by side: Strata vs VictoriaLogs, {datetime.date.today().isoformat()}\n")
    out.append(f"Command: `{args.command}` (bench/README.md). Strata `{args.strata_version}` (harness at git "
               f"{git_rev()}; binary `{args.strata_bin or 'build-dir/programs/strata'}`, release build), VictoriaLogs {VL_VERSION} (`go install`, "
               f"bench/peers/install_victorialogs). Machine: {cores} cores ({model}), {mem / 2**30:.0f} GiB RAM, "
               f"{platform.system()} {platform.release()}; load average at the end {load[0]:.1f} / {load[1]:.1f} "
               f"/ {load[2]:.1f}. The 2 cores are shared with other jobs: quote medians and ratios. Started "
               f"{started}.\n")
    out.append(f"Data: `sbs_dataset --lines {meta['lines']} --seed {meta['seed']}` (bench/common/log_generator.h): "
               f"{meta['lines']:,} lines, raw (labels + message + fields) {meta['raw_bytes'] / 2**20:.1f} MiB "
               f"({meta['raw_bytes'] / meta['lines']:.0f} B/line), NDJSON {meta['ndjson_bytes'] / 2**20:.1f} MiB, "
               f"Loki push JSON {meta['loki_bytes'] / 2**20:.1f} MiB, _bulk {meta['bulk_bytes'] / 2**20:.1f} MiB; "
               f"timestamps {ns_to_rfc3339(meta['min_ts'])} .. {ns_to_rfc3339(meta['max_ts'])}; batches of "
               f"{meta['batch']} lines, {args.clients} keep-alive clients (Python threads on the same 2 cores). "
               f"Each system runs alone, fresh data directory per run. Strata acknowledges after fdatasync "
               f"(`wal.fsync=batch`); VictoriaLogs has no WAL and acknowledges before its data is on disk.\n")
    for proto, runs in ingest.items():
        s, v = runs.get("Strata", []), runs.get("VictoriaLogs", [])
        title = "Loki push JSON" if proto == "loki" else "Elasticsearch _bulk"
        out.append(f"\n## Ingest, {title} (median of {len(s)} run(s) each)\n")
        out.append("| metric | Strata | VictoriaLogs | Strata vs VL |")
        out.append("|---|---|---|---|")

        def line(label, key, fmt, hb=True):
            a, b = med(s, key), med(v, key) if v else None
            out.append(f"| {label} | {fmt(a) if a is not None else '-'} | {fmt(b) if b is not None else '-'} | "
                       f"{ratio(a, b, hb)} |")
        line("accepted lines/s (acks)", "lines_s", lambda x: f"{x:,.0f}")
        line("request MB/s (body bytes)", "mb_s", lambda x: f"{x:.1f}")
        line("raw MB/s (labels+message+fields)", "raw_mb_s", lambda x: f"{x:.1f}")
        line("lines/s to the end of the flush (Strata: head empty, it flushes at 64 MiB or every 5 s; VL: /internal/force_flush returned)", "flushed_lines_s",
             lambda x: f"{x:,.0f}")
        line("p50 request latency, ms", "p50_ms", lambda x: f"{x:.1f}", False)
        line("p99 request latency, ms", "p99_ms", lambda x: f"{x:.1f}", False)
        for r in (s, v):
            for x in r:
                x["cpu_per_m"] = x["cpu_ingest"] / x["lines"] * 1e6 if x["lines"] else 0
                x["cpu_total_per_m"] = x["cpu_total"] / x["lines"] * 1e6 if x["lines"] else 0
                x["disk_per_line"] = x["disk"] / x["lines"] if x["lines"] else 0
                x["raw_ratio"] = meta["raw_bytes"] / x["disk"] if x["disk"] else 0
                x["ndjson_ratio"] = meta["ndjson_bytes"] / x["disk"] if x["disk"] else 0
                x["rss_mib"] = x["rss"] / 2**20
                x["disk_mib"] = x["disk"] / 2**20
        line("server CPU-s per M lines, during ingest", "cpu_per_m", lambda x: f"{x:.2f}", False)
        line("server CPU-s per M lines, incl. flush + merge", "cpu_total_per_m", lambda x: f"{x:.2f}", False)
        line("peak RSS (VmHWM), MiB", "rss_mib", lambda x: f"{x:,.0f}", False)
        line("bytes on disk after flush + merge, MiB", "disk_mib", lambda x: f"{x:.1f}", False)
        line("bytes on disk per line", "disk_per_line", lambda x: f"{x:.1f}", False)
        line("raw / disk", "raw_ratio", lambda x: f"{x:.1f}x")
        line("NDJSON / disk", "ndjson_ratio", lambda x: f"{x:.1f}x")
        line("429/503 retries", "retries", lambda x: f"{x:.0f}", False)
        runs_txt = "; ".join(f"{lab}: " + ", ".join(f"{x['lines_s'] / 1000:,.0f} k" for x in rr)
                             for lab, rr in (("Strata", s), ("VictoriaLogs", v)) if rr)
        out.append(f"\nRuns (lines/s): {runs_txt}.")
    if queries:
        out.append(f"\n## Queries ({args.query_runs} runs each, warm page cache; data loaded over Loki push)\n")
        out.append("| query | Strata median ms | Strata first ms | VL median ms | VL first ms | speed-up (VL / Strata) "
                   "| answer | cross-check |")
        out.append("|---|---|---|---|---|---|---|---|")
        for r in queries:
            s = r["results"]["Strata"]
            v = r["results"].get("VictoriaLogs", {})
            sp = ratio(s.get("median"), v.get("median"), False) if v else "-"
            out.append(f"| {r['name']} | {fmt_ms(s['median'])} | {fmt_ms(s['first'])} | {fmt_ms(v.get('median'))} | "
                       f"{fmt_ms(v.get('first'))} | {sp} | {summarize(r['kind'], s['answer'])} | {r['check']} |")
        for n in word_notes(meta):
            out.append(f"\nNote: {n}.")
        out.append("\nThe queries as sent:\n")
        out.append("| query | LogQL (Strata, Loki API) | LogsQL (VictoriaLogs, /select/logsql/query) |")
        out.append("|---|---|---|")
        for r in queries:
            s = r["results"]["Strata"]
            v = r["results"].get("VictoriaLogs", {})
            out.append(f"| {r['name']} | {code(s['query'])} | {code(v.get('query') or '-')} |")
    if tail:
        out.append("\n## Live tail: push acknowledged -> line delivered\n")
        out.append("| system | endpoint | batches delivered | p50 ms | p99 ms | max ms |")
        out.append("|---|---|---|---|---|---|")
        for label, t in tail.items():
            ep = "/loki/api/v1/tail (WebSocket)" if label == "Strata" else \
                "/select/logsql/tail (default offset 5s, refresh 1s)"
            out.append(f"| {label} | {ep} | {t['delivered']}/{t['sent']} | {t['p50']:.1f} | {t['p99']:.1f} | "
                       f"{t['max']:.1f} |")
    out.append("\n## Count cross-check\n")
    if FAILURES:
        out.append("**Mismatches / failures:**\n")
        out += [f"- {f}" for f in FAILURES]
    else:
        out.append("Every answer matched between the two systems and, where the generator knows it, the truth.")
    return "\n".join(out) + "\n"


# -------------------------------------------------------------------------------------------------------------- main
def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--smoke", action="store_true", help="a few thousand lines, 1 run each, no results file")
    ap.add_argument("--lines", type=int, default=2_000_000)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--clients", type=int, default=4)
    ap.add_argument("--ingest-runs", type=int, default=3)
    ap.add_argument("--query-runs", type=int, default=5)
    ap.add_argument("--protocols", default="loki,bulk")
    ap.add_argument("--span-hours", type=float, default=3.0, help="time span of the generated timestamps")
    ap.add_argument("--tail-seconds", type=float, default=10)
    ap.add_argument("--build-dir", default=os.path.join(ROOT, "build/release"))
    ap.add_argument("--strata-bin", default=None, help="Strata binary (default: <build-dir>/programs/strata)")
    ap.add_argument("--vl-bin", default=None, help="VictoriaLogs binary (default: install with bench/peers/...)")
    ap.add_argument("--no-vl", action="store_true", help="Strata only")
    ap.add_argument("--work-dir", default=None, help="datasets and data directories (default: a temp dir)")
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    ap.add_argument("--results-dir", default=os.path.join(ROOT, "bench/results"))
    ap.add_argument("--no-results", action="store_true")
    args = ap.parse_args()
    args.command = "python3 bench/side_by_side/side_by_side.py " + " ".join(sys.argv[1:])
    if args.smoke:
        args.lines = min(args.lines, 5000) if "--lines" in sys.argv else 5000
        args.ingest_runs, args.query_runs, args.tail_seconds = 1, 2, 2
        args.no_results = True
        global QUIET_SECONDS
        QUIET_SECONDS = 1.0
    started = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")

    strata_bin = args.strata_bin or os.path.join(args.build_dir, "programs/strata")
    args.strata_version = subprocess.run([strata_bin, "version"], capture_output=True, text=True).stdout.strip() \
        if os.access(strata_bin, os.X_OK) else "?"
    dump_bin = os.path.join(args.build_dir, "bench/side_by_side/sbs_dataset")
    for b in (strata_bin, dump_bin):
        if not os.access(b, os.X_OK):
            sys.exit(f"side_by_side: {b} not built (ninja -C {args.build_dir} strata sbs_dataset)")
    vl_bin = None
    if not args.no_vl:
        if args.vl_bin:
            vl_bin = args.vl_bin
        elif args.smoke:
            vl_bin = VL_DEFAULT_BIN if os.access(VL_DEFAULT_BIN, os.X_OK) else None
            if not vl_bin:
                log(f"side_by_side --smoke: VictoriaLogs is not installed ({VL_DEFAULT_BIN}); STRATA ONLY. "
                    f"Install it with bench/peers/install_victorialogs (~10 min) to smoke-test both.")
        else:
            vl_bin = subprocess.check_output([os.path.join(ROOT, "bench/peers/install_victorialogs")],
                                             text=True).strip().splitlines()[-1]

    work = args.work_dir or tempfile.mkdtemp(prefix="strata-sbs-")
    os.makedirs(work, exist_ok=True)
    try:
        # 1. The dataset: yesterday 00:00 UTC (inside both systems' retention), --span-hours of timestamps.
        day = 86400 * 10**9
        start_ns = (time.time_ns() // day - 1) * day
        rate = max(args.lines / (args.span_hours * 3600), 0.01)
        ddir = os.path.join(work, "dataset")
        os.makedirs(ddir, exist_ok=True)
        log(f"side_by_side: generating {args.lines:,} lines into {ddir}")
        cmd = [dump_bin, "--lines", str(args.lines), "--seed", str(args.seed), "--start-ns", str(start_ns),
               "--rate", f"{rate:.6f}", "--out", ddir]
        for spec in COUNT_SPECS:
            cmd += ["--count", spec]
        subprocess.run(cmd, check=True)
        with open(os.path.join(ddir, "meta.json")) as f:
            meta = json.load(f)

        systems = [("Strata", lambda tag: Strata(work, tag, strata_bin))]
        if vl_bin:
            systems.append(("VictoriaLogs", lambda tag: VictoriaLogs(work, tag, vl_bin)))
        protocols = [p for p in args.protocols.split(",") if p]
        ingest = {p: {} for p in protocols}
        queries_by_system = {}
        tail = {}
        versions = {}
        loaded = {}
        for label, make in systems:
            for proto in protocols:
                batches = Batches(ddir, proto)
                for run in range(args.ingest_runs):
                    srv = make(f"{proto}-{run}").start()
                    versions[label] = srv.version()
                    try:
                        log(f"{label}: ingest {proto} run {run + 1}/{args.ingest_runs}")
                        ingest[proto].setdefault(label, []).append(run_ingest(srv, proto, batches, args.clients))
                        check_loaded(srv, meta, proto)
                        if proto == protocols[0] and run == 0:
                            # Queries need both systems loaded: run them per system now, cross-check afterwards.
                            queries_by_system[label] = run_query_set(srv, meta, args.query_runs)
                            tail[label] = tail_probe(srv, args.tail_seconds)
                    finally:
                        srv.stop()
                        if not args.keep:
                            shutil.rmtree(srv.data_dir, ignore_errors=True)
        queries = merge_query_rows(meta, queries_by_system)
        text = report(args, meta, ingest, queries, tail, versions, started)
        print(text)
        if not args.no_results:
            os.makedirs(args.results_dir, exist_ok=True)
            host = socket.gethostname().split(".")[0]
            path = os.path.join(args.results_dir, f"{datetime.date.today().isoformat()}-side-by-side-{host}.md")
            with open(path, "w") as f:
                f.write(text)
            log(f"side_by_side: wrote {path}")
    finally:
        if not args.keep and not args.work_dir:
            shutil.rmtree(work, ignore_errors=True)
    if FAILURES:
        log(f"side_by_side: {len(FAILURES)} FAILURE(S):")
        for f in FAILURES:
            log(f"  - {f}")
        sys.exit(1)
    log("side_by_side: OK" + ("" if vl_bin else " (Strata only)"))


def check_loaded(srv, meta, proto):
    """Every line is there, per level: a count by level right after the ingest (catches a protocol mapping bug)."""
    t0 = meta["min_ts"] // 1_000_000_000 - 1
    t1 = meta["max_ts"] // 1_000_000_000 + 2
    if isinstance(srv, Strata):
        body = StrataQ(srv).instant(f"sum by (level) (count_over_time({ALL}[{t1 - t0}s]))", t1)()
        got = strata_vector(body, "level")
    else:
        body = VLQ(srv).query("* | stats by (level) count() as n", t0 * 10**9, t1 * 10**9)()
        got = vl_groups(body, "level")
    if got != meta["per_level"]:
        fail(f"{srv.label} after {proto} ingest: lines per level {got} != generated {meta['per_level']}")


if __name__ == "__main__":
    main()

"""syslog-ng (Debian 12's 3.38 build) as a real agent in front of Strata. It receives lines on loopback -- RFC 3164
over TCP with `network()` and RFC 5424 with octet counting with `syslog()` -- and forwards every one twice: with
its `syslog()` destination (RFC 5424, octet-counted, TCP) to Strata's syslog listener and with its
`elasticsearch-http()` SCL block (the http() module, NDJSON) to Strata's `/_bulk`. Each line must arrive once
through each path with its message byte for byte, its timestamp to the microsecond, and host, program, facility
and severity.

syslog-ng is not installed as a package (Debian's syslog-ng-core conflicts with rsyslog, which test_rsyslog.py
needs): scripts/agents/install_syslog_ng unpacks the .debs into build/agents/syslog-ng and this test runs the
binary from there in the foreground."""
import datetime
import glob
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.parse

import pytest

from strata_server import free_port

REPO = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
SYSLOG_NG_ROOT = os.environ.get("SYSLOG_NG_ROOT", os.path.join(REPO, "build", "agents", "syslog-ng"))
SYSLOG_NG = os.path.join(SYSLOG_NG_ROOT, "usr", "sbin", "syslog-ng")
ES_HTTP_SCL = os.path.join(SYSLOG_NG_ROOT, "usr", "share", "syslog-ng", "include", "scl", "elasticsearch",
                           "elastic-http.conf")

needs_syslog_ng = pytest.mark.skipif(
    not os.path.exists(SYSLOG_NG) or not os.path.exists(ES_HTTP_SCL),
    reason="syslog-ng is not unpacked (scripts/bootstrap runs scripts/agents/install_syslog_ng)")

# syslog-ng's elasticsearch-http() default template is
#   $(format-json --scope rfc5424 --exclude DATE --key ISODATE @timestamp=${ISODATE})
# so the message is in `MESSAGE` (upper case), which Strata's default elasticsearch.message_fields do not list.
ES_MESSAGE_FIELDS = "MESSAGE,message,msg,log,_msg"

CONF = """@version: 3.38
@include "{scl}"
options {{
  keep-hostname(yes);   # a relay keeps the sender's HOST instead of the peer's name
  frac-digits(6);       # forward the microseconds of the timestamps
  stats-freq(0);
}};
source s_bsd {{ network(ip("127.0.0.1") port({bsd}) transport("tcp")); }};
source s_5424 {{ syslog(ip("127.0.0.1") port({ietf}) transport("tcp")); }};
{destinations}
log {{ source(s_bsd); source(s_5424); {uses} }};
"""
DEST_SYSLOG = 'destination d_syslog {{ syslog("127.0.0.1" port({port}) transport("tcp")); }};'
DEST_ES = ('destination d_es {{ elasticsearch-http(url("http://127.0.0.1:{port}/_bulk") index("syslog-ng") '
           'type("")); }};')


# ---- reading back -------------------------------------------------------------------------------------------------
# Both helpers return rows as {"timestamp": ns, "labels": {...}, "message": str, "fields": {...}}, selected by
# equality label matchers. GET /loki/api/v1/query_range was a 404 in the binary this test was written against,
# so the export API is used; switching is the one line `read_back = ...` below.

def ns_of(rfc3339):
    """'2026-11-27T22:30:05.123456000Z' -> integer nanoseconds since the epoch (exact, no float)."""
    base, _, frac = rfc3339.rstrip("Z").partition(".")
    dt = datetime.datetime.strptime(base, "%Y-%m-%dT%H:%M:%S").replace(tzinfo=datetime.timezone.utc)
    return int(dt.timestamp()) * 1_000_000_000 + int((frac + "000000000")[:9])


def read_back_export(server, **labels):
    rows = server.export(params=urllib.parse.urlencode(labels))
    return [dict(r, timestamp=ns_of(r["timestamp"])) for r in rows]


def read_back_loki(server, **labels):
    query = "{" + ",".join(f'{k}={json.dumps(v)}' for k, v in sorted(labels.items())) + "}"
    now = int(time.time())
    params = urllib.parse.urlencode({"query": query, "start": (now - 3600) * 10**9, "end": (now + 60) * 10**9,
                                     "limit": 5000, "direction": "forward"})
    r = server.request("GET", "/loki/api/v1/query_range?" + params,
                       headers={"X-Loki-Response-Encoding-Flags": "categorize-labels"})
    assert r.status == 200, r
    rows = []
    for stream in r.json()["data"]["result"]:
        for value in stream["values"]:
            meta = value[2] if len(value) > 2 else {}
            fields = dict(meta.get("structuredMetadata", {}), **meta.get("parsed", {}))
            rows.append({"timestamp": int(value[0]), "labels": stream["stream"], "message": value[1],
                         "fields": fields})
    return rows


read_back = read_back_export


def wait_rows(server, count, stderr_path, timeout=30, **labels):
    """The rows matching `labels`, once there are at least `count` of them."""
    deadline = time.time() + timeout
    while True:
        rows = read_back(server, **labels)
        if len(rows) >= count:
            time.sleep(0.3)  # let duplicates that would arrive right behind show up
            return read_back(server, **labels)
        if time.time() > deadline:
            raise TimeoutError(f"{labels}: {len(rows)} of {count} rows; syslog-ng: {read_text(stderr_path)}")
        time.sleep(0.2)


def read_text(path):
    try:
        with open(path, errors="replace") as f:
            return f.read()[-3000:]
    except OSError:
        return ""


# ---- running syslog-ng --------------------------------------------------------------------------------------------

class SyslogNg:
    """syslog-ng in the foreground with its persist file, pid file and control socket in a private temp dir."""

    def __init__(self, destinations, uses):
        self.dir = tempfile.mkdtemp(prefix="sng")  # short: the control socket path must fit sun_path
        self.bsd_port, self.ietf_port = free_port(), free_port()
        self.conf = os.path.join(self.dir, "syslog-ng.conf")
        with open(self.conf, "w") as f:
            f.write(CONF.format(scl=ES_HTTP_SCL, bsd=self.bsd_port, ietf=self.ietf_port,
                                destinations="\n".join(destinations), uses=" ".join(uses)))
        self.stderr = os.path.join(self.dir, "stderr")
        module_path = ":".join(sorted(glob.glob(os.path.join(SYSLOG_NG_ROOT, "usr", "lib", "syslog-ng", "[0-9]*"))))
        env = dict(os.environ, TZ="UTC",  # RFC 3164 stamps carry no zone: syslog-ng reads them in its local zone
                   LD_LIBRARY_PATH=os.path.join(SYSLOG_NG_ROOT, "usr", "lib", "syslog-ng"))
        with open(self.stderr, "wb") as err:
            self.proc = subprocess.Popen(
                [SYSLOG_NG, "-F", "-e", "-f", self.conf, f"--module-path={module_path}",
                 "-R", os.path.join(self.dir, "persist"), "-p", os.path.join(self.dir, "pid"),
                 "-c", os.path.join(self.dir, "ctl"), "--no-caps"],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err, env=env)
        try:
            self.wait_listening()
        except BaseException:
            self.stop()
            raise

    def wait_listening(self, timeout=15):
        deadline = time.time() + timeout
        for port in (self.bsd_port, self.ietf_port):
            while True:
                assert self.proc.poll() is None, f"syslog-ng exited {self.proc.returncode}: {read_text(self.stderr)}"
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    assert time.time() < deadline, read_text(self.stderr)
                    time.sleep(0.05)

    def send(self, port, payload):
        with socket.create_connection(("127.0.0.1", port), timeout=10) as c:
            c.sendall(payload)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        log = read_text(self.stderr)
        shutil.rmtree(self.dir, ignore_errors=True)
        return self.proc.returncode, log


# ---- the lines sent -----------------------------------------------------------------------------------------------

# (facility, code, severity, code, Strata level): syslog-ng's names, as its FACILITY/PRIORITY macros spell them.
PRIORITIES = [("local0", 16, "info", 6, "INFO"), ("user", 1, "err", 3, "ERROR"), ("daemon", 3, "warning", 4, "WARN"),
              ("auth", 4, "notice", 5, "INFO"), ("local7", 23, "debug", 7, "DEBUG"), ("mail", 2, "crit", 2, "FATAL")]
HOSTS = [("webhost", "checkout", "42"), ("db-1.example.com", "postgres", "7"), ("edge", "nginx", "1234")]


def make_lines(n_bsd=30, n_5424=12):
    """Returns (bsd payload, rfc5424 payload, expected rows). Timestamps are a few minutes old and distinct."""
    base = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0) - datetime.timedelta(minutes=5)
    expected, bsd, ietf = [], b"", b""
    for i in range(n_bsd):
        fac, fcode, sev, scode, level = PRIORITIES[i % len(PRIORITIES)]
        host, prog, pid = HOSTS[i % len(HOSTS)]
        msg = f'bsd line {i}: caf\u00e9 "quoted"  two spaces, tab\there, 100% done'
        if i % 2:
            ts = base + datetime.timedelta(seconds=i, microseconds=123457 * i % 1000000)
            stamp = ts.isoformat()  # the ISO 8601 stamp syslog-ng (and rsyslog) accept in BSD-style lines
        else:
            ts = base + datetime.timedelta(seconds=i)
            stamp = ts.strftime("%b ") + f"{ts.day:2d}" + ts.strftime(" %H:%M:%S")  # classic RFC 3164
        bsd += f"<{fcode * 8 + scode}>{stamp} {host} {prog}[{pid}]: {msg}\n".encode()
        expected.append({"message": msg, "ts": ts, "host": host, "program": prog, "pid": pid, "facility": fac,
                         "severity": sev, "level": level, "msgid": None, "sd": {}})
    for i in range(n_5424):
        fac, fcode, sev, scode, level = PRIORITIES[(i + 3) % len(PRIORITIES)]
        host, prog, pid = HOSTS[(i + 1) % len(HOSTS)]
        ts = base + datetime.timedelta(minutes=1, seconds=i, microseconds=654321)
        msg = f"rfc5424 event {i} \u00fcber \u2713 [not sd] key=value"
        sd = {"iut": str(i), "eventSource": "App"}
        frame = (f"<{fcode * 8 + scode}>1 {ts.isoformat()} {host} {prog} {pid} ID{i} "
                 f'[exampleSDID@32473 iut="{i}" eventSource="App"] {msg}').encode()
        ietf += str(len(frame)).encode() + b" " + frame
        expected.append({"message": msg, "ts": ts, "host": host, "program": prog, "pid": pid, "facility": fac,
                         "severity": sev, "level": level, "msgid": f"ID{i}", "sd": sd})
    return bsd, ietf, expected


def ns_dt(dt):
    return int(dt.replace(microsecond=0).timestamp()) * 1_000_000_000 + dt.microsecond * 1000


# ---- tests --------------------------------------------------------------------------------------------------------

@needs_syslog_ng
def test_syslog_ng_forwards_over_syslog_tcp_and_elasticsearch_http(make_server):
    syslog_port = free_port()
    s = make_server(extra_args=["--syslog-listen", f"127.0.0.1:{syslog_port}", "--syslog-labels", "via=syslog",
                                "--elasticsearch-message-fields", ES_MESSAGE_FIELDS])
    sng = SyslogNg([DEST_SYSLOG.format(port=syslog_port), DEST_ES.format(port=s.port)],
                   ["destination(d_syslog);", "destination(d_es);"])
    try:
        bsd, ietf, expected = make_lines()
        sng.send(sng.bsd_port, bsd)
        sng.send(sng.ietf_port, ietf)

        # syslog() -> Strata's syslog listener: labels host, service, facility, level (and the listener's extra
        # label via=syslog); fields procid, msgid, sd.*
        via_syslog = wait_rows(s, len(expected), sng.stderr, via="syslog")
        assert sorted(r["message"] for r in via_syslog) == sorted(e["message"] for e in expected)
        got = {r["message"]: r for r in via_syslog}
        for e in expected:
            r = got[e["message"]]
            assert r["timestamp"] == ns_dt(e["ts"]), (e, r)
            assert r["labels"] == {"host": e["host"], "service": e["program"], "facility": e["facility"],
                                   "level": e["level"], "via": "syslog"}, r
            want = {"procid": e["pid"]}
            if e["msgid"]:
                want["msgid"] = e["msgid"]
            want.update({f"sd.exampleSDID@32473.{k}": v for k, v in e["sd"].items()})
            assert r["fields"] == want, r

        # elasticsearch-http() -> /_bulk: label index; syslog-ng's rfc5424 scope names as fields.
        via_bulk = wait_rows(s, len(expected), sng.stderr, index="syslog-ng")
        assert sorted(r["message"] for r in via_bulk) == sorted(e["message"] for e in expected)
        got = {r["message"]: r for r in via_bulk}
        for e in expected:
            r = got[e["message"]]
            assert r["timestamp"] == ns_dt(e["ts"]), (e, r)
            assert r["labels"] == {"index": "syslog-ng"}, r
            f = r["fields"]
            assert (f["HOST"], f["PROGRAM"], f["PID"], f["FACILITY"], f["PRIORITY"]) == (
                e["host"], e["program"], e["pid"], e["facility"], e["severity"]), r
            assert "MESSAGE" not in f, r  # it became the message
            if e["msgid"]:
                assert f["MSGID"] == e["msgid"], r
                for k, v in e["sd"].items():
                    assert f[f"_SDATA.exampleSDID@32473.{k}"] == v, r  # format-json: .SDATA -> _SDATA
    finally:
        code, log = sng.stop()
    assert code == 0, log
    assert "error" not in log.lower(), log


@needs_syslog_ng
def test_syslog_ng_elasticsearch_http_with_default_strata_config(make_server):
    s = make_server()
    sng = SyslogNg([DEST_ES.format(port=s.port)], ["destination(d_es);"])
    try:
        bsd, _, expected = make_lines(n_bsd=3, n_5424=0)
        sng.send(sng.bsd_port, bsd)
        rows = wait_rows(s, len(expected), sng.stderr, index="syslog-ng")
    finally:
        sng.stop()
    assert sorted(r["message"] for r in rows) == sorted(e["message"] for e in expected)

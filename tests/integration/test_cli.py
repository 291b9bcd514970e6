"""`strata query` and `strata tail`, the logcli-like client subcommands, driven as processes.

Most tests run them against a fake Loki written here (http.server for query_range, and a hand-rolled RFC 6455
server for the tail WebSocket, so no extra Python package is needed): the fake records every request and answers
with shapes from Loki's pkg/util/marshal, which pins down the exact parameters the client sends, the paging, the
output formats and the error paths. The last tests run the same commands against a real `strata serve` once it
serves /loki/api/v1/query_range and /loki/api/v1/tail (they skip, saying so, on a build without them)."""
import base64
import hashlib
import http.server
import json
import os
import signal
import socket
import struct
import subprocess
import threading
import time
import urllib.parse

import pytest

from strata_server import STRATA_BIN

T0 = 1769940000 * 10**9  # 2026-02-01T10:00:00Z
SEC = 10**9


# ---------------------------------------------------------------------------------------------------------------
# A fake Loki.

class FakeLoki:
    """query_range answers come from `self.query_handler(params) -> (status, content_type, body)`; tail sessions
    run `self.tail_script(ws)` on the upgraded socket. Every request is recorded as (path, params, headers)."""

    def __init__(self):
        self.requests = []
        self.query_handler = lambda params: (500, "text/plain", "no handler")
        self.tail_script = None
        self.tail_reject = None  # (status, body): refuse the upgrade
        self.tail_done = threading.Event()
        fake = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):
                url = urllib.parse.urlsplit(self.path)
                params = dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True))
                fake.requests.append((url.path, params, dict(self.headers)))
                if url.path == "/loki/api/v1/query_range":
                    status, ctype, body = fake.query_handler(params)
                    self._send(status, ctype, body)
                elif url.path == "/loki/api/v1/tail":
                    self._tail()
                else:
                    self._send(404, "text/plain; charset=utf-8", "404 page not found\n")

            def _send(self, status, ctype, body):
                data = body.encode() if isinstance(body, str) else body
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _tail(self):
                self.close_connection = True
                if fake.tail_reject:
                    status, body = fake.tail_reject
                    return self._send(status, "text/plain; charset=utf-8", body)
                key = self.headers["Sec-WebSocket-Key"]
                assert self.headers["Upgrade"].lower() == "websocket"
                accept = base64.b64encode(
                    hashlib.sha1((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").encode()).digest()).decode()
                self.send_response(101)
                self.send_header("Upgrade", "websocket")
                self.send_header("Connection", "Upgrade")
                self.send_header("Sec-WebSocket-Accept", accept)
                self.end_headers()
                self.wfile.flush()
                try:
                    fake.tail_script(WebSocket(self.connection))
                finally:
                    fake.tail_done.set()

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.addr = f"http://127.0.0.1:{self.port}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()

    def query_requests(self):
        return [p for path, p, _ in self.requests if path == "/loki/api/v1/query_range"]


class WebSocket:
    """The server side of RFC 6455 framing, enough for the tail protocol: unmasked frames out, masked frames in."""

    def __init__(self, sock):
        self.sock = sock

    def _frame(self, opcode, payload):
        n = len(payload)
        head = bytes([0x80 | opcode])
        if n < 126:
            head += bytes([n])
        elif n < 65536:
            head += bytes([126]) + struct.pack(">H", n)
        else:
            head += bytes([127]) + struct.pack(">Q", n)
        self.sock.sendall(head + payload)

    def send_json(self, obj):
        self._frame(0x1, json.dumps(obj).encode())

    def ping(self):
        self._frame(0x9, b"keepalive")

    def close(self, code, reason=""):
        self._frame(0x8, struct.pack(">H", code) + reason.encode())

    def _read_exact(self, n):
        data = b""
        while len(data) < n:
            chunk = self.sock.recv(n - len(data))
            if not chunk:
                raise EOFError
            data += chunk
        return data

    def recv(self, timeout=10):
        """Returns (opcode, payload) of the next client frame."""
        self.sock.settimeout(timeout)
        b0, b1 = self._read_exact(2)
        n = b1 & 0x7F
        if n == 126:
            n = struct.unpack(">H", self._read_exact(2))[0]
        elif n == 127:
            n = struct.unpack(">Q", self._read_exact(8))[0]
        assert b1 & 0x80, "client frames must be masked"
        mask = self._read_exact(4)
        payload = bytes(c ^ mask[i % 4] for i, c in enumerate(self._read_exact(n)))
        return b0 & 0x0F, payload


@pytest.fixture
def fake():
    f = FakeLoki()
    yield f
    f.close()


def run_cli(*args, timeout=30, env=None):
    return subprocess.run([STRATA_BIN, *args], capture_output=True, text=True, timeout=timeout,
                          env=dict(os.environ, **(env or {})))


def streams_body(streams, result_type="streams"):
    return json.dumps({"status": "success", "data": {"resultType": result_type, "result": streams, "stats": {}}})


def ok(body):
    return 200, "application/json; charset=UTF-8", body


# ---------------------------------------------------------------------------------------------------------------
# query: parameters, output formats, errors.

TWO_STREAMS = [
    {"stream": {"app": "web", "env": "prod"}, "values": [[str(T0 + 3 * SEC), "GET /a 200"], [str(T0 + SEC), "GET /b 500"]]},
    {"stream": {"app": "db"}, "values": [[str(T0 + 2 * SEC + 500_000_000), "slow query\n"]]},
]


def test_query_sends_logcli_parameters_and_prints_table(fake):
    fake.query_handler = lambda p: ok(streams_body(TWO_STREAMS))
    r = run_cli("query", '{app=~"web|db"} |= "GET"', "--addr", fake.addr, "--org-id", "team-a",
                "--from", "2026-02-01T10:00:00Z", "--to", "1769943600", "--limit", "50")
    assert r.returncode == 0, r.stderr
    # Merged across streams, newest first (backward is the default), labels padded to the widest set.
    assert r.stdout.splitlines() == [
        '2026-02-01T10:00:03Z {app="web", env="prod"} GET /a 200',
        '2026-02-01T10:00:02Z {app="db"}              slow query',
        '2026-02-01T10:00:01Z {app="web", env="prod"} GET /b 500',
    ]
    [(path, params, headers)] = fake.requests
    assert path == "/loki/api/v1/query_range"
    assert params == {"query": '{app=~"web|db"} |= "GET"', "start": str(T0), "end": str(T0 + 3600 * SEC),
                      "limit": "50", "direction": "backward"}
    assert headers["X-Scope-OrgID"] == "team-a"


def test_query_raw_and_json_outputs(fake):
    fake.query_handler = lambda p: ok(streams_body(TWO_STREAMS))
    raw = run_cli("query", "{app=~\".+\"}", "--addr", fake.addr, "--output", "raw", "--direction", "forward")
    assert raw.returncode == 0, raw.stderr
    assert raw.stdout == "GET /b 500\nslow query\nGET /a 200\n"
    js = run_cli("query", "{app=~\".+\"}", "--addr", fake.addr, "-o", "json")
    assert js.returncode == 0, js.stderr
    lines = [json.loads(line) for line in js.stdout.splitlines()]
    assert lines == [
        {"labels": {"app": "web", "env": "prod"}, "line": "GET /a 200", "timestamp": "2026-02-01T10:00:03Z"},
        {"labels": {"app": "db"}, "line": "slow query\n", "timestamp": "2026-02-01T10:00:02.5Z"},
        {"labels": {"app": "web", "env": "prod"}, "line": "GET /b 500", "timestamp": "2026-02-01T10:00:01Z"},
    ]
    # logcli -o jsonl writes Go's map order: labels, line, timestamp.
    assert js.stdout.splitlines()[0].startswith('{"labels":{"app":"web","env":"prod"},"line":')


def test_query_since_step_and_unix_ns_times(fake):
    fake.query_handler = lambda p: ok(streams_body([]))
    before = time.time_ns()
    r = run_cli("query", "{a=\"b\"}", "--addr", fake.addr, "--since", "30m", "--step", "1m")
    after = time.time_ns()
    assert r.returncode == 0, r.stderr
    assert r.stdout == ""
    p = fake.query_requests()[0]
    assert before <= int(p["end"]) <= after
    assert int(p["end"]) - int(p["start"]) == 30 * 60 * SEC
    assert p["step"] == "60"
    assert p["limit"] == "30"  # logcli's default
    r = run_cli("query", "{a=\"b\"}", "--addr", fake.addr, "--from", str(T0 + 5), "--to", str(T0 + 10 * SEC))
    assert r.returncode == 0, r.stderr
    assert fake.query_requests()[1]["start"] == str(T0 + 5)
    assert fake.query_requests()[1]["end"] == str(T0 + 10 * SEC)


def test_query_address_and_tenant_from_logcli_environment(fake):
    fake.query_handler = lambda p: ok(streams_body([]))
    r = run_cli("query", "{a=\"b\"}", env={"LOKI_ADDR": fake.addr, "LOKI_ORG_ID": "env-tenant"})
    assert r.returncode == 0, r.stderr
    assert fake.requests[0][2]["X-Scope-OrgID"] == "env-tenant"


def test_query_matrix_in_each_output(fake):
    matrix = [{"metric": {"app": "web"}, "values": [[T0 // SEC, "3"], [T0 // SEC + 14, "5.5"]]},
              {"metric": {"app": "db", "level": "error"}, "values": [[T0 // SEC + 14, "NaN"]]}]
    fake.query_handler = lambda p: ok(streams_body(matrix, "matrix"))
    q = 'sum by (app) (count_over_time({app=~".+"}[1m]))'
    table = run_cli("query", q, "--addr", fake.addr, "--from", str(T0), "--to", str(T0 + 60 * SEC), "--step", "14s")
    assert table.returncode == 0, table.stderr
    assert table.stdout.splitlines() == [
        '2026-02-01T10:00:00Z {app="web"}               3',
        '2026-02-01T10:00:14Z {app="web"}               5.5',
        '2026-02-01T10:00:14Z {app="db", level="error"} NaN',
    ]
    assert fake.query_requests()[0]["step"] == "14"
    js = run_cli("query", q, "--addr", fake.addr, "-o", "json")
    assert js.returncode == 0, js.stderr
    assert json.loads(js.stdout) == matrix
    raw = run_cli("query", q, "--addr", fake.addr, "-o", "raw")
    assert raw.stdout.count("\n") == 1 and json.loads(raw.stdout) == matrix
    # A metric query is one request whatever the limit.
    assert len(fake.query_requests()) == 3


def test_query_server_error_goes_to_stderr_with_status(fake):
    fake.query_handler = lambda p: (400, "text/plain; charset=utf-8",
                                    "parse error at line 1, col 5: syntax error: unexpected IDENTIFIER\n")
    r = run_cli("query", "{app", "--addr", fake.addr)
    assert r.returncode == 1
    assert r.stdout == ""
    assert "400" in r.stderr and "parse error at line 1, col 5: syntax error: unexpected IDENTIFIER" in r.stderr


def test_query_malformed_answer_and_unreachable_server_fail(fake):
    fake.query_handler = lambda p: ok("{\"status\":\"success\",\"data\":{}}")
    r = run_cli("query", "{a=\"b\"}", "--addr", fake.addr)
    assert r.returncode == 1 and "resultType" in r.stderr
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead = s.getsockname()[1]
    r = run_cli("query", "{a=\"b\"}", "--addr", f"http://127.0.0.1:{dead}")
    assert r.returncode == 1 and "cannot connect" in r.stderr


def test_query_rejects_bad_flags_before_any_request(fake):
    for args in (["--from", "yesterday"], ["--since", "soon"], ["--direction", "sideways"], ["-o", "xml"],
                 ["--from", "2026-02-02T00:00:00Z", "--to", "2026-02-01T00:00:00Z"], ["--limit", "0"], ["--step", "1.2.3"], ["--step", "0"]):
        r = run_cli("query", "{a=\"b\"}", "--addr", fake.addr, *args)
        assert r.returncode == 2, (args, r.stderr)
        assert r.stderr.startswith("strata query: ")
    assert fake.requests == []


# ---------------------------------------------------------------------------------------------------------------
# query: paging beyond --batch, as logcli's batch mode.

def paging_server(fake, entries):
    """Serves `entries` (list of (ts, labels dict, line)) honouring start <= ts < end, limit and direction."""
    def handler(p):
        start, end, limit = int(p["start"]), int(p["end"]), int(p["limit"])
        sel = [e for e in entries if start <= e[0] < end]
        sel.sort(key=lambda e: e[0], reverse=p["direction"] == "backward")
        sel = sel[:limit]
        streams = {}
        for ts, labels, line in sel:
            key = json.dumps(labels, sort_keys=True)
            streams.setdefault(key, {"stream": labels, "values": []})["values"].append([str(ts), line])
        return ok(streams_body(list(streams.values())))
    fake.query_handler = handler


def make_entries():
    # 10 entries over two streams; 4 and 5 share a timestamp (across streams), as do 7 and 8 (same stream), so
    # batch boundaries fall on shared timestamps.
    ts = [0, 1, 2, 3, 4, 4, 5, 6, 6, 7]
    return [(T0 + t * SEC, {"app": "a" if i % 2 == 0 else "b"}, f"line {i}") for i, t in enumerate(ts)]


@pytest.mark.parametrize("direction", ["backward", "forward"])
def test_query_pages_through_batches_without_gaps_or_duplicates(fake, direction):
    entries = make_entries()
    paging_server(fake, entries)
    r = run_cli("query", "{app=~\"a|b\"}", "--addr", fake.addr, "--from", str(T0), "--to", str(T0 + 60 * SEC),
                "--limit", "9", "--batch", "3", "--direction", direction, "-o", "raw")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    expected_order = sorted(entries, key=lambda e: e[0], reverse=direction == "backward")
    assert len(lines) == 9 and len(set(lines)) == 9
    # Same-timestamp entries may come in either order; compare the timestamps printed with the expected ones.
    by_line = {e[2]: e[0] for e in entries}
    assert [by_line[line] for line in lines] == [e[0] for e in expected_order[:9]]
    reqs = fake.query_requests()
    assert len(reqs) >= 3
    # Each page asks for the batch plus the entries it will see again at the boundary timestamp (at most 2 here).
    assert int(reqs[0]["limit"]) == 3
    assert all(int(p["limit"]) <= 5 for p in reqs)
    if direction == "backward":
        assert all(p["start"] == str(T0) for p in reqs)
        assert int(reqs[1]["end"]) < int(reqs[0]["end"])
    else:
        assert all(p["end"] == str(T0 + 60 * SEC) for p in reqs)
        assert int(reqs[1]["start"]) > int(reqs[0]["start"])


def test_query_paging_stops_when_the_range_runs_out(fake):
    paging_server(fake, make_entries())
    r = run_cli("query", "{app=~\"a|b\"}", "--addr", fake.addr, "--from", str(T0), "--to", str(T0 + 60 * SEC),
                "--limit", "1000", "--batch", "4", "-o", "raw")
    assert r.returncode == 0, r.stderr
    assert sorted(r.stdout.splitlines()) == sorted(f"line {i}" for i in range(10))


# ---------------------------------------------------------------------------------------------------------------
# tail against the fake WebSocket server.

def frame(*streams, dropped=None):
    f = {"streams": [{"stream": labels, "values": [[str(ts), line] for ts, line in values]}
                     for labels, values in streams]}
    if dropped:
        f["dropped_entries"] = dropped
    return f


def test_tail_prints_frames_and_exits_0_on_normal_close(fake):
    def script(ws):
        ws.ping()
        ws.send_json(frame(({"app": "x"}, [(T0, "first"), (T0 + SEC, "second")])))
        ws.send_json(frame(({"app": "y"}, [(T0 + 2 * SEC, "third")]),
                           dropped=[{"labels": {"app": "z"}, "timestamp": str(T0 + 3 * SEC)}]))
        ws.close(1000)
        try:
            ws.recv(timeout=5)  # the client's close reply
        except (EOFError, OSError):
            pass
    fake.tail_script = script
    r = run_cli("tail", '{app=~"x|y"}', "--addr", fake.addr, "--org-id", "t1", "--start", "2026-02-01T10:00:00Z",
                "--limit", "7", "--delay-for", "2")
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == [
        '2026-02-01T10:00:00Z {app="x"} first',
        '2026-02-01T10:00:01Z {app="x"} second',
        '2026-02-01T10:00:02Z {app="y"} third',
    ]
    assert "dropped 1 entries" in r.stderr and '{app="z"}' in r.stderr
    [(path, params, headers)] = fake.requests
    assert path == "/loki/api/v1/tail"
    assert params == {"query": '{app=~"x|y"}', "limit": "7", "start": str(T0), "delay_for": "2"}
    assert headers["X-Scope-OrgID"] == "t1"


def test_tail_json_output(fake):
    def script(ws):
        ws.send_json(frame(({"app": "x"}, [(T0 + 1, "hello")])))
        ws.close(1000)
    fake.tail_script = script
    r = run_cli("tail", '{app="x"}', "--addr", fake.addr, "-o", "json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == {"labels": {"app": "x"}, "line": "hello",
                                    "timestamp": "2026-02-01T10:00:00.000000001Z"}


def test_tail_internal_error_close_exits_1_with_reason(fake):
    def script(ws):
        ws.send_json(frame(({"app": "x"}, [(T0, "before the error")])))
        ws.close(1011, "too many outstanding tail requests")
    fake.tail_script = script
    r = run_cli("tail", '{app="x"}', "--addr", fake.addr, "-o", "raw")
    assert r.returncode == 1
    assert r.stdout == "before the error\n"
    assert "1011" in r.stderr and "too many outstanding tail requests" in r.stderr


def test_tail_refused_upgrade_prints_status_and_body(fake):
    fake.tail_reject = (400, "delay_for can't be greater than 5\n")
    r = run_cli("tail", '{app="x"}', "--addr", fake.addr)
    assert r.returncode == 1
    assert "400" in r.stderr and "delay_for can't be greater than 5" in r.stderr


def test_tail_ctrl_c_closes_normally(fake):
    got = {}

    def script(ws):
        ws.send_json(frame(({"app": "x"}, [(T0, "live")])))
        while True:  # keep-alive pings until the client says goodbye
            try:
                ws.sock.settimeout(1)
                opcode, payload = ws.recv(timeout=1)
            except socket.timeout:
                ws.ping()
                continue
            if opcode == 0x8:
                got["close"] = struct.unpack(">H", payload[:2])[0]
                ws.close(1000)
                return
    fake.tail_script = script
    p = subprocess.Popen([STRATA_BIN, "tail", '{app="x"}', "--addr", fake.addr, "-o", "raw"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert p.stdout.readline() == "live\n"
        p.send_signal(signal.SIGINT)
        out, err = p.communicate(timeout=10)
    finally:
        if p.poll() is None:
            p.kill()
    assert p.returncode == 0, err
    assert fake.tail_done.wait(5)
    assert got["close"] == 1000


# ---------------------------------------------------------------------------------------------------------------
# Against the real server.

def push(server, streams, tenant=None):
    h = {"Content-Type": "application/json"}
    if tenant:
        h["X-Scope-OrgID"] = tenant
    r = server.request("POST", "/loki/api/v1/push", json.dumps({"streams": streams}).encode(), h)
    assert r.status == 204, r


def require_query_range(server):
    r = server.request("GET", "/loki/api/v1/query_range?query=" + urllib.parse.quote('{a="b"}'))
    if r.status == 404:
        pytest.skip("this build of strata serve has no /loki/api/v1/query_range yet")


def test_query_against_real_server(server):
    require_query_range(server)
    push(server, [{"stream": {"app": "cli", "env": "test"},
                   "values": [[str(T0 + i * SEC), f"request {i} status={200 if i % 3 else 500}"] for i in range(6)]}],
         tenant="cli-tenant")
    addr = f"http://{server.address}"
    window = ["--from", "2026-02-01T09:59:00Z", "--to", "2026-02-01T10:01:00Z"]
    r = run_cli("query", '{app="cli"} |= "status=500"', "--addr", addr, "--org-id", "cli-tenant", *window)
    assert r.returncode == 0, r.stderr
    # service_name is derived from app at ingest, as Loki does.
    assert r.stdout.splitlines() == [
        '2026-02-01T10:00:03Z {app="cli", env="test", service_name="cli"} request 3 status=500',
        '2026-02-01T10:00:00Z {app="cli", env="test", service_name="cli"} request 0 status=500',
    ]
    # Paging through the real server, oldest first.
    r = run_cli("query", '{app="cli"}', "--addr", addr, "--org-id", "cli-tenant", *window,
                "--direction", "forward", "--limit", "5", "--batch", "2", "-o", "raw")
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == [f"request {i} status={200 if i % 3 else 500}" for i in range(5)]
    # Another tenant sees nothing.
    r = run_cli("query", '{app="cli"}', "--addr", addr, "--org-id", "someone-else", *window)
    assert r.returncode == 0 and r.stdout == "", r.stderr
    # A metric query prints the matrix.
    r = run_cli("query", 'sum(count_over_time({app="cli"}[2m]))', "--addr", addr, "--org-id", "cli-tenant",
                "--from", "2026-02-01T10:01:00Z", "--to", "2026-02-01T10:01:00Z", "-o", "json")
    assert r.returncode == 0, r.stderr
    [series] = json.loads(r.stdout)
    assert series["values"] == [[T0 // SEC + 60, "6"]]
    # A parse error is the server's 400 text.
    r = run_cli("query", '{app="cli"', "--addr", addr, "--org-id", "cli-tenant", *window)
    assert r.returncode == 1 and "400" in r.stderr and "parse error" in r.stderr


def test_tail_against_real_server(server):
    r = server.request("GET", "/loki/api/v1/tail?query=" + urllib.parse.quote('{app="tail"}'))
    if r.status == 404:
        pytest.skip("this build of strata serve has no /loki/api/v1/tail yet")
    p = subprocess.Popen([STRATA_BIN, "tail", '{app="tail"}', "--addr", f"http://{server.address}",
                          "--org-id", "tail-tenant", "-o", "raw"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        time.sleep(1.0)  # let the tail register before pushing
        assert p.poll() is None, p.stderr.read()
        now = time.time_ns()
        push(server, [{"stream": {"app": "tail"}, "values": [[str(now), "live line one"],
                                                             [str(now + 1), "live line two"]]}],
             tenant="tail-tenant")
        lines = []
        deadline = time.time() + 15
        while len(lines) < 2 and time.time() < deadline:
            line = p.stdout.readline()
            if not line:
                break
            lines.append(line.rstrip("\n"))
        assert lines == ["live line one", "live line two"]
        p.send_signal(signal.SIGINT)
        _, err = p.communicate(timeout=10)
        assert p.returncode == 0, err
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()


def test_tail_refused_by_real_server(server):
    r = server.request("GET", "/loki/api/v1/tail?query=" + urllib.parse.quote('{app="tail"}'))
    if r.status == 404:
        pytest.skip("this build of strata serve has no /loki/api/v1/tail yet")
    r = run_cli("tail", '{app="tail"', "--addr", f"http://{server.address}")
    assert r.returncode == 1
    assert "400" in r.stderr and "parse error" in r.stderr, r.stderr

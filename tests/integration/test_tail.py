"""Live tail over WebSocket with a real client (websocket-client from PyPI): Loki's /loki/api/v1/tail and the native
/ws/tail, fed by batches as they are acknowledged."""
import json
import os
import socket
import statistics
import threading
import time
import urllib.parse

import pytest
import websocket

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "../.."))
LATENCY_REPORT = os.path.join(ROOT, "build", "tail_latency.json")


def now_ns():
    return time.time_ns()


def tail_url(server, path, **params):
    return f"ws://{server.address}{path}?{urllib.parse.urlencode(params)}"


def loki_push(server, streams, tenant=None):
    """streams: [(labels dict, [(ns, line[, structured metadata dict])...])]; returns once acknowledged."""
    body = {"streams": [{"stream": labels, "values": [[str(v[0]), v[1], *v[2:]] for v in values]}
                        for labels, values in streams]}
    h = {"Content-Type": "application/json"}
    if tenant:
        h["X-Scope-OrgID"] = tenant
    r = server.request("POST", "/loki/api/v1/push", json.dumps(body).encode(), h)
    assert r.status == 204, r
    return r


class Tail:
    """A tail client reading on its own thread; frames are kept with their arrival time (monotonic)."""

    def __init__(self, url, headers=None, read=True, sockopt=()):
        self.ws = websocket.create_connection(url, header=headers or [], timeout=30, sockopt=sockopt)
        self.frames = []    # (t_recv, parsed JSON)
        self.pings = []     # t_recv
        self.close = None   # (code, reason)
        self.error = None
        self.cv = threading.Condition()
        self.reading = threading.Event()
        if read:
            self.reading.set()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        try:
            while True:
                self.reading.wait()
                opcode, frame = self.ws.recv_data_frame(control_frame=True)
                t = time.monotonic()
                with self.cv:
                    if opcode == websocket.ABNF.OPCODE_TEXT:
                        self.frames.append((t, json.loads(frame.data.decode())))
                    elif opcode == websocket.ABNF.OPCODE_PING:
                        self.pings.append(t)
                    elif opcode == websocket.ABNF.OPCODE_CLOSE:
                        data = frame.data
                        code = int.from_bytes(data[:2], "big") if len(data) >= 2 else None
                        self.close = (code, data[2:].decode(errors="replace"))
                        self.cv.notify_all()
                        return
                    self.cv.notify_all()
        except Exception as e:  # noqa: BLE001 - the connection ended; tests look at what was received
            with self.cv:
                self.error = e
                self.cv.notify_all()

    def wait(self, predicate, timeout=15):
        deadline = time.monotonic() + timeout
        with self.cv:
            while not predicate(self):
                left = deadline - time.monotonic()
                if left <= 0 or self.close is not None or self.error is not None:
                    return predicate(self)
                self.cv.wait(left)
            return True

    def loki_entries(self):
        """[(t_recv, labels, ns, line, extra)] in arrival order."""
        out = []
        with self.cv:
            for t, f in self.frames:
                for s in f.get("streams", []):
                    for v in s["values"]:
                        out.append((t, s["stream"], int(v[0]), v[1], v[2] if len(v) > 2 else None))
        return out

    def dropped(self):
        with self.cv:
            return [d for _, f in self.frames for d in f.get("dropped_entries", [])]

    def shutdown(self, code=1000):
        try:
            self.ws.close(status=code)
        except Exception:  # noqa: BLE001
            pass


def percentile(values, q):
    s = sorted(values)
    return s[min(len(s) - 1, int(round(q / 100 * (len(s) - 1))))]


def test_loki_tail_delivers_each_acknowledged_matching_line_once_in_order(server):
    query = '{app=~"api|web"} |= "msg=keep" | logfmt'
    base = now_ns() - 30 * 10**9
    # History: acknowledged before the tail starts; `start` covers it, so it comes first.
    history = [({"app": "api", "pod": "p1"}, [(base + i, f"seq=h{i} msg=keep") for i in range(3)]),
               ({"app": "db", "pod": "p1"}, [(base + 5, "seq=hx msg=keep")])]
    for labels, values in history:
        loki_push(server, [(labels, values)])
    tail = Tail(tail_url(server, "/loki/api/v1/tail", query=query, start=str(base - 10**9), limit="100"))
    assert tail.wait(lambda t: len(t.loki_entries()) >= 3)

    streams = [{"app": "api", "pod": "p1"}, {"app": "api", "pod": "p2"}, {"app": "web", "pod": "p1"},
               {"app": "db", "pod": "p1"}]  # db: the selector does not match
    expected = {}   # line -> (labels, ns)
    acked = {}      # line -> (t_send, t_ack)
    n_requests, per_request = 60, 8
    t0 = now_ns()
    seq = 0
    for r in range(n_requests):
        batch = {}
        for k in range(per_request):
            labels = streams[seq % len(streams)]
            keep = seq % 5 != 0  # every fifth line fails the line filter
            line = f"seq={seq} msg={'keep' if keep else 'skip'}"
            ns = t0 + seq * 1000
            batch.setdefault(json.dumps(labels, sort_keys=True), (labels, []))[1].append((ns, line))
            if keep and labels["app"] != "db":
                expected[line] = (labels, ns)
            seq += 1
        t_send = time.monotonic()
        loki_push(server, list(batch.values()))
        t_ack = time.monotonic()
        for _, values in batch.values():
            for _, line in values:
                acked[line] = (t_send, t_ack)

    assert tail.wait(lambda t: len(t.loki_entries()) >= 3 + len(expected)), \
        f"got {len(tail.loki_entries())} of {3 + len(expected)}"
    time.sleep(0.5)  # anything extra (a duplicate) would arrive now
    entries = tail.loki_entries()
    lines = [e[3] for e in entries]
    assert lines[:3] == [f"seq=h{i} msg=keep" for i in range(3)], "history first, oldest first"
    live = entries[3:]
    assert sorted(e[3] for e in live) == sorted(expected), "every acknowledged matching line exactly once"
    assert len(lines) == len(set(lines))
    per_stream = {}
    for _, labels, ns, line, _ in live:
        want_labels, want_ns = expected[line]
        seq_value = line.split()[0].split("=")[1]
        # Stream labels, service_name (Loki's discovery) and what logfmt parsed.
        assert labels == {**want_labels, "service_name": want_labels["app"], "seq": seq_value, "msg": "keep"}
        assert ns == want_ns
        per_stream.setdefault((want_labels["app"], want_labels["pod"]), []).append(ns)
    for key, stamps in per_stream.items():
        assert stamps == sorted(stamps), f"stream {key} out of order"
    assert len(per_stream) == 3

    ack_to_delivery = [max(0.0, t - acked[line][1]) * 1000 for t, _, _, line, _ in live]
    send_to_delivery = [(t - acked[line][0]) * 1000 for t, _, _, line, _ in live]
    report = {
        "lines": len(live),
        "requests": n_requests,
        "ack_to_delivery_ms": {"p50": percentile(ack_to_delivery, 50), "p99": percentile(ack_to_delivery, 99),
                               "max": max(ack_to_delivery)},
        "send_to_delivery_ms": {"p50": percentile(send_to_delivery, 50), "p99": percentile(send_to_delivery, 99)},
        "note": "ack = the push's HTTP response at the client; delivery = the frame at the WebSocket client "
                "(negative gaps, frames arriving before the HTTP answer, count as 0)",
    }
    os.makedirs(os.path.dirname(LATENCY_REPORT), exist_ok=True)
    with open(LATENCY_REPORT, "w") as f:
        json.dump(report, f, indent=2)
    print(f"\ntail latency: ack->delivery p50 {report['ack_to_delivery_ms']['p50']:.2f} ms, "
          f"p99 {report['ack_to_delivery_ms']['p99']:.2f} ms over {len(live)} lines ({LATENCY_REPORT})")
    assert report["ack_to_delivery_ms"]["p99"] < 1000
    tail.shutdown()


def test_a_tail_started_during_ingest_has_no_gap_between_history_and_live(server):
    labels = {"app": "steady"}
    stop = threading.Event()
    sent = []

    def writer():
        seq = 0
        while not stop.is_set() or seq < 400:
            values = [(now_ns(), f"seq={seq + k}") for k in range(5)]
            loki_push(server, [(labels, values)])
            sent.extend(line for _, line in values)
            seq += 5

    start = now_ns() - 10**9
    t = threading.Thread(target=writer)
    t.start()
    time.sleep(0.3)  # the tail joins mid-stream: part history, part live
    tail = Tail(tail_url(server, "/loki/api/v1/tail", query='{app="steady"}', start=str(start), limit="5000"))
    time.sleep(0.5)
    stop.set()
    t.join()
    assert tail.wait(lambda x: len(x.loki_entries()) >= len(sent), timeout=20), \
        f"got {len(tail.loki_entries())} of {len(sent)}"
    time.sleep(0.3)
    lines = [e[3] for e in tail.loki_entries()]
    assert lines == sent, "every line once, in order (one stream, written in order)"
    tail.shutdown()


def test_slow_subscriber_gets_dropped_entries_and_never_slows_ingest(server):
    labels = {"app": "bulk"}
    pad = "x" * 400

    def push_all(n_requests, per_request, start_seq):
        times = []
        for r in range(n_requests):
            base = now_ns()
            values = [(base + k, f"seq={start_seq + r * per_request + k} {pad}") for k in range(per_request)]
            t = time.monotonic()
            loki_push(server, [(labels, values)])
            times.append(time.monotonic() - t)
        return times

    baseline = push_all(10, 1000, 0)
    # A client that reads nothing, with a small receive buffer: the server's writes stall, its queue fills.
    tail = Tail(tail_url(server, "/loki/api/v1/tail", query='{app="bulk"}', start=str(now_ns())), read=False,
                sockopt=((socket.SOL_SOCKET, socket.SO_RCVBUF, 4096),))
    time.sleep(0.3)
    stuck = push_all(40, 1000, 100000)
    # Ingest does not wait for the tail: same per-request latency order as without it.
    assert statistics.median(stuck) < 3 * statistics.median(baseline) + 0.05, (baseline, stuck)
    assert max(stuck) < 2.0

    tail.reading.set()
    sent = 40 * 1000
    assert tail.wait(lambda t: len(t.dropped()) > 0, timeout=30), "no dropped_entries reported"
    time.sleep(1)
    # Recovered: a new line after the congestion arrives.
    loki_push(server, [(labels, [(now_ns(), "after the storm")])])
    assert tail.wait(lambda t: any(e[3] == "after the storm" for e in t.loki_entries()), timeout=15)
    entries = tail.loki_entries()
    lines = [e[3] for e in entries]
    assert len(lines) == len(set(lines)), "no duplicates"
    dropped = tail.dropped()
    assert len(lines) - 1 < sent, "some lines must have been dropped"
    for d in dropped:
        assert d["labels"] == {"app": "bulk", "service_name": "bulk"}
        assert int(d["timestamp"]) > 0
    delivered_ts = {e[2] for e in entries}
    assert not delivered_ts & {int(d["timestamp"]) for d in dropped}, "a dropped entry is not also delivered"
    tail.shutdown()


def upgrade_headers():
    return {"Connection": "Upgrade", "Upgrade": "websocket", "Sec-WebSocket-Version": "13",
            "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ=="}


def test_errors_before_the_upgrade_are_text_400s(server):
    q = urllib.parse.quote('{app="api"}')
    r = server.request("GET", f"/loki/api/v1/tail?query={q}&delay_for=6", headers=upgrade_headers())
    assert r.status == 400, r
    assert r.headers["Content-Type"].startswith("text/plain")
    assert r.body == b"delay_for can't be greater than 5\n"
    with pytest.raises(websocket.WebSocketBadStatusException) as e:
        websocket.create_connection(tail_url(server, "/loki/api/v1/tail", query='{app="api"}', delay_for="6"))
    assert e.value.status_code == 400
    r = server.request("GET", "/loki/api/v1/tail?query=" + urllib.parse.quote("{app="), headers=upgrade_headers())
    assert r.status == 400 and r.body.startswith(b"parse error"), r
    r = server.request("GET", "/loki/api/v1/tail?query=" + urllib.parse.quote('count_over_time({a="b"}[1m])'),
                       headers=upgrade_headers())
    assert r.status == 400 and b"log queries" in r.body, r
    r = server.request("GET", f"/loki/api/v1/tail?query={q}&limit=0", headers=upgrade_headers())
    assert r.status == 400 and r.body == b"limit must be a positive value\n", r
    # Without the upgrade: valid parameters, but a WebSocket is needed.
    r = server.request("GET", f"/loki/api/v1/tail?query={q}")
    assert r.status == 400 and b"websocket" in r.body, r
    # Native endpoint: JSON errors.
    r = server.request("GET", "/ws/tail?language=sql&query=x", headers=upgrade_headers())
    assert r.status == 400 and r.json()["code"] == "invalid_argument", r
    # Other endpoints keep plain HTTP keep-alive behaviour.
    assert server.request("GET", "/healthz").status == 200


def test_categorize_labels_frames(server):
    tail = Tail(tail_url(server, "/loki/api/v1/tail", query='{app="api"} | logfmt', start=str(now_ns())),
                headers=["X-Loki-Response-Encoding-Flags: categorize-labels"])
    time.sleep(0.2)
    ts = now_ns()
    loki_push(server, [({"app": "api"}, [(ts, "level=warn msg=hi", {"trace_id": "t1"}), (ts + 1, "plain")])])
    assert tail.wait(lambda t: len(t.loki_entries()) >= 2)
    frames = [f for _, f in tail.frames if f.get("streams")]
    assert all(f["encodingFlags"] == ["categorize-labels"] for f in frames)
    entries = tail.loki_entries()
    _, labels, ns, line, extra = entries[0]
    assert labels == {"app": "api", "service_name": "api"}, "indexed labels only"
    assert (ns, line) == (ts, "level=warn msg=hi")
    assert extra == {"structuredMetadata": {"trace_id": "t1"}, "parsed": {"level": "warn", "msg": "hi"}}
    assert entries[1][3] == "plain"
    assert "structuredMetadata" not in entries[1][4]
    tail.shutdown()


def test_native_ws_tail_with_the_dsl_and_logql(server):
    def entries(tail):
        with tail.cv:
            return [e for _, f in tail.frames for e in f["entries"]]

    dsl = Tail(tail_url(server, "/ws/tail", query='service="api" AND message CONTAINS "needle"'))
    logql = Tail(tail_url(server, "/ws/tail", query='{service="web"}', language="logql"))
    time.sleep(0.2)
    r = server.ingest({"logs": [
        {"timestamp": "2026-01-02T03:04:05.123456789Z", "service": "api", "level": "error",
         "message": "a needle here", "trace_id": "abc"},
        {"timestamp": "2026-01-02T03:04:06Z", "service": "api", "message": "hay"},
        {"timestamp": "2026-01-02T03:04:07Z", "service": "web", "message": "web line"},
    ]})
    assert r.status == 200, r
    assert dsl.wait(lambda t: len(entries(t)) >= 1)
    assert logql.wait(lambda t: len(entries(t)) >= 1)
    time.sleep(0.3)
    got = entries(dsl)
    assert got == [{"timestamp": "2026-01-02T03:04:05.123456789Z",
                    "labels": {"level": "ERROR", "service": "api"},
                    "message": "a needle here", "fields": {"trace_id": "abc"}}]
    assert all(f["dropped"] == 0 for _, f in dsl.frames)
    assert [e["message"] for e in entries(logql)] == ["web line"]
    r = server.request("GET", "/ws/tail?query=" + urllib.parse.quote("level=ERROR | count"), headers=upgrade_headers())
    assert r.status == 400, r
    dsl.shutdown()
    logql.shutdown()


def test_delay_for_orders_late_entries(server):
    tail = Tail(tail_url(server, "/loki/api/v1/tail", query='{app="late"}', delay_for="1", start=str(now_ns())))
    time.sleep(0.2)
    base = now_ns()
    t_first = time.monotonic()
    loki_push(server, [({"app": "late"}, [(base + 200, "second")])])
    loki_push(server, [({"app": "late"}, [(base + 100, "first")])])  # late, within the delay
    assert tail.wait(lambda t: len(t.loki_entries()) >= 2)
    entries = tail.loki_entries()
    assert [e[3] for e in entries] == ["first", "second"]
    assert entries[0][0] - t_first >= 0.9, "held for delay_for"
    tail.shutdown()


def test_pings_client_close_and_the_per_tenant_cap(server):
    first = Tail(tail_url(server, "/loki/api/v1/tail", query='{app="x"}'))
    assert first.wait(lambda t: len(t.pings) >= 2, timeout=4), "a ping every second"
    others = [Tail(tail_url(server, "/loki/api/v1/tail", query='{app="x"}')) for _ in range(9)]
    over = Tail(tail_url(server, "/loki/api/v1/tail", query='{app="x"}'))
    assert over.wait(lambda t: t.close is not None, timeout=5)
    assert over.close[0] == 1011
    assert "max concurrent tail requests limit exceeded" in over.close[1]
    # Per tenant: another tenant still gets one.
    other_tenant = Tail(tail_url(server, "/loki/api/v1/tail", query='{app="x"}'), headers=["X-Scope-OrgID: t2"])
    time.sleep(0.5)
    assert other_tenant.close is None
    # A client close (1000) ends the tail quietly and frees its slot.
    first.shutdown(1000)
    deadline = time.time() + 5
    while time.time() < deadline and "strata_tail_subscriptions 10" not in server.metrics():
        time.sleep(0.05)
    again = Tail(tail_url(server, "/loki/api/v1/tail", query='{app="x"}'))
    time.sleep(0.5)
    assert again.close is None
    for t in others + [other_tenant, again]:
        t.shutdown()
    deadline = time.time() + 5
    while time.time() < deadline and "strata_tail_subscriptions 0" not in server.metrics():
        time.sleep(0.05)
    assert "strata_tail_subscriptions 0" in server.metrics()
    assert server.request("GET", "/healthz").status == 200


def test_shutdown_closes_tails_with_going_away(server):
    tail = Tail(tail_url(server, "/loki/api/v1/tail", query='{app="x"}'))
    time.sleep(0.3)
    assert server.stop() == 0
    assert tail.wait(lambda t: t.close is not None or t.error is not None, timeout=10)
    if tail.close is not None:
        assert tail.close[0] == 1001

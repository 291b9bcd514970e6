"""Fluentd forward protocol: Message, Forward, PackedForward and CompressedPackedForward modes, chunk acks only for
durable batches, bad input, and the real `fluent-logger` client; read back through /api/v1/export."""
import gzip
import re
import socket
import struct
import time

import pytest

msgpack = pytest.importorskip("msgpack")

from strata_server import free_port  # noqa: E402

T0 = int(time.time()) - 60


def event_time(sec, nsec):
    return msgpack.ExtType(0, struct.pack(">II", sec, nsec))


def pack(obj):
    return msgpack.packb(obj, use_bin_type=True)


def iso(sec, nsec=0):
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(sec)) + f".{nsec:09d}Z"


def by_message(records):
    return {r["message"]: r for r in records}


def metric(server, name, **labels):
    want = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    for line in server.metrics().splitlines():
        m = re.match(r"^(\w+)(\{[^}]*\})? (\S+)$", line)
        if not m or m.group(1) != name:
            continue
        got = ",".join(sorted((m.group(2) or "{}")[1:-1].split(","))) if m.group(2) else ""
        if got == want:
            return float(m.group(3))
    return 0.0


def wait_for(server, count, timeout=15):
    deadline = time.time() + timeout
    records = []
    while time.time() < deadline:
        records = server.export()
        if len(records) >= count:
            return records
        time.sleep(0.05)
    raise AssertionError(f"expected {count} records, got {len(records)}: {records}")


class Conn:
    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.unpacker = msgpack.Unpacker(raw=False)

    def send(self, data):
        self.sock.sendall(data)

    def read_ack(self, timeout=10):
        self.sock.settimeout(timeout)
        while True:
            for obj in self.unpacker:
                return obj
            data = self.sock.recv(65536)
            if not data:
                raise ConnectionError("closed by the server")
            self.unpacker.feed(data)

    def closed_by_server(self, timeout=5):
        self.sock.settimeout(timeout)
        try:
            return self.sock.recv(1) == b""
        except ConnectionResetError:
            return True

    def close(self):
        self.sock.close()


@pytest.fixture
def forward_server(make_server):
    port = free_port()
    s = make_server(extra_args=["--forward-listen", f"127.0.0.1:{port}", "--syslog-listen", "", "--grpc-listen", ""])
    s.forward_port = port
    return s


def test_every_mode_is_acked_after_it_is_durable_and_reads_back(forward_server):
    s = forward_server
    c = Conn(s.forward_port)
    # Message mode with EventTime and a chunk.
    c.send(pack(["app.web", event_time(T0, 123456789),
                 {"log": "message mode", "level": "error", "service": "web", "user": {"id": 7, "name": "ann"},
                  "tags": ["a", 1]}, {"chunk": "c-message"}]))
    assert c.read_ack() == {"ack": "c-message"}
    # Visible as soon as it is acknowledged: the ack follows durability and the head insert.
    assert "message mode" in by_message(s.export())

    # Forward mode: [[time, record], ...]
    c.send(pack(["app.fw", [[T0 + 1, {"message": "forward one"}], [T0 + 2, {"message": "forward two"}]],
                 {"chunk": "c-forward"}]))
    assert c.read_ack() == {"ack": "c-forward"}

    # PackedForward: the entries as one bin of concatenated msgpack.
    entries = b"".join(pack([event_time(T0 + 3, i), {"log": f"packed {i}"}]) for i in range(3))
    c.send(pack(["app.packed", entries, {"chunk": "c-packed", "size": 3}]))
    assert c.read_ack() == {"ack": "c-packed"}

    # CompressedPackedForward: gzip, two concatenated members.
    a = pack([T0 + 4, {"log": "gzip a"}])
    b = pack([T0 + 5, {"log": "gzip b"}])
    c.send(pack(["app.gz", gzip.compress(a) + gzip.compress(b), {"chunk": "c-gzip", "compressed": "gzip"}]))
    assert c.read_ack() == {"ack": "c-gzip"}

    # Several chunks in one write: one batch, acks in order.
    c.send(b"".join(pack(["app.pipe", T0 + 6, {"log": f"pipelined {i}"}, {"chunk": f"p{i}"}]) for i in range(5)))
    assert [c.read_ack()["ack"] for _ in range(5)] == [f"p{i}" for i in range(5)]

    # No chunk option: no answer, still ingested.
    c.send(pack(["app.noack", T0 + 7, {"log": "no ack wanted"}]))
    c.close()

    records = by_message(wait_for(s, 1 + 2 + 3 + 2 + 5 + 1))
    m = records["message mode"]
    assert m["timestamp"] == iso(T0, 123456789)
    assert m["labels"] == {"level": "ERROR", "service": "web", "tag": "app.web"}
    assert m["fields"] == {"user.id": "7", "user.name": "ann", "tags": '["a",1]'}
    assert records["forward two"]["timestamp"] == iso(T0 + 2)
    assert records["forward two"]["labels"] == {"tag": "app.fw"}
    assert records["packed 2"]["timestamp"] == iso(T0 + 3, 2)
    assert records["gzip b"]["labels"] == {"tag": "app.gz"}
    assert records["no ack wanted"]["timestamp"] == iso(T0 + 7)
    assert metric(s, "strata_forward_acks_total") == 9
    assert metric(s, "strata_forward_messages_total", mode="compressed_packed_forward") == 1
    assert metric(s, "strata_forward_messages_total", mode="packed_forward") == 1


def test_no_ack_while_the_batch_cannot_be_made_durable(make_server):
    port = free_port()
    # A tiny head budget that is never flushed during the test: once it is full the sink refuses every batch.
    s = make_server(extra_args=["--forward-listen", f"127.0.0.1:{port}", "--syslog-listen", "", "--grpc-listen", "",
                                "--max-head-bytes", "20KiB", "--head-flush-interval-ms", "600000"])
    c = Conn(port)
    c.send(pack(["fill", [[T0, {"log": f"fill {i}", "pad": "x" * 1000}] for i in range(40)], {"chunk": "first"}]))
    assert c.read_ack() == {"ack": "first"}  # admitted while the head was under budget
    # The head is now over budget: this chunk is held and retried (the sender is paced), never acknowledged.
    c.send(pack(["held", T0, {"log": "held back"}, {"chunk": "second"}]))
    with pytest.raises(socket.timeout):
        c.read_ack(timeout=2)
    other = Conn(port)
    other.send(pack(["held", T0, {"log": "held back too"}, {"chunk": "third"}]))
    with pytest.raises(socket.timeout):
        other.read_ack(timeout=1)
    messages = {r["message"] for r in s.export()}
    assert len(messages) == 40 and "held back" not in messages and "held back too" not in messages
    assert metric(s, "strata_forward_acks_total") == 1
    # SIGTERM with batches still waiting: the connections are closed without acks and the server exits cleanly.
    assert s.stop() == 0
    c.close()
    other.close()


def test_bad_input(make_server):
    port = free_port()
    s = make_server(extra_args=["--forward-listen", f"127.0.0.1:{port}", "--syslog-listen", "", "--grpc-listen", "",
                                "--max-body-bytes", "64KiB", "--max-decompressed-bytes", "256KiB"])
    # Good and bad entries in one message: the good ones are kept and the chunk is acknowledged.
    c = Conn(port)
    c.send(pack(["mixed", [[T0, {"log": "good"}], ["not a time", {"log": "bad time"}], [T0, "not a map"], 42],
                 {"chunk": "m"}]))
    assert c.read_ack() == {"ack": "m"}
    # A framed message that is not a forward message: dropped, the connection goes on.
    c.send(pack({"not": "an array"}))
    c.send(pack(["after", T0, {"log": "after a bad message"}, {"chunk": "a"}]))
    assert c.read_ack() == {"ack": "a"}
    # A decompression bomb: refused, not acknowledged; the connection goes on.
    bomb = gzip.compress(b"\x00" * (8 << 20))
    c.send(pack(["bomb", bomb, {"chunk": "b", "compressed": "gzip"}]))
    c.send(pack(["after", T0, {"log": "after the bomb"}, {"chunk": "b2"}]))
    assert c.read_ack() == {"ack": "b2"}
    # Bytes that are not msgpack: the stream cannot be resynchronised, the connection is closed.
    c.send(b"\xc1\xc1\xc1")
    assert c.closed_by_server()
    c.close()
    # A message over the size limit (64 KiB): the connection is closed.
    c = Conn(port)
    try:
        c.send(pack(["huge", T0, {"log": "y" * (100 << 10)}, {"chunk": "h"}]))
    except (BrokenPipeError, ConnectionResetError):
        pass  # the server may close before the client has written everything
    assert c.closed_by_server()
    c.close()
    # A truncated message at the end of a connection.
    c = Conn(port)
    c.send(pack(["cut", T0, {"log": "never complete"}])[:-3])
    c.close()

    time.sleep(0.3)
    assert sorted(r["message"] for r in s.export()) == ["after a bad message", "after the bomb", "good"]
    assert metric(s, "strata_forward_rejected_total", reason="time") == 1
    assert metric(s, "strata_forward_rejected_total", reason="record") == 1
    assert metric(s, "strata_forward_rejected_total", reason="entry") == 1
    assert metric(s, "strata_forward_rejected_total", reason="malformed") == 3  # map, bomb, 0xc1
    assert metric(s, "strata_forward_rejected_total", reason="too_large") == 1
    assert metric(s, "strata_forward_rejected_total", reason="truncated") == 1
    assert s.request("GET", "/healthz").status == 200
    # Still serving.
    c = Conn(port)
    c.send(pack(["later", T0, {"log": "still fine"}, {"chunk": "z"}]))
    assert c.read_ack() == {"ack": "z"}
    c.close()


def test_real_fluent_logger_client(forward_server):
    sender = pytest.importorskip("fluent.sender")
    s = forward_server
    plain = sender.FluentSender("app", host="127.0.0.1", port=s.forward_port)
    assert plain.emit_with_time("login", T0, {"message": "user logged in", "level": "warning", "user": "u1",
                                              "attempt": 2}), plain.last_error
    precise = sender.FluentSender("svc", host="127.0.0.1", port=s.forward_port, nanosecond_precision=True)
    assert precise.emit_with_time("job", T0 + 0.25, {"log": "job done", "ok": True}), precise.last_error
    plain.close()
    precise.close()
    records = by_message(wait_for(s, 2))
    a = records["user logged in"]
    assert a["timestamp"] == iso(T0)
    assert a["labels"] == {"level": "WARN", "tag": "app.login"}
    assert a["fields"] == {"user": "u1", "attempt": "2"}
    b = records["job done"]
    assert b["timestamp"] == iso(T0, 250000000)
    assert b["labels"] == {"tag": "svc.job"}
    assert b["fields"] == {"ok": "true"}

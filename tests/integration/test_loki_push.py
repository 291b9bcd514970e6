"""Loki push API (POST /loki/api/v1/push, /api/prom/push): JSON and snappy-block protobuf bodies (encoded by hand
in loki_wire.py), gzip/deflate, partial acceptance with Loki's texts, 204/400/429, read back by export."""
import datetime
import gzip
import json
import time
import zlib

from loki_wire import entry, field_bytes, push_request, snappy_literal, stream

PUSH = "/loki/api/v1/push"
NOW_NS = (time.time_ns() // 1_000_000_000) * 1_000_000_000  # whole seconds: readable expectations


def rfc3339(ns):
    secs, frac = divmod(ns, 1_000_000_000)
    return datetime.datetime.fromtimestamp(secs, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S") + f".{frac:09d}Z"


def push_json(server, body, tenant=None, path=PUSH, headers=None, encode=None):
    h = {"Content-Type": "application/json"}
    if tenant:
        h["X-Scope-OrgID"] = tenant
    h.update(headers or {})
    data = json.dumps(body).encode() if not isinstance(body, (bytes, str)) else body
    if isinstance(data, str):
        data = data.encode()
    if encode:
        data = encode(data)
    return server.request("POST", path, data, h)


def push_proto(server, request_bytes, tenant=None, headers=None, compress=snappy_literal):
    h = {"Content-Type": "application/x-protobuf"}
    if tenant:
        h["X-Scope-OrgID"] = tenant
    h.update(headers or {})
    return server.request("POST", PUSH, compress(request_bytes), h)


def by_message(records):
    return {r["message"]: r for r in records}


def test_json_push_round_trips_labels_metadata_and_timestamps(server):
    t1, t2, t3 = NOW_NS - 3_000_000_001, NOW_NS - 2_000_000_000, NOW_NS - 1_000_000_000
    body = {"streams": [
        {"stream": {"job": "varlogs", "env": "prod", "filename": "/var/log/app.log"},
         "values": [[str(t3), "newest first"], [str(t1), "older, out of order", {"trace_id": "abc123", "user": "u1"}]]},
        {"stream": {"service_name": "checkout", "app": "web"}, "values": [[str(t2), "with a service_name"]]},
        {"stream": {"foo": "bar"}, "values": [[str(t2), "no service candidate \u00e9 \"quoted\""]]},
    ]}
    r = push_json(server, body, tenant="acme")
    assert r.status == 204, r
    assert r.body == b""

    got = by_message(server.export("acme", header="X-Scope-OrgID"))
    assert set(got) == {"newest first", "older, out of order", "with a service_name",
                        "no service candidate \u00e9 \"quoted\""}
    a = got["older, out of order"]
    assert a["timestamp"] == rfc3339(t1)
    assert a["labels"] == {"job": "varlogs", "env": "prod", "filename": "/var/log/app.log", "service_name": "varlogs"}
    assert a["fields"] == {"trace_id": "abc123", "user": "u1"}
    assert got["newest first"]["timestamp"] == rfc3339(t3)
    assert got["newest first"]["fields"] == {}
    assert got["with a service_name"]["labels"] == {"service_name": "checkout", "app": "web"}
    assert got["no service candidate \u00e9 \"quoted\""]["labels"] == {"foo": "bar", "service_name": "unknown_service"}
    # Tenants are isolated.
    assert server.export() == []


def test_protobuf_snappy_push_round_trips(server):
    t = NOW_NS - 5_000_000_123
    req = push_request([
        stream('{job="promtail", host="h1"}', [(t, "proto line", {"trace_id": "t1", "span_id": "s1"}),
                                               (t + 1, "second proto line")]),
        stream('{app="api", level="warn"}', [(t + 2, "line with \u2603 unicode")]),
    ])
    r = push_proto(server, req, tenant="p")
    assert r.status == 204, r
    got = by_message(server.export("p"))
    assert got["proto line"]["timestamp"] == rfc3339(t)
    assert got["proto line"]["labels"] == {"job": "promtail", "host": "h1", "service_name": "promtail"}
    assert got["proto line"]["fields"] == {"trace_id": "t1", "span_id": "s1"}
    assert got["second proto line"]["timestamp"] == rfc3339(t + 1)
    assert got["line with \u2603 unicode"]["labels"] == {"app": "api", "level": "warn", "service_name": "api"}


def test_encodings_gzip_deflate_and_legacy_path(server):
    t = NOW_NS - 60_000_000_000
    r = push_json(server, {"streams": [{"stream": {"app": "gz"}, "values": [[str(t), "gzip json"]]}]},
                  headers={"Content-Encoding": "gzip"}, encode=gzip.compress)
    assert r.status == 204, r
    r = push_json(server, {"streams": [{"stream": {"app": "df"}, "values": [[str(t), "deflate json"]]}]},
                  headers={"Content-Encoding": "deflate"}, encode=zlib.compress)
    assert r.status == 204, r
    # Protobuf: Loki snappy-decodes whatever the Content-Encoding; gzip(snappy(proto)) and gzip(proto) both work.
    req = push_request([stream('{app="pgz"}', [(t, "gzip snappy proto")])])
    r = push_proto(server, req, headers={"Content-Encoding": "gzip"}, compress=lambda b: gzip.compress(snappy_literal(b)))
    assert r.status == 204, r
    req = push_request([stream('{app="pgz"}', [(t, "gzip plain proto")])])
    r = push_proto(server, req, headers={"Content-Encoding": "gzip"}, compress=gzip.compress)
    assert r.status == 204, r
    # Content-Encoding: snappy is only a hint for protobuf.
    req = push_request([stream('{app="hint"}', [(t, "snappy hint")])])
    assert push_proto(server, req, headers={"Content-Encoding": "snappy"}).status == 204
    # Legacy path and legacy JSON shape.
    legacy = {"streams": [{"labels": '{app="legacy"}', "entries": [{"ts": rfc3339(t), "line": "legacy line"}]}]}
    r = push_json(server, legacy, path="/api/prom/push")
    assert r.status == 204, r
    got = by_message(server.export())
    assert set(got) == {"gzip json", "deflate json", "gzip snappy proto", "gzip plain proto", "snappy hint",
                        "legacy line"}
    assert got["legacy line"]["timestamp"] == rfc3339(t)
    assert got["legacy line"]["labels"] == {"app": "legacy", "service_name": "legacy"}


def test_partial_acceptance_stores_good_entries_and_lists_lokis_reasons(make_server):
    server = make_server(extra_args=["--retention-default", "7d"])  # "too old" = beyond the 7-day horizon
    good, week_ago = NOW_NS - 1_000_000_000, NOW_NS - 8 * 86400 * 1_000_000_000
    future = NOW_NS + 3600 * 1_000_000_000
    body = {"streams": [
        {"stream": {"app": "ok"}, "values": [[str(good), "good one"], [str(week_ago), "too old"],
                                             [str(future), "too new"], [good, "numeric ts"]]},
        {"stream": {"app": "ok2"}, "values": [[str(good), "good two"]]},
        {"stream": {"bad.name": "x"}, "values": [[str(good), "bad labels"]]},
        {"stream": {}, "values": [[str(good), "no labels"]]},
    ]}
    r = push_json(server, body)
    assert r.status == 400, r
    assert r.headers["Content-Type"].startswith("text/plain")
    text = r.body.decode()
    lines = text.rstrip("\n").split("\n")
    assert len(lines) == 5, text
    assert lines[0].startswith("entry for stream '{app=\"ok\", service_name=\"ok\"}' has timestamp too old: ")
    assert ", oldest acceptable timestamp is: " in lines[0]
    assert lines[1].startswith("entry for stream '{app=\"ok\", service_name=\"ok\"}' has timestamp too new: ")
    assert lines[2] == ("entry 3 for stream '{app=\"ok\", service_name=\"ok\"}' is malformed: timestamp: expected a "
                        "string of nanoseconds since the epoch, not a number")
    assert lines[3] == "error parsing labels '{bad.name=\"x\"}' with error: invalid label name 'bad.name'"
    assert lines[4] == "error at least one label pair is required per stream"
    assert sorted(r["message"] for r in server.export()) == ["good one", "good two"]
    m = server.metrics()
    assert 'logs_rejected_total{tenant="default",reason="greater_than_max_sample_age"} 1' in m
    assert 'logs_rejected_total{tenant="default",reason="too_far_in_future"} 1' in m
    assert 'logs_rejected_total{tenant="default",reason="invalid_labels"} 1' in m


def test_protobuf_partial_acceptance_and_line_limit(make_server):
    s = make_server(extra_args=["--max-line-bytes", "100"])
    t = NOW_NS - 1_000_000_000
    req = push_request([
        stream('{app="a"}', [(t, "fits"), (t, "x" * 101)]),
        stream('{app=b}', [(t, "unparseable labels")]),
        stream('{app="c"}', [entry(t, b"\xff")]),  # invalid UTF-8
    ])
    r = push_proto(s, req)
    assert r.status == 400, r
    text = r.body.decode()
    assert ("max entry size '100' bytes exceeded for stream '{app=\"a\", service_name=\"a\"}' while adding an entry "
            "with length '101' bytes") in text
    assert "error parsing labels '{app=b}' with error: expected a quoted label value" in text
    assert "entry 0 for stream '{app=\"c\", service_name=\"c\"}' is malformed: line: invalid UTF-8" in text
    assert [x["message"] for x in s.export()] == ["fits"]


def test_whole_body_errors_are_400_text_and_store_nothing(server):
    cases = [
        ({"Content-Type": "application/json"}, b"{\"streams\": [", "malformed JSON: "),
        ({"Content-Type": "application/json"}, b"", "empty body"),
        ({"Content-Type": "application/json"}, b"{\"streams\": 5}", "streams: expected a JSON array"),
        ({"Content-Type": "application/x-protobuf"}, b"\x03\x24ab", "invalid snappy body"),  # literal past the end
        ({"Content-Type": "application/x-protobuf"}, b"\x80", "invalid snappy body"),  # truncated length
        ({"Content-Type": "application/x-protobuf"}, snappy_literal(b"\x0a\x7fshort"), "malformed protobuf: "),
        ({}, snappy_literal(b"\x0f"), "malformed protobuf: invalid wire type 7"),  # no Content-Type = protobuf
        ({"Content-Type": "application/json", "Content-Encoding": "br"}, b"{}", 'Content-Encoding "br" not supported'),
    ]
    for headers, body, text in cases:
        r = server.request("POST", PUSH, body, headers)
        assert r.status == 400, (headers, body, r)
        assert r.headers["Content-Type"].startswith("text/plain"), r.headers
        assert text in r.body.decode(), (text, r)
    # A snappy header claiming more than limits.max_decompressed_bytes: 413 before any work.
    r = server.request("POST", PUSH, b"\xff\xff\xff\xff\x0fnot snappy", {"Content-Type": "application/x-protobuf"})
    assert r.status == 413 and r.headers["Content-Type"].startswith("text/plain"), r
    # Everything rejected: 400 and nothing stored.
    r = push_json(server, {"streams": [{"stream": {}, "values": [[str(NOW_NS), "x"]]}]})
    assert r.status == 400 and r.body == b"error at least one label pair is required per stream\n"
    # Nothing to store is fine.
    assert push_json(server, {"streams": []}).status == 204
    assert push_proto(server, b"").status == 204
    assert server.export() == []
    assert server.request("GET", "/readyz").status == 200  # the server is unaffected


def test_decompression_bomb_is_413(make_server):
    s = make_server(extra_args=["--max-decompressed-bytes", "1MiB"])
    bomb = gzip.compress(b"{" + b" " * (4 << 20) + b"}")
    r = push_json(s, bomb, headers={"Content-Encoding": "gzip"})
    assert r.status == 413, r
    assert r.headers["Content-Type"].startswith("text/plain")
    assert s.export() == []


def test_head_budget_answers_429_so_clients_retry(make_server):
    s = make_server(extra_args=["--max-head-bytes", "20KiB"])
    accepted = 0
    for i in range(100):
        values = [[str(NOW_NS - 1_000_000_000 + j), f"batch {i} line {j} " + "p" * 500] for j in range(10)]
        r = push_json(s, {"streams": [{"stream": {"app": "load"}, "values": values}]})
        if r.status == 429:
            assert r.headers.get("Retry-After") == "1"
            assert r.headers["Content-Type"].startswith("text/plain")
            break
        assert r.status == 204, r
        accepted += 10
    else:
        raise AssertionError("no 429")
    assert len(s.export()) == accepted


def test_bad_tenant_header_is_400_text(server):
    r = push_json(server, {"streams": []}, tenant="../etc")
    assert r.status == 400
    assert "invalid tenant id" in r.body.decode()

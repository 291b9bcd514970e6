"""Table-driven bad input: each malformed body gets the documented status and reason, and the good lines of a
mixed batch are kept."""
import gzip
import json

import pytest

GOOD = {"message": "good line", "service": "ok"}

# (name, body bytes, headers, expected status, substring expected in the error/reason)
CASES = [
    ("truncated json", b'[{"message": "a"}, {"mess', {}, 400, "malformed JSON"),
    ("json scalar", b'42', {}, 400, "expected a JSON array"),
    ("logs not an array", b'{"logs": 5}', {}, 400, "logs"),
    ("empty body", b'', {}, 400, "empty body"),
    ("whitespace body", b'  \n ', {}, 400, "empty body"),
    ("invalid utf-8 in json", b'[{"message": "bad \xff\xfe"}]', {}, 400, "UTF-8"),
    ("wrong content type", b'[{"message": "a"}]', {"Content-Type": "application/xml"}, 415, "Content-Type"),
    ("form content type", b'message=a', {"Content-Type": "application/x-www-form-urlencoded"}, 415, "Content-Type"),
    ("unknown encoding", b'[{"message": "a"}]', {"Content-Encoding": "br"}, 415, "Content-Encoding"),
    ("corrupt gzip", b'\x1f\x8bnot really gzip', {"Content-Encoding": "gzip"}, 400, "gzip"),
    ("truncated gzip", gzip.compress(b'[{"message": "a"}]')[:15], {"Content-Encoding": "gzip"}, 400, "gzip"),
    ("bad tenant", b'[{"message": "a"}]', {"X-Tenant-ID": "../etc"}, 400, "tenant"),
    ("all items wrong type", b'[1, "two", null]', {}, 400, "rejected"),
    ("bad timestamp only", b'[{"message": "a", "timestamp": "yesterday"}]', {}, 400, "rejected"),
]


@pytest.mark.parametrize("name,body,headers,status,reason", CASES, ids=[c[0] for c in CASES])
def test_bad_bodies_get_clear_errors(server, name, body, headers, status, reason):
    h = {"Content-Type": "application/json"}
    h.update(headers)
    r = server.request("POST", "/api/v1/logs", body, h)
    assert r.status == status, r
    err = r.json()
    assert set(err) >= {"error", "code", "details"}, err
    assert reason in json.dumps(err), err
    assert server.export() == []  # nothing half-ingested


def test_mixed_json_batch_keeps_good_lines_and_lists_rejects(server):
    items = [
        GOOD,
        {"message": "bad ts", "timestamp": "not a time"},
        "not an object",
        {"message": "x" * 300000},
        {"message": "bad level", "level": 5},
        {"message": "too many", **{f"f{i}": i for i in range(300)}},
        {"message": "second good", "timestamp": "2026-01-01T00:00:00Z"},
    ]
    r = server.ingest(items)
    assert r.status == 200, r
    body = r.json()
    assert body["status"] == "accepted" and body["ingestedCount"] == 2
    assert body["rejectedCount"] == 5
    reasons = {x["index"]: x["reason"] for x in body["rejected"]}
    assert set(reasons) == {1, 2, 3, 4, 5}
    assert reasons[1].startswith("timestamp:")
    assert reasons[2].startswith("item:")
    assert reasons[3].startswith("line too long:")
    assert reasons[4].startswith("level:")
    assert reasons[5].startswith("too many fields:")
    assert sorted(r["message"] for r in server.export()) == ["good line", "second good"]
    metrics = server.metrics()
    assert 'logs_rejected_total{tenant="default",reason="timestamp"} 1' in metrics
    assert 'logs_rejected_total{tenant="default",reason="line_too_long"} 1' in metrics


def test_mixed_ndjson_batch_rejects_only_bad_lines(server):
    lines = [json.dumps(GOOD).encode(), b'{"message": "broken', b'{"message": "bad utf8 \xff"}',
             b'[1,2]', b'', json.dumps({"message": "last good"}).encode()]
    r = server.ingest(b"\n".join(lines), "application/x-ndjson")
    assert r.status == 200, r
    body = r.json()
    assert body["ingestedCount"] == 2
    idx = {x["index"]: x["reason"] for x in body["rejected"]}
    assert set(idx) == {1, 2, 3}, idx
    assert "malformed JSON" in idx[1]
    assert "UTF-8" in idx[2]
    assert sorted(r["message"] for r in server.export()) == ["good line", "last good"]


def test_text_lines_with_invalid_utf8_and_huge_lines(server):
    body = b"fine one\nbad \xc3\x28 utf8\n" + b"y" * 300000 + b"\nfine two\n"
    r = server.ingest(body, "text/plain")
    assert r.status == 200, r
    body = r.json()
    assert body["ingestedCount"] == 2
    idx = {x["index"]: x["reason"] for x in body["rejected"]}
    assert set(idx) == {1, 2}
    assert "UTF-8" in idx[1] and "too long" in idx[2]
    assert sorted(r["message"] for r in server.export()) == ["fine one", "fine two"]


def test_body_over_the_limit_is_413(make_server):
    s = make_server(extra_args=["--max-body-bytes", "100KiB"])
    r = s.ingest([{"message": "z" * 1000} for _ in range(200)])
    assert r.status == 413, r
    assert r.json()["code"] == "payload_too_large"
    assert s.ingest([GOOD]).status == 200  # the server is fine afterwards


def test_decompression_bomb_is_413(make_server):
    s = make_server(extra_args=["--max-decompressed-bytes", "1MiB"])
    bomb = gzip.compress(b'[' + b' ' * (20 << 20) + b']')
    r = s.ingest(bomb, headers={"Content-Encoding": "gzip"})
    assert r.status == 413, r
    assert "decompressed" in r.json()["error"]


def test_unknown_endpoint_and_method(server):
    r = server.request("GET", "/api/v1/nope")
    assert r.status == 404 and r.json()["code"] == "not_found"
    r = server.request("GET", "/api/v1/logs")
    assert r.status == 405


def test_head_budget_answers_429_with_retry_after_and_keeps_earlier_data(make_server):
    s = make_server(extra_args=["--max-head-bytes", "20KiB"])
    accepted = 0
    saw_429 = False
    for i in range(100):
        r = s.ingest([{"message": f"batch {i} " + "p" * 500} for _ in range(10)])
        if r.status == 429:
            saw_429 = True
            assert r.headers.get("Retry-After") == "1"
            assert r.json()["code"] == "resource_exhausted"
            break
        assert r.status == 200, r
        accepted += 10
    assert saw_429
    assert len(s.export()) == accepted

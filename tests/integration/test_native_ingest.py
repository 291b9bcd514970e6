"""Native ingest via JSON, NDJSON and text, read back by export, with two isolated tenants."""
import gzip
import json
import subprocess
import zlib


def by_message(records):
    return {r["message"]: r for r in records}


def test_three_body_types_round_trip_field_by_field_for_two_isolated_tenants(server):
    json_body = {"logs": [
        {"timestamp": "2026-01-02T03:04:05.123456789Z", "level": "error", "service": "api", "env": "prod",
         "instance": "api-1", "message": "db timeout", "traceId": "abc123",
         "metadata": {"region": "eu", "http": {"status": 504}}, "user_id": 42},
        {"timestamp": 1767323045, "level": "Warning", "service": "api", "hostname": "h1", "message": "slow"},
    ]}
    r = server.ingest(json_body, tenant="acme")
    assert r.status == 200, r
    assert r.json() == {"status": "accepted", "ingestedCount": 2}

    ndjson = "\n".join(json.dumps(x) for x in [
        {"timestamp": 1767323046000, "level": "info", "service": "worker", "message": "job started"},
        {"timestamp": "1767323047000000000", "service": "worker", "message": "job done", "tags": ["a", "b"]},
    ]) + "\n"
    r = server.ingest(ndjson, "application/x-ndjson", tenant="acme")
    assert r.status == 200 and r.json()["ingestedCount"] == 2, r

    r = server.request("POST", "/api/v1/logs?service=batch&env=dev&host=h9&tag.team=core",
                       b"plain line one\r\nplain line two\n\n", {"Content-Type": "text/plain", "X-Tenant-ID": "acme"})
    assert r.status == 200 and r.json()["ingestedCount"] == 2, r

    # A second tenant, via Loki's header.
    r = server.ingest([{"message": "other tenant secret", "service": "api"}], headers={"X-Scope-OrgID": "globex"})
    assert r.status == 200, r

    acme = by_message(server.export("acme"))
    assert set(acme) == {"db timeout", "slow", "job started", "job done", "plain line one", "plain line two"}
    e = acme["db timeout"]
    assert e["timestamp"] == "2026-01-02T03:04:05.123456789Z"
    assert e["labels"] == {"env": "prod", "instance": "api-1", "level": "ERROR", "service": "api"}
    assert e["fields"]["traceId"] == "abc123"
    assert e["fields"]["metadata.region"] == "eu"
    assert e["fields"]["metadata.http.status"] == "504"
    assert e["fields"]["user_id"] == "42"
    s = acme["slow"]
    assert s["timestamp"] == "2026-01-02T03:04:05.000000000Z"
    assert s["labels"] == {"host": "h1", "level": "WARN", "service": "api"}
    assert acme["job started"]["timestamp"] == "2026-01-02T03:04:06.000000000Z"
    assert acme["job started"]["labels"] == {"level": "INFO", "service": "worker"}
    assert acme["job done"]["timestamp"] == "2026-01-02T03:04:07.000000000Z"
    assert json.loads(acme["job done"]["fields"]["tags"]) == ["a", "b"]
    t = acme["plain line one"]
    assert t["labels"] == {"env": "dev", "host": "h9", "service": "batch"}
    assert t["fields"] == {"tag.team": "core"}

    globex = server.export("globex", header="X-Scope-OrgID")
    assert [r["message"] for r in globex] == ["other tenant secret"]
    assert "other tenant secret" not in acme
    assert server.export("nobody") == []
    # No header means the default tenant, which holds none of the above.
    assert server.export() == []


def test_missing_timestamp_means_receive_time_and_default_tenant(server):
    import time
    before = time.time()
    r = server.ingest([{"message": "no time"}])
    assert r.status == 200
    [rec] = server.export()
    ts = rec["timestamp"]
    secs = time.mktime(time.strptime(ts[:19], "%Y-%m-%dT%H:%M:%S")) - time.timezone
    assert before - 2 <= secs <= time.time() + 2


def test_lines_older_than_retention_are_rejected_with_their_index(server):
    import time
    now = time.time()
    body = [{"message": "fresh", "timestamp": int(now)},
            {"message": "ancient", "timestamp": int(now - 400 * 86400)},  # retention is 365 days in these tests
            {"message": "fresh too", "timestamp": int(now) - 10}]
    r = server.ingest(body)
    assert r.status == 200
    answer = json.loads(r.body)
    assert answer["rejectedCount"] == 1
    [rej] = answer["rejected"]
    assert rej["index"] == 1
    assert "older than the retention period" in rej["reason"]
    assert sorted(rec["message"] for rec in server.export()) == ["fresh", "fresh too"]


def test_export_filters_by_time_range_and_label(server):
    logs = [{"timestamp": 1767323040 + i, "service": "a" if i % 2 else "b", "message": f"m{i}"} for i in range(10)]
    assert server.ingest(logs, tenant="t").status == 200
    # Export is time-ordered within each stream (streams are not interleaved), so compare per stream.
    got = server.export("t", "from=1767323042&to=2026-01-02T03:04:06Z")
    assert sorted(r["message"] for r in got) == ["m2", "m3", "m4", "m5", "m6"]
    for service in ("a", "b"):
        ts = [r["timestamp"] for r in got if r["labels"]["service"] == service]
        assert ts == sorted(ts)
    got = [r["message"] for r in server.export("t", "service=a")]
    assert got == ["m1", "m3", "m5", "m7", "m9"]
    got = [r["message"] for r in server.export("t", "service=a&from=1767323044000")]
    assert got == ["m5", "m7", "m9"]
    r = server.request("GET", "/api/v1/export?from=yesterday", headers={"X-Tenant-ID": "t"})
    assert r.status == 400 and "from" in r.json()["error"]


def test_compressed_bodies(server):
    body = json.dumps([{"message": f"gz {i}"} for i in range(100)]).encode()
    r = server.ingest(gzip.compress(body), headers={"Content-Encoding": "gzip"}, tenant="c")
    assert r.status == 200 and r.json()["ingestedCount"] == 100, r
    r = server.ingest(zlib.compress(body), headers={"Content-Encoding": "deflate"}, tenant="c")
    assert r.status == 200 and r.json()["ingestedCount"] == 100, r
    zst = subprocess.run(["zstd", "-q", "-c"], input=body, capture_output=True, check=True).stdout
    r = server.ingest(zst, headers={"Content-Encoding": "zstd"}, tenant="c")
    assert r.status == 200 and r.json()["ingestedCount"] == 100, r
    assert len(server.export("c")) == 300


def test_large_export_streams_in_chunks(server):
    batch = [{"message": "x" * 200 + str(i), "service": "bulk"} for i in range(5000)]
    for _ in range(4):
        assert server.ingest(batch, tenant="big").status == 200
    r = server.request("GET", "/api/v1/export", headers={"X-Tenant-ID": "big"})
    assert r.status == 200
    assert r.headers.get("Transfer-Encoding") == "chunked"
    assert len(r.body.decode().splitlines()) == 20000

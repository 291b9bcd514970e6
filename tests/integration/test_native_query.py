"""POST /api/v1/query (the product spec's search API, docs/api/query.md): DSL by default and LogQL on request,
result rows, the exact count, `| count by` and `| histogram` aggregations, tenancy and JSON errors with the
position of a syntax error."""
import datetime
import json
import time

import pytest

from strata_server import StrataServer

S = 1_000_000_000
T0 = (time.time_ns() // S - 600) * S  # ten minutes ago, whole seconds
TENANT = "acme"


def iso(ns):
    secs, frac = divmod(ns, S)
    return datetime.datetime.fromtimestamp(secs, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S") + f".{frac:09d}Z"


LOGS = [
    {"timestamp": iso(T0 + 1 * S), "level": "ERROR", "service": "api", "message": "request timeout after 30s",
     "traceId": "abc", "metadata": {"region": "eu"}},
    {"timestamp": iso(T0 + 2 * S), "level": "INFO", "service": "api", "message": "request ok"},
    {"timestamp": iso(T0 + 3 * S), "level": "ERROR", "service": "web", "message": "upstream timeout"},
    {"timestamp": iso(T0 + 4 * S), "level": "WARN", "service": "web", "message": "slow request"},
    {"timestamp": iso(T0 + 65 * S), "level": "ERROR", "service": "api", "message": "db timeout"},
]
RANGE = {"from": iso(T0), "to": iso(T0 + 100 * S)}


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    server = StrataServer(tmp_path_factory.mktemp("native-query") / "data").start()
    r = server.ingest(LOGS, tenant=TENANT)
    assert r.status == 200, r
    assert r.json()["ingestedCount"] == len(LOGS)
    yield server
    server.stop()


def query(server, body, tenant=TENANT, headers=None):
    h = {"Content-Type": "application/json"}
    if tenant:
        h["X-Tenant-ID"] = tenant
    h.update(headers or {})
    data = body if isinstance(body, (bytes, str)) else json.dumps(body)
    if isinstance(data, str):
        data = data.encode()
    return server.request("POST", "/api/v1/query", data, h)


def ok(r):
    assert r.status == 200, r
    doc = r.json()
    assert list(doc) == ["results", "count", "countEstimated", "durationMs", "aggregations"]
    assert isinstance(doc["durationMs"], int) and doc["durationMs"] >= 0
    return doc


def test_dsl_search_rows_and_count(srv):
    doc = ok(query(srv, {"query": 'level=ERROR AND message CONTAINS "timeout"', "range": RANGE}))
    assert [row["message"] for row in doc["results"]] == ["db timeout", "upstream timeout",
                                                         "request timeout after 30s"]
    first = doc["results"][2]
    assert list(first) == ["timestamp", "labels", "message", "fields"]
    assert first["timestamp"] == iso(T0 + 1 * S)
    assert first["labels"] == {"level": "ERROR", "service": "api"}
    assert first["fields"] == {"metadata.region": "eu", "traceId": "abc"}
    assert doc["count"] == 3
    assert doc["countEstimated"] is False
    assert doc["aggregations"] is None


def test_count_is_exact_beyond_the_limit(srv):
    doc = ok(query(srv, {"query": "level=ERROR", "range": RANGE, "limit": 1}))
    assert [row["message"] for row in doc["results"]] == ["db timeout"]
    assert doc["count"] == 3
    doc = ok(query(srv, {"query": "level=ERROR", "range": RANGE, "limit": 0}))
    assert doc["results"] == [] and doc["count"] == 3


def test_forward_direction_and_epoch_range(srv):
    doc = ok(query(srv, {"query": "service=web", "range": {"from": T0 // S, "to": T0 // S + 100},
                         "direction": "forward"}))
    assert [row["message"] for row in doc["results"]] == ["upstream timeout", "slow request"]


def test_range_bounds_are_inclusive(srv):
    doc = ok(query(srv, {"query": "service=api", "range": {"from": iso(T0 + 1 * S), "to": iso(T0 + 2 * S)}}))
    assert [row["message"] for row in doc["results"]] == ["request ok", "request timeout after 30s"]


def test_count_by_aggregation(srv):
    doc = ok(query(srv, {"query": "level=ERROR | count by service", "range": RANGE}))
    assert doc["count"] == 3
    assert doc["aggregations"] == {"groupBy": ["service"], "intervalMs": None, "buckets": [
        {"key": {"service": "api"}, "count": 2}, {"key": {"service": "web"}, "count": 1}]}


def test_histogram_buckets_start_at_from(srv):
    doc = ok(query(srv, {"query": "level=ERROR | histogram 1m",
                         "range": {"from": iso(T0), "to": iso(T0 + 119 * S)}}))
    assert doc["aggregations"] == {"groupBy": [], "intervalMs": 60000, "buckets": [
        {"timestamp": iso(T0), "key": {}, "count": 2}, {"timestamp": iso(T0 + 60 * S), "key": {}, "count": 1}]}
    # A last bucket cut by `to` counts only up to `to`.
    doc = ok(query(srv, {"query": "level=ERROR | count by service histogram 1m",
                         "range": {"from": iso(T0), "to": iso(T0 + 64 * S)}}))
    assert doc["aggregations"]["buckets"] == [
        {"timestamp": iso(T0), "key": {"service": "api"}, "count": 1},
        {"timestamp": iso(T0), "key": {"service": "web"}, "count": 1}]
    doc = ok(query(srv, {"query": "level=ERROR | histogram 1m", "range": {"from": iso(T0), "to": iso(T0 + 65 * S)}}))
    assert doc["aggregations"]["buckets"] == [
        {"timestamp": iso(T0), "key": {}, "count": 2}, {"timestamp": iso(T0 + 60 * S), "key": {}, "count": 1}]


def test_logql_language(srv):
    doc = ok(query(srv, {"query": '{service="web"} |= "timeout"', "range": RANGE, "language": "logql"}))
    assert [row["message"] for row in doc["results"]] == ["upstream timeout"]
    assert doc["count"] == 1
    doc = ok(query(srv, {"query": '{service="api"} | logfmt', "range": RANGE, "language": "LogQL", "limit": 1}))
    assert doc["count"] == 3


def test_tenant_from_body_or_header(srv):
    doc = ok(query(srv, {"tenantId": TENANT, "query": "level=ERROR", "range": RANGE}, tenant=None))
    assert doc["count"] == 3
    doc = ok(query(srv, {"query": "level=ERROR", "range": RANGE}, tenant="someone-else"))
    assert doc["results"] == [] and doc["count"] == 0
    r = query(srv, {"tenantId": TENANT, "query": "level=ERROR", "range": RANGE}, tenant="someone-else")
    assert r.status == 400 and r.json()["code"] == "invalid_argument"


def test_syntax_error_carries_its_position(srv):
    r = query(srv, {"query": "level=ERROR AND (service=api", "range": RANGE})
    assert r.status == 400
    doc = r.json()
    assert doc["code"] == "invalid_argument"
    assert doc["error"].startswith("parse error at line 1, col ")
    assert len(doc["details"]) == 1
    detail = doc["details"][0]
    assert detail["field"] == "query" and detail["line"] == 1 and detail["column"] >= 1
    assert doc["error"].startswith(f"parse error at line 1, col {detail['column']}:")


@pytest.mark.parametrize("body,fragment", [
    (b"{not json", "malformed JSON"),
    ([1, 2], "expected a JSON object"),
    ({"range": RANGE}, "query: required"),
    ({"query": "level=ERROR", "language": "sql"}, "language"),
    ({"query": "level=ERROR", "limit": 6000}, "limit"),
    ({"query": "level=ERROR", "limit": -1}, "limit"),
    ({"query": "level=ERROR", "range": {"from": iso(T0 + S), "to": iso(T0)}}, "from must not be after to"),
    ({"query": "level=ERROR", "range": {"from": "yesterday"}}, "range.from"),
    ({"query": 'rate({service="api"}[1m])', "language": "logql"}, "log queries"),
])
def test_bad_requests_are_json_400s(srv, body, fragment):
    r = query(srv, body)
    assert r.status == 400, r
    assert r.headers["Content-Type"].startswith("application/json")
    doc = r.json()
    assert doc["code"] == "invalid_argument"
    assert fragment in doc["error"], doc

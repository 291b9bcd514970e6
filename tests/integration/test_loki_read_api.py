"""Loki read API (/loki/api/v1/query, query_range, labels, series, index/stats, index/volume[_range],
detected_labels, detected_fields, patterns, format_query, status/buildinfo) against the real binary: response
shapes key by key and in Loki's key order (Grafana reads them with a streaming parser), both stream encodings,
GET and POST form bodies, and every parameter error with Loki's status and text (../shared/reference/loki.md §1)."""
import json
import time
import urllib.parse

import pytest

from strata_server import StrataServer

T0 = (time.time_ns() // 1_000_000_000 - 600) * 1_000_000_000  # ten minutes ago, whole seconds
S = 1_000_000_000
TENANT = "acme"
START, END = str(T0), str(T0 + 100 * S)  # covers every line below (end is exclusive for log queries)

API = [  # {service_name="api", env="prod"}
    (T0 + 1 * S, 'level=info msg="request done" status=200 <ok> & more', {"trace_id": "t1"}),
    (T0 + 2 * S, 'level=error msg="timeout" status=500', None),
    (T0 + 3 * S, 'level=info msg="request done" status=200', None),
]
WEB = [  # {service_name="web", env="dev"}
    (T0 + 2 * S + S // 2, '{"level":"warn","user":{"id":7}}', None),
]


def ordered(body):
    """JSON with objects as lists of (key, value) pairs, so tests can check key order."""
    return json.loads(body, object_pairs_hook=lambda pairs: pairs)


def keys(pairs):
    return [k for k, _ in pairs]


def get(server, path, params=None, tenant=TENANT, headers=None):
    h = {"X-Scope-OrgID": tenant} if tenant else {}
    h.update(headers or {})
    qs = "?" + urllib.parse.urlencode(params, doseq=True) if params else ""
    return server.request("GET", path + qs, headers=h)


def post_form(server, path, params, tenant=TENANT, headers=None):
    h = {"X-Scope-OrgID": tenant, "Content-Type": "application/x-www-form-urlencoded"}
    h.update(headers or {})
    return server.request("POST", path, urllib.parse.urlencode(params, doseq=True).encode(), h)


def ok_json(r):
    assert r.status == 200, r
    assert r.headers["Content-Type"].startswith("application/json"), r.headers
    return r.json()


def values(entries):
    out = []
    for ts, line, sm in entries:
        out.append([str(ts), line, sm] if sm else [str(ts), line])
    return out


@pytest.fixture(scope="module")
def loki(tmp_path_factory):
    server = StrataServer(tmp_path_factory.mktemp("loki-read") / "data").start()
    body = {"streams": [
        {"stream": {"service_name": "api", "env": "prod"}, "values": values(API)},
        {"stream": {"service_name": "web", "env": "dev"}, "values": values(WEB)},
    ]}
    r = server.request("POST", "/loki/api/v1/push", json.dumps(body).encode(),
                       {"Content-Type": "application/json", "X-Scope-OrgID": TENANT})
    assert r.status == 204, r
    yield server
    server.stop()


# ---- query_range: log queries ------------------------------------------------------------------------------------

def test_streams_default_encoding_shape_and_order(loki):
    r = get(loki, "/loki/api/v1/query_range",
            {"query": '{service_name="api"}', "start": START, "end": END, "direction": "forward", "limit": "10"})
    assert r.status == 200, r
    doc = ordered(r.body)
    assert keys(doc) == ["status", "data"]
    assert doc[0] == ("status", "success")
    data = doc[1][1]
    assert keys(data) == ["resultType", "result", "stats"]
    assert data[0] == ("resultType", "streams")
    assert keys(data[2][1])[:5] == ["summary", "querier", "ingester", "cache", "index"]
    # Entries are grouped by their full label set: structured metadata splits the stored stream.
    result = r.json()["data"]["result"]
    streams = {json.dumps(s["stream"], sort_keys=True): s["values"] for s in result}
    assert streams == {
        json.dumps({"env": "prod", "service_name": "api", "trace_id": "t1"}, sort_keys=True):
            [[str(API[0][0]), API[0][1]]],
        json.dumps({"env": "prod", "service_name": "api"}, sort_keys=True):
            [[str(API[1][0]), API[1][1]], [str(API[2][0]), API[2][1]]],
    }
    for s in result:
        assert keys(ordered(json.dumps(s))) == ["stream", "values"]
    # Lines are HTML-escaped as Go writes them.
    assert b"\\u003cok\\u003e \\u0026 more" in r.body
    stats = r.json()["data"]["stats"]["summary"]
    for k in ["bytesProcessedPerSecond", "linesProcessedPerSecond", "totalBytesProcessed", "totalLinesProcessed",
              "execTime", "queueTime", "subqueries", "totalEntriesReturned", "splits", "shards",
              "totalPostFilterLines", "totalStructuredMetadataBytesProcessed"]:
        assert k in stats, k
    assert stats["totalEntriesReturned"] == 3


def test_streams_categorize_labels_encoding(loki):
    r = get(loki, "/loki/api/v1/query_range",
            {"query": '{service_name="api"} | logfmt', "start": START, "end": END, "direction": "forward"},
            headers={"X-Loki-Response-Encoding-Flags": "categorize-labels"})
    assert r.status == 200, r
    data = ordered(r.body)[1][1]
    assert keys(data) == ["resultType", "encodingFlags", "result", "stats"]
    doc = r.json()["data"]
    assert doc["encodingFlags"] == ["categorize-labels"]
    assert len(doc["result"]) == 1
    stream = doc["result"][0]
    assert stream["stream"] == {"env": "prod", "service_name": "api"}
    vals = stream["values"]
    assert [v[0] for v in vals] == [str(API[0][0]), str(API[1][0]), str(API[2][0])]
    assert all(len(v) == 3 for v in vals)
    assert vals[0][2]["structuredMetadata"] == {"trace_id": "t1"}
    assert keys(ordered(json.dumps(vals[0][2]))) == ["structuredMetadata", "parsed"]
    assert vals[1][2] == {"parsed": {"level": "error", "msg": "timeout", "status": "500"}}
    assert vals[2][2]["parsed"]["status"] == "200"


def test_streams_limit_is_across_streams_and_backward_is_default(loki):
    doc = ok_json(get(loki, "/loki/api/v1/query_range",
                      {"query": '{env=~".+"}', "start": START, "end": END, "limit": "2"}))
    got = sorted((v[0], v[1]) for s in doc["data"]["result"] for v in s["values"])
    assert got == sorted([(str(API[2][0]), API[2][1]), (str(WEB[0][0]), WEB[0][1])])
    # Each stream's entries are newest first.
    for s in doc["data"]["result"]:
        ts = [int(v[0]) for v in s["values"]]
        assert ts == sorted(ts, reverse=True)


def test_streams_end_is_exclusive_start_inclusive(loki):
    doc = ok_json(get(loki, "/loki/api/v1/query_range",
                      {"query": '{service_name="api"}', "start": str(API[0][0]), "end": str(API[2][0])}))
    got = sorted(int(v[0]) for s in doc["data"]["result"] for v in s["values"])
    assert got == [API[0][0], API[1][0]]


def test_post_form_equals_get(loki):
    params = {"query": '{service_name="api"} |= "timeout"', "start": START, "end": END}
    a = get(loki, "/loki/api/v1/query_range", params)
    b = post_form(loki, "/loki/api/v1/query_range", params)
    assert a.status == b.status == 200
    ra, rb = a.json()["data"]["result"], b.json()["data"]["result"]
    assert ra == rb
    assert [v[1] for s in ra for v in s["values"]] == [API[1][1]]


def test_timestamps_in_seconds_float_and_rfc3339(loki):
    def lines(start, end):
        doc = ok_json(get(loki, "/loki/api/v1/query_range",
                          {"query": '{service_name="api"}', "start": start, "end": end}))
        return sorted(v[1] for s in doc["data"]["result"] for v in s["values"])
    secs = T0 // S
    everything = sorted(line for _, line, _ in API)
    assert lines(str(secs), str(secs + 100)) == everything
    assert lines(f"{secs}.0", f"{secs + 100}.5") == everything
    iso = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(secs))
    iso_end = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(secs + 100))
    assert lines(iso, iso_end) == everything
    assert lines(str(T0 + 2 * S), END) == sorted([API[1][1], API[2][1]])


# ---- metric queries ----------------------------------------------------------------------------------------------

def test_matrix(loki):
    r = get(loki, "/loki/api/v1/query_range",
            {"query": 'sum by (service_name) (count_over_time({env=~".+"}[1m]))',
             "start": str(T0 // S), "end": str(T0 // S + 120), "step": "60"})
    doc = ok_json(r)
    assert keys(ordered(r.body)[1][1]) == ["resultType", "result", "stats"]
    assert doc["data"]["resultType"] == "matrix"
    series = {s["metric"]["service_name"]: s["values"] for s in doc["data"]["result"]}
    assert set(series) == {"api", "web"}
    for vals in series.values():
        for t, v in vals:
            assert isinstance(t, (int, float)) and isinstance(v, str)
        assert [t for t, _ in vals] == sorted(t for t, _ in vals)
    # The window (t-1m, t] at start+60s holds every line.
    assert [T0 // S + 60, "3"] in series["api"]
    assert [T0 // S + 60, "1"] in series["web"]


def test_instant_vector(loki):
    r = get(loki, "/loki/api/v1/query",
            {"query": 'sum(count_over_time({service_name="api"}[10m]))', "time": str(T0 // S + 300)})
    doc = ok_json(r)
    assert keys(ordered(r.body)[1][1]) == ["resultType", "result", "stats"]
    assert doc["data"]["resultType"] == "vector"
    assert doc["data"]["result"] == [{"metric": {}, "value": [T0 // S + 300, "3"]}]


def test_grafana_health_check(loki):
    # pkg/tsdb/loki/healthcheck.go: instant vector(1)+vector(1); one frame whose value is 2.
    doc = ok_json(get(loki, "/loki/api/v1/query", {"query": "vector(1)+vector(1)", "time": "4"}))
    assert doc["status"] == "success"
    assert doc["data"]["resultType"] == "vector"
    assert doc["data"]["result"] == [{"metric": {}, "value": [4, "2"]}]


def test_instant_scalar(loki):
    doc = ok_json(get(loki, "/loki/api/v1/query", {"query": "1+1", "time": "1700000000.5"}))
    assert doc["data"]["resultType"] == "scalar"
    assert doc["data"]["result"] == [1700000000.5, "2"]


def test_instant_metric_query_by_post_form(loki):
    doc = ok_json(post_form(loki, "/loki/api/v1/query",
                            {"query": 'count_over_time({service_name="web"}[10m])', "time": str(T0 // S + 300)}))
    assert doc["data"]["result"] == [{"metric": {"env": "dev", "service_name": "web"}, "value": [T0 // S + 300, "1"]}]


# ---- labels, series ----------------------------------------------------------------------------------------------

def test_labels_and_values(loki):
    doc = ok_json(get(loki, "/loki/api/v1/labels", {"start": START, "end": END}))
    assert doc == {"status": "success", "data": ["env", "service_name"]}
    assert ok_json(get(loki, "/loki/api/v1/label", {"start": START, "end": END})) == doc
    doc = ok_json(get(loki, "/loki/api/v1/label/service_name/values", {"start": START, "end": END}))
    assert doc == {"status": "success", "data": ["api", "web"]}
    doc = ok_json(get(loki, "/loki/api/v1/label/env/values",
                      {"start": START, "end": END, "query": '{service_name="web"}'}))
    assert doc == {"status": "success", "data": ["dev"]}
    doc = ok_json(post_form(loki, "/loki/api/v1/label/service_name/values", {"start": START, "end": END}))
    assert doc["data"] == ["api", "web"]


def test_labels_default_range_is_the_last_hour(loki):
    assert ok_json(get(loki, "/loki/api/v1/labels"))["data"] == ["env", "service_name"]
    assert ok_json(get(loki, "/loki/api/v1/labels", {"since": "1m"}))["data"] == []


def test_series_match_and_match_brackets_union(loki):
    doc = ok_json(get(loki, "/loki/api/v1/series",
                      {"match[]": ['{service_name="api"}', '{env="dev"}'], "start": START, "end": END}))
    assert doc["status"] == "success"
    assert sorted(doc["data"], key=lambda s: s["service_name"]) == [
        {"env": "prod", "service_name": "api"}, {"env": "dev", "service_name": "web"}]
    # logcli spells it `match`.
    doc = ok_json(get(loki, "/loki/api/v1/series", {"match": '{env="dev"}', "start": START, "end": END}))
    assert doc["data"] == [{"env": "dev", "service_name": "web"}]
    # `{}` and no matcher at all mean every series.
    assert len(ok_json(get(loki, "/loki/api/v1/series", {"match[]": "{}", "start": START, "end": END}))["data"]) == 2
    assert len(ok_json(get(loki, "/loki/api/v1/series", {"start": START, "end": END}))["data"]) == 2
    # data is always present, even when empty.
    doc = ok_json(get(loki, "/loki/api/v1/series", {"match[]": '{env="none"}', "start": START, "end": END}))
    assert doc == {"status": "success", "data": []}


def test_tenants_are_isolated(loki):
    doc = ok_json(get(loki, "/loki/api/v1/query_range", {"query": '{env=~".+"}', "start": START, "end": END},
                      tenant="other"))
    assert doc["data"]["result"] == []
    assert ok_json(get(loki, "/loki/api/v1/labels", {"start": START, "end": END}, tenant="other"))["data"] == []


# ---- index stats and volume --------------------------------------------------------------------------------------

def test_index_stats_is_a_bare_object(loki):
    r = get(loki, "/loki/api/v1/index/stats", {"query": '{env=~".+"}', "start": START, "end": END})
    doc = ok_json(r)
    assert keys(ordered(r.body)) == ["streams", "chunks", "bytes", "entries"]
    assert doc["streams"] == 2
    assert doc["entries"] >= 4 and doc["bytes"] > 0 and doc["chunks"] >= 1
    doc = ok_json(get(loki, "/loki/api/v1/index/stats", {"query": '{service_name="web"}', "start": START, "end": END}))
    assert doc["streams"] == 1


def test_volume(loki):
    r = get(loki, "/loki/api/v1/index/volume", {"query": '{env=~".+"}', "start": START, "end": END})
    doc = ok_json(r)
    assert keys(ordered(r.body)[1][1]) == ["resultType", "result", "stats"]
    assert doc["data"]["resultType"] == "vector"
    result = doc["data"]["result"]
    assert [s["metric"] for s in result] == [{"env": "prod"}, {"env": "dev"}]  # most bytes first
    assert all(isinstance(s["value"][1], str) and int(s["value"][1]) > 0 for s in result)
    assert result[0]["value"][0] == int(END) // S
    # targetLabels pick the grouping; limit cuts it.
    doc = ok_json(get(loki, "/loki/api/v1/index/volume",
                      {"query": '{env=~".+"}', "start": START, "end": END, "targetLabels": "service_name",
                       "limit": "1"}))
    assert [s["metric"] for s in doc["data"]["result"]] == [{"service_name": "api"}]
    doc = ok_json(get(loki, "/loki/api/v1/index/volume",
                      {"query": '{env=~".+"}', "start": START, "end": END, "aggregateBy": "labels"}))
    assert [s["metric"] for s in doc["data"]["result"]] == [{"env": ""}]


def test_volume_range(loki):
    doc = ok_json(get(loki, "/loki/api/v1/index/volume_range",
                      {"query": '{env=~".+"}', "start": str(T0 // S), "end": str(T0 // S + 120), "step": "60"}))
    assert doc["data"]["resultType"] == "matrix"
    result = doc["data"]["result"]
    assert [s["metric"] for s in result] == [{"env": "prod"}, {"env": "dev"}]
    api_bytes = sum(len(line) for _, line, _ in API)
    assert sum(float(v) for _, v in result[0]["values"]) == api_bytes


# ---- detected labels / fields, patterns ------------------------------------------------------------------------

def test_detected_labels(loki):
    r = get(loki, "/loki/api/v1/detected_labels", {"query": '{env=~".+"}', "start": START, "end": END})
    doc = ok_json(r)
    assert keys(ordered(r.body)) == ["detectedLabels"]
    assert {d["label"]: d["cardinality"] for d in doc["detectedLabels"]} == {"env": 2, "service_name": 2}
    assert all(keys(ordered(json.dumps(d))) == ["label", "cardinality"] for d in doc["detectedLabels"])


def test_detected_fields(loki):
    r = get(loki, "/loki/api/v1/detected_fields", {"query": '{service_name="api"}', "start": START, "end": END})
    doc = ok_json(r)
    assert keys(ordered(r.body)) == ["fields", "limit"]
    assert doc["limit"] == 1000
    fields = {f["label"]: f for f in doc["fields"]}
    assert fields["level"]["parsers"] == ["logfmt"]
    assert fields["level"]["cardinality"] == 2
    assert fields["status"]["type"] == "int"
    # Structured metadata: parsers is null, which Grafana relies on.
    assert fields["trace_id"]["parsers"] is None
    for f in doc["fields"]:
        assert keys(ordered(json.dumps(f)))[:4] == ["label", "type", "cardinality", "parsers"]
    doc = ok_json(get(loki, "/loki/api/v1/detected_fields",
                      {"query": '{service_name="api"}', "start": START, "end": END, "limit": "1"}))
    assert len(doc["fields"]) == 1 and doc["limit"] == 1


def test_detected_field_values(loki):
    r = get(loki, "/loki/api/v1/detected_field/level/values",
            {"query": '{service_name="api"}', "start": START, "end": END})
    doc = ok_json(r)
    assert keys(ordered(r.body)) == ["values", "limit"]
    assert sorted(doc["values"]) == ["error", "info"]


def test_patterns(loki):
    doc = ok_json(get(loki, "/loki/api/v1/patterns",
                      {"query": '{service_name="api"}', "start": START, "end": END, "step": "10s"}))
    assert doc["status"] == "success"
    assert isinstance(doc["data"], list)
    total = 0
    for p in doc["data"]:
        assert "pattern" in p and "samples" in p
        for ts, n in p["samples"]:
            assert isinstance(ts, int) and isinstance(n, int)
            total += n
    assert total == len(API)


# ---- format_query, buildinfo, legacy ---------------------------------------------------------------------------

def test_format_query(loki):
    doc = ok_json(get(loki, "/loki/api/v1/format_query", {"query": '{a="b"}|="x"'}))
    assert doc == {"status": "success", "data": '{a="b"} |= "x"'}
    r = post_form(loki, "/loki/api/v1/format_query", {"query": '{a="b"'})
    assert r.status == 400 and r.body.startswith(b"parse error")


def test_buildinfo(loki):
    r = get(loki, "/loki/api/v1/status/buildinfo")
    doc = ok_json(r)
    assert keys(ordered(r.body)) == ["version", "revision", "branch", "buildUser", "buildDate", "goVersion"]
    assert doc["version"].startswith("3.")


def test_legacy_label_and_query(loki):
    assert ok_json(get(loki, "/api/prom/label", {"start": START, "end": END})) == {"values": ["env", "service_name"]}
    assert ok_json(get(loki, "/api/prom/label/env/values", {"start": START, "end": END})) == {"values": ["dev", "prod"]}
    doc = ok_json(get(loki, "/api/prom/query", {"query": '{service_name="web"}', "start": START, "end": END}))
    assert doc["streams"][0]["labels"] == '{env="dev", service_name="web"}'
    assert doc["streams"][0]["entries"][0]["line"] == WEB[0][1]
    assert doc["streams"][0]["entries"][0]["ts"].endswith(".5Z")


# ---- errors ------------------------------------------------------------------------------------------------------

INSTANT_LOG = ("log queries are not supported as an instant query type, please change your query to a range query "
               "type")
STEP_ZERO = "zero or negative query resolution step widths are not accepted. Try a positive integer"
TOO_MANY_POINTS = ("exceeded maximum resolution of 11,000 points per time series. Try increasing the value of the "
                   "step parameter")


@pytest.mark.parametrize("path,params,text", [
    ("/loki/api/v1/query", {"query": '{service_name="api"}'}, INSTANT_LOG),
    ("/loki/api/v1/query_range", {"query": '{a="b"}', "limit": "0"}, "limit must be a positive value"),
    ("/loki/api/v1/query_range", {"query": '{a="b"}', "limit": "5001"},
     "max entries limit per query exceeded, limit > max_entries_limit_per_query (5001 > 5000)"),
    ("/loki/api/v1/query_range", {"query": '{a="b"}', "limit": "x"}, 'strconv.Atoi: parsing "x": invalid syntax'),
    ("/loki/api/v1/query_range", {"query": '{a="b"}', "start": "20", "end": "10"},
     "end timestamp must not be before or equal to start time"),
    ("/loki/api/v1/query_range", {"query": '{a="b"}', "start": "yesterday"},
     "could not parse 'start' parameter: strconv.ParseInt: parsing \"yesterday\": invalid syntax"),
    ("/loki/api/v1/query_range", {"query": '{a="b"}', "end": "soon"},
     "could not parse 'end' parameter: strconv.ParseInt: parsing \"soon\": invalid syntax"),
    ("/loki/api/v1/query_range", {"query": '{a="b"}', "since": "HI!"},
     "could not parse 'since' parameter: not a valid duration string: \"HI!\""),
    ("/loki/api/v1/query_range", {"query": '{a="b"}', "direction": "up"}, "invalid direction 'up'"),
    ("/loki/api/v1/query_range", {"query": '{a="b"}', "step": "0"}, STEP_ZERO),
    ("/loki/api/v1/query_range", {"query": '{a="b"}', "step": "abc"}, 'cannot parse "abc" to a valid duration'),
    ("/loki/api/v1/query_range", {"query": 'rate({a="b"}[1m])', "start": "0", "end": "11001", "step": "1"},
     TOO_MANY_POINTS),
    ("/loki/api/v1/query_range", {"query": '{a="b"}', "interval": "-1"}, "interval must be >= 0"),
    ("/loki/api/v1/query", {"query": "1+1", "time": "noon"}, 'strconv.ParseInt: parsing "noon": invalid syntax'),
    ("/loki/api/v1/index/volume", {"query": '{a="b"}', "aggregateBy": "pods"}, "invalid aggregation option"),
    ("/loki/api/v1/detected_fields", {"query": '{a="b"}', "line_limit": "0"}, "limit must be a positive value"),
])
def test_parameter_errors_have_lokis_text(loki, path, params, text):
    for r in (get(loki, path, params), post_form(loki, path, params)):
        assert r.status == 400, r
        assert r.headers["Content-Type"].startswith("text/plain"), r.headers
        assert r.body.decode().strip() == text


def test_parse_errors_are_400_with_position(loki):
    r = get(loki, "/loki/api/v1/query_range", {"query": '{a="b"} |= '})
    assert r.status == 400
    assert r.headers["Content-Type"].startswith("text/plain")
    assert r.body.decode().startswith("parse error at line 1, col ")
    r = get(loki, "/loki/api/v1/series", {"match[]": "{a=}"})
    assert r.status == 400 and r.body.startswith(b"parse error")


def test_bad_tenant_is_400(loki):
    r = get(loki, "/loki/api/v1/labels", tenant="../etc")
    assert r.status == 400

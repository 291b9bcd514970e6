"""Golden query tests (tests/golden/README.md): LogQL on the Loki read API and the product DSL on POST /api/v1/query,
against expectations computed by an independent, naive Python reference evaluator (tests/golden/reference/).

  (a) test_reference_agrees_with_stored[<case>]: the reference evaluator still produces each stored expectation,
      so the evaluator and the case files cannot drift apart.
  (b) one strata server for the module; every dataset (tests/golden/data/*.json) is pushed through the Loki push
      API (JSON, with structured metadata) into its own tenant; test_datasets_stored_as_modelled checks, through
      the export endpoint, that the server stored exactly what the reference models (labels incl. service_name,
      structured metadata as fields).
  (c) test_golden[<case>]: each case queried on the real server and compared with its expectation (normalised:
      streams as sets of (labels, ordered entries), matrices/vectors with 1e-9 relative float tolerance, errors by
      status and exact text). An endpoint answering 404 is a failure, not a skip.
"""
import datetime
import json
import math
import os
import sys
import urllib.parse

import pytest

from strata_server import StrataServer

GOLDEN = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "golden")
sys.path.insert(0, GOLDEN)

from reference import cases as casefiles  # noqa: E402
from reference import evaluator, regen, util  # noqa: E402

CASES = casefiles.all_cases()
DATASETS = evaluator.load_datasets(casefiles.DATA_DIR)
IDS = [c["name"] for c in CASES]
REL_TOL = 1e-9


# ---------------------------------------------------------------------------------------------------------------
# (a) reference vs stored expectations


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_reference_agrees_with_stored(case):
    assert regen.expected_for(case, DATASETS) == case["expected"], (
        "the reference evaluator disagrees with the stored expectation; run tests/golden/reference/regen.py and "
        "review the diff")


# ---------------------------------------------------------------------------------------------------------------
# (b) one server, datasets pushed into their own tenants


@pytest.fixture(scope="module")
def golden_server(tmp_path_factory):
    server = StrataServer(tmp_path_factory.mktemp("golden") / "data").start()
    try:
        for ds in DATASETS.values():
            r = server.request("POST", "/loki/api/v1/push", json.dumps(ds.push_body()).encode(),
                               {"Content-Type": "application/json", "X-Scope-OrgID": ds.tenant})
            assert r.status == 204, f"pushing dataset {ds.name}: {r}"
        yield server
    finally:
        server.stop()


def test_datasets_stored_as_modelled(golden_server):
    for ds in DATASETS.values():
        got = golden_server.export(ds.tenant, header="X-Scope-OrgID")
        stored = sorted((util.parse_rfc3339(r["timestamp"]), json.dumps(r["labels"], sort_keys=True), r["message"],
                         json.dumps(r["fields"], sort_keys=True)) for r in got)
        model = sorted((e.ts, json.dumps(e.stream, sort_keys=True), e.line, json.dumps(e.sm, sort_keys=True))
                       for e in ds.entries)
        assert stored == model, f"dataset {ds.name}: the server stored something the reference does not model"


# ---------------------------------------------------------------------------------------------------------------
# (c) every case against the server


def request_for(case):
    ds = DATASETS[case["dataset"]]
    endpoint = case["endpoint"]
    headers = dict(case.get("headers", {}))
    if endpoint in ("query_range", "query"):
        params = {k: v for k, v in case["params"].items() if v is not None}
        headers["X-Scope-OrgID"] = ds.tenant
        return "GET", f"/loki/api/v1/{endpoint}?" + urllib.parse.urlencode(params), None, headers
    body = dict(case["params"])
    body["tenantId"] = ds.tenant
    headers.update({"Content-Type": "application/json", "X-Tenant-ID": ds.tenant})
    return "POST", "/api/v1/query", json.dumps(body).encode(), headers


def error_text(resp):
    text = resp.body.decode("utf-8", "replace")
    try:
        doc = json.loads(text)
        if isinstance(doc, dict):
            for key in ("error", "message"):
                if isinstance(doc.get(key), str):
                    return doc[key]
    except ValueError:
        pass
    return text.rstrip("\n")


def sort_by_labels(items, key):
    return sorted(items, key=lambda s: json.dumps(s.get(key), sort_keys=True))


def ns_of(v):
    """A timestamp as ns: an int/str of ns (or s/ms/us by magnitude), or RFC 3339."""
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        x = float(v)
    elif isinstance(v, str) and v.lstrip("-").isdigit():
        x = float(int(v))
        if abs(x) > 1e17:
            return int(v)
    else:
        return util.parse_rfc3339(v)
    if abs(x) > 1e17:
        return int(x)
    if abs(x) > 1e14:
        return int(x * 1e3)
    if abs(x) > 1e11:
        return int(x * 1e6)
    return int(round(x * 1e9))


def seconds_of(v):
    return round(ns_of(v) / 1e6) / 1e3


def normalise_loki(case, resp):
    doc = resp.json()
    assert doc.get("status") == "success", doc
    data = doc["data"]
    rt = data["resultType"]
    result = data["result"]
    if rt == "streams":
        if "encodingFlags" in case["expected"]:
            entries = []
            for s in result:
                for v in s["values"]:
                    meta = v[2] if len(v) > 2 else {}
                    entries.append({"stream": s["stream"], "ts": v[0], "line": v[1],
                                    "structuredMetadata": meta.get("structuredMetadata", {}),
                                    "parsed": meta.get("parsed", {})})
            entries.sort(key=lambda x: (int(x["ts"]), x["line"]))
            return {"status": 200, "resultType": rt, "encodingFlags": data.get("encodingFlags"), "entries": entries}
        return {"status": 200, "resultType": rt,
                "result": sort_by_labels([{"stream": s["stream"], "values": s["values"]} for s in result], "stream")}
    if rt == "matrix":
        return {"status": 200, "resultType": rt,
                "result": sort_by_labels([{"metric": s["metric"], "values": s["values"]} for s in result], "metric")}
    if rt == "vector":
        out = [{"metric": s["metric"], "value": s["value"]} for s in result]
        norm = {"status": 200, "resultType": rt}
        if case["expected"].get("ordered"):
            norm["result"] = out
            norm["ordered"] = True
        else:
            norm["result"] = sort_by_labels(out, "metric")
        return norm
    return {"status": 200, "resultType": rt, "result": result}


def first(d, *keys, default=None):
    for k in keys:
        if isinstance(d, dict) and k in d:
            return d[k]
    return default


def normalise_aggregations(aggs):
    """docs/api/query.md: {"groupBy", "intervalMs", "buckets": [{"key": {...}, "count": N}]} for `| count [by]`, and
    buckets {"timestamp": "<bucket start>", "key", "count"} for `| histogram`. Returns the reference's shape:
    [{"labels", "value"}] or [{"labels", "values": [[<t seconds>, "<n>"]]}], sorted by labels."""
    if aggs is None:
        return None
    buckets = aggs.get("buckets", []) if isinstance(aggs, dict) else aggs
    histogram = (isinstance(aggs, dict) and aggs.get("intervalMs")) or any("timestamp" in b for b in buckets)
    if not histogram:
        return sort_by_labels([{"labels": b.get("key") or {}, "value": util.format_value(float(b["count"]))}
                               for b in buckets], "labels")
    series = {}
    for b in buckets:
        key = json.dumps(b.get("key") or {}, sort_keys=True)
        series.setdefault(key, []).append([seconds_of(b["timestamp"]), util.format_value(float(b["count"]))])
    return sort_by_labels([{"labels": json.loads(k), "values": sorted(v)} for k, v in series.items()], "labels")


def normalise_native(case, resp):
    doc = resp.json()
    exp = case["expected"]
    if "aggregations" in exp:
        return {"status": 200, "aggregations": normalise_aggregations(doc.get("aggregations"))}
    results = []
    for r, e in zip(doc.get("results", []), exp["results"] + [None] * len(doc.get("results", []))):
        labels = r.get("labels")
        if isinstance(labels, dict) and e is not None:
            # stream labels are compared as a subset: a result may also carry fields / metadata
            labels = {k: v for k, v in labels.items() if k in e["labels"]}
        results.append({"timestamp": str(ns_of(first(r, "timestamp", "ts", "time"))),
                        "labels": labels if labels is not None else (e or {}).get("labels"),
                        "line": first(r, "line", "message", "msg")})
    return {"status": 200, "count": doc.get("count"), "results": results}


def close(a, b, numeric):
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(close(a[k], b[k], numeric and k not in ("metric", "labels")) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(close(x, y, numeric) for x, y in zip(a, b))
    if numeric and isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        return abs(a - b) < 5e-4  # timestamps in seconds with ms precision
    if numeric and isinstance(a, str) and isinstance(b, str) and a != b:
        try:
            x, y = float(a), float(b)
        except ValueError:
            return False
        if math.isnan(x) or math.isnan(y):
            return math.isnan(x) and math.isnan(y)
        if math.isinf(x) or math.isinf(y):
            return x == y
        return abs(x - y) <= REL_TOL * max(abs(x), abs(y)) or abs(x - y) < 1e-300
    return a == b


def first_difference(a, b, path="$"):
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b)):
            if k not in a or k not in b:
                return f"{path}.{k}: only in {'expected' if k in a else 'actual'}"
            d = first_difference(a[k], b[k], f"{path}.{k}")
            if d:
                return d
        return None
    if isinstance(a, list) and isinstance(b, list):
        for i, (x, y) in enumerate(zip(a, b)):
            d = first_difference(x, y, f"{path}[{i}]")
            if d:
                return d
        if len(a) != len(b):
            return f"{path}: expected {len(a)} items, got {len(b)}"
        return None
    if a != b:
        return f"{path}: expected {json.dumps(a, ensure_ascii=False)[:300]}, got {json.dumps(b, ensure_ascii=False)[:300]}"
    return None


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_golden(golden_server, case):
    method, path, body, headers = request_for(case)
    resp = golden_server.request(method, path, body, headers)
    if resp.status == 404:
        pytest.fail(f"{method} {path.split('?')[0]} answered 404: the endpoint is not implemented ({resp.body[:200]!r})")
    exp = case["expected"]
    if "error" in exp or resp.status != 200:
        actual = {"status": resp.status, "error": error_text(resp)}
        numeric = False
    elif case["endpoint"] == "native":
        actual = normalise_native(case, resp)
        numeric = "aggregations" in exp
    else:
        actual = normalise_loki(case, resp)
        numeric = actual["resultType"] in ("matrix", "vector", "scalar")
    if not close(exp, actual, numeric):
        diff = first_difference(exp, actual)
        pytest.fail(f"{case['file']}: {case['name']}: {case['params'].get('query')!r}\n  first difference: {diff}")


def test_case_count():
    assert len(CASES) >= 300


def test_hand_verified_sample_still_agrees():
    """tests/golden/handcheck.py: a second, separate computation of the hand-verified cases."""
    import runpy
    ns = runpy.run_path(os.path.join(GOLDEN, "handcheck.py"))
    assert ns["bad"] == [], ns["bad"]


def test_rfc3339_helper():
    t = datetime.datetime(2026, 2, 1, 10, tzinfo=datetime.timezone.utc)
    assert util.parse_rfc3339("2026-02-01T10:00:00Z") == int(t.timestamp()) * 1_000_000_000

"""The naive reference evaluator: loads a dataset as Loki push ingestion stores it, then answers a golden case
(LogQL on /loki/api/v1/query_range and /query, the DSL on POST /api/v1/query) by brute force: every entry is
run through the pipeline, every metric step looks at every sample. Results come out normalised (see README.md).
"""
import json
import math
import os
import statistics

from . import dsl, logql, pipeline, util
from .logql import QueryError

S = 1_000_000_000
SERVICE_NAME_SOURCES = ["service", "app", "application", "app_name", "name", "app_kubernetes_io_name", "container",
                        "container_name", "k8s_container_name", "component", "workload", "job", "k8s_job_name"]
MAX_ENTRIES = 5000
INSTANT_LOG_ERROR = ("log queries are not supported as an instant query type, please change your query to a range "
                     "query type")


class Entry:
    __slots__ = ("ts", "stream", "sm", "line")

    def __init__(self, ts, stream, sm, line):
        self.ts, self.stream, self.sm, self.line = ts, stream, sm, line


def stored_labels(labels):
    """What Loki push ingestion stores: empty values dropped, service_name added when missing."""
    out = {k: v for k, v in labels.items() if v != ""}
    if "service_name" not in out:
        out["service_name"] = next((out[s] for s in SERVICE_NAME_SOURCES if out.get(s)), "unknown_service")
    return out


class Dataset:
    def __init__(self, path):
        with open(path) as f:
            self.raw = json.load(f)
        self.name = self.raw["name"]
        self.tenant = self.raw["tenant"]
        self.entries = []
        for s in self.raw["streams"]:
            labels = stored_labels(s["stream"])
            for v in s["values"]:
                sm = {}
                if len(v) > 2 and v[2]:
                    for k, val in v[2].items():
                        sm[k] = val
                self.entries.append(Entry(int(v[0]), labels, sm, v[1]))
        self.entries.sort(key=lambda e: e.ts)

    def push_body(self):
        return {"streams": self.raw["streams"]}


def load_datasets(data_dir):
    out = {}
    for fn in sorted(os.listdir(data_dir)):
        if fn.endswith(".json"):
            ds = Dataset(os.path.join(data_dir, fn))
            out[ds.name] = ds
    return out


def selector_matches(matchers, stream):
    return all(util.matcher_matches(m["op"], m["value"], stream.get(m["name"], "")) for m in matchers)


def key_of(d):
    return tuple(sorted(d.items()))


# ---------------------------------------------------------------------------------------------------------------
# Log queries


def eval_log(expr, ds, start, end, limit, direction, interval):
    cands = [e for e in ds.entries if start <= e.ts < end and selector_matches(expr["matchers"], e.stream)]
    cands.sort(key=lambda e: e.ts, reverse=(direction == "backward"))
    out = []
    last = None
    for e in cands:
        if len(out) >= limit:
            break
        r = pipeline.run(expr["stages"], e.ts, e.line, e.stream, e.sm)
        if r is None:
            continue
        if interval and last is not None:
            if direction == "forward" and e.ts < last + interval:
                continue
            if direction == "backward" and e.ts > last - interval:
                continue
        last = e.ts
        out.append((e, r[0], r[1]))
    return out


def format_streams(rows):
    streams = {}
    for e, line, labels in rows:
        streams.setdefault(key_of(labels.as_dict()), []).append([str(e.ts), line])
    result = [{"stream": dict(k), "values": v} for k, v in streams.items()]
    result.sort(key=lambda s: json.dumps(s["stream"], sort_keys=True))
    return {"status": 200, "resultType": "streams", "result": result}


def format_categorized(rows):
    entries = []
    for e, line, labels in rows:
        entries.append({"stream": labels.of("stream"), "ts": str(e.ts), "line": line,
                        "structuredMetadata": labels.of("sm"), "parsed": labels.of("parsed")})
    entries.sort(key=lambda x: (int(x["ts"]), x["line"]))
    return {"status": 200, "resultType": "streams", "encodingFlags": ["categorize-labels"], "entries": entries}


# ---------------------------------------------------------------------------------------------------------------
# Metric queries. A value is ("scalar", {t: v}) or ("vector", {t: [(labels_key, v)]}).


class MetricError(QueryError):
    pass


def quantile(q, values):
    if not values:
        return math.nan
    if q < 0:
        return -math.inf
    if q > 1:
        return math.inf
    vs = sorted(values)
    rank = q * (len(vs) - 1)
    lo = max(0, math.floor(rank))
    hi = min(len(vs) - 1, lo + 1)
    w = rank - math.floor(rank)
    return vs[lo] * (1 - w) + vs[hi] * w


def range_fn(op, samples, range_ns, param):
    """samples: [(ts, value)] in time order within the window."""
    vals = [v for _, v in samples]
    secs = range_ns / S
    if op == "count_over_time":
        return float(len(vals))
    if op in ("rate", "bytes_rate"):
        return sum(vals) / secs
    if op in ("bytes_over_time", "sum_over_time"):
        return float(sum(vals))
    if op == "avg_over_time":
        return sum(vals) / len(vals)
    if op == "min_over_time":
        return min(vals)
    if op == "max_over_time":
        return max(vals)
    if op == "stdvar_over_time":
        return statistics.pvariance(vals)
    if op == "stddev_over_time":
        return math.sqrt(statistics.pvariance(vals))
    if op == "quantile_over_time":
        return quantile(param, vals)
    if op == "first_over_time":
        return samples[0][1]
    if op == "last_over_time":
        return samples[-1][1]
    raise MetricError("unsupported range op " + op)


def extract_samples(node, ds, lo, hi):
    """Every entry of the selector with lo < ts <= hi through the pipeline -> [(series_labels_dict, ts, value)]."""
    rng = node["range"]
    log = rng["log"]
    unwrap = rng["unwrap"]
    out = []
    for e in ds.entries:
        if not (lo < e.ts <= hi) or not selector_matches(log["matchers"], e.stream):
            continue
        r = pipeline.run(log["stages"], e.ts, e.line, e.stream, e.sm)
        if r is None:
            continue
        line, labels = r
        if unwrap is None:
            value = float(len(line.encode())) if node["op"] in ("bytes_over_time", "bytes_rate") else 1.0
        else:
            raw = labels.get(unwrap["label"])
            if raw is None or raw == "":
                continue
            conv = unwrap["conv"]
            if conv == "bytes":
                value = util.humanize_parse_bytes(raw)
            elif conv in ("duration", "duration_seconds"):
                d = util.parse_go_duration(raw)
                value = None if d is None else d / S
            else:
                value = util.parse_float(raw)
            if value is None:
                labels.set_error("SampleExtractionErr", "conversion failed")
                value = 0.0
            keep = True
            for f in unwrap["post"]:
                if not pipeline.label_filter(f, labels):
                    keep = False
                    break
            if not keep:
                continue
            labels.items.pop(unwrap["label"], None)
        d = labels.as_dict()
        if "__error__" in d:
            raise MetricError("pipeline error: '%s' for series: '%s'" % (d["__error__"], d))
        out.append((d, e.ts, value))
    return out


def group_labels(d, grouping):
    if grouping is None:
        return d
    if grouping["without"]:
        return {k: v for k, v in d.items() if k not in grouping["labels"]}
    return {k: v for k, v in d.items() if k in grouping["labels"]}


def eval_range_agg(node, ds, grid):
    rng = node["range"]
    r, off = rng["range"], rng["offset"]
    samples = extract_samples(node, ds, min(grid) - off - r, max(grid) - off)
    out = {}
    for t in grid:
        lo, hi = t - off - r, t - off
        win = [s for s in samples if lo < s[1] <= hi]
        if node["op"] == "absent_over_time":
            if not win:
                labels = {m["name"]: m["value"] for m in rng["log"]["matchers"] if m["op"] == "="}
                out[t] = [(key_of(labels), 1.0)]
            else:
                out[t] = []
            continue
        series = {}
        for d, ts, v in win:
            series.setdefault(key_of(group_labels(d, node["grouping"])), []).append((ts, v))
        out[t] = [(k, range_fn(node["op"], sorted(v), r, node["param"])) for k, v in series.items()]
    return ("vector", out)


def agg_key(labels_key, grouping):
    d = dict(labels_key)
    if grouping is None:
        return ()
    return key_of(group_labels(d, grouping))


def eval_vector_agg(node, ds, grid):
    typ, inner = evaluate(node["inner"], ds, grid)
    if typ != "vector":
        raise MetricError("vector aggregation of a scalar")
    op = node["op"]
    out = {}
    for t in grid:
        vec = inner[t]
        groups = {}
        for k, v in vec:
            groups.setdefault(agg_key(k, node["grouping"]), []).append((k, v))
        res = []
        for gk, members in groups.items():
            vals = [v for _, v in members]
            if op == "sum":
                res.append((gk, float(sum(vals))))
            elif op == "avg":
                res.append((gk, sum(vals) / len(vals)))
            elif op == "count":
                res.append((gk, float(len(vals))))
            elif op == "max":
                res.append((gk, max(vals)))
            elif op == "min":
                res.append((gk, min(vals)))
            elif op == "stdvar":
                res.append((gk, statistics.pvariance(vals)))
            elif op == "stddev":
                res.append((gk, math.sqrt(statistics.pvariance(vals))))
            elif op in ("topk", "bottomk"):
                ordered = sorted(members, key=lambda m: m[1], reverse=(op == "topk"))
                k = node["param"]
                if len(ordered) > k and ordered[k - 1][1] == ordered[k][1]:
                    raise MetricError("reference: ambiguous %s tie at %d; change the case" % (op, t))
                res.extend(ordered[:k])
            elif op in ("sort", "sort_desc"):
                res.extend(members)
            else:
                raise MetricError("unsupported vector op " + op)
        if op in ("sort", "sort_desc"):
            res.sort(key=lambda m: m[1], reverse=(op == "sort_desc"))
            if len(grid) == 1 and len({v for _, v in res}) != len(res):
                raise MetricError("reference: ambiguous sort order (equal values); change the case")
        out[t] = res
    return ("vector", out)


def signature(labels_key, matching):
    d = dict(labels_key)
    if matching is None:
        return labels_key
    if matching["on"]:
        return tuple((n, d.get(n, "")) for n in sorted(matching["labels"]))
    return key_of({k: v for k, v in d.items() if k not in matching["labels"]})


def result_metric(lhs_key, rhs_key, matching):
    d = dict(lhs_key)
    if matching is not None:
        if matching["card"] == "one-to-one":
            if matching["on"]:
                d = {k: v for k, v in d.items() if k in matching["labels"]}
            else:
                d = {k: v for k, v in d.items() if k not in matching["labels"]}
        else:
            r = dict(rhs_key)
            for n in matching["include"]:
                if r.get(n, ""):
                    d[n] = r[n]
                else:
                    d.pop(n, None)
    return key_of(d)


def elem_binop(op, a, b):
    """-> (value, keep) as Prometheus' vectorElemBinop."""
    v = util.scalar_binop(op, a, b)
    if op in logql.COMPARISONS:
        return a, bool(v)
    return v, True


def eval_binary(node, ds, grid):
    op = node["op"]
    lt, lv = evaluate(node["lhs"], ds, grid)
    rt, rv = evaluate(node["rhs"], ds, grid)
    matching = node["matching"]
    out = {}
    if lt == "scalar" and rt == "scalar":
        for t in grid:
            v = util.scalar_binop(op, lv[t], rv[t])
            if op in logql.COMPARISONS:
                v = 1.0 if v else 0.0
            out[t] = v
        return ("scalar", out)
    if lt == "scalar" or rt == "scalar":
        swap = lt == "scalar"
        vec, sc = (rv, lv) if swap else (lv, rv)
        for t in grid:
            res = []
            for k, v in vec[t]:
                a, b = (sc[t], v) if swap else (v, sc[t])
                val, keep = elem_binop(op, a, b)
                if op in logql.COMPARISONS and swap:
                    val = v
                if node["bool"]:
                    val, keep = (1.0 if keep else 0.0), True
                if keep:
                    res.append((k, val))
            out[t] = res
        return ("vector", out)
    for t in grid:
        lhs, rhs = lv[t], rv[t]
        if op in ("and", "or", "unless"):
            rsigs = {signature(k, matching) for k, _ in rhs}
            if op == "and":
                res = [(k, v) for k, v in lhs if signature(k, matching) in rsigs]
            elif op == "unless":
                res = [(k, v) for k, v in lhs if signature(k, matching) not in rsigs]
            else:
                lsigs = {signature(k, matching) for k, _ in lhs}
                res = list(lhs) + [(k, v) for k, v in rhs if signature(k, matching) not in lsigs]
            out[t] = res
            continue
        card = matching["card"] if matching else "one-to-one"
        many, one = (rhs, lhs) if card == "one-to-many" else (lhs, rhs)
        one_by_sig = {}
        for k, v in one:
            s = signature(k, matching)
            if s in one_by_sig:
                raise MetricError("found duplicate series for the match group; many-to-many matching not allowed")
            one_by_sig[s] = (k, v)
        seen = set()
        res = []
        for k, v in many:
            s = signature(k, matching)
            if s not in one_by_sig:
                continue
            if card == "one-to-one":
                if s in seen:
                    raise MetricError("multiple matches for labels: many-to-one matching must be explicit")
                seen.add(s)
            ok, ov = one_by_sig[s]
            fl, fr = (ov, v) if card == "one-to-many" else (v, ov)
            val, keep = elem_binop(op, fl, fr)
            if node["bool"]:
                val, keep = (1.0 if keep else 0.0), True
            if not keep:
                continue
            res.append((result_metric(k, ok, matching), val))
        out[t] = res
    return ("vector", out)


def go_expand(template, m):
    """regexp.Expand: $1, ${1}, $name, ${name}, $$."""
    out = []
    i = 0
    while i < len(template):
        c = template[i]
        if c != "$" or i + 1 >= len(template):
            out.append(c)
            i += 1
            continue
        if template[i + 1] == "$":
            out.append("$")
            i += 2
            continue
        if template[i + 1] == "{":
            j = template.find("}", i)
            name = template[i + 2:j]
            i = j + 1
        else:
            j = i + 1
            while j < len(template) and (template[j].isalnum() or template[j] == "_"):
                j += 1
            name = template[i + 1:j]
            i = j
        try:
            g = m.group(int(name)) if name.isdigit() else m.group(name)
        except (IndexError, error_type()):
            g = ""
        out.append(g or "")
    return "".join(out)


def error_type():
    import re
    return re.error


def eval_label_replace(node, ds, grid):
    import re
    typ, inner = evaluate(node["inner"], ds, grid)
    rx = re.compile("^(?:" + node["regex"] + ")$", re.S)
    out = {}
    for t in grid:
        res = []
        for k, v in inner[t]:
            d = dict(k)
            m = rx.match(d.get(node["src"], ""))
            if m:
                val = go_expand(node["replacement"], m)
                if val == "":
                    d.pop(node["dst"], None)
                else:
                    d[node["dst"]] = val
            res.append((key_of(d), v))
        out[t] = res
    return ("vector", out)


def evaluate(node, ds, grid):
    k = node["kind"]
    if k == "literal":
        return ("scalar", {t: node["value"] for t in grid})
    if k == "vector":
        return ("vector", {t: [((), node["value"])] for t in grid})
    if k == "range_agg":
        if node["op"] == "rate_counter":
            raise MetricError("rate_counter is not modelled by the reference")
        return eval_range_agg(node, ds, grid)
    if k == "vector_agg":
        return eval_vector_agg(node, ds, grid)
    if k == "binary":
        return eval_binary(node, ds, grid)
    if k == "label_replace":
        return eval_label_replace(node, ds, grid)
    raise MetricError("cannot evaluate " + k)


def t_seconds(t):
    return round(t / 1e6) / 1e3  # seconds with ms precision


def format_matrix(typ, val, grid):
    if typ == "scalar":
        return {"status": 200, "resultType": "matrix",
                "result": [{"metric": {}, "values": [[t_seconds(t), util.format_value(val[t])] for t in grid]}]}
    series = {}
    for t in grid:
        for k, v in val[t]:
            series.setdefault(k, []).append([t_seconds(t), util.format_value(v)])
    result = [{"metric": dict(k), "values": pts} for k, pts in series.items()]
    result.sort(key=lambda s: json.dumps(s["metric"], sort_keys=True))
    return {"status": 200, "resultType": "matrix", "result": result}


def format_instant(typ, val, t, node):
    if typ == "scalar":
        return {"status": 200, "resultType": "scalar", "result": [t_seconds(t), util.format_value(val[t])]}
    ordered = node["kind"] == "vector_agg" and node["op"] in ("sort", "sort_desc")
    result = [{"metric": dict(k), "value": [t_seconds(t), util.format_value(v)]} for k, v in val[t]]
    if not ordered:
        result.sort(key=lambda s: json.dumps(s["metric"], sort_keys=True))
    out = {"status": 200, "resultType": "vector", "result": result}
    if ordered:
        out["ordered"] = True
    return out


# ---------------------------------------------------------------------------------------------------------------
# API layer


def err(status, text):
    return {"status": status, "error": text}


def parse_limit(params):
    raw = params.get("limit")
    limit = 100 if raw in (None, "") else int(raw)
    if limit <= 0:
        raise QueryError("limit must be a positive value")
    return limit


def parse_direction(params):
    d = params.get("direction")
    if d in (None, ""):
        return "backward"
    if d.lower() not in ("forward", "backward"):
        raise QueryError(f"invalid direction '{d}'")
    return d.lower()


def check_max_entries(limit):
    if limit > MAX_ENTRIES:
        raise QueryError(f"max entries limit per query exceeded, limit > max_entries_limit_per_query "
                         f"({limit} > {MAX_ENTRIES})")


def query_range(ds, params, headers):
    try:
        start = util.parse_loki_time(params.get("start"), None)
        end = util.parse_loki_time(params.get("end"), None)
        if end < start:
            raise QueryError("end timestamp must not be before or equal to start time")
        limit = parse_limit(params)
        direction = parse_direction(params)
        if params.get("step") not in (None, ""):
            step = util.parse_step(params["step"])
        else:
            step = max(math.floor((end - start) / S / 250), 1) * S
        if step <= 0:
            raise QueryError("zero or negative query resolution step widths are not accepted. Try a positive integer")
        if (end - start) // step > 11000:
            raise QueryError("exceeded maximum resolution of 11,000 points per time series. Try increasing the value "
                             "of the step parameter")
        interval = util.parse_step(params["interval"]) if params.get("interval") not in (None, "") else 0
        check_max_entries(limit)
        expr = logql.parse(params["query"])
        if logql.is_log_query(expr):
            rows = eval_log(expr, ds, start, end, limit, direction, interval)
            if "categorize-labels" in headers.get("X-Loki-Response-Encoding-Flags", ""):
                return format_categorized(rows)
            return format_streams(rows)
        grid = list(range(start, end + 1, step))
        typ, val = evaluate(expr, ds, grid)
        return format_matrix(typ, val, grid)
    except QueryError as e:
        return err(e.status, e.message)


def query_instant(ds, params):
    try:
        t = util.parse_loki_time(params.get("time"), None)
        limit = parse_limit(params)
        parse_direction(params)
        check_max_entries(limit)
        expr = logql.parse(params["query"])
        if logql.is_log_query(expr):
            raise QueryError(INSTANT_LOG_ERROR)
        typ, val = evaluate(expr, ds, [t])
        return format_instant(typ, val, t, expr)
    except QueryError as e:
        return err(e.status, e.message)


def native(ds, body):
    try:
        start = util.parse_rfc3339(body["range"]["from"])
        end = util.parse_rfc3339(body["range"]["to"])
        limit = body.get("limit", 100)
        language = body.get("language", "dsl")
        if language == "logql":
            expr = logql.parse(body["query"])
            if not logql.is_log_query(expr):
                raise QueryError("the reference models only LogQL log queries on the native endpoint")
            rows = eval_log(expr, ds, start, end + 1, MAX_ENTRIES * 100, "backward", 0)  # range.to inclusive
            return format_native_logs(rows, limit)
        q = dsl.parse(body["query"])
        if q["agg"] is None:
            rows = dsl.eval_log(q, ds, start, end)
            return format_native_logs(rows, limit)
        return {"status": 200, "aggregations": dsl.eval_agg(q, ds, start, end)}
    except QueryError as e:
        return err(e.status, e.message)


def format_native_logs(rows, limit):
    """rows newest first, all matches: count = all matches, results = the newest `limit`."""
    results = [{"timestamp": str(e.ts), "labels": labels.of("stream"), "line": line} for e, line, labels in rows[:limit]]
    return {"status": 200, "count": len(rows), "results": results}


def run_case(case, datasets):
    ds = datasets[case["dataset"]]
    params = case["params"]
    if case["endpoint"] == "query_range":
        return query_range(ds, params, case.get("headers", {}))
    if case["endpoint"] == "query":
        return query_instant(ds, params)
    if case["endpoint"] == "native":
        return native(ds, params)
    raise ValueError("endpoint " + case["endpoint"])

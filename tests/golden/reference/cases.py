"""Loading and writing golden case files (tests/golden/cases/*.json).

A file holds {"feature": ..., "defaults": {...}, "cases": [...]}. A case's effective form is the file's defaults
deep-merged with the case (params merged key by key); a case-level "query" is shorthand for params.query.
"""
import copy
import json
import os

GOLDEN = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CASES_DIR = os.path.join(GOLDEN, "cases")
DATA_DIR = os.path.join(GOLDEN, "data")
INPUT_KEYS = ("dataset", "endpoint", "params", "headers")


def merge(defaults, case):
    out = copy.deepcopy(defaults)
    for k, v in case.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = {**out[k], **v}
        else:
            out[k] = copy.deepcopy(v)
    if "query" in out:
        out.setdefault("params", {})["query"] = out.pop("query")
    return out


def case_files():
    return sorted(os.path.join(CASES_DIR, f) for f in os.listdir(CASES_DIR) if f.endswith(".json"))


def load_file(path):
    with open(path) as f:
        return json.load(f)


def effective_cases(doc):
    return [merge(doc.get("defaults", {}), c) for c in doc["cases"]]


def all_cases():
    out = []
    for path in case_files():
        doc = load_file(path)
        for c in effective_cases(doc):
            c["file"] = os.path.basename(path)
            out.append(c)
    names = [c["name"] for c in out]
    dup = {n for n in names if names.count(n) > 1}
    if dup:
        raise ValueError("duplicate case names: %s" % sorted(dup))
    return out


def _dump(v, indent, level):
    pad = " " * (indent * level)
    inner = " " * (indent * (level + 1))
    if isinstance(v, dict):
        if not v:
            return "{}"
        if all(not isinstance(x, (dict, list)) for x in v.values()) and len(json.dumps(v, ensure_ascii=False)) < 100:
            return json.dumps(v, ensure_ascii=False)
        items = [inner + json.dumps(k, ensure_ascii=False) + ": " + _dump(x, indent, level + 1) for k, x in v.items()]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(v, list):
        if not v:
            return "[]"
        flat = json.dumps(v, ensure_ascii=False)
        if all(not isinstance(x, (dict, list)) for x in v) or (
                all(isinstance(x, list) and all(not isinstance(y, (dict, list)) for y in x) for x in v) and len(flat) < 100):
            return flat
        items = [inner + _dump(x, indent, level + 1) for x in v]
        return "[\n" + ",\n".join(items) + "\n" + pad + "]"
    return json.dumps(v, ensure_ascii=False)


def dumps(doc):
    """JSON with one case field per line and scalar arrays (points, entries) on one line each."""
    return _dump(doc, 1, 0) + "\n"


def write_file(path, doc):
    with open(path, "w") as f:
        f.write(dumps(doc))

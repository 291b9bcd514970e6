"""The LogQL pipeline, one entry at a time, with Loki's label rules (loki.md §2.4): label sources (stream >
structured metadata > parsed, the loser spills to <name>_extracted), parser errors set __error__ without dropping
the line, numeric/duration/bytes label filters, line_format/label_format templates, drop/keep, decolorize."""
import json
import re

from . import gotemplate, util

ANSI = re.compile("[\u001B\u009B][\\[\\]()#;?]*(?:(?:(?:[a-zA-Z\\d]*(?:;[a-zA-Z\\d]*)*)?\u0007)|"
                  "(?:(?:\\d{1,4}(?:;\\d{0,4})*)?[\\dA-PRZcf-ntqry=><~]))")


class Labels:
    """name -> [value, source] with source in stream | sm | parsed."""

    def __init__(self, stream, sm):
        self.items = {}
        for k, v in stream.items():
            self.items[k] = [v, "stream"]
        for k, v in sm.items():
            if k in self.items:
                self.items[k + "_extracted"] = [v, "sm"]
            else:
                self.items[k] = [v, "sm"]

    def get(self, name):
        it = self.items.get(name)
        return None if it is None else it[0]

    def has_error(self):
        return "__error__" in self.items

    def set_error(self, err, details=None):
        if self.has_error():
            return
        self.items["__error__"] = [err, "parsed"]
        if details is not None:
            self.items["__error_details__"] = [details, "parsed"]

    def set_parsed(self, name, value, seen):
        """A parser's extraction: collisions with stream/sm labels go to <name>_extracted; within one stage the
        first value wins."""
        if name in self.items and self.items[name][1] in ("stream", "sm"):
            name = name + "_extracted"
        if name in seen:
            return
        seen.add(name)
        self.items[name] = [value, "parsed"]

    def as_dict(self):
        return {k: v[0] for k, v in self.items.items()}

    def of(self, source):
        return {k: v[0] for k, v in self.items.items() if v[1] == source}


def sanitize_key(k):
    k = re.sub(r"[^a-zA-Z0-9_]", "_", k)
    if k and k[0].isdigit():
        k = "_" + k
    return k


class RawNum(str):
    """A JSON number kept as written (Loki's json parser copies the number's text)."""


class Obj(list):
    """A JSON object as ordered (key, value) pairs (duplicates kept: the first wins)."""


def load_json(line):
    return json.loads(line, parse_float=RawNum, parse_int=RawNum, object_pairs_hook=Obj)


def json_scalar_text(v):
    if isinstance(v, RawNum):
        return str(v)
    if v is True:
        return "true"
    if v is False:
        return "false"
    if v is None:
        return ""
    return v


def flatten_json(pairs, prefix, out):
    for k, v in pairs:
        key = sanitize_key(k) if not prefix else prefix + "_" + sanitize_key(k)
        if isinstance(v, Obj):
            flatten_json(v, key, out)
        elif isinstance(v, list):
            continue  # arrays are skipped
        else:
            out.append((key, json_scalar_text(v)))


def to_plain(v):
    if isinstance(v, Obj):
        return {k: to_plain(x) for k, x in v}
    if isinstance(v, list):
        return [to_plain(x) for x in v]
    if isinstance(v, RawNum):
        return json.loads(v)
    return v


def json_path(doc, path):
    """`a.b`, `a["b"]`, `list[0]` -> text, or None when missing."""
    toks = re.findall(r'\[\s*"((?:[^"\\]|\\.)*)"\s*\]|\[(\d+)\]|\.?([^.\[\]]+)', path)
    cur = doc
    for quoted, idx, name in toks:
        if idx:
            if isinstance(cur, Obj) or not isinstance(cur, list) or int(idx) >= len(cur):
                return None
            cur = cur[int(idx)]
        else:
            key = quoted if quoted else name
            if not isinstance(cur, Obj):
                return None
            found = [v for k, v in cur if k == key]
            if not found:
                return None
            cur = found[0]
    if isinstance(cur, list):
        return json.dumps(to_plain(cur), separators=(",", ":"), ensure_ascii=False)
    return json_scalar_text(cur)


def logfmt_pairs(line):
    """go-logfmt style scan: key=value, key="quoted", standalone keys (value None). Bad tokens are skipped."""
    out = []
    i = 0
    n = len(line)
    while i < n:
        while i < n and line[i] <= " ":
            i += 1
        if i >= n:
            break
        j = i
        while j < n and line[j] > " " and line[j] not in '="':
            j += 1
        key = line[i:j]
        if j < n and line[j] == '"':  # garbage: skip to the next space
            while j < n and line[j] > " ":
                j += 1
            i = j
            continue
        if j >= n or line[j] != "=":
            if key:
                out.append((key, None))
            i = j
            continue
        j += 1  # '='
        if j < n and line[j] == '"':
            k = j + 1
            buf = []
            while k < n and line[k] != '"':
                if line[k] == "\\" and k + 1 < n:
                    buf.append(line[k:k + 2])
                    k += 2
                else:
                    buf.append(line[k])
                    k += 1
            val = json.loads('"' + "".join(buf) + '"')
            i = k + 1
        else:
            k = j
            while k < n and line[k] > " " and line[k] not in '="':
                k += 1
            val = line[j:k]
            i = k
        if key:
            out.append((key, val))
    return out


def line_filter(st, line):
    op = st["op"]
    hits = []
    for arg in st["args"]:
        v = arg["value"]
        if arg["ip"]:
            spec = util.parse_ip_spec(v)
            hits.append(any(util.ip_in(spec, a) for a in util.ips_in_line(line)))
        elif op in ("|=", "!="):
            hits.append(v in line)
        elif op in ("|~", "!~"):
            hits.append(re.search(v, line) is not None)
        else:
            hits.append(util.pattern_test(util.parse_pattern(v), line))
    if op in ("|=", "|~", "|>"):
        return any(hits)
    return not any(hits)


def cmp(op, a, b):
    return {"==": a == b, "!=": a != b, ">": a > b, ">=": a >= b, "<": a < b, "<=": a <= b}[op]


def label_filter(f, labels):
    """-> keep?; may set __error__ (LabelFilterErr) and keep the line."""
    k = f["kind"]
    if k == "and":
        lok = label_filter(f["left"], labels)
        rok = label_filter(f["right"], labels)
        return lok and rok
    if k == "or":
        if label_filter(f["left"], labels):
            return True
        return label_filter(f["right"], labels)
    if k == "string":
        v = labels.get(f["name"])
        return util.matcher_matches(f["op"], f["value"], "" if v is None else v)
    if k == "ip":
        if labels.has_error():
            return True
        v = labels.get(f["name"])
        if v is None:
            return False
        m = util.ip_in(util.parse_ip_spec(f["value"]), v)
        return m if f["op"] == "=" else not m
    v = labels.get(f["name"])
    if v is None:
        return False
    if k == "number":
        x = util.parse_float(v)
    elif k == "duration":
        d = util.parse_go_duration(v)
        x = None if d is None else d
    else:
        x = util.humanize_parse_bytes(v)
    if x is None:
        labels.set_error("LabelFilterErr", "conversion failed")
        return True
    return cmp(f["op"], x, f["value"])


def run(stages, ts, line, stream, sm):
    """Runs the stages on one entry -> (line, Labels) or None when filtered out."""
    labels = Labels(stream, sm)
    for st in stages:
        k = st["kind"]
        if k == "line_filter":
            if not line_filter(st, line):
                return None
        elif k == "parser":
            p = st["parser"]
            seen = set()
            if p == "json":
                try:
                    doc = load_json(line)
                    if not isinstance(doc, Obj):
                        raise ValueError("not an object")
                except ValueError as err:
                    labels.set_error("JSONParserErr", str(err))
                    continue
                if st["extractions"]:
                    for name, path in st["extractions"]:
                        v = json_path(doc, path if path is not None else name)
                        labels.set_parsed(name, "" if v is None else v, seen)
                else:
                    out = []
                    flatten_json(doc, "", out)
                    for name, v in out:
                        labels.set_parsed(name, v, seen)
            elif p == "logfmt":
                pairs = logfmt_pairs(line)
                if st["extractions"]:
                    d = {}
                    for key, v in pairs:
                        d.setdefault(key, v)
                    for name, key in st["extractions"]:
                        v = d.get(key if key is not None else name)
                        if v is not None and (v != "" or st["keep_empty"]):
                            labels.set_parsed(name, v, seen)
                else:
                    for key, v in pairs:
                        if v is None or v == "":
                            if not st["keep_empty"]:
                                continue
                            v = ""
                        labels.set_parsed(sanitize_key(key), v, seen)
            elif p == "regexp":
                m = re.search(st["pattern"], line)
                if m:
                    for name in m.re.groupindex:
                        labels.set_parsed(name, m.group(name) or "", seen)
            elif p == "pattern":
                for name, v in util.pattern_matches(util.parse_pattern(st["pattern"]), line):
                    labels.set_parsed(name, v, seen)
            elif p == "unpack":
                try:
                    doc = load_json(line)
                    if not isinstance(doc, Obj):
                        raise ValueError("not an object")
                except ValueError as err:
                    labels.set_error("JSONParserErr", str(err))
                    continue
                for key, v in doc:
                    if not isinstance(v, str) or isinstance(v, RawNum):
                        continue
                    if key == "_entry":
                        line = v
                    else:
                        labels.set_parsed(sanitize_key(key), v, seen)
        elif k == "label_filter":
            if not label_filter(st["filter"], labels):
                return None
        elif k == "line_format":
            line = gotemplate.render(st["template"], labels.as_dict(), line, ts)
        elif k == "label_format":
            snapshot = None
            for it in st["items"]:
                if it["rename"]:
                    cur = labels.items.get(it["value"])
                    if cur is not None:
                        del labels.items[it["value"]]
                        labels.items[it["dst"]] = [cur[0], cur[1]]
                else:
                    if snapshot is None:
                        snapshot = labels.as_dict()
                    v = gotemplate.render(it["value"], snapshot, line, ts)
                    labels.items[it["dst"]] = [v, "parsed"]
        elif k == "decolorize":
            line = ANSI.sub("", line)
        elif k == "drop":
            for it in st["items"]:
                m = it["matcher"]
                v = labels.get(it["name"])
                if v is None:
                    continue
                if m is None or util.matcher_matches(m["op"], m["value"], v):
                    del labels.items[it["name"]]
        elif k == "keep":
            keep = set()
            for it in st["items"]:
                m = it["matcher"]
                v = labels.get(it["name"])
                if v is not None and (m is None or util.matcher_matches(m["op"], m["value"], v)):
                    keep.add(it["name"])
            for name in list(labels.items):
                if name not in keep and name not in ("__error__", "__error_details__"):
                    del labels.items[name]
        else:
            raise ValueError("stage " + k)
    return line, labels

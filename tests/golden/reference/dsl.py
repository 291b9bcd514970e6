"""The product DSL (POST /api/v1/query), parsed and evaluated independently of Strata's parser.

Grammar (dsl_parser.h; keywords case-insensitive):
  query = [ or ] { "|" agg } ;  or = and { OR and } ;  and = unary { AND unary }
  unary = NOT unary | "(" or ")" | STRING (message contains) | field cmp
  cmp   = (= | != | > | < | >= | <=) value | CONTAINS STRING | MATCHES STRING | IN "(" value {, value} ")"
  agg   = count [by f {, f}] [histogram DURATION] | histogram DURATION

Semantics modelled (docs/api/query.md, bool_filter.cc's contract): message/msg = the line; level = the `level`
label (else the `level` field), compared case-insensitively; service = the `service` label (else `service_name`);
traceId/trace_id = the `traceId` field (else `trace_id`); any other name = the stream label of that name, else the
structured-metadata field. = and != compare strings exactly; > < >= <= compare as numbers when both sides are
numbers, else as strings; CONTAINS is an ASCII case-insensitive substring test; MATCHES an unanchored,
case-sensitive RE2 search; IN any of the values. A missing field matches only != (and NOT ...). Time range:
from <= ts <= to (both inclusive). `| count` counts all matches per group; `| histogram D` counts per bucket
[from + k*D, from + (k+1)*D) (the last bucket ends at `to`), labelled by the bucket start, empty buckets left out.
"""
import json
import re

from . import util
from .logql import QueryError, SyntaxErr

KEYWORDS = {"and", "or", "not", "contains", "matches", "in", "count", "by", "histogram"}


def lex(text):
    toks = []
    i = 0
    while i < len(text):
        c = text[i]
        if c.isspace():
            i += 1
        elif c in "\"'`":
            j = i + 1
            while j < len(text) and text[j] != c:
                j += 2 if (c != "`" and text[j] == "\\") else 1
            if j >= len(text):
                raise SyntaxErr("literal not terminated")
            body = text[i + 1:j]
            if c == "`":
                val = body
            elif c == "'":
                fixed = re.sub(r'\\(.)|"', lambda m: '\\"' if m.group(0) == '"' else
                               ("'" if m.group(1) == "'" else m.group(0)), body)
                val = json.loads('"' + fixed + '"')
            else:
                val = json.loads('"' + body + '"')
            toks.append(("str", val))
            i = j + 1
        elif c.isalnum() or c == "_":
            m = re.match(r"[A-Za-z0-9_][A-Za-z0-9_.\-:@/]*", text[i:])
            toks.append(("word", m.group(0)))
            i += m.end()
        elif c in "(),|":
            toks.append((c, c))
            i += 1
        elif c in "=!<>":
            two = text[i:i + 2]
            if two in ("!=", "<=", ">=", "=="):
                toks.append(("op", "=" if two == "==" else two))
                i += 2
            elif c == "!":
                raise SyntaxErr("unexpected !")
            else:
                toks.append(("op", c))
                i += 1
        else:
            raise SyntaxErr("unexpected " + c)
    toks.append(("end", ""))
    return toks


class Parser:
    def __init__(self, text):
        self.t = lex(text)
        self.i = 0

    def peek(self):
        return self.t[self.i]

    def next(self):
        tok = self.t[self.i]
        self.i += 1
        return tok

    def is_word(self, w):
        k, v = self.peek()
        return k == "word" and v.lower() == w

    def fail(self, what="syntax"):
        raise SyntaxErr(what)

    def parse(self):
        flt = None
        if self.peek()[0] not in ("end", "|"):
            flt = self.parse_or()
        agg = None
        while self.peek()[0] == "|":
            self.next()
            agg = agg or {"by": None, "step": 0}
            if self.is_word("count"):
                self.next()
                if self.is_word("by"):
                    self.next()
                    agg["by"] = []
                    while True:
                        k, v = self.next()
                        if k != "word" or v.lower() in KEYWORDS:
                            self.fail("expected a field name")
                        agg["by"].append(v)
                        if self.peek()[0] != ",":
                            break
                        self.next()
            if self.is_word("histogram"):
                self.next()
                k, v = self.next()
                d = util.parse_duration_literal(v) if k == "word" else None
                if not d or d <= 0:
                    self.fail("expected a duration")
                agg["step"] = d
        if self.peek()[0] != "end":
            self.fail("unexpected " + self.peek()[1])
        return {"filter": flt, "agg": agg}

    def parse_or(self):
        left = self.parse_and()
        while self.is_word("or"):
            self.next()
            left = ("or", left, self.parse_and())
        return left

    def parse_and(self):
        left = self.parse_unary()
        while self.is_word("and"):
            self.next()
            left = ("and", left, self.parse_unary())
        return left

    def value(self):
        k, v = self.next()
        if k == "str" or (k == "word" and v.lower() not in KEYWORDS):
            return v
        self.fail("expected a value")

    def parse_unary(self):
        if self.is_word("not"):
            self.next()
            return ("not", self.parse_unary())
        k, v = self.peek()
        if k == "(":
            self.next()
            e = self.parse_or()
            if self.next()[0] != ")":
                self.fail("expected )")
            return e
        if k == "str":
            self.next()
            return ("cmp", "message", "contains", [v])
        if k != "word" or v.lower() in KEYWORDS:
            self.fail("expected a field name")
        self.next()
        field = v
        k, v = self.peek()
        if k == "op":
            self.next()
            return ("cmp", field, v, [self.value()])
        if self.is_word("contains") or self.is_word("matches"):
            op = self.next()[1].lower()
            k, s = self.next()
            if k != "str":
                self.fail("expected STRING")
            if op == "matches":
                try:
                    re.compile(s)
                except re.error as e:
                    raise QueryError("parse error: error parsing regexp: " + str(e))
            return ("cmp", field, op, [s])
        if self.is_word("in"):
            self.next()
            if self.next()[0] != "(":
                self.fail("expected (")
            vals = [self.value()]
            while self.peek()[0] == ",":
                self.next()
                vals.append(self.value())
            if self.next()[0] != ")":
                self.fail("expected )")
            return ("cmp", field, "in", vals)
        self.fail("expected an operator")


def parse(text):
    return Parser(text).parse()


def field_value(name, e):
    low = name.lower()
    if low in ("message", "msg"):
        return e.line
    if low == "level":
        return e.stream.get("level", e.sm.get("level"))
    if low == "service":
        return e.stream.get("service", e.stream.get("service_name"))
    if low in ("traceid", "trace_id"):
        return e.sm.get("traceId", e.sm.get("trace_id"))
    if name in e.stream:
        return e.stream[name]
    return e.sm.get(name)


def ascii_lower(s):
    return "".join(chr(ord(c) + 32) if "A" <= c <= "Z" else c for c in s)


def compare(op, a, b):
    fa, fb = util.parse_float(a), util.parse_float(b)
    if fa is not None and fb is not None:
        a, b = fa, fb
    return {">": a > b, "<": a < b, ">=": a >= b, "<=": a <= b}[op]


def matches(node, e):
    k = node[0]
    if k == "and":
        return matches(node[1], e) and matches(node[2], e)
    if k == "or":
        return matches(node[1], e) or matches(node[2], e)
    if k == "not":
        return not matches(node[1], e)
    _, field, op, vals = node
    v = field_value(field, e)
    if v is None:
        return op == "!="
    if field.lower() == "level" and op in ("=", "!=", "in"):
        v, vals = v.upper(), [x.upper() for x in vals]
    if op == "=":
        return v == vals[0]
    if op == "!=":
        return v != vals[0]
    if op == "contains":
        return ascii_lower(vals[0]) in ascii_lower(v)
    if op == "matches":
        return re.search(vals[0], v) is not None
    if op == "in":
        return v in vals
    return compare(op, v, vals[0])


class _Labels:
    def __init__(self, stream):
        self.stream = stream

    def of(self, source):
        return dict(self.stream) if source == "stream" else {}


def matching(q, ds, start, end):
    return [e for e in ds.entries if start <= e.ts <= end and (q["filter"] is None or matches(q["filter"], e))]


def eval_log(q, ds, start, end):
    rows = matching(q, ds, start, end)
    rows.sort(key=lambda e: e.ts, reverse=True)
    return [(e, e.line, _Labels(e.stream)) for e in rows]


def group_of(q, e):
    if not q["agg"]["by"]:
        return ()
    return tuple((f, field_value(f, e) or "") for f in q["agg"]["by"])


def eval_agg(q, ds, start, end):
    step = q["agg"]["step"]
    if not step:
        counts = {}
        for e in matching(q, ds, start, end):
            g = group_of(q, e)
            counts[g] = counts.get(g, 0) + 1
        out = [{"labels": dict(g), "value": util.format_value(float(n))} for g, n in counts.items()]
        out.sort(key=lambda s: json.dumps(s["labels"], sort_keys=True))
        return out
    series = {}
    rows = matching(q, ds, start, end)
    b = start
    while b < end:
        hi = min(b + step, end)
        counts = {}
        for e in rows:
            if b <= e.ts < hi or (hi == end and e.ts == end):
                g = group_of(q, e)
                counts[g] = counts.get(g, 0) + 1
        for g, n in counts.items():
            series.setdefault(g, []).append([round(b / 1e6) / 1e3, util.format_value(float(n))])
        b += step
    out = [{"labels": dict(g), "values": v} for g, v in series.items()]
    out.sort(key=lambda s: json.dumps(s["labels"], sort_keys=True))
    return out

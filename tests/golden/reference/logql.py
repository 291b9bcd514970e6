"""A small, independent LogQL lexer and recursive-descent parser (reference for the golden tests).

It covers the LogQL the golden cases use (loki.md §2): selectors, line filters (incl. `or`, ip(), pattern filters),
parsers (json, logfmt, regexp, pattern, unpack), label filters (string, number, duration, bytes, ip, and/or),
line_format, label_format, decolorize, drop, keep, the 15 range functions with unwrap/offset/grouping, the vector
aggregations, binary operators with bool/on/ignoring/group_left/group_right, literals, vector(), label_replace.

The AST is plain dicts with a "kind" key. Static validation (loki.md §2.3) raises QueryError with Loki's texts
("parse error : ..."). Syntax errors raise QueryError too; their exact texts are not modelled here (cases that test
a syntax error carry Loki's text by hand, the reference only confirms the query is rejected).
"""
import ipaddress
import re

from . import util


class QueryError(Exception):
    def __init__(self, message, status=400):
        super().__init__(message)
        self.message = message
        self.status = status


def parse_error(msg):
    return QueryError("parse error : " + msg)


class SyntaxErr(QueryError):
    def __init__(self, msg):
        super().__init__("parse error (syntax): " + msg)


RANGE_OPS = ["count_over_time", "rate", "rate_counter", "bytes_over_time", "bytes_rate", "avg_over_time",
             "sum_over_time", "min_over_time", "max_over_time", "stdvar_over_time", "stddev_over_time",
             "quantile_over_time", "first_over_time", "last_over_time", "absent_over_time"]
VECTOR_OPS = ["sum", "avg", "count", "max", "min", "stddev", "stdvar", "topk", "bottomk", "sort", "sort_desc",
              "approx_topk"]
BIN_PREC = {"or": 1, "and": 2, "unless": 2, "==": 3, "!=": 3, ">": 3, ">=": 3, "<": 3, "<=": 3,
            "+": 4, "-": 4, "*": 5, "/": 5, "%": 5, "^": 6}
COMPARISONS = {"==", "!=", ">", ">=", "<", "<="}

# ---------------------------------------------------------------------------------------------------------------
# Lexer


class Tok:
    def __init__(self, kind, text, value=None):
        self.kind = kind  # STRING NUMBER DURATION BYTES IDENT RANGE OP EOF
        self.text = text
        self.value = value

    def __repr__(self):
        return f"{self.kind}:{self.text!r}"


OPS2 = ["|=", "|~", "|>", "!=", "!~", "!>", "=~", "==", ">=", "<="]
OPS1 = list("|=><+-*/%^,{}()")


def unquote_go(body):
    """Go interpreted-string escapes."""
    out = []
    i = 0
    while i < len(body):
        c = body[i]
        if c != "\\":
            out.append(c)
            i += 1
            continue
        i += 1
        e = body[i]
        simple = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v", "\\": "\\",
                  '"': '"', "'": "'"}
        if e in simple:
            out.append(simple[e])
            i += 1
        elif e == "x":
            out.append(chr(int(body[i + 1:i + 3], 16)))
            i += 3
        elif e == "u":
            out.append(chr(int(body[i + 1:i + 5], 16)))
            i += 5
        elif e == "U":
            out.append(chr(int(body[i + 1:i + 9], 16)))
            i += 9
        elif e in "01234567":
            out.append(chr(int(body[i:i + 3], 8)))
            i += 3
        else:
            raise SyntaxErr("invalid syntax")
    return "".join(out)


def lex(text):
    toks = []
    i = 0
    n = len(text)
    while i < n:
        c = text[i]
        if c.isspace():
            i += 1
            continue
        if c == "#":
            while i < n and text[i] != "\n":
                i += 1
            continue
        if c == '"':
            j = i + 1
            while j < n and text[j] != '"':
                if text[j] == "\\":
                    j += 1
                j += 1
            if j >= n:
                raise SyntaxErr("literal not terminated")
            toks.append(Tok("STRING", text[i:j + 1], unquote_go(text[i + 1:j])))
            i = j + 1
            continue
        if c == "`":
            j = text.find("`", i + 1)
            if j < 0:
                raise SyntaxErr("literal not terminated")
            toks.append(Tok("STRING", text[i:j + 1], text[i + 1:j]))
            i = j + 1
            continue
        if c == "[":
            j = text.find("]", i)
            if j < 0:
                raise SyntaxErr("missing closing ']' in duration")
            try:
                toks.append(Tok("RANGE", text[i:j + 1], util.parse_prom_duration(text[i + 1:j])))
            except ValueError as e:
                raise SyntaxErr(str(e))
            i = j + 1
            continue
        if c.isdigit() or (c == "." and i + 1 < n and text[i + 1].isdigit()):
            j = i
            while j < n and (text[j].isalnum() or text[j] in ".µ"):
                j += 1
            word = text[i:j]
            if re.fullmatch(r"[0-9]*\.?[0-9]+([eE][-+]?[0-9]+)?", word) or re.fullmatch(r"0x[0-9a-fA-F]+", word):
                toks.append(Tok("NUMBER", word, float(int(word, 16)) if word.startswith("0x") else float(word)))
            elif util.parse_bytes_literal(word) is not None:
                toks.append(Tok("BYTES", word, util.parse_bytes_literal(word)))
            else:
                d = util.parse_duration_literal(word)
                if d is None:
                    raise SyntaxErr("bad number " + word)
                toks.append(Tok("DURATION", word, d))
            i = j
            continue
        if c.isalpha() or c == "_":
            j = i
            while j < n and (text[j].isalnum() or text[j] in "_:"):
                j += 1
            toks.append(Tok("IDENT", text[i:j]))
            i = j
            continue
        if text[i:i + 2] in OPS2:
            toks.append(Tok("OP", text[i:i + 2]))
            i += 2
            continue
        if c in OPS1:
            toks.append(Tok("OP", c))
            i += 1
            continue
        raise SyntaxErr("unexpected character " + c)
    toks.append(Tok("EOF", ""))
    return toks


# ---------------------------------------------------------------------------------------------------------------
# Parser


class Parser:
    def __init__(self, text):
        if len(text.encode()) >= 128 * 1024:
            raise parse_error("input size too long")
        self.toks = lex(text)
        self.i = 0

    # helpers
    def peek(self, k=0):
        return self.toks[min(self.i + k, len(self.toks) - 1)]

    def next(self):
        t = self.toks[self.i]
        self.i += 1
        return t

    def is_op(self, text, k=0):
        t = self.peek(k)
        return t.kind == "OP" and t.text == text

    def is_word(self, word, k=0):
        t = self.peek(k)
        return t.kind == "IDENT" and t.text.lower() == word

    def expect_op(self, text):
        t = self.next()
        if t.kind != "OP" or t.text != text:
            raise SyntaxErr(f"expected {text}, got {t.text!r}")
        return t

    def expect(self, kind):
        t = self.next()
        if t.kind != kind:
            raise SyntaxErr(f"expected {kind}, got {t.text!r}")
        return t

    # entry
    def parse(self):
        e = self.parse_expr(0)
        if self.peek().kind != "EOF":
            raise SyntaxErr("unexpected " + self.peek().text)
        validate(e)
        return e

    # ---- expressions (precedence climbing)
    def binop_here(self):
        t = self.peek()
        if t.kind == "OP" and t.text in BIN_PREC and t.text not in ("|", ","):
            return t.text
        if t.kind == "IDENT" and t.text.lower() in ("or", "and", "unless"):
            return t.text.lower()
        return None

    def parse_expr(self, min_prec):
        left = self.parse_unary()
        while True:
            op = self.binop_here()
            if op is None or BIN_PREC[op] < min_prec:
                return left
            self.next()
            prec = BIN_PREC[op]
            ret_bool = False
            if self.is_word("bool"):
                self.next()
                ret_bool = True
            matching = None
            if self.is_word("on") or self.is_word("ignoring"):
                on = self.next().text.lower() == "on"
                labels = self.parse_label_list()
                matching = {"on": on, "labels": labels, "card": "one-to-one", "include": []}
                if self.is_word("group_left") or self.is_word("group_right"):
                    card = "many-to-one" if self.next().text.lower() == "group_left" else "one-to-many"
                    matching["card"] = card
                    if self.is_op("("):
                        matching["include"] = self.parse_label_list()
            right = self.parse_expr(prec if op == "^" else prec + 1)
            if ret_bool and op not in COMPARISONS:
                raise parse_error("bool modifier can only be used on comparison operators")
            left = fold({"kind": "binary", "op": op, "bool": ret_bool, "matching": matching, "lhs": left, "rhs": right})

    def parse_label_list(self):
        self.expect_op("(")
        labels = []
        while not self.is_op(")"):
            labels.append(self.expect("IDENT").text)
            if self.is_op(","):
                self.next()
        self.expect_op(")")
        return labels

    def parse_unary(self):
        if (self.is_op("-") or self.is_op("+")) and self.peek(1).kind == "NUMBER":
            sign = -1 if self.next().text == "-" else 1
            return {"kind": "literal", "value": sign * self.next().value}
        return self.parse_primary()

    def parse_primary(self):
        t = self.peek()
        if t.kind == "NUMBER":
            self.next()
            return {"kind": "literal", "value": t.value}
        if self.is_op("("):
            self.next()
            e = self.parse_expr(0)
            self.expect_op(")")
            return e
        if self.is_op("{"):
            return self.parse_log_expr()
        if t.kind == "IDENT":
            name = t.text.lower()
            nxt = self.peek(1)
            if name in RANGE_OPS and nxt.kind == "OP" and nxt.text == "(":
                return self.parse_range_agg()
            if name in VECTOR_OPS and ((nxt.kind == "OP" and nxt.text == "(") or
                                       (nxt.kind == "IDENT" and nxt.text.lower() in ("by", "without"))):
                return self.parse_vector_agg()
            if name == "vector" and nxt.kind == "OP" and nxt.text == "(":
                self.next()
                self.next()
                v = self.parse_unary()
                if v["kind"] != "literal":
                    raise SyntaxErr("vector() takes a number")
                self.expect_op(")")
                return {"kind": "vector", "value": v["value"]}
            if name == "label_replace" and nxt.kind == "OP" and nxt.text == "(":
                self.next()
                self.next()
                inner = self.parse_expr(0)
                args = []
                for _ in range(4):
                    self.expect_op(",")
                    args.append(self.expect("STRING").value)
                self.expect_op(")")
                try:
                    re.compile(args[3])
                except re.error as err:
                    raise parse_error("invalid regex in label_replace: " + str(err))
                return {"kind": "label_replace", "inner": inner, "dst": args[0], "replacement": args[1],
                        "src": args[2], "regex": args[3]}
        raise SyntaxErr("unexpected " + (t.text or "$end"))

    def parse_grouping(self):
        without = self.next().text.lower() == "without"
        return {"without": without, "labels": self.parse_label_list()}

    def parse_vector_agg(self):
        op = self.next().text.lower()
        grouping = None
        if self.is_word("by") or self.is_word("without"):
            grouping = self.parse_grouping()
        self.expect_op("(")
        param = None
        if self.peek().kind == "NUMBER" and self.is_op(",", 1):
            param = self.next()
            self.next()
        inner = self.parse_expr(0)
        self.expect_op(")")
        if self.is_word("by") or self.is_word("without"):
            if grouping is not None:
                raise SyntaxErr("unexpected by")
            grouping = self.parse_grouping()
        if op in ("topk", "bottomk", "approx_topk"):
            if param is None:
                raise parse_error("parameter required for operation " + op)
            if param.value != int(param.value) or "." in param.text:
                raise parse_error(f"invalid parameter {op}({param.text},")
            if param.value <= 0:
                raise parse_error(f"invalid parameter (must be greater than 0) {op}({param.text},")
        elif param is not None:
            raise parse_error(f"unsupported parameter for operation {op}({param.text},")
        if op in ("sort", "sort_desc") and grouping is not None:
            raise parse_error("grouping not allowed for sort and sort_desc operations")
        if inner["kind"] in ("log",):
            raise SyntaxErr("vector aggregation of a log query")
        return {"kind": "vector_agg", "op": op, "param": int(param.value) if param is not None else None,
                "grouping": grouping, "inner": inner}

    def parse_range_agg(self):
        op = self.next().text.lower()
        self.expect_op("(")
        param = None
        if self.peek().kind == "NUMBER" and self.is_op(",", 1):
            param = self.next()
            self.next()
        rng = self.parse_log_range()
        self.expect_op(")")
        grouping = None
        if self.is_word("by") or self.is_word("without"):
            grouping = self.parse_grouping()
        node = {"kind": "range_agg", "op": op, "param": param.value if param is not None else None,
                "param_text": param.text if param is not None else None, "grouping": grouping, "range": rng}
        validate_range_agg(node)
        return node

    def parse_log_range(self, need_range=True):
        """selector [pipeline] [unwrap] RANGE [offset] | selector RANGE [offset] [pipeline] [unwrap] | (...)"""
        rng = {"log": None, "range": None, "offset": 0, "unwrap": None}
        if self.is_op("("):
            self.next()
            inner = self.parse_log_range(need_range=False)
            self.expect_op(")")
            for k in ("log", "range", "offset", "unwrap"):
                if inner[k]:
                    rng[k] = inner[k]
        else:
            rng["log"] = self.parse_selector_only()
        while True:
            if self.peek().kind == "RANGE" and rng["range"] is None:
                rng["range"] = self.next().value
                if self.is_word("offset"):
                    self.next()
                    d = self.expect("DURATION")
                    rng["offset"] = d.value
                continue
            if self.is_op("|") and self.is_word("unwrap", 1):
                self.next()
                self.next()
                rng["unwrap"] = self.parse_unwrap()
                continue
            st = self.parse_stage()
            if st is None:
                break
            if rng["unwrap"] is not None:
                raise SyntaxErr("stage after unwrap")
            rng["log"]["stages"].append(st)
        if rng["range"] is None and need_range:
            raise SyntaxErr("missing range")
        return rng

    def parse_unwrap(self):
        conv = None
        if self.peek().kind == "IDENT" and self.peek().text in ("bytes", "duration", "duration_seconds") and self.is_op("(", 1):
            conv = self.next().text
            self.next()
            label = self.expect("IDENT").text
            self.expect_op(")")
        else:
            label = self.expect("IDENT").text
        post = []
        while self.is_op("|") and self.peek(1).kind == "IDENT" and not self.is_word("unwrap", 1):
            self.next()
            post.append(self.parse_label_filter_or())
        return {"label": label, "conv": conv, "post": post}

    # ---- log expressions
    def parse_selector_only(self):
        if self.is_op("("):
            self.next()
            e = self.parse_log_expr()
            self.expect_op(")")
            return e
        self.expect_op("{")
        matchers = []
        while not self.is_op("}"):
            name = self.expect("IDENT").text
            op = self.next()
            if op.kind != "OP" or op.text not in ("=", "!=", "=~", "!~"):
                raise SyntaxErr("expecting = or != or =~ or !~")
            val = self.expect("STRING").value
            if op.text in ("=~", "!~"):
                try:
                    re.compile(val)
                except re.error as err:
                    raise parse_error("error parsing regexp: " + str(err))
            matchers.append({"name": name, "op": op.text, "value": val})
            if self.is_op(","):
                self.next()
            elif not self.is_op("}"):
                raise SyntaxErr("expecting } or ,")
        self.next()
        if not any(not util.matcher_matches(m["op"], m["value"], "") for m in matchers):
            raise parse_error(
                'queries require at least one regexp or equality matcher that does not have an empty-compatible value. '
                'For instance, app=~".*" does not meet this requirement, but app=~".+" will')
        return {"kind": "log", "matchers": matchers, "stages": []}

    def parse_log_expr(self):
        e = self.parse_selector_only()
        while True:
            st = self.parse_stage()
            if st is None:
                return e
            e["stages"].append(st)

    def parse_stage(self):
        t = self.peek()
        if t.kind == "OP" and t.text in ("|=", "!=", "|~", "!~", "|>", "!>"):
            self.next()
            args = [self.parse_line_filter_arg(t.text)]
            while self.is_word("or"):
                self.next()
                args.append(self.parse_line_filter_arg(t.text))
            return {"kind": "line_filter", "op": t.text, "args": args}
        if not self.is_op("|"):
            return None
        if self.is_word("unwrap", 1):
            return None
        self.next()
        w = self.peek()
        name = w.text.lower() if w.kind == "IDENT" else ""
        if name == "json" or name == "logfmt":
            self.next()
            st = {"kind": "parser", "parser": name, "strict": False, "keep_empty": False, "extractions": []}
            while name == "logfmt" and self.is_op("-") and self.is_op("-", 1):
                self.next()
                self.next()
                flag = self.expect("IDENT").text
                st["strict" if flag == "strict" else "keep_empty"] = True
            if self.peek().kind == "IDENT" and not self.binop_here():
                while True:
                    label = self.expect("IDENT").text
                    expr = None
                    if self.is_op("="):
                        self.next()
                        expr = self.expect("STRING").value
                    st["extractions"].append((label, expr))
                    if not self.is_op(","):
                        break
                    self.next()
            return st
        if name in ("regexp", "pattern"):
            self.next()
            pat = self.expect("STRING").value
            if name == "regexp":
                try:
                    rx = re.compile(pat)
                except re.error as err:
                    raise parse_error("error parsing regexp: " + str(err))
                if not rx.groupindex:
                    raise parse_error("at least one named capture must be supplied")
            else:
                parts = util.parse_pattern(pat)
                caps = [p for p in parts if p[0] == "cap" and p[1] != "_"]
                if not caps:
                    raise parse_error("at least one capture is required")
                for a, b in zip(parts, parts[1:]):
                    if a[0] == "cap" and b[0] == "cap":
                        raise parse_error(f"found consecutive capture '{b[1]}'")
            return {"kind": "parser", "parser": name, "pattern": pat}
        if name == "unpack":
            self.next()
            return {"kind": "parser", "parser": "unpack"}
        if name == "line_format":
            self.next()
            return {"kind": "line_format", "template": self.expect("STRING").value}
        if name == "label_format":
            self.next()
            items = []
            while True:
                dst = self.expect("IDENT").text
                self.expect_op("=")
                v = self.next()
                if v.kind == "IDENT":
                    items.append({"dst": dst, "rename": True, "value": v.text})
                elif v.kind == "STRING":
                    items.append({"dst": dst, "rename": False, "value": v.value})
                else:
                    raise SyntaxErr("label_format value")
                if not self.is_op(","):
                    break
                self.next()
            names = [it["dst"] for it in items]
            for nm in names:
                if names.count(nm) > 1:
                    raise parse_error(f"multiple label name '{nm}' appears in formatting")
            return {"kind": "label_format", "items": items}
        if name == "decolorize":
            self.next()
            return {"kind": "decolorize"}
        if name in ("drop", "keep"):
            self.next()
            items = []
            while True:
                lname = self.expect("IDENT").text
                m = None
                if self.peek().kind == "OP" and self.peek().text in ("=", "!=", "=~", "!~"):
                    op = self.next().text
                    m = {"name": lname, "op": op, "value": self.expect("STRING").value}
                items.append({"name": lname, "matcher": m})
                if not self.is_op(","):
                    break
                self.next()
            return {"kind": name, "items": items}
        return {"kind": "label_filter", "filter": self.parse_label_filter_or()}

    def parse_line_filter_arg(self, op):
        if self.is_word("ip") and self.is_op("(", 1):
            if op not in ("|=", "!="):
                raise SyntaxErr("unexpected ip, expecting STRING")
            self.next()
            self.next()
            v = self.expect("STRING").value
            self.expect_op(")")
            check_ip(v)
            return {"ip": True, "value": v}
        v = self.expect("STRING").value
        if op in ("|~", "!~"):
            try:
                re.compile(v)
            except re.error as err:
                raise parse_error("error parsing regexp: " + str(err))
        return {"ip": False, "value": v}

    # label filter expressions: or < and (also ',' and juxtaposition)
    def parse_label_filter_or(self):
        left = self.parse_label_filter_and()
        while self.is_word("or"):
            self.next()
            right = self.parse_label_filter_and()
            left = {"kind": "or", "left": left, "right": right}
        return left

    def parse_label_filter_and(self):
        left = self.parse_label_filter_primary()
        while True:
            if self.is_word("and") or self.is_op(","):
                self.next()
            elif self.is_op("(") or (self.peek().kind == "IDENT" and not self.is_word("or") and
                                     self.peek(1).kind == "OP" and self.peek(1).text in ("=", "!=", "=~", "!~", ">", ">=", "<", "<=", "==")):
                pass
            else:
                return left
            right = self.parse_label_filter_primary()
            left = {"kind": "and", "left": left, "right": right}

    def parse_label_filter_primary(self):
        if self.is_op("("):
            self.next()
            e = self.parse_label_filter_or()
            self.expect_op(")")
            return e
        name = self.expect("IDENT").text
        op = self.next()
        if op.kind != "OP" or op.text not in ("=", "!=", "=~", "!~", ">", ">=", "<", "<=", "=="):
            raise SyntaxErr("label filter operator")
        v = self.peek()
        if self.is_word("ip") and self.is_op("(", 1):
            if op.text not in ("=", "!="):
                raise SyntaxErr("unexpected ip, expecting BYTES or NUMBER or DURATION")
            self.next()
            self.next()
            val = self.expect("STRING").value
            self.expect_op(")")
            check_ip(val)
            return {"kind": "ip", "name": name, "op": op.text, "value": val}
        if v.kind == "STRING":
            if op.text not in ("=", "!=", "=~", "!~"):
                raise SyntaxErr("unexpected STRING, expecting BYTES or NUMBER or DURATION")
            self.next()
            if op.text in ("=~", "!~"):
                try:
                    re.compile(v.value)
                except re.error as err:
                    raise parse_error("error parsing regexp: " + str(err))
            return {"kind": "string", "name": name, "op": op.text, "value": v.value}
        if op.text in ("=~", "!~"):
            raise SyntaxErr("expecting STRING")
        if v.kind in ("NUMBER", "DURATION", "BYTES") or (v.kind == "OP" and v.text == "-"):
            neg = 1
            if v.kind == "OP":
                self.next()
                neg = -1
                v = self.peek()
            self.next()
            kind = {"NUMBER": "number", "DURATION": "duration", "BYTES": "bytes"}[v.kind]
            return {"kind": kind, "name": name, "op": "==" if op.text == "=" else op.text, "value": neg * v.value}
        raise SyntaxErr("label filter value")


def check_ip(v):
    if util.parse_ip_spec(v) is None:
        raise parse_error(f'invalid ip filter: "{v}"')


# ---------------------------------------------------------------------------------------------------------------
# Static validation

UNWRAP_FORBIDDEN = {"count_over_time", "bytes_over_time", "bytes_rate"}
UNWRAP_OPTIONAL = {"rate", "absent_over_time"}
GROUPING_OK = {"avg_over_time", "min_over_time", "max_over_time", "stddev_over_time", "stdvar_over_time",
               "first_over_time", "last_over_time", "quantile_over_time"}


def validate_range_agg(node):
    op = node["op"]
    has_unwrap = node["range"]["unwrap"] is not None
    if node["grouping"] is not None and op not in GROUPING_OK:
        raise parse_error(f"grouping not allowed for {op} aggregation")
    if op in UNWRAP_FORBIDDEN and has_unwrap:
        raise parse_error(f"invalid aggregation {op} with unwrap")
    if op not in UNWRAP_FORBIDDEN and op not in UNWRAP_OPTIONAL and not has_unwrap:
        raise parse_error(f"invalid aggregation {op} without unwrap")
    if op == "quantile_over_time":
        if node["param"] is None:
            raise parse_error("parameter required for operation " + op)
    elif node["param"] is not None:
        raise parse_error(f"parameter {node['param_text']} not supported for operation {op}")


def expr_type_name(e):
    if e["kind"] == "log":
        return "*syntax.PipelineExpr" if e["stages"] else "*syntax.MatchersExpr"
    return None


def validate(e):
    if e["kind"] == "binary":
        for side, leg in (("left", e["lhs"]), ("right", e["rhs"])):
            tn = expr_type_name(leg)
            if tn:
                raise parse_error(f"unexpected type for {side} leg of binary operation ({e['op']}): {tn}")
        if e["op"] in ("and", "or", "unless"):
            for side, leg in (("left", e["lhs"]), ("right", e["rhs"])):
                if leg["kind"] == "literal":
                    raise parse_error(f"unexpected literal for {side} leg of logical/set binary operation ({e['op']}): "
                                      f"{leg['value']:.6f}")
        validate(e["lhs"])
        validate(e["rhs"])
    elif e["kind"] in ("vector_agg", "label_replace"):
        validate(e["inner"])


def fold(e):
    """Loki folds a binary operation of two literals at parse time (comparisons give 0/1)."""
    if e["lhs"]["kind"] == "literal" and e["rhs"]["kind"] == "literal":
        if e["op"] in ("and", "or", "unless"):
            return e
        v = util.scalar_binop(e["op"], e["lhs"]["value"], e["rhs"]["value"])
        if e["op"] in COMPARISONS:
            v = 1.0 if v else 0.0
        return {"kind": "literal", "value": v}
    return e


def parse(text):
    return Parser(text).parse()


def is_log_query(e):
    return e["kind"] == "log"


__all__ = ["parse", "QueryError", "SyntaxErr", "is_log_query", "ipaddress"]

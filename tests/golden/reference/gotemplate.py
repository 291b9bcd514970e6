"""A tiny subset of Go text/template for line_format / label_format (only what the golden cases use).

Supported: text; {{ pipeline }} and {{- / -}} trimming; pipelines `cmd | cmd` (the previous value becomes the last
argument); operands `.name`, "strings", `backquoted`, integers; {{ if pipeline }}..{{ else }}..{{ end }};
functions: __line__, upper, lower, ToUpper, ToLower, title, trim, TrimSpace, trimPrefix, trimSuffix, replace,
default, printf (%s %v %q %d, width and '-' flag), eq, ne, contains, hasPrefix, hasSuffix, len, trunc, repeat,
regexReplaceAll, alignLeft, alignRight, and, or, not.
A missing map key renders as Go's "<no value>" (the cases avoid it).
"""
import json
import re


class TemplateError(Exception):
    pass


NO_VALUE = object()


def tokenize(src):
    """-> list of ("text", s) | ("action", s), with {{- -}} trimming applied."""
    out = []
    i = 0
    while True:
        j = src.find("{{", i)
        if j < 0:
            out.append(("text", src[i:]))
            break
        text = src[i:j]
        k = src.find("}}", j)
        if k < 0:
            raise TemplateError("unclosed action")
        body = src[j + 2:k]
        if body.startswith("- "):
            text = text.rstrip()
            body = body[2:]
        if body.endswith(" -"):
            body = body[:-2]
            rest = src[k + 2:]
            i_next = k + 2 + (len(rest) - len(rest.lstrip()))
        else:
            i_next = k + 2
        out.append(("text", text))
        out.append(("action", body.strip()))
        i = i_next
    return out


def lex_action(s):
    toks = []
    i = 0
    while i < len(s):
        c = s[i]
        if c.isspace():
            i += 1
        elif c == '"':
            j = i + 1
            while s[j] != '"':
                j += 2 if s[j] == "\\" else 1
            toks.append(("str", json.loads(s[i:j + 1])))
            i = j + 1
        elif c == "`":
            j = s.index("`", i + 1)
            toks.append(("str", s[i + 1:j]))
            i = j + 1
        elif c == "|":
            toks.append(("pipe", "|"))
            i += 1
        elif c in "()":
            toks.append((c, c))
            i += 1
        elif c == ".":
            m = re.match(r"\.[A-Za-z0-9_]*", s[i:])
            toks.append(("field", m.group(0)[1:]))
            i += m.end()
        elif c.isdigit() or (c == "-" and i + 1 < len(s) and s[i + 1].isdigit()):
            m = re.match(r"-?\d+(\.\d+)?", s[i:])
            toks.append(("num", float(m.group(0)) if "." in m.group(0) else int(m.group(0))))
            i += m.end()
        else:
            m = re.match(r"[A-Za-z_][A-Za-z0-9_]*", s[i:])
            if not m:
                raise TemplateError("bad action " + s)
            toks.append(("ident", m.group(0)))
            i += m.end()
    return toks


def parse(src):
    """-> list of nodes: ("text", s) | ("pipe", cmds) | ("if", pipe, then_nodes, else_nodes)."""
    items = tokenize(src)
    pos = 0

    def block(stop):
        nonlocal pos
        nodes = []
        while pos < len(items):
            kind, s = items[pos]
            if kind == "text":
                if s:
                    nodes.append(("text", s))
                pos += 1
                continue
            word = s.split(" ", 1)[0]
            if word in stop:
                return nodes, word
            pos += 1
            if word == "if":
                cond = parse_pipeline(lex_action(s[2:]))
                then, w = block(("else", "end"))
                els = []
                if w == "else":
                    pos += 1
                    els, w = block(("end",))
                pos += 1
                nodes.append(("if", cond, then, els))
            else:
                nodes.append(("pipe", parse_pipeline(lex_action(s))))
        if stop:
            raise TemplateError("missing end")
        return nodes, None

    nodes, _ = block(())
    return nodes


def parse_pipeline(toks):
    cmds = [[]]
    depth = 0
    for t in toks:
        if t[0] == "pipe" and depth == 0:
            cmds.append([])
        else:
            cmds[-1].append(t)
    return cmds


def to_str(v):
    if v is NO_VALUE:
        return "<no value>"
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def go_printf(fmt, args):
    out = []
    i = 0
    ai = 0
    while i < len(fmt):
        c = fmt[i]
        if c != "%":
            out.append(c)
            i += 1
            continue
        m = re.match(r"%(-?)(\d*)([svqd%])", fmt[i:])
        if not m:
            raise TemplateError("unsupported printf verb")
        i += m.end()
        if m.group(3) == "%":
            out.append("%")
            continue
        a = args[ai]
        ai += 1
        verb = m.group(3)
        if verb == "q":
            s = json.dumps(to_str(a), ensure_ascii=False)
        elif verb == "d":
            s = str(a) if isinstance(a, int) else f"%!d(string={a})"
        else:
            s = to_str(a)
        width = int(m.group(2) or 0)
        s = s.ljust(width) if m.group(1) == "-" else s.rjust(width)
        out.append(s)
    return "".join(out)


def call(name, args, ctx):
    a = args
    if name == "__line__":
        return ctx["line"]
    if name in ("upper", "ToUpper"):
        return to_str(a[0]).upper()
    if name in ("lower", "ToLower"):
        return to_str(a[0]).lower()
    if name == "title":
        return re.sub(r"\b[a-z]", lambda m: m.group(0).upper(), to_str(a[0]))
    if name in ("trim", "TrimSpace"):
        return to_str(a[0]).strip(" \t\n\r\v\f")
    if name == "trimPrefix":
        s = to_str(a[1])
        return s[len(a[0]):] if s.startswith(a[0]) else s
    if name == "trimSuffix":
        s = to_str(a[1])
        return s[:-len(a[0])] if a[0] and s.endswith(a[0]) else s
    if name == "replace":
        return to_str(a[2]).replace(a[0], a[1])
    if name == "default":
        v = a[1] if len(a) > 1 else NO_VALUE
        return a[0] if v is NO_VALUE or v == "" or v is None else v
    if name == "printf":
        return go_printf(a[0], a[1:])
    if name == "eq":
        return any(to_str(a[0]) == to_str(x) for x in a[1:])
    if name == "ne":
        return to_str(a[0]) != to_str(a[1])
    if name == "contains":
        return a[0] in to_str(a[1])
    if name == "hasPrefix":
        return to_str(a[1]).startswith(a[0])
    if name == "hasSuffix":
        return to_str(a[1]).endswith(a[0])
    if name == "len":
        return len(to_str(a[0]).encode())
    if name == "trunc":
        n, s = a[0], to_str(a[1])
        return s[:n] if n >= 0 else s[n:]
    if name == "repeat":
        return to_str(a[1]) * a[0]
    if name == "regexReplaceAll":
        go_repl = re.sub(r"\$\{?(\w+)\}?", lambda m: "\\g<" + m.group(1) + ">", a[2])
        return re.sub(a[0], go_repl, to_str(a[1]))
    if name == "alignLeft":
        s = to_str(a[1])
        return s[:a[0]].ljust(a[0])
    if name == "alignRight":
        s = to_str(a[1])
        return s[-a[0]:].rjust(a[0]) if len(s) >= a[0] else s.rjust(a[0])
    if name == "and":
        return all(truthy(x) for x in a)
    if name == "or":
        return next((x for x in a if truthy(x)), a[-1])
    if name == "not":
        return not truthy(a[0])
    raise TemplateError("unknown function " + name)


def truthy(v):
    return not (v is NO_VALUE or v is None or v is False or v == "" or v == 0)


def eval_operand(t, ctx):
    kind, v = t
    if kind == "field":
        return ctx["labels"].get(v, NO_VALUE)
    if kind in ("str", "num"):
        return v
    if kind == "ident":
        return call(v, [], ctx)
    raise TemplateError("operand")


def eval_pipeline(cmds, ctx):
    val = None
    first = True
    for cmd in cmds:
        if cmd and cmd[0][0] == "ident":
            args = [eval_operand(t, ctx) for t in cmd[1:]]
            if not first:
                args.append(val)
            val = call(cmd[0][1], args, ctx)
        else:
            if len(cmd) != 1:
                raise TemplateError("bad command")
            val = eval_operand(cmd[0], ctx)
        first = False
    return val


def render_nodes(nodes, ctx, out):
    for n in nodes:
        if n[0] == "text":
            out.append(n[1])
        elif n[0] == "pipe":
            out.append(to_str(eval_pipeline(n[1], ctx)))
        else:
            render_nodes(n[2] if truthy(eval_pipeline(n[1], ctx)) else n[3], ctx, out)


def render(src, labels, line, ts):
    out = []
    render_nodes(parse(src), {"labels": labels, "line": line, "ts": ts}, out)
    return "".join(out)

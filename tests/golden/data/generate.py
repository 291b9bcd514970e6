#!/usr/bin/env python3
"""Writes the golden datasets (tests/golden/data/*.json) deterministically (fixed seeds).

Each dataset is a Loki push body ({"streams": [{"stream": {...}, "values": [[ns, line, {sm}?], ...]}]}) plus a name
and a tenant. The files are committed; this script only documents how they were made (re-running it rewrites them
byte for byte). Every timestamp is unique within a dataset, so log-query ordering across streams is well defined.
"""
import json
import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))
S = 1_000_000_000
T0 = 1769940000 * S  # 2026-02-01T10:00:00Z
DAY = 86400 * S


class Clock:
    """Hands out unique timestamps: base + offset with a sub-second fraction (never on a whole second)."""

    def __init__(self, seed):
        self.rnd = random.Random(seed)
        self.used = set()

    def at(self, base, lo_s, hi_s):
        while True:
            ns = base + self.rnd.randrange(lo_s * S, hi_s * S)
            ns = ns - ns % 1000 + self.rnd.randrange(1, 1000)  # a few ns digits, never a whole second
            if ns % S and ns not in self.used:
                self.used.add(ns)
                return ns


def write(name, tenant, streams, description):
    for s in streams:
        s["values"].sort(key=lambda v: int(v[0]))
    body = {"name": name, "tenant": tenant, "description": description, "streams": streams}
    with open(os.path.join(HERE, name + ".json"), "w") as f:
        json.dump(body, f, indent=1, ensure_ascii=False)
        f.write("\n")


def logfmt_dataset():
    rnd = random.Random(1)
    clk = Clock(11)
    users = ["alice", "bob", "carol", "dave"]
    paths = ["/api/users", "/api/orders", "/api/login", "/health"]
    streams = []

    def api_line(level):
        method = rnd.choice(["GET", "GET", "POST", "DELETE"])
        path = rnd.choice(paths)
        status = {"info": rnd.choice([200, 200, 201, 204]), "debug": 200, "warn": rnd.choice([404, 429]),
                  "error": rnd.choice([500, 502, 503])}[level]
        dur = rnd.choice(["12ms", "230ms", "1.5s", "45ms", "980ms", "2s", "3.25s", "150us"])
        size = rnd.choice(["512B", "1.5KB", "2KB", "3MB", "1KiB", "700B", "12KB"])
        lat = rnd.choice(["12.5", "3", "0.75", "120", "47.25", "8"])
        msg = {"info": "request done", "debug": "cache lookup", "warn": "slow request",
               "error": "upstream timeout"}[level]
        return (f'level={level} method={method} path={path} status={status} duration={dur} size={size} '
                f'latency_ms={lat} user={rnd.choice(users)} msg="{msg}"')

    levels = ["info"] * 6 + ["debug"] * 2 + ["warn"] * 2 + ["error"] * 2
    for labels, n, sm_every in [({"app": "api", "env": "prod", "cluster": "eu1"}, 40, 3),
                                ({"app": "api", "env": "staging", "cluster": "us1"}, 25, 0),
                                ({"app": "web", "env": "prod", "cluster": "us1", "level": "info"}, 15, 0)]:
        values = []
        for i in range(n):
            line = api_line(rnd.choice(levels))
            v = [str(clk.at(T0, 5, 1795)), line]
            if sm_every and i % sm_every == 0:
                sm = {"trace_id": "%016x" % rnd.getrandbits(64)}
                if i % 2 == 0:
                    sm["user_id"] = "u%d" % rnd.randrange(1, 4)
                v.append(sm)
            values.append(v)
        streams.append({"stream": labels, "values": values})

    # A worker with other keys; part of it on the following days (offset tests).
    values = []
    for day, n in [(0, 25), (1, 12), (2, 5)]:
        for _ in range(n):
            level = rnd.choice(["info", "info", "info", "warn", "error"])
            line = (f'level={level} job={rnd.choice(["resize", "encode", "notify"])} items={rnd.randrange(1, 40)} '
                    f'took={rnd.choice(["1.2s", "350ms", "2m", "45s", "800ms"])} queue="{rnd.choice(["thumbs", "mail"])}"')
            values.append([str(clk.at(T0 + day * DAY, 5, 1795)), line])
    streams.append({"stream": {"app": "worker", "env": "prod", "cluster": "eu1"}, "values": values})
    write("logfmt", "golden-logfmt", streams,
          "logfmt application logs: api (prod, staging), web (with an indexed level label), worker over three days; "
          "structured metadata trace_id/user_id on part of api/prod")


def json_dataset():
    rnd = random.Random(2)
    clk = Clock(22)
    streams = []

    def order_line(level):
        status = {"info": rnd.choice([200, 201]), "warn": 404, "error": rnd.choice([500, 503])}[level]
        obj = {"level": level, "msg": {"info": "order placed", "warn": "order not found", "error": "payment failed"}[level],
               "status": status, "duration": rnd.choice(["120ms", "1.5s", "75ms", "2.25s", "300ms"]),
               "size": rnd.choice(["2.5KB", "800B", "1MB", "4KiB"]),
               "latency": rnd.choice([0.123, 1.5, 0.02, 3, 0.75]),
               "request": {"method": rnd.choice(["GET", "POST"]), "path": rnd.choice(["/orders", "/cart", "/pay"]),
                           "headers": {"User-Agent": rnd.choice(["curl/8.5", "Mozilla/5.0", "okhttp/4"])}},
               "tags": ["shop", level],
               "user": {"id": rnd.randrange(1, 6), "name": rnd.choice(["ann", "ben", "cid"])}}
        return json.dumps(obj, separators=(",", ":"))

    for labels, n in [({"job": "checkout", "namespace": "shop"}, 30), ({"job": "payments", "namespace": "shop"}, 25)]:
        values = []
        for i in range(n):
            v = [str(clk.at(T0, 5, 1795)), order_line(rnd.choice(["info"] * 4 + ["warn", "error"]))]
            if i % 4 == 1:
                v.append({"region": rnd.choice(["eu", "us"])})
            values.append(v)
        streams.append({"stream": labels, "values": values})

    # A stream whose indexed level collides with the JSON level (-> level_extracted).
    values = []
    for _ in range(10):
        lv = rnd.choice(["error", "info", "debug"])
        values.append([str(clk.at(T0, 5, 1795)),
                       json.dumps({"level": lv, "msg": "legacy " + lv, "code": rnd.randrange(1, 9)}, separators=(",", ":"))])
    streams.append({"stream": {"job": "legacy", "namespace": "shop", "level": "warn"}, "values": values})

    # Promtail `pack` output: string values only, the original line in _entry.
    values = []
    for _ in range(12):
        pod = rnd.choice(["web-0", "web-1"])
        lv = rnd.choice(["info", "error"])
        entry = f"{lv.upper()} handled /{rnd.choice(['a', 'b', 'c'])} in {rnd.randrange(1, 99)}ms"
        values.append([str(clk.at(T0, 5, 1795)),
                       json.dumps({"_entry": entry, "pod": pod, "severity": lv}, separators=(",", ":"))])
    streams.append({"stream": {"job": "packed", "namespace": "infra"}, "values": values})
    write("json", "golden-json", streams,
          "JSON application logs (nested objects, arrays, numbers, durations, byte sizes), a stream whose indexed "
          "level collides with the JSON key, and promtail-packed lines for unpack; structured metadata region")


def nginx_dataset():
    rnd = random.Random(3)
    clk = Clock(33)
    ips = ["10.0.1.23", "10.0.2.7", "192.168.1.10", "192.168.1.77", "172.16.5.4", "203.0.113.9", "2001:db8::1"]
    agents = ["Mozilla/5.0", "curl/8.5.0", "Googlebot/2.1"]
    streams = []
    for host, n in [("web-1", 35), ("web-2", 25)]:
        values = []
        for _ in range(n):
            ts = clk.at(T0, 5, 1795)
            sec = (ts - T0) // S
            method = rnd.choice(["GET", "GET", "GET", "POST", "PUT"])
            path = rnd.choice(["/index.html", "/api/cart", "/static/app.js", "/login", "/admin"])
            status = rnd.choice([200, 200, 200, 201, 301, 404, 500, 502])
            size = rnd.choice([0, 512, 1534, 20480, 734, 99])
            rt = rnd.choice(["0.023", "0.150", "1.204", "0.004", "0.530"])
            line = (f'{rnd.choice(ips)} - - [01/Feb/2026:10:{sec // 60:02d}:{sec % 60:02d} +0000] '
                    f'"{method} {path} HTTP/1.1" {status} {size} "-" "{rnd.choice(agents)}" rt={rt}')
            values.append([str(ts), line])
        streams.append({"stream": {"service": "nginx", "host": host}, "values": values})
    write("nginx", "golden-nginx", streams, "nginx access logs (IPv4/IPv6 clients, statuses, sizes, response times)")


def plain_dataset():
    rnd = random.Random(4)
    clk = Clock(44)
    streams = []
    red, green, yellow, reset = "\x1b[31m", "\x1b[32m", "\x1b[33m", "\x1b[0m"
    values = []
    for _ in range(20):
        kind = rnd.choice(["ok", "ok", "fail", "warn"])
        if kind == "ok":
            line = f"{green}INFO{reset} scheduled job {rnd.randrange(1, 50)} in {rnd.choice(['230ms', '1.2s', '15ms'])}"
        elif kind == "fail":
            line = (f"{red}ERROR{reset} failed to connect to {rnd.choice(['10.1.2.3', '10.9.0.1', '192.168.0.5'])}:5432 "
                    f"after {rnd.randrange(1, 5)} retries")
        else:
            line = f"{yellow}WARN{reset} queue depth {rnd.randrange(100, 900)} above threshold"
        values.append([str(clk.at(T0, 5, 1795)), line])
    streams.append({"stream": {"component": "scheduler", "namespace": "ops"}, "values": values})

    values = []
    for _ in range(15):
        line = rnd.choice([f"checkpoint complete: wrote {rnd.randrange(10, 999)} buffers ({rnd.choice(['1.5MB', '700KB', '12MB'])})",
                           f"connection received: host=10.2.{rnd.randrange(0, 9)}.{rnd.randrange(1, 254)} port={rnd.randrange(30000, 60000)}",
                           "autovacuum: processing table public.orders",
                           f"duration: {rnd.choice(['1.234', '0.5', '22.75'])} ms  statement: SELECT 1"])
        values.append([str(clk.at(T0, 5, 1795)), line])
    streams.append({"stream": {"container": "db", "namespace": "ops"}, "values": values})

    values = [[str(clk.at(T0, 5, 1795)), f"heartbeat {i} <ok> & \"quoted\" caf\u00e9"] for i in range(8)]
    streams.append({"stream": {"foo": "bar", "empty": ""}, "values": values})

    values = [[str(clk.at(T0, 5, 1795)), f"explicit service line {i}"] for i in range(6)]
    streams.append({"stream": {"service_name": "explicit", "app": "x"}, "values": values})

    # Entries exactly on whole seconds, to test the half-open windows: T0+60s, +120s, ..., +600s.
    values = [[str(T0 + k * 60 * S), f"tick {k}"] for k in range(1, 11)]
    streams.append({"stream": {"app": "edge", "namespace": "ops"}, "values": values})
    write("plain", "golden-plain", streams,
          "plain text: ANSI colours, IPs, durations and sizes in free text, service_name discovery (container, "
          "unknown_service, explicit), an empty label value, entries on whole seconds for window boundaries")


def dsl_dataset():
    rnd = random.Random(5)
    clk = Clock(55)
    streams = []
    msgs = {"ERROR": ["db timeout after 3000ms", "connection timed out", "payment declined: card expired",
                      "null pointer in handler /api/orders"],
            "WARN": ["slow query took 1200ms", "retrying request to upstream", "cache miss storm"],
            "INFO": ["request completed", "user login ok", "cache hit for key user:42", "order created id=1001"],
            "DEBUG": ["parsed headers", "cache miss for key user:7", "timeout budget 500ms remaining"]}
    specs = [({"service": "api", "level": "ERROR", "env": "prod"}, 18),
             ({"service": "api", "level": "INFO", "env": "prod"}, 25),
             ({"service": "api", "level": "DEBUG", "env": "staging"}, 10),
             ({"service": "web", "level": "WARN", "env": "staging"}, 15),
             ({"service": "web", "level": "ERROR", "env": "prod"}, 8),
             ({"service": "edge", "level": "INFO", "env": "prod"}, 14)]
    for labels, n in specs:
        values = []
        for _ in range(n):
            sm = {"traceId": "%012x" % rnd.getrandbits(48), "metadata.region": rnd.choice(["eu", "us", "ap"]),
                  "status": str({"ERROR": rnd.choice([500, 503]), "WARN": rnd.choice([404, 429]),
                                 "INFO": rnd.choice([200, 201]), "DEBUG": 200}[labels["level"]]),
                  "duration_ms": str(rnd.choice([3, 12, 45, 120, 250, 999, 3000]))}
            values.append([str(clk.at(T0, 5, 3595)), rnd.choice(msgs[labels["level"]]), sm])
        streams.append({"stream": labels, "values": values})
    # One known trace id for needle queries.
    streams[0]["values"][3][2]["traceId"] = "abc123def456"
    write("dsl", "golden-dsl", streams,
          "product-style records for the DSL: service/level/env labels (level upper-case as native ingest stores it), "
          "structured metadata traceId, metadata.region, status, duration_ms on every entry; 10:00-11:00")


if __name__ == "__main__":
    logfmt_dataset()
    json_dataset()
    nginx_dataset()
    plain_dataset()
    dsl_dataset()

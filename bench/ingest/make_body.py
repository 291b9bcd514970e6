#!/usr/bin/env python3
"""Writes a deterministic native-ingest body of N JSON log objects (a mix of application, access and system
lines, ~250 bytes each on average) as a JSON array or NDJSON. Quick load for the foundation's first numbers;
the full generator arrives with the benchmark harness issue."""
import json
import random
import sys

def lines(n, seed=42):
    rng = random.Random(seed)
    services = ["api", "auth", "billing", "search", "worker", "gateway"]
    levels = ["INFO"] * 8 + ["WARN", "ERROR", "DEBUG"]
    paths = ["/api/v1/users", "/api/v1/orders", "/login", "/search?q=shoes", "/static/app.js"]
    base = 1767323045_000_000_000
    for i in range(n):
        kind = i % 3
        svc = rng.choice(services)
        trace = "%032x" % rng.getrandbits(128)
        if kind == 0:
            msg = (f'{rng.randint(1,255)}.{rng.randint(0,255)}.{rng.randint(0,255)}.{rng.randint(0,255)} - - '
                   f'"GET {rng.choice(paths)} HTTP/1.1" {rng.choice([200,200,200,404,500])} {rng.randint(200,90000)} '
                   f'"-" "Mozilla/5.0 (X11; Linux x86_64)" rt={rng.random():.3f}')
        elif kind == 1:
            msg = (f"request handled user_id={rng.randint(1,10**6)} latency_ms={rng.randint(1,2000)} "
                   f"status={rng.choice([200,201,400,503])} trace_id={trace}")
        else:
            msg = f"kernel: [{rng.randint(1000,99999)}.{rng.randint(0,999999)}] eth0: link up, 1000Mbps full duplex"
        yield {"timestamp": base + i * 1000, "level": rng.choice(levels), "service": svc, "env": "prod",
               "instance": f"{svc}-{rng.randint(0, 3)}", "message": msg, "traceId": trace}

def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    fmt = sys.argv[2] if len(sys.argv) > 2 else "json"
    items = list(lines(n))
    if fmt == "ndjson":
        sys.stdout.write("".join(json.dumps(x, separators=(",", ":")) + "\n" for x in items))
    else:
        sys.stdout.write(json.dumps(items, separators=(",", ":")))

if __name__ == "__main__":
    main()

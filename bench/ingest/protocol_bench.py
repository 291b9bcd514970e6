#!/usr/bin/env python3
"""Ingest throughput per protocol, same records (make_protocol_bodies.py) for every protocol, against one release
strata server on loopback with the default durability (wal.fsync=batch). HTTP protocols are driven by wrk
(keep-alive connections posting the same 1000-line body); syslog TCP and Fluentd forward by raw sockets sending
pre-encoded frames; OTLP gRPC by grpcio with pre-serialized requests. Reports lines/s and server CPU-us per line.
  python3 bench/ingest/protocol_bench.py [--seconds 10] [--connections 8] [--bin build/release/programs/strata]"""
import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "../.."))
LINES = 1000


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def ingested(http, protocol):
    text = urllib.request.urlopen(f"http://{http}/metrics", timeout=10).read().decode()
    m = re.search(r'^strata_ingest_lines_total\{protocol="%s"\} (\S+)$' % protocol, text, re.M)
    return float(m.group(1)) if m else 0.0


def run_wrk(http, path, body, content_type, seconds, connections):
    env = dict(os.environ, BODY_FILE=body, CONTENT_TYPE=content_type)
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "-s", os.path.join(HERE, "post_body.lua"),
                          f"http://{http}{path}"], capture_output=True, text=True, env=env, check=True).stdout
    non200 = int(re.search(r"non200=(\d+)", out).group(1))
    requests = int(re.search(r"requests=(\d+)", out).group(1))
    return requests - non200, non200


def run_syslog(addr, body, seconds, connections):
    data = open(body, "rb").read()
    sent = [0] * connections
    stop = time.time() + seconds

    def sender(k):
        with socket.create_connection(addr) as s:
            while time.time() < stop:
                s.sendall(data)
                sent[k] += 1
    threads = [threading.Thread(target=sender, args=(k,)) for k in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(sent), 0


def run_forward(addr, body, seconds, connections):
    data = open(body, "rb").read()
    acked = [0] * connections
    stop = time.time() + seconds

    def sender(k):
        with socket.create_connection(addr) as s:
            s.settimeout(30)
            while time.time() < stop:
                s.sendall(data)
                ack = s.recv(4096)  # {"ack": "c"} once durable
                if not ack:
                    return
                acked[k] += 1
    threads = [threading.Thread(target=sender, args=(k,)) for k in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(acked), 0


def run_grpc(addr, body, seconds, connections):
    import grpc
    data = open(body, "rb").read()
    ok = [0] * connections
    stop = time.time() + seconds

    def sender(k):
        channel = grpc.insecure_channel(f"{addr[0]}:{addr[1]}")
        export = channel.unary_unary("/opentelemetry.proto.collector.logs.v1.LogsService/Export")
        while time.time() < stop:
            export(data, metadata=(("x-tenant-id", "bench"),), timeout=30)
            ok[k] += 1
        channel.close()
    threads = [threading.Thread(target=sender, args=(k,)) for k in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(ok), 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--connections", type=int, default=8)
    ap.add_argument("--bin", default=os.path.join(ROOT, "build/release/programs/strata"))
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="strata-protocols-")
    bodies = os.path.join(work, "bodies")
    subprocess.run([sys.executable, os.path.join(HERE, "make_protocol_bodies.py"), bodies, str(LINES)], check=True)
    http, grpc_port, syslog_port, forward_port = (free_port() for _ in range(4))
    http = f"127.0.0.1:{http}"
    server = subprocess.Popen([args.bin, "serve", "--data-dir", os.path.join(work, "data"), "--http-listen", http,
                               "--grpc-listen", f"127.0.0.1:{grpc_port}", "--syslog-listen", f"127.0.0.1:{syslog_port}",
                               "--forward-listen", f"127.0.0.1:{forward_port}", "--max-head-bytes", "16GiB",
                               "--log-level", "warn"], stderr=open(os.path.join(work, "server.log"), "wb"))
    try:
        for _ in range(100):
            try:
                if urllib.request.urlopen(f"http://{http}/readyz", timeout=1).status == 200:
                    break
            except OSError:
                time.sleep(0.1)
        cases = [
            ("native JSON", "native", lambda: run_wrk(http, "/api/v1/logs", f"{bodies}/native.json", "application/json", args.seconds, args.connections)),
            ("Loki push JSON", "loki", lambda: run_wrk(http, "/loki/api/v1/push", f"{bodies}/loki.json", "application/json", args.seconds, args.connections)),
            ("Loki push protobuf", "loki", lambda: run_wrk(http, "/loki/api/v1/push", f"{bodies}/loki.pb.snappy", "application/x-protobuf", args.seconds, args.connections)),
            ("Elasticsearch _bulk", "elasticsearch", lambda: run_wrk(http, "/_bulk", f"{bodies}/bulk.ndjson", "application/x-ndjson", args.seconds, args.connections)),
            ("OTLP/HTTP protobuf", "otlp_http", lambda: run_wrk(http, "/v1/logs", f"{bodies}/otlp.pb", "application/x-protobuf", args.seconds, args.connections)),
            ("OTLP/HTTP JSON", "otlp_http", lambda: run_wrk(http, "/v1/logs", f"{bodies}/otlp.json", "application/json", args.seconds, args.connections)),
            ("OTLP/gRPC", "grpc", lambda: run_grpc(("127.0.0.1", grpc_port), f"{bodies}/otlp.pb", args.seconds, args.connections)),
            ("syslog TCP (RFC 5424, octet-counted)", "syslog", lambda: run_syslog(("127.0.0.1", syslog_port), f"{bodies}/syslog.octet", args.seconds, min(4, args.connections))),
            ("Fluentd forward (PackedForward, acks)", "forward", lambda: run_forward(("127.0.0.1", forward_port), f"{bodies}/forward.msgpack", args.seconds, args.connections)),
        ]
        rows = []
        for name, protocol, run in cases:
            before_lines = ingested(http, protocol)
            cpu0, t0 = cpu_seconds(server.pid), time.time()
            batches, failed = run()
            # Sockets may have data in flight: wait until the server has acknowledged everything that was sent.
            deadline = time.time() + 60
            while ingested(http, protocol) - before_lines < batches * LINES and time.time() < deadline:
                time.sleep(0.05)
            cpu1, t1 = cpu_seconds(server.pid), time.time()
            lines = ingested(http, protocol) - before_lines
            rows.append((name, lines / (t1 - t0), (cpu1 - cpu0) / lines * 1e6 if lines else 0, failed))
        print(f"# ingest throughput per protocol: {LINES}-line batches, {args.connections} connections, "
              f"{args.seconds}s each, wal.fsync=batch")
        print("| protocol | lines/s | server CPU-us per line | failed batches |")
        print("|---|---|---|---|")
        for name, rate, cpu, failed in rows:
            print(f"| {name} | {rate:,.0f} | {cpu:.2f} | {failed} |")
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(60)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

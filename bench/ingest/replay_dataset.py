#!/usr/bin/env python3
"""Replays a side-by-side dataset (sbs_dataset's loki.bin/bulk.bin + .idx, e.g. from side_by_side.py --keep
--work-dir W: W/dataset) against a fresh strata server over raw keep-alive sockets (a cheap client, so the server's
share of the 2 cores is what is measured) and prints acked lines/s and server CPU-us per line. --perf FILE records
the server with perf meanwhile. To measure the ingest path alone (no flush during the run):
  --extra "--head-flush-interval-ms 600000 --head-flush-bytes 8000000000 --max-head-bytes 9000000000"
  python3 bench/ingest/replay_dataset.py --dataset W/dataset --bin build/release/programs/strata [--proto bulk]"""
import argparse, mmap, os, shutil, socket, subprocess, sys, threading, time, urllib.request

ap = argparse.ArgumentParser()
ap.add_argument("--bin", required=True)
ap.add_argument("--dataset", required=True, help="directory with <proto>.bin and <proto>.idx")
ap.add_argument("--work", default="/tmp", help="where the server's data directory and log go")
ap.add_argument("--proto", default="loki")
ap.add_argument("--clients", type=int, default=4)
ap.add_argument("--batches", type=int, default=1000)
ap.add_argument("--perf", default="")
ap.add_argument("--perf-delay", type=float, default=1.0)
ap.add_argument("--perf-seconds", type=float, default=4.0)
ap.add_argument("--extra", default="")
args = ap.parse_args()

DS = args.dataset
f = open(f"{DS}/{args.proto}.bin", "rb")
mm = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
index = [tuple(map(int, l.split())) for l in open(f"{DS}/{args.proto}.idx")][: args.batches]

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0)); return s.getsockname()[1]

port = free_port()
data = os.path.join(args.work, f"strata-replay-{os.getpid()}")
shutil.rmtree(data, ignore_errors=True)
log = open(data + ".log", "wb")
cmd = [args.bin, "serve", "--data-dir", data, "--http-listen", f"127.0.0.1:{port}", "--grpc-listen", "",
       "--syslog-listen", "", "--syslog-tls-listen", "", "--forward-listen", "", "--retention-default", "365d",
       "--log-level", "warn", "--elasticsearch-label-fields", "service,env,host,level,namespace,pod,container"] + args.extra.split()  # labels as side_by_side.py
proc = subprocess.Popen(cmd, stdout=log, stderr=log)
for _ in range(300):
    try:
        if urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=1).status == 200: break
    except Exception: time.sleep(0.1)

path = "/loki/api/v1/push" if args.proto == "loki" else "/_bulk"
ctype = "application/json" if args.proto == "loki" else "application/x-ndjson"

def threads_cpu(pid):
    out = {}
    tck = os.sysconf("SC_CLK_TCK")
    for t in os.listdir(f"/proc/{pid}/task"):
        try:
            s = open(f"/proc/{pid}/task/{t}/stat").read()
        except OSError: continue
        name = s[s.index("(") + 1: s.rindex(")")]
        fl = s.rsplit(")", 1)[1].split()
        out[name] = out.get(name, 0) + (int(fl[11]) + int(fl[12])) / tck
    return out

nxt = [0]; lock = threading.Lock(); lines = [0]; errors = []
def client():
    s = socket.create_connection(("127.0.0.1", port))
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    buf = b""
    n = 0
    while True:
        with lock:
            i = nxt[0]; nxt[0] += 1
        if i >= len(index): break
        off, ln, bl, _ = index[i]
        s.sendall(f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: {ctype}\r\nContent-Length: {ln}\r\n\r\n".encode())
        s.sendall(memoryview(mm)[off:off + ln])
        # read response header + body (content-length)
        while b"\r\n\r\n" not in buf:
            d = s.recv(65536)
            if not d: raise SystemExit("closed")
            buf += d
        head, _, rest = buf.partition(b"\r\n\r\n")
        cl = 0
        for h in head.split(b"\r\n")[1:]:
            k, _, v = h.partition(b":")
            if k.lower() == b"content-length": cl = int(v)
        while len(rest) < cl:
            rest += s.recv(65536)
        body, buf = rest[:cl], rest[cl:]
        status = int(head.split(b" ")[1])
        if status // 100 != 2 or b'"errors":true' in body[:200]:
            errors.append((status, body[:200])); continue
        n += bl
    with lock: lines[0] += n
    s.close()

c0 = threads_cpu(proc.pid); t0 = time.time()
perfp = None
if args.perf:
    def run_perf():
        time.sleep(args.perf_delay)
        subprocess.run(["perf", "record", "--call-graph", os.environ.get("CG", "fp"), "-o", args.perf, "-p", str(proc.pid), "--", "sleep", str(args.perf_seconds)],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    perfp = threading.Thread(target=run_perf); perfp.start()
ts = [threading.Thread(target=client) for _ in range(args.clients)]
for t in ts: t.start()
for t in ts: t.join()
t1 = time.time(); c1 = threads_cpu(proc.pid)
if perfp: perfp.join()
proc.terminate(); proc.wait()
shutil.rmtree(data, ignore_errors=True)
total = sum(c1.values()) - sum(c0.values())
per = {k: c1[k] - c0.get(k, 0) for k in c1}
L = lines[0]
print(f"{args.proto} lines={L} secs={t1-t0:.2f} lines/s={L/(t1-t0):,.0f} cpu_us/line={total*1e6/max(L,1):.2f} errors={len(errors)}")
if errors: print(errors[:3])

"""Crash test: clients ingest numbered lines while the server is SIGKILLed at random moments (and, in every other
cycle, killed by a named fault point in the middle of a WAL rotation, a group commit, or a flush of the head to
parts, or a merge). After every restart each acknowledged line must
be in the export exactly once, and the server must come back ready. Unacknowledged lines may be present (at most
once, since these clients never retry) or absent."""
import collections
import http.client
import json
import os
import random
import threading
import time

from strata_server import StrataServer

CYCLES = int(os.environ.get("CRASH_CYCLES", "20"))
CLIENTS = 4
BATCH = 25
ROTATION_FAULTS = ["wal.rotate.before_create", "wal.rotate.after_create", "wal.rotate.after_header"]
GROUP_FAULTS = ["wal.group.after_write", "wal.group.after_sync", "wal.group.before_write"]
FLUSH_FAULTS = ["flush.between_parts", "flush.before_publish", "flush.before_wal_delete",
                "part.write.before_rename", "part.write.after_rename"]
MERGE_FAULTS = ["merge.after_write", "merge.before_unlink"]
# Small segments rotate often; a short flush interval moves the head to parts many times per cycle, and a short
# maintenance interval merges those parts while clients keep writing.
SERVER_ARGS = ["--wal-segment-bytes", "32KiB", "--head-flush-interval-ms", "150", "--maintenance-interval-ms", "200"]


def client_loop(port, name, acked, stop):
    """Posts batches of numbered lines until the server goes away; records acknowledged sequence numbers."""
    seq = 0
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    while not stop.is_set():
        lines = [{"message": f"{name}:{seq + i}", "service": "crash"} for i in range(BATCH)]
        try:
            conn.request("POST", "/api/v1/logs", json.dumps(lines), {"Content-Type": "application/json"})
            r = conn.getresponse()
            r.read()
        except (OSError, http.client.HTTPException):
            return
        if r.status == 200:
            acked.extend(range(seq, seq + BATCH))
        elif r.status not in (429, 503):
            raise AssertionError(f"unexpected status {r.status}")
        seq += BATCH


def test_acknowledged_lines_survive_repeated_sigkill(tmp_path):
    rng = random.Random(int(os.environ.get("CRASH_SEED", "1234")))
    data = tmp_path / "data"
    acked_all = {}  # client name -> list of acked seqs
    sent_names = []
    for cycle in range(CYCLES):
        env = {}
        fault = None
        if cycle % 2 == 1:
            fault = rng.choice([ROTATION_FAULTS, GROUP_FAULTS, FLUSH_FAULTS, MERGE_FAULTS][(cycle // 2) % 4])
            env["STRATA_FAULT_POINTS"] = f"{fault}@{rng.randint(2, 6)}"
        server = StrataServer(data, SERVER_ARGS, env=env)
        server.start()

        # Everything acknowledged in earlier cycles is present exactly once.
        verify(server, acked_all, sent_names)

        stop = threading.Event()
        threads = []
        for c in range(CLIENTS):
            name = f"c{cycle}-{c}"
            sent_names.append(name)
            acked_all[name] = []
            t = threading.Thread(target=client_loop, args=(server.port, name, acked_all[name], stop))
            t.start()
            threads.append(t)
        deadline = time.time() + rng.uniform(0.3, 1.5)
        while time.time() < deadline and server.proc.poll() is None:
            time.sleep(0.01)
        died_by_fault = server.proc.poll() is not None
        server.kill()
        stop.set()
        for t in threads:
            t.join(30)
        assert sum(len(v) for k, v in acked_all.items() if k.startswith(f"c{cycle}-")) > 0 or died_by_fault, \
            f"cycle {cycle}: no batch was acknowledged"

    server = StrataServer(data, SERVER_ARGS).start()
    try:
        verify(server, acked_all, sent_names)
        parts = [f for _, _, files in os.walk(data / "default") for f in files if f.endswith(".part")]
        assert parts, "the test should have flushed the head to parts"
        leftovers = [f for _, _, files in os.walk(data / "default") for f in files if f.startswith(".tmp-")]
        assert not leftovers, f"half-written parts left behind: {leftovers}"
        metrics = server.metrics()
        assert "strata_flushes_total" in metrics
    finally:
        server.stop()


def verify(server, acked_all, sent_names):
    counts = collections.Counter(r["message"] for r in server.export())
    for name in sent_names:
        for seq in acked_all[name]:
            n = counts.get(f"{name}:{seq}", 0)
            assert n == 1, f"acknowledged line {name}:{seq} present {n} times"
    dupes = [m for m, n in counts.items() if n > 1]
    assert not dupes, f"lines present more than once: {dupes[:5]}"

"""Storage engine through the real binary: the head is flushed to parts, parts survive restarts, `strata admin
inspect` reads them, and a corrupted part is detected, reported and quarantined while everything else is served."""
import glob
import os
import subprocess
import time

from strata_server import STRATA_BIN, StrataServer


def ingest_days(server, tenant, days, per_day=300):
    for d in range(days):
        base = 1767323045 + d * 86400
        logs = [{"timestamp": base + i, "service": f"svc{i % 3}", "message": f"day{d} line {i} trace_{d}_{i}",
                 "trace_id": f"t{d}-{i}"} for i in range(per_day)]
        r = server.ingest(logs, tenant=tenant)
        assert r.status == 200, r


def parts_of(data_dir, tenant):
    return sorted(glob.glob(os.path.join(data_dir, tenant, "*", "*.part")))


def test_head_is_flushed_to_day_partitions_and_survives_restart(make_server):
    s = make_server(extra_args=["--head-flush-interval-ms", "100"])
    ingest_days(s, "acme", 3)
    deadline = time.time() + 10
    while len(parts_of(s.data_dir, "acme")) < 3 and time.time() < deadline:
        time.sleep(0.1)
    parts = parts_of(s.data_dir, "acme")
    assert {os.path.basename(os.path.dirname(p)) for p in parts} == {"20260102", "20260103", "20260104"}
    assert not glob.glob(os.path.join(s.data_dir, "acme", "*", ".tmp-*"))
    metrics = s.metrics()
    assert "strata_flushes_total" in metrics
    assert s.stop() == 0
    s2 = make_server(name="data")
    rows = s2.export("acme")
    assert len(rows) == 900
    assert len({r["fields"]["trace_id"] for r in rows}) == 900


def test_admin_inspect_prints_columns_and_index(make_server):
    s = make_server()
    ingest_days(s, "acme", 1)
    assert s.stop() == 0  # a clean stop flushes the head into parts
    [part] = parts_of(s.data_dir, "acme")
    out = subprocess.run([STRATA_BIN, "admin", "inspect", part], capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    assert "rows 300" in out.stdout
    for word in ["_msg", "_time", "trace_id", "token index", "streams", 'service="svc1"']:
        assert word in out.stdout, word
    bad = subprocess.run([STRATA_BIN, "admin", "inspect", part + ".nope"], capture_output=True, text=True)
    assert bad.returncode != 0


def test_corrupt_parts_are_quarantined_and_the_rest_is_served(make_server):
    s = make_server()
    ingest_days(s, "acme", 3)
    ingest_days(s, "other", 1)
    assert s.stop() == 0
    parts = parts_of(s.data_dir, "acme")
    assert len(parts) == 3
    # One part truncated (metadata lost), one with flipped bytes in its column data.
    with open(parts[0], "r+b") as f:
        f.truncate(os.path.getsize(parts[0]) // 2)
    with open(parts[1], "r+b") as f:
        f.seek(40)
        chunk = f.read(64)
        f.seek(40)
        f.write(bytes(b ^ 0xFF for b in chunk))
    s2 = make_server(name="data")
    rows = s2.export("acme")
    days = {r["message"].split()[0] for r in rows}
    assert "day2" in days, "the intact partition must still be served"
    assert "day0" not in days, "the truncated part is quarantined"
    assert len([r for r in rows if r["message"].startswith("day2")]) == 300
    assert len(s2.export("other")) == 300
    assert glob.glob(parts[0] + ".corrupt")
    metrics = s2.metrics()
    count = [l for l in metrics.splitlines() if l.startswith("strata_corrupt_parts_total")]
    assert count and float(count[0].split()[-1]) >= 2, count
    log = s2.read_log()
    assert "corrupt part quarantined" in log and "corrupt block skipped" in log
    assert s2.request("GET", "/readyz").status == 200

"""Health, readiness, metrics (validated by promtool), configuration precedence, CLI, graceful shutdown."""
import json
import os
import shutil
import signal
import subprocess
import threading

import pytest

from strata_server import STRATA_BIN


def test_health_ready_and_metrics_pass_promtool(server, tmp_path):
    assert server.request("GET", "/healthz").status == 200
    assert server.request("GET", "/readyz").status == 200
    assert server.ingest([{"message": "m", "service": "s"}], tenant="acme").status == 200
    assert server.ingest(b"[1]").status == 400  # one rejection, one error
    text = server.metrics()
    for name in ["logs_ingested_total{tenant=\"acme\"} 1", "logs_ingested_bytes_total{tenant=\"acme\"}",
                 "logs_filtered_total{tenant=\"acme\"} 0", "errors_total{tenant=\"default\",code=\"invalid_argument\"} 1",
                 "logs_rejected_total{tenant=\"default\",reason=\"item\"} 1",
                 "strata_http_request_duration_seconds_bucket{endpoint=\"/api/v1/logs\"",
                 "strata_wal_fsync_duration_seconds_count", "strata_wal_group_records_bucket",
                 "strata_head_bytes", "strata_head_records 1",
                 'strata_ingest_lines_total{protocol="native"} 1',
                 'strata_ingest_rejected_total{protocol="native",reason="item"} 1']:
        assert name in text, name
    promtool = shutil.which("promtool")
    assert promtool, "promtool (Debian package prometheus) is required; scripts/bootstrap installs it"
    p = subprocess.run([promtool, "check", "metrics"], input=text.encode(), capture_output=True)
    assert p.returncode == 0, p.stdout.decode() + p.stderr.decode()


def run_cli(*args, env=None):
    return subprocess.run([STRATA_BIN, *args], capture_output=True, text=True,
                          env=dict(os.environ, **(env or {})), timeout=30)


def test_version_and_help():
    v = run_cli("version")
    assert v.returncode == 0 and v.stdout.startswith("strata ")
    h = run_cli("--help")
    assert h.returncode == 0 and "serve" in h.stdout and "version" in h.stdout
    h = run_cli("serve", "--help")
    assert h.returncode == 0
    for flag in ["--config", "--data-dir", "--http-listen", "--grpc-listen", "--wal-fsync", "--print-config"]:
        assert flag in h.stdout, flag


def test_print_config_precedence_flags_over_env_over_file(tmp_path):
    cfg = tmp_path / "strata.yaml"
    cfg.write_text("data_dir: /file\nhttp_listen: 127.0.0.1:1111\ngrpc_listen: 127.0.0.1:2222\n"
                   "wal:\n  fsync: none\n")
    out = run_cli("serve", "--config", str(cfg), "--print-config",
                  "--http-listen", "127.0.0.1:3333",
                  env={"STRATA_HTTP_LISTEN": "127.0.0.1:4444", "STRATA_GRPC_LISTEN": "127.0.0.1:5555"})
    assert out.returncode == 0, out.stderr
    assert "data_dir: /file" in out.stdout
    assert "http_listen: 127.0.0.1:3333" in out.stdout
    assert "grpc_listen: 127.0.0.1:5555" in out.stdout
    assert "  fsync: none" in out.stdout
    defaults = run_cli("serve", "--print-config")
    assert "http_listen: 127.0.0.1:3100" in defaults.stdout
    assert "grpc_listen: 127.0.0.1:4317" in defaults.stdout
    assert "data_dir: ./data" in defaults.stdout
    bad = run_cli("serve", "--print-config", "--wal-fsync", "sometimes")
    assert bad.returncode == 2 and "wal.fsync" in bad.stderr


def test_logs_are_json_lines(server):
    server.ingest([{"message": "x"}])
    server.stop()
    lines = [l for l in server.read_log().splitlines() if l.strip()]
    assert lines
    for l in lines:
        rec = json.loads(l)
        assert {"ts", "level", "msg"} <= set(rec)


def test_sigterm_finishes_in_flight_requests_and_exits_zero(make_server):
    s = make_server()
    results = []

    def push(i):
        try:
            results.append((i, s.ingest([{"message": f"inflight {i}-{j}"} for j in range(2000)]).status))
        except OSError:
            results.append((i, None))  # refused after shutdown began: not acknowledged

    threads = [threading.Thread(target=push, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    s.proc.send_signal(signal.SIGTERM)
    for t in threads:
        t.join()
    assert s.proc.wait(30) == 0
    acked = [i for i, st in results if st == 200]
    s2 = make_server(name="data")  # same data dir
    got = {r["message"] for r in s2.export()}
    for i in acked:
        assert all(f"inflight {i}-{j}" in got for j in range(2000)), i

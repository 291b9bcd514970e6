"""Real Loki clients from package registries against /loki/api/v1/push: pino with the pino-loki transport (npm,
JSON push) and winston with winston-loki (npm, snappy protobuf push). Every line must come back through export
with its labels, level, timestamp and message."""
import os
import shutil
import subprocess

import pytest

CLIENTS = os.path.join(os.path.dirname(__file__), "clients")


@pytest.mark.skipif(not shutil.which("node"), reason="node is not installed")
def test_pino_loki_json_push(server):
    if not os.path.isdir(os.path.join(CLIENTS, "node_modules", "pino-loki")):
        pytest.fail("tests/integration/clients/node_modules is missing: scripts/bootstrap installs it (npm ci)")
    p = subprocess.run(["node", os.path.join(CLIENTS, "pino_loki_send.mjs"), f"http://{server.address}", "pino", "200"],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stdout + p.stderr
    rows = server.export("pino", header="X-Scope-OrgID")
    assert len(rows) == 201
    import datetime
    import json
    by_request = {}
    for r in rows:
        line = json.loads(r["message"])  # pino-loki pushes the whole pino JSON object as the line
        # The entry's timestamp is pino's `time` (ms), byte for byte after the ns conversion.
        ts = datetime.datetime.fromtimestamp(line["time"] / 1000, tz=datetime.timezone.utc)
        assert r["timestamp"] == ts.strftime("%Y-%m-%dT%H:%M:%S.") + f"{line['time'] % 1000:03d}000000Z"
        assert r["labels"]["application"] == "pino-app"
        assert r["labels"]["service_name"] == "pino-app"  # discovered from `application`, as Loki does
        if "request" in line:
            by_request[line["request"]] = (r, line)
    assert sorted(by_request) == list(range(200))
    r, line = by_request[7]
    assert line["msg"] == "pino line 7"
    assert r["labels"]["component"] == "api" and r["labels"]["level"] == "info"
    assert by_request[8][0]["labels"]["component"] == "worker"


@pytest.mark.skipif(not shutil.which("node"), reason="node is not installed")
def test_winston_loki_protobuf_snappy_push(server):
    """winston-loki's default transport: snappy-compressed protobuf PushRequest."""
    if not os.path.isdir(os.path.join(CLIENTS, "node_modules", "winston-loki")):
        pytest.fail("tests/integration/clients/node_modules is missing: scripts/bootstrap installs it (npm ci)")
    p = subprocess.run(["node", os.path.join(CLIENTS, "winston_loki_send.cjs"), f"http://{server.address}", "winston",
                        "300"], capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stdout + p.stderr
    rows = server.export("winston", header="X-Scope-OrgID")
    assert len(rows) == 300
    by_line = {}
    for r in rows:
        # winston-loki appends the remaining meta as JSON after the message: "winston line 7 {"level":"info"}".
        assert r["message"].endswith(' {"level":"info"}'), r["message"]
        by_line[int(r["message"].split()[2])] = r
    assert sorted(by_line) == list(range(300))
    r = by_line[7]
    assert r["labels"] == {"app": "winston-app", "component": "api", "level": "info", "service_name": "winston-app"}
    assert by_line[8]["labels"]["component"] == "worker"
    assert r["timestamp"].endswith("000000Z")  # millisecond precision from Date.now(), in ns

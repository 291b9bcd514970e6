"""Real Loki clients from package registries against /loki/api/v1/push: pino with the pino-loki transport (npm,
JSON push). Every line must come back through export with its labels, level and message."""
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

"""Start and drive a real `strata serve` process for integration tests (stdlib only)."""
import http.client
import json
import os
import signal
import socket
import subprocess
import time

STRATA_BIN = os.environ.get("STRATA_BIN", os.path.join(os.path.dirname(__file__), "../../build/release/programs/strata"))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    def json(self):
        return json.loads(self.body)

    def __repr__(self):
        return f"Response({self.status}, {self.body[:300]!r})"


class StrataServer:
    """One server process on a free loopback port with its own data directory."""

    def __init__(self, data_dir, extra_args=(), env=None, log_path=None):
        self.data_dir = str(data_dir)
        self.port = free_port()
        self.extra_args = list(extra_args)
        self.env = dict(os.environ, **(env or {}))
        self.log_path = log_path or os.path.join(self.data_dir + ".log")
        self.proc = None

    @property
    def address(self):
        return f"127.0.0.1:{self.port}"

    # Listeners other than HTTP are off unless a test asks for them, so parallel test servers never race for the
    # default gRPC, syslog and forward ports.
    OPTIONAL_LISTENERS = ["--grpc-listen", "--syslog-listen", "--syslog-tls-listen", "--forward-listen"]

    def start(self, wait_ready=True, timeout=30):
        os.makedirs(self.data_dir, exist_ok=True)
        self.log = open(self.log_path, "ab")
        off = []
        for flag in self.OPTIONAL_LISTENERS:
            if flag not in self.extra_args:
                off += [flag, ""]
        # Test data is dated early in 2026; the default 7-day retention would remove it at the next maintenance
        # pass after a flush. A year keeps it unless a test sets its own.
        if "--retention-default" not in self.extra_args:
            off += ["--retention-default", "365d"]
        self.proc = subprocess.Popen(
            [STRATA_BIN, "serve", "--data-dir", self.data_dir, "--http-listen", self.address, *off, *self.extra_args],
            stdout=self.log, stderr=self.log, env=self.env)
        if wait_ready:
            self.wait_ready(timeout)
        return self

    def wait_ready(self, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"strata exited with {self.proc.returncode}; log: {self.read_log()[-2000:]}")
            try:
                if self.request("GET", "/readyz", timeout=2).status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.05)
        raise TimeoutError("strata did not become ready; log: " + self.read_log()[-2000:])

    def read_log(self):
        with open(self.log_path, "r", errors="replace") as f:
            return f.read()

    def stop(self, sig=signal.SIGTERM, timeout=30):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise
        code = self.proc.returncode if self.proc else None
        if getattr(self, "log", None):
            self.log.close()
        return code

    def kill(self):
        return self.stop(signal.SIGKILL)

    def request(self, method, path, body=None, headers=None, timeout=30):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            r = conn.getresponse()
            return Response(r.status, dict(r.getheaders()), r.read())
        finally:
            conn.close()

    def ingest(self, body, content_type="application/json", tenant=None, headers=None, path="/api/v1/logs"):
        h = {"Content-Type": content_type}
        if tenant:
            h["X-Tenant-ID"] = tenant
        h.update(headers or {})
        if isinstance(body, (list, dict)):
            body = json.dumps(body)
        if isinstance(body, str):
            body = body.encode()
        return self.request("POST", path, body, h)

    def export(self, tenant=None, params="", header="X-Tenant-ID", cross_check=True):
        """Every record of a tenant (or those `params` select) via /api/v1/export. A full read-back is also read
        through the query API (POST /api/v1/query), which must return the same records byte for byte: every test
        that reads its data back checks the query path too."""
        h = {header: tenant} if tenant else {}
        canon = lambda rows: sorted(json.dumps(x, sort_keys=True) for x in rows)
        # Listeners (syslog, forward, gRPC) ingest asynchronously: a record may land between the two reads, so a
        # difference is re-read for a while before it counts.
        for attempt in range(30):
            r = self.request("GET", "/api/v1/export" + (("?" + params) if params else ""), headers=h)
            assert r.status == 200, r
            records = [json.loads(line) for line in r.body.decode().splitlines() if line]
            if not cross_check or params or len(records) > 5000:
                return records
            queried = self.query_all(tenant, header)
            if canon(queried) == canon(records):
                return records
            time.sleep(0.1)
        assert canon(queried) == canon(records), "query API read-back differs from export"
        return records

    def query_all(self, tenant=None, header="X-Tenant-ID"):
        """Every record of a tenant through the native query API (an empty DSL query selects everything)."""
        h = {header: tenant} if tenant else {}
        h["Content-Type"] = "application/json"
        body = {"query": "", "range": {"from": 1, "to": int(time.time()) + 10 * 365 * 86400},
                "limit": 5000, "direction": "forward"}
        r = self.request("POST", "/api/v1/query", json.dumps(body).encode(), h)
        assert r.status == 200, (r.status, r.body[:500])
        answer = json.loads(r.body)
        return [{k: row[k] for k in ("timestamp", "labels", "message", "fields")} for row in answer["results"]]

    def query_range(self, query, start, end, limit=1000, tenant=None, direction="forward", categorize=True):
        """Entries of a LogQL log query through Loki's /loki/api/v1/query_range (categorize-labels encoding):
        a list of (ns timestamp, line, stream labels, structured metadata, parsed labels)."""
        import urllib.parse
        h = {"X-Scope-OrgID": tenant} if tenant else {}
        if categorize:
            h["X-Loki-Response-Encoding-Flags"] = "categorize-labels"
        qs = urllib.parse.urlencode({"query": query, "start": str(start), "end": str(end), "limit": str(limit),
                                     "direction": direction})
        r = self.request("GET", "/loki/api/v1/query_range?" + qs, headers=h)
        assert r.status == 200, (r.status, r.body[:500])
        out = []
        for stream in json.loads(r.body)["data"]["result"]:
            for v in stream["values"]:
                meta = v[2] if len(v) > 2 else {}
                out.append((int(v[0]), v[1], stream["stream"], meta.get("structuredMetadata", {}),
                            meta.get("parsed", {})))
        out.sort(key=lambda e: e[0])
        return out

    def metrics(self):
        r = self.request("GET", "/metrics")
        assert r.status == 200
        return r.body.decode()

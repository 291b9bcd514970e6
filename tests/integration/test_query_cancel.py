"""A query whose client goes away is cancelled (Loki's 499 semantics) instead of running to its deadline."""
import json
import socket
import time
import urllib.parse


def cancelled_queries(server):
    for line in server.metrics().splitlines():
        if line.startswith("strata_query_requests_total") and 'status="cancelled"' in line:
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_client_disconnect_cancels_a_running_query(server):
    now = time.time_ns()
    # Enough lines that a per-line template makes the query run for seconds.
    for batch in range(20):
        values = [[str(now - (batch * 10000 + i) * 1000), f"line {batch} {i} " + "x" * 100] for i in range(10000)]
        body = json.dumps({"streams": [{"stream": {"app": "slow"}, "values": values}]}).encode()
        r = server.request("POST", "/loki/api/v1/push", body, {"Content-Type": "application/json"})
        assert r.status == 204, r
    # Two chained formats: one alone finishes in ~0.5 s on a release build, before the client gives up (~7 s now).
    query = ('{app="slow"} | line_format "{{ repeat 200 __line__ }}" | line_format "{{ repeat 20 __line__ }}"'
             ' |= "never-there"')
    qs = urllib.parse.urlencode({"query": query, "start": str(now - 3600 * 10**9), "end": str(now + 10**9),
                                 "limit": "10"})
    before = cancelled_queries(server)
    sock = socket.create_connection(("127.0.0.1", server.port))
    sock.sendall(f"GET /loki/api/v1/query_range?{qs} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    time.sleep(0.5)
    sock.close()  # the client gives up
    deadline = time.time() + 30
    while time.time() < deadline and cancelled_queries(server) <= before:
        time.sleep(0.1)
    assert cancelled_queries(server) == before + 1
    # The server goes on serving.
    r = server.request("GET", "/loki/api/v1/labels")
    assert r.status == 200

"""Syslog ingest (RFC 5424 and RFC 3164) over UDP, TCP (LF and octet-counting framing, RFC 6587) and TLS, read back
through /api/v1/export; plus the real `logger` client from bsdutils, bad input, tenant and extra labels."""
import datetime
import os
import re
import shutil
import socket
import ssl
import subprocess
import time

import pytest

from strata_server import free_port

BOM = "\ufeff"


def utc_now():
    return datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)


def rfc3339(dt):
    return dt.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def bsd(dt):
    return dt.strftime("%b ") + f"{dt.day:2d}" + dt.strftime(" %H:%M:%S")


def wait_for(server, count, tenant=None, timeout=15):
    """Polls export until at least `count` records are visible (UDP and TCP syslog have no acknowledgement)."""
    deadline = time.time() + timeout
    records = []
    while time.time() < deadline:
        records = server.export(tenant)
        if len(records) >= count:
            return records
        time.sleep(0.05)
    raise AssertionError(f"expected {count} records, got {len(records)}: {records}")


def by_message(records):
    return {r["message"]: r for r in records}


def metric(server, name, **labels):
    want = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    for line in server.metrics().splitlines():
        m = re.match(r"^(\w+)(\{[^}]*\})? (\S+)$", line)
        if not m or m.group(1) != name:
            continue
        got = ",".join(sorted((m.group(2) or "{}")[1:-1].split(","))) if m.group(2) else ""
        if got == want:
            return float(m.group(3))
    return 0.0


@pytest.fixture
def syslog_server(make_server):
    port = free_port()
    s = make_server(extra_args=["--syslog-listen", f"127.0.0.1:{port}", "--forward-listen", "",
                                "--grpc-listen", ""])
    s.syslog_port = port
    return s


def send_udp(port, *datagrams):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
        for d in datagrams:
            u.sendto(d.encode() if isinstance(d, str) else d, ("127.0.0.1", port))


def send_tcp(port, payload):
    with socket.create_connection(("127.0.0.1", port), timeout=10) as c:
        c.sendall(payload.encode() if isinstance(payload, str) else payload)


def octet(msg):
    b = msg.encode()
    return str(len(b)).encode() + b" " + b


def test_udp_rfc5424_and_rfc3164_round_trip(syslog_server):
    now = utc_now()
    ts5424 = now - datetime.timedelta(seconds=5)
    send_udp(syslog_server.syslog_port,
             f"<165>1 {rfc3339(ts5424)} mymachine.example.com evntslog 42 ID47 "
             f'[exampleSDID@32473 iut="3" eventSource="Appli\\"cation"][meta seq="7"] {BOM}An application event',
             f"<34>{bsd(now)} mymachine su[9]: 'su root' failed for lonvick\n",
             "<13>1 - - - - - -",  # RFC 5424 with everything nil and no MSG
             b"",                    # empty datagram: rejected, counted
             "no priority at all")
    records = by_message(wait_for(syslog_server, 4))
    e = records["An application event"]
    assert e["timestamp"] == ts5424.strftime("%Y-%m-%dT%H:%M:%S.000000000Z")
    assert e["labels"] == {"facility": "local4", "host": "mymachine.example.com", "level": "INFO",
                           "service": "evntslog"}
    assert e["fields"] == {"procid": "42", "msgid": "ID47", "sd.exampleSDID@32473.iut": "3",
                           "sd.exampleSDID@32473.eventSource": 'Appli"cation', "sd.meta.seq": "7"}
    b = records["'su root' failed for lonvick"]
    assert b["timestamp"] == now.strftime("%Y-%m-%dT%H:%M:%S.000000000Z")
    assert b["labels"] == {"facility": "auth", "host": "mymachine", "level": "FATAL", "service": "su"}
    assert b["fields"] == {"procid": "9"}
    assert records[""]["labels"] == {"facility": "user", "level": "INFO"}
    raw = records["no priority at all"]
    assert raw["labels"] == {"facility": "user", "level": "INFO"}
    assert metric(syslog_server, "strata_syslog_rejected_total", transport="udp", reason="empty") == 1
    assert metric(syslog_server, "strata_syslog_messages_total", transport="udp", format="rfc5424") == 2
    assert metric(syslog_server, "strata_syslog_messages_total", transport="udp", format="rfc3164") == 1
    assert metric(syslog_server, "strata_syslog_messages_total", transport="udp", format="raw") == 1


def test_tcp_newline_and_octet_counting_on_one_connection(syslog_server):
    now = utc_now()
    stream = (f"<14>1 {rfc3339(now)} h1 app - - - first line\n".encode()
              + octet(f"<11>1 {rfc3339(now)} h1 app - - - multi\nline via octet counting")
              + f"<12>{bsd(now)} h2 worker: third\r\n".encode()
              + octet("<15>1 - h3 svc - - [x@1 k=\"v\"] fourth")
              + b"<14>last line without a newline")
    send_tcp(syslog_server.syslog_port, stream)
    records = by_message(wait_for(syslog_server, 5))
    assert records["first line"]["labels"] == {"facility": "user", "host": "h1", "level": "INFO", "service": "app"}
    assert records["multi\nline via octet counting"]["labels"]["level"] == "ERROR"
    assert records["third"]["labels"] == {"facility": "user", "host": "h2", "level": "WARN", "service": "worker"}
    assert records["fourth"]["fields"] == {"sd.x@1.k": "v"}
    assert records["fourth"]["labels"]["level"] == "DEBUG"
    assert "last line without a newline" in records


def test_tcp_bad_frames_keep_the_good_ones_and_the_server_goes_on(make_server):
    port = free_port()
    s = make_server(extra_args=["--syslog-listen", f"127.0.0.1:{port}", "--forward-listen", "", "--grpc-listen", "",
                                "--max-line-bytes", "1KiB"])
    big = "<14>1 - - - - - - " + "x" * 5000
    send_tcp(port, octet("<14>1 - - - - - - good one") + octet(big) + b"<14>" + b"y" * 3000 + b"\n"
             + b"<14>good two\n" + b"200 <14>truncated frame")
    records = by_message(wait_for(s, 2))
    assert set(records) == {"good one", "good two"}
    time.sleep(0.2)
    assert metric(s, "strata_syslog_rejected_total", transport="tcp", reason="oversized") == 2
    assert metric(s, "strata_syslog_rejected_total", transport="tcp", reason="truncated") == 1
    assert metric(s, "logs_rejected_total", tenant="default", reason="oversized") == 2
    # The listener still works and HTTP is unaffected.
    send_tcp(port, "<14>after the bad ones\n")
    assert "after the bad ones" in by_message(wait_for(s, 3))
    assert s.request("GET", "/healthz").status == 200


def test_tenant_and_extra_labels(make_server):
    port = free_port()
    s = make_server(extra_args=["--syslog-listen", f"127.0.0.1:{port}", "--forward-listen", "", "--grpc-listen", "",
                                "--syslog-tenant", "acme", "--syslog-labels", "env=prod,dc=eu1"])
    send_udp(port, "<14>1 - web app - - - tenant line")
    records = wait_for(s, 1, tenant="acme")
    assert records[0]["labels"] == {"dc": "eu1", "env": "prod", "facility": "user", "host": "web", "level": "INFO",
                                    "service": "app"}
    assert s.export() == []  # nothing in the default tenant


@pytest.fixture
def tls_files(tmp_path):
    if not shutil.which("openssl"):
        pytest.skip("openssl command not installed")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
                    "-days", "1", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
                   check=True, capture_output=True)
    return cert, key


def test_tls_with_a_self_signed_certificate(make_server, tls_files):
    cert, key = tls_files
    tls_port = free_port()
    s = make_server(extra_args=["--syslog-listen", "", "--forward-listen", "", "--grpc-listen", "",
                                "--syslog-tls-listen", f"127.0.0.1:{tls_port}",
                                "--syslog-tls-cert", str(cert), "--syslog-tls-key", str(key)])
    ctx = ssl.create_default_context(cafile=str(cert))
    with socket.create_connection(("127.0.0.1", tls_port), timeout=10) as raw:
        with ctx.wrap_socket(raw, server_hostname="localhost") as c:
            c.sendall(octet("<14>1 - tls-host secure - - - over TLS, octet counted")
                      + b"<14>1 - tls-host secure - - - over TLS, LF\n")
    records = by_message(wait_for(s, 2))
    assert records["over TLS, octet counted"]["labels"] == {"facility": "user", "host": "tls-host", "level": "INFO",
                                                            "service": "secure"}
    assert "over TLS, LF" in records
    assert metric(s, "strata_syslog_connections_total", transport="tls") == 1
    # A client that does not speak TLS is dropped without harm.
    send_tcp(tls_port, "<14>plain text to a TLS port\n")
    assert s.request("GET", "/healthz").status == 200
    assert len(s.export()) == 2


def test_tls_listener_without_a_key_does_not_start(make_server, tls_files):
    cert, _ = tls_files
    s = make_server(extra_args=["--syslog-listen", "", "--forward-listen", "", "--grpc-listen", "",
                                "--syslog-tls-listen", f"127.0.0.1:{free_port()}", "--syslog-tls-cert", str(cert)],
                    start=False)
    with pytest.raises(RuntimeError):
        s.start(timeout=10)
    assert "syslog_tls_listen needs syslog_tls_cert and syslog_tls_key" in s.read_log()


def logger_supports_network():
    if not shutil.which("logger"):
        return False
    out = subprocess.run(["logger", "--help"], capture_output=True, text=True).stdout
    return all(opt in out for opt in ("--tcp", "--udp", "--server", "--port", "--octet-count"))


@pytest.mark.skipif(not logger_supports_network(), reason="logger without --tcp/--udp/--server/--port")
def test_real_logger_client_udp_tcp_and_octet_counting(syslog_server):
    port = str(syslog_server.syslog_port)
    base = ["logger", "--server", "127.0.0.1", "--port", port, "-t", "myapp"]
    subprocess.run(base + ["--udp", "--rfc5424", "-p", "local3.err", "--msgid", "M1",
                           "--sd-id", "origin@32473", "--sd-param", 'software="strata-test"', "logger udp 5424"],
                   check=True)
    subprocess.run(base + ["--tcp", "--rfc3164", "-p", "user.warning", "logger tcp 3164"], check=True)
    subprocess.run(base + ["--tcp", "--octet-count", "--rfc5424", "-p", "daemon.debug", "logger tcp octet"],
                   check=True)
    records = by_message(wait_for(syslog_server, 3))
    hostname = socket.gethostname()
    a = records["logger udp 5424"]
    assert a["labels"]["facility"] == "local3" and a["labels"]["level"] == "ERROR"
    assert a["labels"]["service"] == "myapp"
    assert a["fields"]["msgid"] == "M1"
    assert a["fields"]["sd.origin@32473.software"] == "strata-test"
    assert a["labels"]["host"].split(".")[0] == hostname.split(".")[0]
    # logger stamps its messages with the local time; they must land within a minute of now.
    ts = datetime.datetime.fromisoformat(a["timestamp"][:26] + "+00:00")
    assert abs((ts - datetime.datetime.now(datetime.timezone.utc)).total_seconds()) < 60
    b = records["logger tcp 3164"]
    assert b["labels"]["service"] == "myapp" and b["labels"]["level"] == "WARN"
    assert b["labels"]["facility"] == "user"
    c = records["logger tcp octet"]
    assert c["labels"]["facility"] == "daemon" and c["labels"]["level"] == "DEBUG"

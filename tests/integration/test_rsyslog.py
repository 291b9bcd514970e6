"""rsyslog (Debian's package) as a real agent in front of Strata: it receives lines over TCP and forwards them as
RFC 5424 syslog over TCP with octet-counting framing (omfwd), over TLS (omfwd with the OpenSSL stream driver), and
as Elasticsearch bulk requests (omelasticsearch). Every line must arrive once through each path with its host,
program, facility, level and message byte for byte. (syslog-ng is not tested: Debian's syslog-ng-core conflicts
with rsyslog, so the two cannot be installed side by side.)"""
import os
import shutil
import socket
import subprocess
import time

import pytest

from strata_server import free_port

RSYSLOGD = shutil.which("rsyslogd") or "/usr/sbin/rsyslogd"

CONF = """
global(workDirectory="{work}")
module(load="imtcp")
module(load="omelasticsearch")
input(type="imtcp" port="{listen}" address="127.0.0.1" ruleset="fwd")
template(name="esdoc" type="list" option.jsonf="on") {{
  property(outname="@timestamp" name="timereported" dateFormat="rfc3339" format="jsonf")
  property(outname="host" name="hostname" format="jsonf")
  property(outname="message" name="msg" format="jsonf")
  property(outname="program" name="programname" format="jsonf")
}}
ruleset(name="fwd") {{
  action(type="omfwd" target="127.0.0.1" port="{syslog}" protocol="tcp" TCP_Framing="octet-counted"
         template="RSYSLOG_SyslogProtocol23Format")
  action(type="omelasticsearch" server="127.0.0.1" serverport="{http}" template="esdoc" searchIndex="rsyslog"
         bulkmode="on")
}}
"""


@pytest.mark.skipif(not os.path.exists(RSYSLOGD), reason="rsyslog is not installed (scripts/bootstrap installs it)")
def test_rsyslog_forwards_over_syslog_tcp_and_elasticsearch_bulk(make_server, tmp_path):
    syslog_port = free_port()
    s = make_server(extra_args=["--syslog-listen", f"127.0.0.1:{syslog_port}"])
    listen = free_port()
    work = tmp_path / "rsyslog"
    work.mkdir()
    conf = work / "rsyslog.conf"
    conf.write_text(CONF.format(work=work, listen=listen, syslog=syslog_port, http=s.port))
    proc = subprocess.Popen([RSYSLOGD, "-n", "-f", str(conf), "-i", str(work / "pid")],
                            stdout=subprocess.DEVNULL, stderr=open(work / "stderr", "wb"))
    try:
        deadline = time.time() + 15
        while True:
            try:
                sock = socket.create_connection(("127.0.0.1", listen), timeout=1)
                break
            except OSError:
                assert time.time() < deadline, (work / "stderr").read_text()
                time.sleep(0.1)
        with sock:
            for i in range(50):
                sock.sendall(f"<134>Nov 27 10:00:{i % 60:02d} webhost checkout[42]: rsyslog line {i}\n".encode())
        deadline = time.time() + 30
        while True:
            rows = s.export()
            via_syslog = [r for r in rows if "facility" in r["labels"]]
            via_bulk = [r for r in rows if r["labels"].get("index") == "rsyslog"]
            if len(via_syslog) >= 50 and len(via_bulk) >= 50:
                break
            assert time.time() < deadline, (len(via_syslog), len(via_bulk), (work / "stderr").read_text())
            time.sleep(0.2)
        assert len(via_syslog) == 50 and len(via_bulk) == 50
        # rsyslog's msg property keeps the space after "tag:" (RFC 3164), and forwards it: byte for byte.
        expected = sorted(f" rsyslog line {i}" for i in range(50))
        assert sorted(r["message"] for r in via_syslog) == expected
        sample = next(r for r in via_syslog if r["message"] == " rsyslog line 5")
        assert sample["labels"]["host"] == "webhost"
        assert sample["labels"]["service"] == "checkout"
        assert sample["labels"]["facility"] == "local0"
        assert sample["labels"]["level"] == "INFO"
        bulk = {r["message"]: r for r in via_bulk}
        assert sorted(bulk) == expected
        assert bulk[" rsyslog line 5"]["fields"]["host"] == "webhost"
        assert bulk[" rsyslog line 5"]["fields"]["program"] == "checkout"
    finally:
        proc.terminate()
        proc.wait(10)


TLS_CONF = """
global(workDirectory="{work}" DefaultNetstreamDriver="ossl" DefaultNetstreamDriverCAFile="{cert}")
module(load="imtcp")
input(type="imtcp" port="{listen}" address="127.0.0.1" ruleset="fwd")
ruleset(name="fwd") {{
  action(type="omfwd" target="127.0.0.1" port="{tls}" protocol="tcp" TCP_Framing="octet-counted"
         StreamDriver="ossl" StreamDriverMode="1" StreamDriverAuthMode="anon"
         template="RSYSLOG_SyslogProtocol23Format")
}}
"""


@pytest.mark.skipif(not os.path.exists(RSYSLOGD), reason="rsyslog is not installed (scripts/bootstrap installs it)")
@pytest.mark.skipif(not os.path.exists("/usr/lib/x86_64-linux-gnu/rsyslog/lmnsd_ossl.so"),
                    reason="rsyslog-openssl is not installed (scripts/bootstrap installs it)")
def test_rsyslog_forwards_over_syslog_tls(make_server, tmp_path):
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out",
                    str(cert), "-days", "2", "-subj", "/CN=127.0.0.1"], check=True, capture_output=True)
    tls_port = free_port()
    s = make_server(extra_args=["--syslog-tls-listen", f"127.0.0.1:{tls_port}", "--syslog-tls-cert", str(cert),
                                "--syslog-tls-key", str(key)])
    listen = free_port()
    work = tmp_path / "rsyslog"
    work.mkdir()
    conf = work / "rsyslog.conf"
    conf.write_text(TLS_CONF.format(work=work, listen=listen, tls=tls_port, cert=cert))
    proc = subprocess.Popen([RSYSLOGD, "-n", "-f", str(conf), "-i", str(work / "pid")],
                            stdout=subprocess.DEVNULL, stderr=open(work / "stderr", "wb"))
    try:
        deadline = time.time() + 15
        while True:
            try:
                sock = socket.create_connection(("127.0.0.1", listen), timeout=1)
                break
            except OSError:
                assert time.time() < deadline, (work / "stderr").read_text()
                time.sleep(0.1)
        with sock:
            for i in range(30):
                sock.sendall(f"<11>Nov 27 10:00:{i:02d} dbhost postgres[7]: tls line {i}\n".encode())
        deadline = time.time() + 30
        while len(s.export()) < 30:
            assert time.time() < deadline, (len(s.export()), (work / "stderr").read_text())
            time.sleep(0.2)
        rows = s.export()
        assert sorted(r["message"] for r in rows) == sorted(f" tls line {i}" for i in range(30))
        sample = next(r for r in rows if r["message"] == " tls line 3")
        assert sample["labels"]["host"] == "dbhost" and sample["labels"]["service"] == "postgres"
        assert sample["labels"]["facility"] == "user" and sample["labels"]["level"] == "ERROR"
    finally:
        proc.terminate()
        proc.wait(10)

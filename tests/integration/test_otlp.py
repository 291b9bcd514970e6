"""OTLP logs over HTTP (protobuf and JSON) and gRPC, sent by the real OpenTelemetry Python SDK and its OTLP
exporters from PyPI, plus the native strata.v1.Ingest gRPC service through grpcio with stubs generated at test
time from proto/. Every test reads the records back through /api/v1/export."""
import gzip
import json
import logging
import os
import sys
import uuid

import grpc
import pytest
from google.rpc import error_details_pb2, status_pb2
from opentelemetry.exporter.otlp.proto.grpc._log_exporter import OTLPLogExporter as GrpcLogExporter
from opentelemetry.exporter.otlp.proto.http import Compression
from opentelemetry.exporter.otlp.proto.http._log_exporter import OTLPLogExporter as HttpLogExporter
from opentelemetry.proto.collector.logs.v1 import logs_service_pb2
from opentelemetry.sdk._logs import LoggerProvider, LoggingHandler
from opentelemetry.sdk._logs.export import SimpleLogRecordProcessor
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider

from strata_server import free_port

PROTO_DIR = os.path.join(os.path.dirname(__file__), "../../proto")


@pytest.fixture
def otlp_server(make_server):
    grpc_port = free_port()
    s = make_server(extra_args=["--grpc-listen", f"127.0.0.1:{grpc_port}"])
    s.grpc_address = f"127.0.0.1:{grpc_port}"
    return s


def send_with_sdk(exporter, scope, resource_attrs, emit):
    """Runs emit(logger, tracer) with a python `logging` logger wired to the SDK's LoggingHandler and exporter."""
    provider = LoggerProvider(resource=Resource.create(resource_attrs))
    provider.add_log_record_processor(SimpleLogRecordProcessor(exporter))
    pylogger = logging.getLogger(scope + "." + uuid.uuid4().hex)
    pylogger.propagate = False
    pylogger.setLevel(logging.DEBUG)
    handler = LoggingHandler(level=logging.DEBUG, logger_provider=provider)
    pylogger.addHandler(handler)
    tracer = TracerProvider().get_tracer("test")
    try:
        emit(pylogger, tracer)
        assert provider.force_flush(10_000)
    finally:
        pylogger.removeHandler(handler)
        provider.shutdown()


def emit_three(logger, tracer):
    logger.info("user logged in", extra={"user.id": 42, "http.route": "/login", "ratio": 0.5, "ok": True,
                                         "tags": ["a", "b"]})
    with tracer.start_as_current_span("checkout") as span:
        ctx = span.get_span_context()
        logger.warning("payment slow", extra={"order": "o-1"})
    logger.error("db down")
    return ctx


def by_message(records):
    return {r["message"]: r for r in records}


def check_sdk_records(records, service, trace_ctx):
    got = by_message(records)
    assert set(got) == {"user logged in", "payment slow", "db down"}, records
    login = got["user logged in"]
    labels = dict(login["labels"])
    # The SDK adds service.instance.id (a per-process UUID); Loki's default list promotes it too.
    assert len(labels.pop("service_instance_id", "")) == 36, login
    assert labels == {"service_name": service, "service_namespace": "shop", "deployment_environment_name": "test",
                      "level": "INFO"}
    f = login["fields"]
    assert f["user.id"] == "42"
    assert f["http.route"] == "/login"
    assert f["ratio"] == "0.5"
    assert f["ok"] == "true"
    assert json.loads(f["tags"]) == ["a", "b"]
    assert f["telemetry.sdk.language"] == "python"  # a resource attribute that is not promoted: a field
    assert f["host.name"] == "node-7"
    assert f["scope.name"].startswith("tests.otlp.")
    assert "code.function.name" in f or "code.function" in f
    assert "trace_id" not in f
    slow = got["payment slow"]
    assert slow["labels"]["level"] == "WARN"
    assert slow["fields"]["trace_id"] == format(trace_ctx[0], "032x")
    assert slow["fields"]["span_id"] == format(trace_ctx[1], "016x")
    assert slow["fields"]["order"] == "o-1"
    assert got["db down"]["labels"]["level"] == "ERROR"
    # Timestamps are the SDK's (now), to the nanosecond the SDK sent.
    assert all(r["timestamp"].startswith("20") and r["timestamp"].endswith("Z") for r in records)


def sdk_resource(service):
    return {"service.name": service, "service.namespace": "shop", "deployment.environment.name": "test",
            "host.name": "node-7"}


def test_python_sdk_over_http_protobuf_gzip_both_paths(otlp_server):
    ctx = {}
    for path, tenant in (("/v1/logs", "acme"), ("/otlp/v1/logs", "globex")):
        exporter = HttpLogExporter(endpoint=f"http://{otlp_server.address}{path}", compression=Compression.Gzip,
                                   headers={"X-Scope-OrgID": tenant}, timeout=10)

        def emit(logger, tracer):
            span = emit_three(logger, tracer)
            ctx[path] = (span.trace_id, span.span_id)
        send_with_sdk(exporter, "tests.otlp.http", sdk_resource("checkout-http"), emit)
        check_sdk_records(otlp_server.export(tenant), "checkout-http", ctx[path])
    assert otlp_server.export("default") == []


def test_python_sdk_over_grpc(otlp_server):
    ctx = {}
    exporter = GrpcLogExporter(endpoint=otlp_server.grpc_address, insecure=True,
                               headers={"x-tenant-id": "grpc-tenant"}, timeout=10)

    def emit(logger, tracer):
        span = emit_three(logger, tracer)
        ctx["span"] = (span.trace_id, span.span_id)
    send_with_sdk(exporter, "tests.otlp.grpc", sdk_resource("checkout-grpc"), emit)
    check_sdk_records(otlp_server.export("grpc-tenant"), "checkout-grpc", ctx["span"])
    assert 'method="otlp.LogsService/Export",code="0"' in otlp_server.metrics()


def otlp_json(records, resource_attrs=None):
    return {"resourceLogs": [{
        "resource": {"attributes": resource_attrs or [{"key": "service.name", "value": {"stringValue": "js"}}]},
        "scopeLogs": [{"scope": {"name": "json.scope"}, "logRecords": records}]}]}


def test_otlp_json_partial_success_and_json_answers(otlp_server):
    body = otlp_json([
        {"timeUnixNano": "1767323045123456789", "severityNumber": 17, "body": {"stringValue": "json one"},
         "traceId": "5B8EFFF798038103D269B633813FC60C", "spanId": "EEE19B7EC3C1B174",
         "attributes": [{"key": "n", "value": {"intValue": "7"}},
                        {"key": "m", "value": {"kvlistValue": {"values": [{"key": "k", "value": {"doubleValue": 1.5}}]}}}]},
        {"timeUnixNano": "1767323046000000000", "traceId": "not-hex", "body": {"stringValue": "bad one"}},
        {"timeUnixNano": 1767323047000000000, "severityText": "warning",
         "body": {"kvlistValue": {"values": [{"key": "event", "value": {"stringValue": "login"}}]}}},
    ])
    r = otlp_server.request("POST", "/v1/logs", json.dumps(body).encode(),
                            {"Content-Type": "application/json", "X-Tenant-ID": "js"})
    assert r.status == 200, r
    assert r.headers["Content-Type"].startswith("application/json")
    assert r.json() == {"partialSuccess": {"rejectedLogRecords": "1",
                                           "errorMessage": "1 of 3 log records rejected; first: #1 traceId: expected 32 hex digits"}}
    got = by_message(otlp_server.export("js"))
    assert set(got) == {"json one", '{"event":"login"}'}
    one = got["json one"]
    assert one["timestamp"] == "2026-01-02T03:04:05.123456789Z"
    assert one["labels"] == {"service_name": "js", "level": "ERROR"}
    assert one["fields"] == {"scope.name": "json.scope", "n": "7", "m": '{"k":1.5}',
                             "trace_id": "5b8efff798038103d269b633813fc60c", "span_id": "eee19b7ec3c1b174"}
    assert got['{"event":"login"}']["labels"]["level"] == "WARN"
    # The same record through Loki's query API as Grafana reads it: stream labels apart from structured metadata.
    [(ts, line, stream, meta, parsed)] = otlp_server.query_range(
        '{service_name="js"} |= "json one"', 1767323045000000000, 1767323048000000000, tenant="js")
    assert (ts, line, stream, parsed) == (1767323045123456789, "json one", {"service_name": "js", "level": "ERROR"}, {})
    assert meta == one["fields"]
    assert 'logs_rejected_total{tenant="js",reason="traceid"}' in otlp_server.metrics() or \
        "traceid" in otlp_server.metrics()


def test_bad_otlp_http_requests_get_google_rpc_status_and_the_server_keeps_working(otlp_server):
    # Malformed protobuf: 400 + google.rpc.Status in protobuf (not retryable).
    r = otlp_server.request("POST", "/v1/logs", b"\x0a\xff\xff\xff\xff", {"Content-Type": "application/x-protobuf"})
    assert r.status == 400, r
    assert r.headers["Content-Type"] == "application/x-protobuf"
    st = status_pb2.Status.FromString(r.body)
    assert st.code == 3 and st.message.startswith("malformed protobuf")
    # Malformed JSON: 400 + JSON Status.
    r = otlp_server.request("POST", "/v1/logs", b'{"resourceLogs": [', {"Content-Type": "application/json"})
    assert r.status == 400 and r.json()["code"] == 3 and r.json()["message"].startswith("malformed JSON"), r
    # Unknown content type: 415.
    r = otlp_server.request("POST", "/v1/logs", b"x", {"Content-Type": "text/plain"})
    assert r.status == 415 and status_pb2.Status.FromString(r.body).code == 3, r
    # Bad gzip: 400; a decompression bomb: 413.
    r = otlp_server.request("POST", "/v1/logs", b"not gzip",
                            {"Content-Type": "application/x-protobuf", "Content-Encoding": "gzip"})
    assert r.status == 400, r
    # Bad tenant: 400.
    r = otlp_server.request("POST", "/v1/logs", b"", {"Content-Type": "application/x-protobuf", "X-Tenant-ID": "../x"})
    assert r.status == 400, r
    # An empty request is a success with an empty response, in protobuf.
    r = otlp_server.request("POST", "/v1/logs", b"", {"Content-Type": "application/x-protobuf"})
    assert r.status == 200 and r.body == b"", r
    # Every record rejected: still 200 (nothing to retry), partial_success says so.
    req = logs_service_pb2.ExportLogsServiceRequest()
    rec = req.resource_logs.add().scope_logs.add().log_records.add()
    rec.time_unix_nano = 2**64 - 1
    r = otlp_server.request("POST", "/v1/logs", req.SerializeToString(), {"Content-Type": "application/x-protobuf"})
    assert r.status == 200, r
    resp = logs_service_pb2.ExportLogsServiceResponse.FromString(r.body)
    assert resp.partial_success.rejected_log_records == 1
    assert "timestamp: out of range" in resp.partial_success.error_message
    # The server still ingests.
    rec.time_unix_nano = 1767323045000000000
    rec.body.string_value = "after the bad ones"
    r = otlp_server.request("POST", "/v1/logs", gzip.compress(req.SerializeToString()),
                            {"Content-Type": "application/x-protobuf", "Content-Encoding": "gzip"})
    assert r.status == 200 and not logs_service_pb2.ExportLogsServiceResponse.FromString(r.body).HasField(
        "partial_success"), r
    got = otlp_server.export("default")
    assert [x["message"] for x in got] == ["after the bad ones"]
    assert got[0]["labels"] == {"service_name": "unknown_service"}


def test_otlp_grpc_errors(otlp_server):
    channel = grpc.insecure_channel(otlp_server.grpc_address)
    from opentelemetry.proto.collector.logs.v1 import logs_service_pb2_grpc
    stub = logs_service_pb2_grpc.LogsServiceStub(channel)
    with pytest.raises(grpc.RpcError) as e:
        stub.Export(logs_service_pb2.ExportLogsServiceRequest(), metadata=[("x-tenant-id", "bad/tenant")], timeout=10)
    assert e.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    # Malformed bytes on the wire: INVALID_ARGUMENT (not retryable), for OTLP and the native Push; server unaffected.
    for method in ("/opentelemetry.proto.collector.logs.v1.LogsService/Export", "/strata.v1.Ingest/Push"):
        raw = channel.unary_unary(method, request_serializer=lambda b: b, response_deserializer=lambda b: b)
        with pytest.raises(grpc.RpcError) as e:
            raw(b"\x0a\xff\xff\xff\xff", timeout=10)
        assert e.value.code() == grpc.StatusCode.INVALID_ARGUMENT, e.value
        assert e.value.details().startswith("malformed protobuf")
    resp = stub.Export(logs_service_pb2.ExportLogsServiceRequest(), timeout=10)
    assert not resp.HasField("partial_success")
    channel.close()


@pytest.fixture(scope="module")
def ingest_pb(tmp_path_factory):
    """Python stubs for proto/strata/v1/ingest.proto, generated now with grpcio-tools."""
    from grpc_tools import protoc
    out = tmp_path_factory.mktemp("stubs")
    rc = protoc.main(["protoc", f"-I{PROTO_DIR}", f"--python_out={out}", f"--grpc_python_out={out}",
                      os.path.join(PROTO_DIR, "strata/v1/ingest.proto")])
    assert rc == 0
    sys.path.insert(0, str(out))
    try:
        from strata.v1 import ingest_pb2, ingest_pb2_grpc
    finally:
        sys.path.remove(str(out))
    return ingest_pb2, ingest_pb2_grpc


def test_native_push_and_push_stream(otlp_server, ingest_pb):
    pb, pb_grpc = ingest_pb
    channel = grpc.insecure_channel(otlp_server.grpc_address)
    stub = pb_grpc.IngestStub(channel)

    req = pb.PushRequest(entries=[
        pb.LogEntry(timestamp="2026-01-02T03:04:05.123456789Z", level="warning", service="api", instance="api-1",
                    env="prod", message="db timeout", trace_id="abc123", metadata={"region": "eu"},
                    attributes={"user_id": "42", "host": "h1"}),
        pb.LogEntry(timestamp="yesterday", message="bad time"),
        pb.LogEntry(timestamp_unix_nano=1767323046000000000, service="api", message="second"),
    ])
    resp, call = stub.Push.with_call(req, metadata=[("x-scope-orgid", "native")], timeout=10)
    assert resp.accepted == 2 and resp.rejected == 1
    assert [(r.index, r.reason) for r in resp.rejections] == [(1, "timestamp: not ISO-8601 or epoch")]

    got = by_message(otlp_server.export("native"))
    assert set(got) == {"db timeout", "second"}
    e = got["db timeout"]
    assert e["timestamp"] == "2026-01-02T03:04:05.123456789Z"
    assert e["labels"] == {"service": "api", "instance": "api-1", "env": "prod", "host": "h1", "level": "WARN"}
    assert e["fields"] == {"traceId": "abc123", "metadata.region": "eu", "user_id": "42"}
    assert got["second"]["timestamp"] == "2026-01-02T03:04:06.000000000Z"

    # Every entry rejected: INVALID_ARGUMENT.
    with pytest.raises(grpc.RpcError) as err:
        stub.Push(pb.PushRequest(entries=[pb.LogEntry(timestamp="nope")]), timeout=10)
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT

    # A stream of 50 batches, acknowledged once at the end with totals over the stream.
    def batches():
        for b in range(50):
            entries = [pb.LogEntry(timestamp_unix_nano=1767323100000000000 + b * 1000 + i, service="stream",
                                   message=f"s{b}-{i}") for i in range(20)]
            if b == 7:
                entries.append(pb.LogEntry(timestamp="bad", message="rejected"))
            yield pb.PushRequest(entries=entries)
    resp, call = stub.PushStream.with_call(batches(), metadata=[("x-tenant-id", "stream")], timeout=30)
    assert resp.accepted == 1000 and resp.rejected == 1
    assert [(r.index, r.reason) for r in resp.rejections] == [(7 * 20 + 20, "timestamp: not ISO-8601 or epoch")]
    assert dict(call.trailing_metadata())["strata-durable-messages"] == "50"
    got = otlp_server.export("stream")
    assert len(got) == 1000 and {r["labels"]["service"] for r in got} == {"stream"}

    # An empty stream is fine.
    resp = stub.PushStream(iter([]), timeout=10)
    assert resp.accepted == 0
    channel.close()
    # SIGTERM stops the gRPC listener before the WAL closes, and exits cleanly.
    assert otlp_server.stop() == 0
    assert "closing the WAL failed" not in otlp_server.read_log()


def test_grpc_listener_off_and_retry_info_on_back_pressure(make_server, ingest_pb):
    # grpc_listen "" turns the listener off; HTTP OTLP still works.
    s = make_server("off", extra_args=["--grpc-listen", ""])
    assert "gRPC listening" not in s.read_log()
    # A tiny head budget makes ingest answer RESOURCE_EXHAUSTED with RetryInfo (retryable per OTLP).
    port = free_port()
    t = make_server("tight", extra_args=["--grpc-listen", f"127.0.0.1:{port}", "--max-head-bytes", "1"])
    pb, pb_grpc = ingest_pb
    stub = pb_grpc.IngestStub(grpc.insecure_channel(f"127.0.0.1:{port}"))
    error = None
    for _ in range(5):  # the first batch into an empty head is admitted; the next ones are over budget
        try:
            stub.Push(pb.PushRequest(entries=[pb.LogEntry(message="x" * 100)]), timeout=10)
        except grpc.RpcError as e:
            error = e
            break
    assert error is not None and error.code() == grpc.StatusCode.RESOURCE_EXHAUSTED, error
    details = dict(error.trailing_metadata()).get("grpc-status-details-bin")
    assert details, error
    st = status_pb2.Status.FromString(details)
    info = error_details_pb2.RetryInfo()
    assert st.details[0].Unpack(info) and info.retry_delay.seconds == 1
    body = logs_service_pb2.ExportLogsServiceRequest(resource_logs=[{
        "scope_logs": [{"log_records": [{"body": {"string_value": "y" * 100}}]}]}]).SerializeToString()
    for _ in range(5):
        r = t.request("POST", "/v1/logs", body, {"Content-Type": "application/x-protobuf"})
        if r.status != 200:
            break
    assert r.status == 429 and r.headers.get("Retry-After") == "1", r
    assert status_pb2.Status.FromString(r.body).code == 8

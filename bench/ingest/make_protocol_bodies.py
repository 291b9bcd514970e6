#!/usr/bin/env python3
"""Writes the same deterministic records (make_body.py's mix, ~250 bytes per line) as a request body for each
ingest protocol, into a directory: native JSON, Loki push JSON, Loki push protobuf (snappy block with literal
elements: valid snappy, uncompressed), Elasticsearch _bulk NDJSON, OTLP protobuf and JSON, RFC 5424 syslog lines
(octet-counted frames), and a Fluentd PackedForward message. Used by run_protocols.sh."""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "../../tests/integration"))
import loki_wire  # noqa: E402
from make_body import lines  # noqa: E402


def main():
    out = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
    os.makedirs(out, exist_ok=True)
    items = list(lines(n))
    # Recent timestamps: peers and Strata's own push paths reject lines older than the retention horizon.
    import time
    shift = time.time_ns() - 3600 * 1_000_000_000 - items[0]["timestamp"]
    for x in items:
        x["timestamp"] += shift

    def write(name, data):
        with open(os.path.join(out, name), "wb") as f:
            f.write(data if isinstance(data, bytes) else data.encode())

    write("native.json", json.dumps(items, separators=(",", ":")))
    streams = {}
    for x in items:
        key = (x["service"], x["env"], x["instance"], x["level"].lower())
        streams.setdefault(key, []).append(x)
    loki = {"streams": [{"stream": {"service": s, "env": e, "instance": i, "level": l},
                         "values": [[str(x["timestamp"]), x["message"], {"traceId": x["traceId"]}] for x in xs]}
                        for (s, e, i, l), xs in streams.items()]}
    write("loki.json", json.dumps(loki, separators=(",", ":")))
    pb = loki_wire.push_request([
        loki_wire.stream(f'{{service="{s}", env="{e}", instance="{i}", level="{l}"}}',
                         [loki_wire.entry(x["timestamp"], x["message"], {"traceId": x["traceId"]}) for x in xs])
        for (s, e, i, l), xs in streams.items()])
    write("loki.pb.snappy", loki_wire.snappy_literal(pb))
    bulk = []
    for x in items:
        bulk.append(json.dumps({"create": {"_index": "bench"}}))
        bulk.append(json.dumps({"@timestamp": x["timestamp"] // 1_000_000, "message": x["message"],
                                "service": {"name": x["service"]}, "host": {"name": x["instance"]},
                                "log": {"level": x["level"]}, "trace": {"id": x["traceId"]}}, separators=(",", ":")))
    write("bulk.ndjson", "\n".join(bulk) + "\n")
    try:
        from google.protobuf import json_format
        from opentelemetry.proto.collector.logs.v1 import logs_service_pb2
        from opentelemetry.proto.common.v1 import common_pb2
        from opentelemetry.proto.logs.v1 import logs_pb2
        from opentelemetry.proto.resource.v1 import resource_pb2
        req = logs_service_pb2.ExportLogsServiceRequest()
        for (s, e, i, l), xs in streams.items():
            rl = req.resource_logs.add()
            rl.resource.CopyFrom(resource_pb2.Resource(attributes=[
                common_pb2.KeyValue(key="service.name", value=common_pb2.AnyValue(string_value=s)),
                common_pb2.KeyValue(key="deployment.environment", value=common_pb2.AnyValue(string_value=e)),
                common_pb2.KeyValue(key="service.instance.id", value=common_pb2.AnyValue(string_value=i))]))
            sl = rl.scope_logs.add()
            for x in xs:
                sl.log_records.append(logs_pb2.LogRecord(
                    time_unix_nano=x["timestamp"], severity_text=x["level"],
                    body=common_pb2.AnyValue(string_value=x["message"]), trace_id=bytes.fromhex(x["traceId"])))
        write("otlp.pb", req.SerializeToString())
        # OTLP/JSON differs from proto3 JSON: trace and span ids are hex, not base64.
        otlp_json = json.loads(json_format.MessageToJson(req, indent=None))
        import base64
        for rl in otlp_json["resourceLogs"]:
            for sl in rl["scopeLogs"]:
                for rec in sl["logRecords"]:
                    rec["traceId"] = base64.b64decode(rec["traceId"]).hex()
        write("otlp.json", json.dumps(otlp_json, separators=(",", ":")))
    except ImportError:
        print("opentelemetry-proto not installed: no OTLP bodies", file=sys.stderr)
    frames = []
    for x in items:
        when = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(x["timestamp"] // 1_000_000_000))
        msg = (f'<134>1 {when}.000Z {x["instance"]} {x["service"]} - - - {x["message"]}').encode()
        frames.append(str(len(msg)).encode() + b" " + msg)
    write("syslog.octet", b"".join(frames))
    try:
        import msgpack
        entries = b"".join(msgpack.packb([x["timestamp"] // 1_000_000_000,
                                          {"message": x["message"], "service": x["service"], "level": x["level"]}])
                           for x in items)
        write("forward.msgpack", msgpack.packb(["bench", entries, {"chunk": "c"}]))
    except ImportError:
        print("msgpack not installed: no forward body", file=sys.stderr)


if __name__ == "__main__":
    main()

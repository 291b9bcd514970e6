"""Hand-made encoders for Loki push bodies: the protobuf wire format of Loki's push.proto (PushRequest /
StreamAdapter / EntryAdapter / Timestamp / LabelPairAdapter, field numbers as published) and snappy block framing
with literal elements only (valid snappy that any decoder accepts; no compression needed for tests). Stdlib only."""
import struct


def varint(n):
    if n < 0:
        n += 1 << 64  # int64 as two's complement, as protobuf encodes negative int64/int32
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def key(number, wire_type):
    return varint((number << 3) | wire_type)


def field_varint(number, value):
    return key(number, 0) + varint(value)


def field_bytes(number, data):
    if isinstance(data, str):
        data = data.encode()
    return key(number, 2) + varint(len(data)) + data


def field_fixed64(number, value):
    return key(number, 1) + struct.pack("<Q", value)


def timestamp(ns):
    seconds, nanos = divmod(ns, 1_000_000_000)
    out = b""
    if seconds:
        out += field_varint(1, seconds)
    if nanos:
        out += field_varint(2, nanos)
    return out


def entry(ns, line, metadata=None):
    """EntryAdapter: timestamp = 1, line = 2, structuredMetadata = 3 (LabelPairAdapter name = 1, value = 2)."""
    out = field_bytes(1, timestamp(ns)) + field_bytes(2, line)
    for name, value in (metadata or {}).items():
        out += field_bytes(3, field_bytes(1, name) + field_bytes(2, value))
    return out


def stream(labels, entries):
    """StreamAdapter: labels = 1 (Prometheus text form), entries = 2, hash = 3."""
    out = field_bytes(1, labels)
    for e in entries:
        out += field_bytes(2, entry(*e) if isinstance(e, tuple) else e)
    return out + field_varint(3, 0)


def push_request(streams):
    """PushRequest: streams = 1."""
    return b"".join(field_bytes(1, s) for s in streams)


def snappy_literal(data):
    """Snappy block format: varint(uncompressed length), then literal elements of at most 65536 bytes each
    (tag byte 61<<2 followed by length-1 as 2 little-endian bytes; short literals use the 1-byte tag)."""
    out = bytearray(varint(len(data)))
    for i in range(0, len(data), 65536):
        chunk = data[i:i + 65536]
        n = len(chunk) - 1
        if n < 60:
            out.append(n << 2)
        else:
            out.append(61 << 2)
            out += struct.pack("<H", n)
        out += chunk
    return bytes(out)

"""The official Elasticsearch Python client (from PyPI) against Strata's `_bulk` and probes: the client checks the
product header and version on connect, and its bulk helper posts NDJSON exactly as applications do. Every
document must come back through export with its message, timestamp, labels and fields."""
import datetime

import pytest

elasticsearch = pytest.importorskip("elasticsearch")
from elasticsearch import helpers  # noqa: E402


def test_official_client_bulk_helper_round_trip(server):
    es = elasticsearch.Elasticsearch(f"http://{server.address}", headers={"X-Scope-OrgID": "esclient"},
                                     request_timeout=30)
    info = es.info()
    assert info["version"]["number"].startswith("8.")
    base = datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)
    docs = [{"_index": "orders", "_id": f"id-{i}",
             "_source": {"@timestamp": (base + datetime.timedelta(milliseconds=i)).isoformat().replace("+00:00", "Z"),
                         "message": f"order {i} placed", "service": {"name": "shop"},
                         "order": {"id": i, "total": f"{i}.50"}}}
            for i in range(500)]
    ok, errors = helpers.bulk(es, docs, chunk_size=200, refresh=False)
    assert ok == 500 and not errors
    # A second create of the same ids is answered 409 per item (shippers treat it as done).
    ok, errors = helpers.bulk(es, [dict(d, _op_type="create") for d in docs[:3]], raise_on_error=False)
    assert ok == 0 and len(errors) == 3
    assert all(e["create"]["status"] == 409 for e in errors)

    rows = {r["message"]: r for r in server.export("esclient", header="X-Scope-OrgID")}
    assert len(rows) == 500
    r = rows["order 7 placed"]
    assert r["timestamp"] == "2026-01-02T03:04:05.007000000Z"
    assert r["labels"]["index"] == "orders"
    assert r["labels"]["service_name"] == "shop"
    assert r["fields"]["order.id"] == "7"
    assert r["fields"]["order.total"] == "7.50"

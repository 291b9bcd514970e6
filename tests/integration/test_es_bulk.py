"""Elasticsearch _bulk (/_bulk, /{index}/_bulk, and under /elasticsearch/) and the probes shippers make first, read
back by export: field mapping, labels, per-item results, 409 on duplicate create ids, 400/413/429, gzip."""
import gzip
import json

ES_HEADERS = {"Content-Type": "application/x-ndjson"}


def ndjson(*objs):
    return ("\n".join(json.dumps(o) for o in objs) + "\n").encode()


def bulk(server, body, path="/_bulk", tenant=None, headers=None):
    h = dict(ES_HEADERS)
    if tenant:
        h["X-Tenant-ID"] = tenant
    h.update(headers or {})
    return server.request("POST", path, body, h)


def by_message(records):
    return {r["message"]: r for r in records}


def test_bulk_maps_message_time_labels_and_fields(server):
    body = ndjson(
        {"index": {"_index": "app-logs", "_id": "1"}},
        {"@timestamp": "2026-01-02T03:04:05.123Z", "message": "hello es", "service": {"name": "api"},
         "host": {"name": "h1"}, "http": {"status": 200, "ok": True}, "tags": ["a", "b"], "gone": None},
        {"create": {"_index": "app-logs"}},
        {"msg": "second", "timestamp": 1767323046000, "kubernetes": {"namespace_name": "ns", "pod_name": "p-1",
                                                                     "container_name": "c"}, "level": "info"},
        {"index": {}},
        {"log": "third via log", "time": "2026-01-02T03:04:07Z"},
    )
    r = bulk(server, body, tenant="acme")
    assert r.status == 200, r
    assert r.headers["X-Elastic-Product"] == "Elasticsearch"
    resp = r.json()
    assert resp["errors"] is False
    assert isinstance(resp["took"], int)
    items = resp["items"]
    assert [list(i) for i in items] == [["index"], ["create"], ["index"]]
    assert items[0]["index"]["_id"] == "1" and items[0]["index"]["status"] == 201
    assert items[0]["index"]["result"] == "created" and items[0]["index"]["_index"] == "app-logs"
    assert len(items[1]["create"]["_id"]) == 20  # generated
    assert items[1]["create"]["_id"] != items[2]["index"]["_id"]

    got = by_message(server.export("acme"))
    a = got["hello es"]
    assert a["timestamp"] == "2026-01-02T03:04:05.123000000Z"
    assert a["labels"] == {"index": "app-logs", "service_name": "api", "host_name": "h1"}
    assert a["fields"] == {"http.status": "200", "http.ok": "true", "tags": '["a","b"]'}
    b = got["second"]
    assert b["timestamp"] == "2026-01-02T03:04:06.000000000Z"
    assert b["labels"] == {"index": "app-logs", "kubernetes_namespace_name": "ns", "kubernetes_pod_name": "p-1",
                           "kubernetes_container_name": "c"}
    assert b["fields"] == {"level": "info"}
    c = got["third via log"]
    assert c["timestamp"] == "2026-01-02T03:04:07.000000000Z"
    assert c["labels"] == {}


def test_index_from_the_url_and_the_elasticsearch_prefix(server):
    doc = {"message": "m", "@timestamp": "2026-01-02T00:00:00Z"}
    for path, index, message in [("/from-url/_bulk", "from-url", "a"), ("/elasticsearch/_bulk", None, "b"),
                                 ("/elasticsearch/pfx/_bulk", "pfx", "c")]:
        r = bulk(server, ndjson({"create": {}}, dict(doc, message=message)), path=path)
        assert r.status == 200, (path, r)
        assert r.json()["items"][0]["create"]["status"] == 201
    # The action's _index wins over the URL's.
    r = bulk(server, ndjson({"create": {"_index": "explicit"}}, dict(doc, message="d")), path="/url/_bulk")
    assert r.status == 200
    got = by_message(server.export())
    assert got["a"]["labels"] == {"index": "from-url"}
    assert got["b"]["labels"] == {}
    assert got["c"]["labels"] == {"index": "pfx"}
    assert got["d"]["labels"] == {"index": "explicit"}
    # PUT works too (some clients use it).
    r = server.request("PUT", "/_bulk", ndjson({"index": {"_index": "put"}}, {"message": "e"}), ES_HEADERS)
    assert r.status == 200 and r.json()["errors"] is False


def test_duplicate_create_ids_are_409_and_stored_once(server):
    first = ndjson({"create": {"_index": "i", "_id": "dup-1"}}, {"message": "original"},
                   {"create": {"_index": "i", "_id": "dup-1"}}, {"message": "same request repeat"},
                   {"create": {"_index": "other", "_id": "dup-1"}}, {"message": "same id, other index"})
    r = bulk(server, first)
    assert r.status == 200, r
    items = r.json()["items"]
    assert r.json()["errors"] is True
    assert [i["create"]["status"] for i in items] == [201, 409, 201]
    assert items[1]["create"]["error"]["type"] == "version_conflict_engine_exception"
    assert items[1]["create"]["error"]["reason"] == \
        "[dup-1]: version conflict, document already exists (current version [1])"
    # A shipper retrying the batch after a timeout: every create is a 409, nothing is stored twice.
    r = bulk(server, first)
    assert [i["create"]["status"] for i in r.json()["items"]] == [409, 409, 409]
    # Other tenants have their own ids.
    r = bulk(server, first, tenant="t2")
    assert [i["create"]["status"] for i in r.json()["items"]] == [201, 409, 201]
    assert sorted(x["message"] for x in server.export()) == ["original", "same id, other index"]
    assert 'logs_rejected_total{tenant="default",reason="duplicate_id"} 4' in server.metrics()


def test_bad_items_answered_in_order_and_good_items_kept(server):
    body = (b'{"create":{"_id":"a"}}\n{"message":"first"}\n'
            b'{"delete":{"_index":"i","_id":"9"}}\n'
            b'{"update":{"_id":"9"}}\n{"doc":{"a":1}}\n'
            b'{"upsert":{}}\n{"message":"orphan source"}\n'
            b'{"index":{}}\n{"message": broken\n'
            b'{"index":{}}\n{"@timestamp":"yesterday","message":"bad time"}\n'
            b'{"index":{}}\n{"message":"last"}\n')
    r = bulk(server, body)
    assert r.status == 200, r
    resp = r.json()
    assert resp["errors"] is True
    items = resp["items"]
    assert [(list(i)[0], list(i.values())[0]["status"]) for i in items] == [
        ("create", 201), ("delete", 400), ("update", 400), ("index", 400), ("index", 400), ("index", 400),
        ("index", 201)]
    assert items[1]["delete"]["error"]["type"] == "illegal_argument_exception"
    assert "delete is not supported" in items[1]["delete"]["error"]["reason"]
    assert items[3]["index"]["error"]["reason"].startswith(
        "Malformed action/metadata line [6], expected field [create], [delete], [index] or [update] but found [upsert]")
    assert items[4]["index"]["error"]["type"] == "mapper_parsing_exception"
    assert items[5]["index"]["error"]["reason"].startswith("failed to parse field [@timestamp] of type [date]")
    assert sorted(x["message"] for x in server.export()) == ["first", "last"]


def test_request_level_errors(make_server):
    s = make_server(extra_args=["--max-decompressed-bytes", "1MiB"])
    r = bulk(s, b'{"index":{}}\n{"message":"no newline"}')
    assert r.status == 400, r
    err = r.json()
    assert err["status"] == 400
    assert err["error"]["type"] == "illegal_argument_exception"
    assert err["error"]["reason"] == "The bulk request must be terminated by a newline [\\n]"
    assert err["error"]["root_cause"][0]["reason"] == err["error"]["reason"]
    r = bulk(s, b"")
    assert r.status == 400 and r.json()["error"]["type"] == "parse_exception"
    bomb = gzip.compress(b'{"index":{}}\n{"message":"' + b"x" * (4 << 20) + b'"}\n')
    r = bulk(s, bomb, headers={"Content-Encoding": "gzip"})
    assert r.status == 413 and r.json()["status"] == 413
    r = bulk(s, b"{}\n", headers={"Content-Encoding": "br"})
    assert r.status == 415
    assert s.export() == []
    assert s.request("GET", "/readyz").status == 200


def test_gzip_body(server):
    body = gzip.compress(ndjson({"index": {"_index": "gz"}}, {"message": "gzipped", "@timestamp": 1767323045}))
    r = bulk(server, body, headers={"Content-Encoding": "gzip"})
    assert r.status == 200 and r.json()["errors"] is False, r
    [rec] = server.export()
    assert rec["message"] == "gzipped" and rec["timestamp"] == "2026-01-02T03:04:05.000000000Z"


def test_back_pressure_is_429_and_nothing_of_the_batch_is_stored(make_server):
    s = make_server(extra_args=["--max-head-bytes", "20KiB"])
    accepted = 0
    for i in range(100):
        lines = []
        for j in range(10):
            lines += [{"create": {"_id": f"{i}-{j}"}}, {"message": f"batch {i} doc {j} " + "p" * 500}]
        r = bulk(s, ndjson(*lines))
        if r.status == 429:
            assert r.headers.get("Retry-After") == "1"
            assert r.json()["error"]["type"] == "es_rejected_execution_exception"
            # The refused ids were not remembered: a retry after the pressure is gone is not a 409.
            break
        assert r.status == 200 and r.json()["errors"] is False, r
        accepted += 10
    else:
        raise AssertionError("no 429")
    assert len(s.export()) == accepted


def test_custom_field_mapping_from_config(make_server):
    s = make_server(extra_args=["--elasticsearch-message-fields", "event.original,message",
                                "--elasticsearch-time-fields", "ts",
                                "--elasticsearch-label-fields", "_index,app.name"])
    r = bulk(s, ndjson({"index": {"_index": "x"}},
                       {"event": {"original": "raw line"}, "message": "parsed", "ts": "2026-01-01T00:00:00Z",
                        "@timestamp": "2020-01-01T00:00:00Z", "app": {"name": "shop"}, "service": {"name": "svc"}}))
    assert r.status == 200 and r.json()["errors"] is False, r
    [rec] = s.export()
    assert rec["message"] == "raw line"
    assert rec["timestamp"] == "2026-01-01T00:00:00.000000000Z"
    assert rec["labels"] == {"index": "x", "app_name": "shop"}
    assert rec["fields"] == {"message": "parsed", "@timestamp": "2020-01-01T00:00:00Z", "service.name": "svc"}


def test_probes_that_shippers_make(server):
    for prefix in ("", "/elasticsearch"):
        r = server.request("GET", prefix + "/")
        assert r.status == 200, r
        assert r.headers["X-Elastic-Product"] == "Elasticsearch"
        info = r.json()
        assert info["version"]["number"].startswith("8.")
        assert info["tagline"] == "You Know, for Search"
        r = server.request("HEAD", prefix + "/")
        assert r.status == 200 and r.body == b""
        assert server.request("GET", prefix + "/_cluster/health").json()["status"] == "green"
        assert server.request("GET", prefix + "/_cluster/health/logs-*?timeout=5s").json()["status"] == "green"
        lic = server.request("GET", prefix + "/_license").json()["license"]
        assert lic["status"] == "active" and lic["type"] == "basic"
        xpack = server.request("GET", prefix + "/_xpack").json()
        assert xpack["features"]["ilm"]["available"] is True
        nodes = server.request("GET", prefix + "/_nodes/http").json()
        assert nodes["_nodes"]["total"] == 1
        [node] = nodes["nodes"].values()
        assert node["http"]["publish_address"] and node["version"].startswith("8.")
        assert server.request("GET", prefix + "/_cat/indices?format=json").json() == []
        assert server.request("GET", prefix + "/_cat/health?format=json").json()[0]["status"] == "green"
        # Templates, ILM policies, pipelines: reported present (HEAD 200), installs acknowledged.
        for path in ("/_index_template/filebeat-8.17.0", "/_template/logstash", "/_ilm/policy/filebeat",
                     "/_ingest/pipeline/filebeat-8.17.0-system", "/_component_template/c", "/_data_stream/logs-x"):
            assert server.request("HEAD", prefix + path).status == 200, path
            assert server.request("GET", prefix + path).status == 200, path
            r = server.request("PUT", prefix + path, b"{}", {"Content-Type": "application/json"})
            assert r.status == 200 and r.json() == {"acknowledged": True}, (path, r)
        t = server.request("GET", prefix + "/_index_template/filebeat-8.17.0").json()
        assert t["index_templates"][0]["name"] == "filebeat-8.17.0"
        assert "logstash" in server.request("GET", prefix + "/_template/logstash").json()
        assert "filebeat" in server.request("GET", prefix + "/_ilm/policy/filebeat").json()
    # The native API keeps its own 404/405 answers.
    assert server.request("GET", "/api/v1/nope").status == 404
    assert server.request("GET", "/api/v1/logs").status == 405


def test_version_is_configurable(make_server):
    s = make_server(extra_args=["--elasticsearch-version", "8.19.2"])
    assert s.request("GET", "/").json()["version"]["number"] == "8.19.2"

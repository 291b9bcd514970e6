"""GDPR delete requests: POST/GET/DELETE /api/v1/delete (and Loki's /loki/api/v1/delete), read-time hiding,
cancellation, tenant isolation, persistence across restarts and the background purge (status -> processed)."""
import json
import time
import urllib.parse
from datetime import datetime, timedelta, timezone

import pytest

# Rows an hour ago: inside the default 7-day retention, and in the past for the purge.
BASE = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(hours=1)


# The background purge (maintenance) would race with "pending" and cancel checks: keep it idle in those tests,
# and fast in the one that waits for it.
IDLE_MAINTENANCE = ["--maintenance-interval-ms", "3600000"]
FAST_MAINTENANCE = ["--maintenance-interval-ms", "200"]


@pytest.fixture
def quiet(make_server):
    return make_server(extra_args=IDLE_MAINTENANCE)


def ts(second):
    return (BASE + timedelta(seconds=second)).strftime("%Y-%m-%dT%H:%M:%S.000000000Z")


def rows():
    """Ten seconds of rows: api lines with and without a secret, and web lines with a secret."""
    out = []
    for s in range(10):
        out.append({"timestamp": ts(s), "service": "api", "message": f"api secret token={s}"})
        out.append({"timestamp": ts(s), "service": "api", "message": f"api public {s}"})
        out.append({"timestamp": ts(s), "service": "web", "message": f"web secret {s}"})
    return out


def ingest(server, tenant, records):
    r = server.ingest(records, tenant=tenant)
    assert r.status == 200, r


def messages(server, tenant):
    return sorted(r["message"] for r in server.export(tenant))


def post_delete(server, tenant, query=None, start=None, end=None, body=None, path="/api/v1/delete", headers=None):
    params = {k: v for k, v in (("query", query), ("start", start), ("end", end)) if v is not None}
    h = {"X-Tenant-ID": tenant} if tenant else {}
    h.update(headers or {})
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        h["Content-Type"] = "application/json"
    return server.request("POST", path + ("?" + urllib.parse.urlencode(params) if params else ""), data, h)


def list_deletes(server, tenant, path="/api/v1/delete"):
    r = server.request("GET", path, headers={"X-Tenant-ID": tenant})
    assert r.status == 200, r
    return r.json()


def cancel(server, tenant, request_id, param="id", path="/api/v1/delete"):
    return server.request("DELETE", f"{path}?{param}={request_id}", headers={"X-Tenant-ID": tenant})


def expected_after_secret_delete(lo, hi):
    """Every row but the "api secret" lines of seconds lo..hi."""
    return sorted(r["message"] for i, r in enumerate(rows())
                  if not (r["message"].startswith("api secret") and lo <= i // 3 <= hi))


def test_delete_hides_rows_at_once_per_tenant_and_survives_restart(quiet):
    server = quiet
    for tenant in ("acme", "globex"):
        ingest(server, tenant, rows())
    everything = sorted(r["message"] for r in rows())
    assert messages(server, "acme") == everything

    r = post_delete(server, "acme", '{service="api"} |= "secret"', ts(2), ts(5))
    assert r.status == 200, r
    created = r.json()
    assert len(created["id"]) == 16
    assert created["status"] == "pending"
    assert created["query"] == '{service="api"} |= "secret"'
    assert created["start"] == ts(2) and created["end"] == ts(5)
    assert "created" in created and "processed" not in created

    # Hidden at once: exactly the api lines with "secret" in [2s, 5s] (both ends inclusive); nothing else.
    expected = expected_after_secret_delete(2, 5)
    assert len(expected) == len(everything) - 4
    assert messages(server, "acme") == expected
    assert messages(server, "globex") == everything  # the other tenant keeps everything

    listed = list_deletes(server, "acme")["requests"]
    assert [x["id"] for x in listed] == [created["id"]]
    assert listed[0] == created  # pending: hidden at read time, not purged yet
    assert list_deletes(server, "globex") == {"requests": []}
    assert cancel(server, "globex", created["id"]).status == 404  # another tenant's id is unknown

    # Rows ingested later into the deleted range are hidden too (the request is a rule, not a one-off).
    ingest(server, "acme", [{"timestamp": ts(3), "service": "api", "message": "late secret"}])
    assert "late secret" not in messages(server, "acme")

    server.stop()
    server.start()
    assert messages(server, "acme") == expected
    assert messages(server, "globex") == everything
    assert list_deletes(server, "acme")["requests"] == [created]


def test_cancel_brings_rows_back(quiet):
    server = quiet
    ingest(server, "acme", rows())
    ingest(server, "globex", rows())
    r = post_delete(server, "acme", '{service="api"} |= "secret"', ts(0), ts(1))
    assert r.status == 200, r
    kept_id = r.json()["id"]
    r = post_delete(server, "acme", '{service="web"}', ts(0), ts(9))
    assert r.status == 200, r
    request_id = r.json()["id"]
    visible = messages(server, "acme")
    assert not any(m.startswith("web") for m in visible)
    assert len(visible) == 30 - 2 - 10

    c = cancel(server, "acme", request_id)
    assert c.status == 200, c
    assert c.json() == {"id": request_id, "status": "cancelled"}
    # The web rows are back; the other request still holds.
    assert messages(server, "acme") == expected_after_secret_delete(0, 1)
    assert messages(server, "globex") == sorted(r["message"] for r in rows())
    statuses = {x["id"]: x["status"] for x in list_deletes(server, "acme")["requests"]}
    assert statuses == {kept_id: "pending", request_id: "cancelled"}
    # Cancelling again is idempotent; request_id (Loki's name) works too.
    again = cancel(server, "acme", request_id, param="request_id")
    assert again.status == 200 and again.json() == {"id": request_id, "status": "cancelled"}
    # Unknown ids and a missing id.
    r = cancel(server, "acme", "0123456789abcdef")
    assert r.status == 404 and r.json()["code"] == "not_found", r
    r = server.request("DELETE", "/api/v1/delete", headers={"X-Tenant-ID": "acme"})
    assert r.status == 400 and r.json()["code"] == "invalid_argument", r

    server.stop()
    server.start()
    assert messages(server, "acme") == expected_after_secret_delete(0, 1)
    statuses = {x["id"]: x["status"] for x in list_deletes(server, "acme")["requests"]}
    assert statuses == {kept_id: "pending", request_id: "cancelled"}


def test_json_body_and_epoch_times(server):
    ingest(server, "acme", rows())
    start = int((BASE + timedelta(seconds=7)).timestamp())
    r = post_delete(server, "acme", body={"query": '{service=~"ap.*"} |~ "token=[0-9]"', "start": start,
                                          "end": str(start + 2)})
    assert r.status == 200, r
    assert r.json()["start"] == ts(7) and r.json()["end"] == ts(9)
    assert messages(server, "acme") == expected_after_secret_delete(7, 9)
    # end defaults to now: everything from second 0 on.
    r = post_delete(server, "acme", body={"query": '{service="web"}', "start": ts(0)})
    assert r.status == 200, r
    assert not any(m.startswith("web") for m in messages(server, "acme"))
    end = datetime.strptime(r.json()["end"][:19], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=timezone.utc)
    assert abs((end - datetime.now(timezone.utc)).total_seconds()) < 60


def test_bad_requests_get_json_errors(server):
    def error_of(r, status=400):
        assert r.status == status, r
        body = r.json()
        assert set(body) == {"error", "code", "details"}, body
        return body

    e = error_of(post_delete(server, "acme", '{service="api"', ts(0), ts(1)))
    assert e["code"] == "invalid_argument"
    assert e["error"] == "parse error at line 1, col 15: syntax error: unexpected $end, expecting } or ,"
    e = error_of(post_delete(server, "acme", '{service=""}', ts(0), ts(1)))
    assert e["error"].startswith("parse error : queries require at least one regexp or equality matcher that does "
                                 "not have an empty-compatible value"), e
    e = error_of(post_delete(server, "acme", '{service="api"} | json', ts(0), ts(1)))
    assert e["error"].startswith("parse error at line 1, col 17: unsupported pipeline stage"), e
    e = error_of(post_delete(server, "acme", '{service=~"("}', ts(0), ts(1)))
    assert "invalid regex" in e["error"], e
    assert error_of(post_delete(server, "acme", None, ts(0), ts(1)))["error"] == "query: required"
    assert error_of(post_delete(server, "acme", '{service="api"}'))["error"] == "start: required"
    assert "not ISO-8601 or an epoch" in error_of(post_delete(server, "acme", '{service="api"}', "yesterday"))["error"]
    e = error_of(post_delete(server, "acme", '{service="api"}', ts(5), ts(4)))
    assert e["error"] == "end timestamp must not be before start time"
    e = error_of(post_delete(server, "acme", body=["not", "an", "object"]))
    assert e["error"].startswith("expected a JSON object")
    r = server.request("POST", "/api/v1/delete", b"{bad json", {"Content-Type": "application/json"})
    assert error_of(r)["error"].startswith("malformed JSON")
    r = server.request("POST", "/api/v1/delete", b"<xml/>", {"Content-Type": "application/xml"})
    assert error_of(r, 415)["code"] == "unsupported_media_type"
    error_of(post_delete(server, "bad tenant!", '{service="api"}', ts(0)))
    # Nothing was stored by any of these.
    assert list_deletes(server, "acme") == {"requests": []}
    assert server.request("PATCH", "/api/v1/delete").status == 405


def test_loki_paths_answer_in_lokis_shapes(quiet):
    server = quiet
    ingest(server, "acme", rows())
    start = int((BASE + timedelta(seconds=0)).timestamp())
    # Loki's compactor API: params in the URL, unix seconds, 204 without a body.
    r = post_delete(server, "acme", '{service="api"} |= "public"', str(start), str(start + 9),
                    path="/loki/api/v1/delete")
    assert r.status == 204, r
    assert r.body == b""
    assert not any("public" in m for m in messages(server, "acme"))
    listed = list_deletes(server, "acme", path="/loki/api/v1/delete")
    assert isinstance(listed, list) and len(listed) == 1
    item = listed[0]
    assert set(item) == {"request_id", "start_time", "end_time", "query", "status", "created_at", "user_id"}
    assert item["start_time"] == start and item["end_time"] == start + 9
    assert item["query"] == '{service="api"} |= "public"'
    assert item["status"] == "received"  # Loki's name for pending
    assert abs(item["created_at"] - time.time()) < 60
    # The native listing shows the same request.
    assert list_deletes(server, "acme")["requests"][0]["id"] == item["request_id"]
    # A window filter (both bounds) on the Loki listing.
    r = server.request("GET", f"/loki/api/v1/delete?start={start + 100}&end={start + 200}",
                       headers={"X-Scope-OrgID": "acme"})
    assert r.status == 200 and r.json() == [], r
    r = server.request("GET", f"/loki/api/v1/delete?start={start}", headers={"X-Scope-OrgID": "acme"})
    assert r.status == 400, r
    # Loki's errors are plain text.
    r = post_delete(server, "acme", '{service=""}', str(start), path="/loki/api/v1/delete")
    assert r.status == 400 and r.headers["Content-Type"].startswith("text/plain"), r
    assert r.body.decode().startswith("parse error : queries require at least one regexp")
    r = server.request("DELETE", "/loki/api/v1/delete?request_id=0123456789abcdef", headers={"X-Scope-OrgID": "acme"})
    assert r.status == 404 and b"could not find delete request" in r.body, r
    # Cancel with request_id: 204, and Loki no longer lists it.
    r = post_delete(server, "acme", '{service="web"}', "2001-01-01T00:00:00Z", "2001-01-02T00:00:00Z",
                    path="/loki/api/v1/delete", headers={"X-Scope-OrgID": "acme"})
    assert r.status == 204, r
    new_id = [x["id"] for x in list_deletes(server, "acme")["requests"]][-1]
    r = server.request("DELETE", f"/loki/api/v1/delete?request_id={new_id}", headers={"X-Scope-OrgID": "acme"})
    assert r.status == 204, r
    assert [x["request_id"] for x in list_deletes(server, "acme", path="/loki/api/v1/delete")] == [item["request_id"]]
    r = server.request("DELETE", f"/loki/api/v1/delete?request_id={new_id}", headers={"X-Scope-OrgID": "acme"})
    assert r.status == 404, r  # Loki forgets cancelled requests


def test_background_purge_marks_processed_and_rows_stay_deleted(make_server):
    server = make_server(extra_args=FAST_MAINTENANCE)
    for tenant in ("acme", "globex"):
        ingest(server, tenant, rows())
    everything = sorted(r["message"] for r in rows())
    r = post_delete(server, "acme", '{service="api"} |= "secret"', ts(2), ts(5))
    assert r.status == 200, r
    request_id = r.json()["id"]
    expected = expected_after_secret_delete(2, 5)

    # The maintenance thread (every 200 ms here) flushes the head and rewrites the affected parts.
    deadline = time.time() + 60
    while True:
        item = list_deletes(server, "acme")["requests"][0]
        if item["status"] == "processed":
            break
        assert item["status"] == "pending", item
        assert time.time() < deadline, "the delete request was not processed within 60 s"
        time.sleep(0.2)
    assert item["id"] == request_id
    assert "processed" in item
    assert messages(server, "acme") == expected
    assert messages(server, "globex") == everything

    # Processed: cancelling is a conflict (the rows are gone).
    r = cancel(server, "acme", request_id)
    assert r.status == 409 and r.json()["code"] == "already_exists", r

    server.stop()
    server.start()
    assert messages(server, "acme") == expected
    assert messages(server, "globex") == everything
    assert list_deletes(server, "acme")["requests"][0]["status"] == "processed"
    # The Loki listing calls it processed too; a Loki cancel is refused with Loki's text.
    assert list_deletes(server, "acme", path="/loki/api/v1/delete")[0]["status"] == "processed"
    r = server.request("DELETE", f"/loki/api/v1/delete?request_id={request_id}", headers={"X-Tenant-ID": "acme"})
    assert r.status == 400 and b"already processed" in r.body, r

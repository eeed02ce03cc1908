"""The rate limit of the console's one unauthenticated path, GET /citizen/replies/{sender}
(issue #11), against a real console process: a burst per client address, then 429 with
Retry-After; a forged X-Forwarded-For does not buy a fresh bucket; after the wait it works."""

from __future__ import annotations

import time

import requests

from actions import review_log
from staff.citizen_limit import TokenBuckets


def test_polling_faster_than_allowed_gets_429_with_retry_after(fresh_console, tmp_path):
    db = tmp_path / "review.db"
    console = fresh_console(REVIEW_DB=str(db), STAFF_CITIZEN_RATE="0.5", STAFF_CITIZEN_BURST="3",
                            STAFF_WIDGET_ORIGINS="http://widget.example")
    sender = "web-citizen-limit-1"
    handover = review_log.record("handover", sender, "gặp cán bộ", path=db)
    url = f"{console.url}/citizen/replies/{sender}"
    statuses = [requests.get(url, headers={"X-Forwarded-For": f"10.0.0.{n}"}).status_code
                for n in range(3)]
    assert statuses == [200, 200, 200]
    refused = requests.get(url, headers={"X-Forwarded-For": "10.9.9.9",
                                         "Origin": "http://widget.example"})
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 2
    assert refused.headers.get("access-control-allow-origin") == "http://widget.example"
    # a refused poll hands out nothing: the reply waits for the next allowed one
    console.api().post(f"/api/inbox/{handover}/reply", json={"text": "Dạ, cán bộ đây."})
    assert requests.get(url).status_code == 429
    time.sleep(int(refused.headers["Retry-After"]) + 0.2)
    allowed = requests.get(url)
    assert allowed.status_code == 200
    assert [m["text"] for m in allowed.json()["messages"]] == ["Dạ, cán bộ đây."]
    # the officers' API is not behind this limit
    assert console.api().get("/api/inbox").status_code == 200


def test_token_bucket_refills_at_its_rate():
    now = [0.0]
    buckets = TokenBuckets(rate=2.0, burst=2, keys=2, clock=lambda: now[0])
    assert [buckets.wait("a") for _ in range(3)] == [0.0, 0.0, 0.5]
    assert buckets.wait("b") == 0.0  # another address has its own bucket
    now[0] += 0.5
    assert buckets.wait("a") == 0.0
    buckets.wait("c")  # at most `keys` buckets are kept: the least recently used goes
    assert len(buckets._buckets) == 2

"""Officers' replies to a handed-over Zalo conversation (issue #11) reach that citizen's OA chat
through the real bridge and the loopback Zalo stand-in: in order, split to Zalo's 2,000
characters, as plain text, once; a refused reply (outside Zalo's window) waits and is not
repeated part by part. Also the 👍/👎 buttons when they do not fit under an answer."""

from __future__ import annotations

import pytest

from actions import review_log
from channels.common.officer_replies import PREFIX
from channels.zalo import texts
from channels.zalo.app import running
from channels.zalo.render import PayloadStore, zalo_messages
from channels.zalo.state import sender_id
from testsupport.zalo_api import post_event, text_event
from testsupport.zalo_bridge import make_settings, webhook_url

CITIZEN, OTHER = "7100000000000000001", "7100000000000000002"


@pytest.fixture
def review_db(tmp_path, monkeypatch):
    db = tmp_path / "review.db"
    monkeypatch.setenv("REVIEW_DB", str(db))
    return db


@pytest.mark.asyncio
async def test_officer_replies_reach_the_zalo_chat_in_order(zalo_api, fake_rasa, tmp_path,
                                                            review_db):
    # officer_reply_seconds is long: the test calls deliver_once itself, round by round.
    settings = make_settings(zalo_api.url, fake_rasa.url, tmp_path / "zalo",
                             officer_reply_seconds=3600)
    async with running(settings) as bridge:
        for user in (CITIZEN, OTHER):
            await post_event(webhook_url(settings), text_event(user, "gặp cán bộ"))
            await zalo_api.wait_sent(user)
        handover = review_log.record("handover", sender_id("test-salt", CITIZEN), "gặp cán bộ")
        unseen = review_log.record("handover", "zl-never-seen-here", "gặp cán bộ")
        long_reply = "Dạ. " + "Hồ sơ gồm tờ khai và bản sao giấy tờ. " * 263  # 9,998 characters: near the console's maximum
        assert len(long_reply) <= 10_000
        # two officers answer the same conversation one right after the other
        for text in ("<b>Chào</b> anh & chị", long_reply, "Cán bộ khác: bổ sung ảnh 4x6."):
            review_log.add_reply(handover, text, "can_bo")
        review_log.add_reply(unseen, "không ai nhận", "can_bo")

        assert await bridge.officer.deliver_once(bridge) == 3
        sent = zalo_api.sent_to(CITIZEN)[1:]
        assert sent[0].text == f"{PREFIX}\n<b>Chào</b> anh & chị"  # Zalo shows text as is
        assert len(sent) >= 7 and all(len(m.text) <= 2000 for m in sent)
        body = " ".join(m.text for m in sent[1:-1])
        assert body.count("Hồ sơ gồm tờ khai") == 263  # nothing lost or repeated in the split
        assert sent[-1].text == f"{PREFIX}\nCán bộ khác: bổ sung ảnh 4x6."
        assert len(zalo_api.sent_to(OTHER)) == 1  # nothing for the other citizen
        assert await bridge.officer.deliver_once(bridge) == 0  # each reply once
        assert [r["text"] for r in review_log.pending("zalo")] == ["không ai nhận"]
        outbox = review_log.get(handover)["outbox"]
        assert all(r["delivered_at"] for r in outbox)


@pytest.mark.asyncio
async def test_refused_reply_waits_and_keeps_its_place(zalo_api, fake_rasa, tmp_path, review_db):
    settings = make_settings(zalo_api.url, fake_rasa.url, tmp_path / "zalo",
                             officer_reply_seconds=3600)
    async with running(settings) as bridge:
        await post_event(webhook_url(settings), text_event(CITIZEN, "gặp cán bộ"))
        await zalo_api.wait_sent(CITIZEN)
        handover = review_log.record("handover", sender_id("test-salt", CITIZEN), "gặp cán bộ")
        review_log.add_reply(handover, "thứ nhất", "a")
        review_log.add_reply(handover, "thứ hai", "b")
        zalo_api.refused_users.add(CITIZEN)  # outside Zalo's consultation window
        assert await bridge.officer.deliver_once(bridge) == 0
        assert len(review_log.pending("zalo")) == 2
        zalo_api.refused_users.clear()
        # the refused reply pauses a round (no call per round), then both go, in order
        assert await bridge.officer.deliver_once(bridge) == 0
        # the citizen writes again (Zalo's window reopens): the pause ends at once
        await post_event(webhook_url(settings), text_event(CITIZEN, "anh ơi"))
        await zalo_api.wait_sent(CITIZEN, 2)
        assert await bridge.officer.deliver_once(bridge) == 2
    assert [m.text for m in zalo_api.sent_to(CITIZEN)[2:]] == [
        f"{PREFIX}\nthứ nhất", f"{PREFIX}\nthứ hai"]


@pytest.mark.asyncio
async def test_delivered_by_the_bridge_loop_itself(zalo_api, fake_rasa, tmp_path, review_db):
    settings = make_settings(zalo_api.url, fake_rasa.url, tmp_path / "zalo",
                             officer_reply_seconds=0.2)
    async with running(settings):
        await post_event(webhook_url(settings), text_event(CITIZEN, "/canbo"))
        await zalo_api.wait_sent(CITIZEN)
        assert fake_rasa.calls[-1].message == "/canbo"  # forwarded to the assistant
        handover = review_log.record("handover", sender_id("test-salt", CITIZEN), "/canbo")
        review_log.add_reply(handover, "Dạ, cán bộ đây.", "can_bo")
        sent = await zalo_api.wait_sent(CITIZEN, 2, timeout=5)
    assert sent[1].text == f"{PREFIX}\nDạ, cán bộ đây."


def test_rating_buttons_get_their_own_message_when_they_do_not_fit(tmp_path):
    rating = [{"title": "👍 Hữu ích", "payload": '/feedback{"value":"up"}'},
              {"title": "👎 Chưa đúng", "payload": '/feedback{"value":"down"}'}]
    aspects = [{"title": f"Mục {n}", "payload": f"/ask_fee{{\"n\":{n}}}"} for n in range(4)]
    store = PayloadStore(tmp_path / "b.json")
    # 4 + 2 > 5: the answer keeps its 4 buttons, the rating comes next with its question
    answer, question = zalo_messages({"text": "Lệ phí…", "buttons": aspects + rating}, store)
    assert [b["title"] for b in answer["attachment"]["payload"]["buttons"]] == \
        [b["title"] for b in aspects]
    assert question["text"] == texts.RATE_PROMPT
    assert [b["title"] for b in question["attachment"]["payload"]["buttons"]] == \
        ["👍 Hữu ích", "👎 Chưa đúng"]
    assert store.resolve(question["attachment"]["payload"]["buttons"][1]["payload"]) == \
        '/feedback{"value":"down"}'
    # 3 + 2 fit: one message
    [single] = zalo_messages({"text": "Lệ phí…", "buttons": aspects[:3] + rating}, store)
    assert len(single["attachment"]["payload"]["buttons"]) == 5

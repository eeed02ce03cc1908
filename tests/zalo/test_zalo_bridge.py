"""The real Zalo bridge against the loopback Zalo stand-in and a fake Rasa.

Each test posts signed webhook events as Zalo would and checks what the citizen receives."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace

import httpx
import pytest

from channels.zalo import texts
from channels.zalo.render import ZALO_TEXT_LIMIT
from channels.zalo.signature import HEADER
from channels.zalo.state import sender_id
from channels.zalo.tokens import ZaloError
from testsupport.zalo_api import (
    follow_event,
    media_event,
    now_ms,
    post_event,
    signed,
    text_event,
)
from testsupport.zalo_bridge import restarted, webhook_url

pytestmark = pytest.mark.asyncio
USER = "5214001122334455667"


async def test_question_answered_to_the_same_user(bridge, webhook, zalo_api, fake_rasa):
    status = await post_event(webhook, text_event(USER, "làm lý lịch tư pháp ở đâu?"))
    assert status == 200
    [sent] = await zalo_api.wait_sent(USER)
    assert sent.text.startswith("Bạn hỏi: làm lý lịch tư pháp ở đâu?")
    assert "https://dichvucong.gov.vn" in sent.text  # the link stays whole, Zalo links it
    assert fake_rasa.calls[0].sender == sender_id("test-salt", USER)  # no raw Zalo id in Rasa


async def test_webhook_answers_before_rasa_does(bridge, webhook, zalo_api, fake_rasa):
    fake_rasa.delay = 1.0
    loop = asyncio.get_running_loop()
    started = loop.time()
    assert await post_event(webhook, text_event(USER, "câu hỏi chậm")) == 200
    assert loop.time() - started < 0.5
    await zalo_api.wait_sent(USER)


async def test_follow_greets_with_the_menu_and_a_button_round_trip(bridge, webhook, zalo_api,
                                                                    fake_rasa):
    await post_event(webhook, follow_event(USER))
    [greeting] = await zalo_api.wait_sent(USER)
    assert fake_rasa.calls[0].message == "/greet"
    assert greeting.text.startswith("Xin chào")
    titles = [b["title"] for b in greeting.buttons]
    assert titles == ["Lý lịch tư pháp", "Lệ phí cấp phiếu lý lịch tư pháp"]
    fee = greeting.buttons[1]
    assert fee["type"] == "oa.query.hide" and len(fee["payload"]) <= 12

    # Zalo sends the pressed button's payload back as the citizen's text message.
    await post_event(webhook, text_event(USER, fee["payload"]))
    sent = await zalo_api.wait_sent(USER, 2)
    assert fake_rasa.calls[1].message.startswith("/ask_fee{")
    assert sent[1].text == "Lệ phí: 200.000 đồng/lần."


async def test_buttons_still_work_after_a_restart(settings, zalo_api, fake_rasa):
    async with restarted(settings) as (first, _):
        await post_event(webhook_url(first), follow_event(USER))
        [greeting] = await zalo_api.wait_sent(USER)
    async with restarted(settings) as (second, _):
        await post_event(webhook_url(second), text_event(USER, greeting.buttons[1]["payload"]))
        sent = await zalo_api.wait_sent(USER, 2)
    assert sent[1].text == "Lệ phí: 200.000 đồng/lần."


async def test_unknown_button_id_gets_a_polite_notice(bridge, webhook, zalo_api, fake_rasa):
    await post_event(webhook, text_event(USER, "#qAAAAAAAAAA"))
    [sent] = await zalo_api.wait_sent(USER)
    assert sent.text == texts.BUTTON_EXPIRED
    assert fake_rasa.calls == []


@pytest.mark.parametrize("kind", ["bad", "missing", "other secret"])
async def test_bad_signature_rejected_and_nothing_sent(bridge, webhook, zalo_api, fake_rasa, kind):
    event = text_event(USER, "giả mạo")
    raw, headers = signed(event)
    if kind == "bad":
        headers[HEADER] = "mac=" + "0" * 64
    elif kind == "missing":
        del headers[HEADER]
    else:
        headers = signed(event, secret="someone-else")[1]
    assert await post_event(webhook, event, headers=headers) == 401
    await asyncio.sleep(0.3)
    assert zalo_api.sent == [] and fake_rasa.calls == []


async def test_tampered_body_rejected(bridge, webhook, zalo_api, fake_rasa):
    event = text_event(USER, "câu hỏi")
    _, headers = signed(event)
    tampered = dict(event, message={"text": "câu khác", "msg_id": "x"})
    assert await post_event(webhook, tampered, headers=headers) == 401


async def test_stale_event_rejected(bridge, webhook, zalo_api, fake_rasa):
    old = str(int(now_ms()) - 10 * 60 * 1000)  # ten minutes old, correctly signed
    assert await post_event(webhook, text_event(USER, "cũ", timestamp=old)) == 401
    await asyncio.sleep(0.3)
    assert zalo_api.sent == [] and fake_rasa.calls == []


async def test_replayed_event_processed_once(settings, zalo_api, fake_rasa):
    event = text_event(USER, "hỏi một lần", msg_id="msg-replayed")
    async with restarted(settings) as (first, _):
        for _ in range(3):  # Zalo redelivers when it thinks we did not answer
            assert await post_event(webhook_url(first), event) == 200
        await zalo_api.wait_sent(USER)
        await asyncio.sleep(0.3)
    async with restarted(settings) as (second, _):  # and once more after a quick restart
        assert await post_event(webhook_url(second), event) == 200
        await asyncio.sleep(0.3)
    assert len(zalo_api.sent_to(USER)) == 1
    assert [c.message for c in fake_rasa.calls] == ["hỏi một lần"]


async def test_long_answer_split_on_line_boundaries(bridge, webhook, zalo_api, fake_rasa):
    lines = [f"- Dòng {n:03d}: giấy tờ cần chuẩn bị, xem https://dichvucong.gov.vn/p/{n}"
             for n in range(80)]
    answer = "\n".join(lines)
    assert len(answer) >= 5000
    fake_rasa.answer = lambda sender, message: [{"recipient_id": sender, "text": answer}]
    await post_event(webhook, text_event(USER, "dài"))
    await zalo_api.wait_sent(USER, 3)
    await asyncio.sleep(0.3)
    parts = [s.text for s in zalo_api.sent_to(USER)]
    assert len(parts) == 3
    assert all(len(part) <= ZALO_TEXT_LIMIT for part in parts)
    assert "\n".join(parts) == answer  # nothing lost, order kept, no line or link cut


async def test_more_buttons_than_zalo_allows_go_in_follow_ups(bridge, webhook, zalo_api, fake_rasa):
    buttons = [{"title": f"Thủ tục {n}", "payload": f'/inform_procedure{{"procedure":"p{n}"}}'}
               for n in range(8)]
    fake_rasa.answer = lambda sender, message: [
        {"recipient_id": sender, "text": "Các chủ đề:", "buttons": buttons}]
    await post_event(webhook, text_event(USER, "menu"))
    sent = await zalo_api.wait_sent(USER, 2)
    assert fake_rasa.calls[0].message == "/help"  # "menu" typed or sent by the OA menu
    assert [len(s.buttons) for s in sent] == [5, 3]
    assert [s.text for s in sent] == ["Các chủ đề:", texts.MORE_OPTIONS]


async def test_rasa_down_apology_with_the_official_channel(bridge, webhook, zalo_api, fake_rasa):
    fake_rasa.stop()
    await post_event(webhook, text_event(USER, "có ai không?"))
    [sent] = await zalo_api.wait_sent(USER, timeout=15)
    assert sent.text.startswith("Xin lỗi")
    assert "dichvucong.gov.vn" in sent.text and "VNeID" in sent.text


@pytest.mark.parametrize("event_name", ["user_send_image", "user_send_sticker", "user_send_file",
                                        "user_send_location", "user_send_audio"])
async def test_media_gets_a_polite_text_only_reply(bridge, webhook, zalo_api, fake_rasa,
                                                   event_name):
    await post_event(webhook, media_event(USER, event_name))
    [sent] = await zalo_api.wait_sent(USER)
    assert sent.text == texts.TEXT_ONLY.format(kind=texts.MEDIA_KINDS[event_name])
    assert fake_rasa.calls == []


async def test_chat_now_shows_the_menu_and_other_events_are_ignored(bridge, webhook, zalo_api,
                                                                    fake_rasa):
    for event in ({"app_id": "x", "event_name": "user_seen_message", "timestamp": now_ms(),
                   "sender": {"id": USER}, "message": {"msg_ids": ["m1"]}},
                  {"event_name": "unfollow", "timestamp": now_ms(), "follower": {"id": USER}},
                  {"event_name": "something_new", "timestamp": now_ms()}):
        assert await post_event(webhook, event) == 200
    await post_event(webhook, {"event_name": "user_click_chatnow", "timestamp": now_ms(),
                               "oa_id": "1", "user_id": USER})
    [sent] = await zalo_api.wait_sent(USER)
    assert [c.message for c in fake_rasa.calls] == ["/help"]
    assert sent.text == "Các chủ đề:"


async def test_messages_of_one_user_answered_in_order(bridge, webhook, zalo_api, fake_rasa):
    fake_rasa.delay = 0.05
    for n in range(5):
        await post_event(webhook, text_event(USER, f"câu {n}"))
    sent = await zalo_api.wait_sent(USER, 5)
    assert [s.text.split(" | ")[0] for s in sent] == [f"Bạn hỏi: câu {n}" for n in range(5)]


async def test_flooding_user_is_told_once(settings, zalo_api, fake_rasa):
    async with restarted(replace(settings, rate_limit_messages=2)) as (flood, _):
        for n in range(5):
            await post_event(webhook_url(flood), text_event(USER, f"spam {n}"))
        await zalo_api.wait_sent(USER, 3)
        await asyncio.sleep(0.3)
    texts_sent = [s.text for s in zalo_api.sent_to(USER)]
    assert len(fake_rasa.calls) == 2
    assert texts_sent.count(texts.SLOW_DOWN.format(seconds=60)) == 1


async def test_fifty_users_ten_messages_nothing_lost_or_duplicated(bridge, webhook, zalo_api,
                                                                   fake_rasa):
    users = [f"90000000000000{n:03d}" for n in range(50)]

    async def citizen(user: str) -> None:
        for n in range(10):
            await post_event(webhook, text_event(user, f"{user}-{n}"))
            await zalo_api.wait_sent(user, n + 1, timeout=30)

    await asyncio.gather(*(citizen(user) for user in users))
    await asyncio.sleep(0.3)
    for user in users:
        got = [s.text.split(" | ")[0] for s in zalo_api.sent_to(user)]
        assert got == [f"Bạn hỏi: {user}-{n}" for n in range(10)]
    assert len(fake_rasa.calls) == 500


async def test_logs_carry_no_text_no_user_id_no_token(bridge, webhook, zalo_api, fake_rasa, caplog):
    caplog.set_level(logging.INFO)
    await post_event(webhook, text_event(USER, "CCCD của tôi là 012345678901"))
    await zalo_api.wait_sent(USER)
    zalo_api.expire_access_tokens()
    await post_event(webhook, text_event(USER, "câu thứ hai"))
    await zalo_api.wait_sent(USER, 2)
    logged = "\n".join(r.getMessage() for r in caplog.records)
    for secret in ("012345678901", USER, "access-", "refresh-"):
        assert secret not in logged


async def test_officer_reply_outside_the_window_is_reported(bridge, zalo_api):
    reply = "Cán bộ trả lời: hồ sơ của anh/chị đã đủ."
    assert len(await bridge.send_text(USER, reply)) == 1  # Zalo's message id, for the inbox
    assert [s.text for s in await zalo_api.wait_sent(USER)] == [reply]
    zalo_api.refused_users.add(USER)
    with pytest.raises(ZaloError) as refused:
        await bridge.send_text(USER, "Trả lời muộn")
    assert refused.value.code  # Zalo's own code, for the officers' inbox to show


async def test_non_json_body_is_a_bad_request(bridge, webhook):
    async with httpx.AsyncClient() as client:
        reply = await client.post(webhook, content=b"not json")
    assert reply.status_code == 400

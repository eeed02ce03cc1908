"""The real python-telegram-bot Application against the loopback Bot API stand-in and fake Rasa."""

from __future__ import annotations

import asyncio

import pytest

from bridge_support import bridge_settings, running_bridge
from channels.telegram import texts
from channels.telegram.state import sender_id
from testsupport.telegram_api import callback_update, message_update

pytestmark = pytest.mark.asyncio
CHAT = 4242


async def test_text_in_answer_out(bridge, telegram_api, fake_rasa):
    fake_rasa.delay = 0.6  # slow enough for "typing…" to be shown
    telegram_api.push(message_update(telegram_api, CHAT, "làm lý lịch tư pháp ở đâu?"))
    [sent] = await telegram_api.wait_calls("sendMessage", CHAT)
    assert fake_rasa.calls[0].message == "làm lý lịch tư pháp ở đâu?"
    assert fake_rasa.calls[0].sender == sender_id("test-salt", CHAT)
    assert sent.params["parse_mode"] == "HTML"
    # Escaped bot text, bare URL turned into a link, sentence dot kept outside the link.
    assert "&lt;ok&gt; &amp; xem" in sent.params["text"]
    assert '<a href="https://dichvucong.gov.vn">https://dichvucong.gov.vn</a>.' in sent.params["text"]
    assert telegram_api.calls_to("sendChatAction", CHAT)[0].params["action"] == "typing"


async def test_commands_are_published_at_start_up(bridge, telegram_api):
    [call] = telegram_api.calls_to("setMyCommands")
    assert [c["command"] for c in call.params["commands"]] == ["start", "menu", "help"]


async def test_start_greets_with_buttons(bridge, telegram_api, fake_rasa):
    telegram_api.push(message_update(telegram_api, CHAT, "/start"))
    [sent] = await telegram_api.wait_calls("sendMessage", CHAT)
    assert fake_rasa.calls[0].message == "/greet"
    rows = sent.params["reply_markup"]["inline_keyboard"]
    assert [row[0]["text"] for row in rows] == ["Lý lịch tư pháp", "Lệ phí cấp phiếu lý lịch tư pháp"]
    for row in rows:  # long Vietnamese payloads replaced by short ids (PTB's cache)
        assert not row[0]["callback_data"].startswith("/")
        assert len(row[0]["callback_data"].encode()) <= 64


@pytest.mark.parametrize("command", ["/help", "/menu"])
async def test_help_and_menu_send_help_payload(bridge, telegram_api, fake_rasa, command):
    telegram_api.push(message_update(telegram_api, CHAT, command))
    await telegram_api.wait_calls("sendMessage", CHAT)
    assert [c.message for c in fake_rasa.calls] == ["/help"]


async def test_button_press_answers_callback_and_continues(bridge, telegram_api, fake_rasa):
    telegram_api.push(message_update(telegram_api, CHAT, "/start"))
    [menu] = await telegram_api.wait_calls("sendMessage", CHAT)
    fee_button = menu.params["reply_markup"]["inline_keyboard"][1][0]
    bot_message = {"message_id": 1, "date": 0, "text": "menu",
                   "reply_markup": menu.params["reply_markup"]}
    telegram_api.push(callback_update(CHAT, bot_message, fee_button["callback_data"]))
    sent = await telegram_api.wait_calls("sendMessage", CHAT, count=2)
    assert len(telegram_api.calls_to("answerCallbackQuery")) == 1
    payload = '/ask_fee{"procedure":"ly_lich_tu_phap","mục":"lệ phí cấp phiếu số 1"}'
    assert len(payload.encode()) > 64
    assert fake_rasa.calls[-1].message == payload
    assert "200.000" in sent[1].params["text"]


async def test_button_pressed_after_a_restart_sends_its_payload(telegram_api, fake_rasa,
                                                                 tmp_path):
    settings = bridge_settings(telegram_api, fake_rasa.url, state_file=tmp_path / "state.pickle")
    async with running_bridge(settings):
        telegram_api.push(message_update(telegram_api, CHAT, "/start"))
        [menu] = await telegram_api.wait_calls("sendMessage", CHAT)
    fee_button = menu.params["reply_markup"]["inline_keyboard"][1][0]
    bot_message = {"message_id": 1, "date": 0, "text": "menu",
                   "reply_markup": menu.params["reply_markup"]}
    async with running_bridge(settings):  # a new process would read the same file
        telegram_api.push(callback_update(CHAT, bot_message, fee_button["callback_data"]))
        await telegram_api.wait_calls("sendMessage", CHAT, count=2)
    assert fake_rasa.calls[-1].message == (
        '/ask_fee{"procedure":"ly_lich_tu_phap","mục":"lệ phí cấp phiếu số 1"}')


async def test_unknown_button_id_falls_back_to_title(bridge, telegram_api, fake_rasa):
    """An id the cache does not know (sent before a crash, or by a bridge without its state
    file): the pressed button's title goes to Rasa."""
    markup = {"inline_keyboard": [[{"text": "Lý lịch tư pháp", "callback_data": "p:gone"}]]}
    telegram_api.push(callback_update(CHAT, {"message_id": 1, "date": 0, "text": "x",
                                             "reply_markup": markup}, "p:gone"))
    await telegram_api.wait_calls("sendMessage", CHAT)
    assert fake_rasa.calls[0].message == "Lý lịch tư pháp"
    assert len(telegram_api.calls_to("answerCallbackQuery")) == 1


async def test_sticker_gets_polite_text_only_notice(bridge, telegram_api, fake_rasa):
    sticker = {"file_id": "s", "file_unique_id": "s", "type": "regular", "width": 512,
               "height": 512, "is_animated": False, "is_video": False}
    telegram_api.push(message_update(telegram_api, CHAT, sticker=sticker))
    [sent] = await telegram_api.wait_calls("sendMessage", CHAT)
    assert "nhãn dán" in sent.params["text"]
    assert fake_rasa.calls == []


async def test_location_and_edited_message_are_handled(bridge, telegram_api, fake_rasa):
    telegram_api.push(message_update(telegram_api, CHAT,
                                     location={"latitude": 21.0, "longitude": 105.8}))
    telegram_api.push(message_update(telegram_api, CHAT, "sửa lại", edited=True))
    sent = await telegram_api.wait_calls("sendMessage", CHAT, count=2)
    assert "vị trí" in sent[0].params["text"]
    assert sent[1].params["text"] == texts.EDITED
    assert fake_rasa.calls == []


async def test_long_reply_is_split_at_paragraphs(bridge, telegram_api, fake_rasa):
    telegram_api.push(message_update(telegram_api, CHAT, "dài"))
    await asyncio.sleep(0.5)
    sent = await telegram_api.wait_calls("sendMessage", CHAT, count=2)
    answer = fake_rasa.answer("s", "dài")[0]["text"]
    assert len(answer) > 4096
    assert all(len(c.params["text"]) <= 4096 for c in sent)
    assert all(not c.params["text"].startswith(" ") and c.params["text"].endswith(".")
               for c in sent)
    assert "\n\n".join(c.params["text"] for c in sent) == answer


async def test_too_long_question_is_not_forwarded(bridge, telegram_api, fake_rasa):
    telegram_api.push(message_update(telegram_api, CHAT, "hỏi " * 600))
    [sent] = await telegram_api.wait_calls("sendMessage", CHAT)
    assert "hơi dài" in sent.params["text"]
    assert fake_rasa.calls == []


async def test_rasa_down_apologises_then_recovers(bridge, telegram_api, fake_rasa):
    fake_rasa.stop()
    telegram_api.push(message_update(telegram_api, CHAT, "xin chào"))
    [apology] = await telegram_api.wait_calls("sendMessage", CHAT)
    assert apology.params["text"] == texts.APOLOGY_UNAVAILABLE
    fake_rasa.start()  # same port
    telegram_api.push(message_update(telegram_api, CHAT, "xin chào"))
    sent = await telegram_api.wait_calls("sendMessage", CHAT, count=2)
    assert "Bạn hỏi: xin chào" in sent[1].params["text"]


async def test_rasa_too_slow_apologises(telegram_api, fake_rasa):
    fake_rasa.delay = 1.0
    settings = bridge_settings(telegram_api, fake_rasa.url, rasa_read_timeout=0.3)
    async with running_bridge(settings):
        telegram_api.push(message_update(telegram_api, CHAT, "chậm"))
        [sent] = await telegram_api.wait_calls("sendMessage", CHAT)
        assert sent.params["text"] == texts.APOLOGY_UNAVAILABLE


async def test_empty_rasa_answer_gets_a_reply(bridge, telegram_api):
    telegram_api.push(message_update(telegram_api, CHAT, "im lặng"))
    [sent] = await telegram_api.wait_calls("sendMessage", CHAT)
    assert sent.params["text"] == texts.NO_ANSWER


async def test_image_is_sent_and_falls_back_to_link(bridge, telegram_api):
    telegram_api.push(message_update(telegram_api, CHAT, "ảnh"))
    [photo] = await telegram_api.wait_calls("sendPhoto", CHAT)
    assert photo.params["photo"] == "https://example.gov.vn/mau.png"
    telegram_api.fail["sendPhoto"] = "Bad Request: wrong type of the web page content"
    telegram_api.push(message_update(telegram_api, CHAT, "ảnh"))
    sent = await telegram_api.wait_calls("sendMessage", CHAT, count=3)
    assert 'href="https://example.gov.vn/mau.png"' in sent[-1].params["text"]


async def test_group_answers_only_when_addressed(bridge, telegram_api, fake_rasa):
    group = -100777
    telegram_api.push(message_update(telegram_api, group, "chuyện riêng", chat_type="supergroup"))
    question = "@thutuc_test_bot lệ phí bao nhiêu?"
    mention = [{"type": "mention", "offset": 0, "length": len("@thutuc_test_bot")}]
    telegram_api.push(message_update(telegram_api, group, question, chat_type="supergroup",
                                     entities=mention))
    [sent] = await telegram_api.wait_calls("sendMessage", group)
    assert [c.message for c in fake_rasa.calls] == ["lệ phí bao nhiêu?"]
    assert sent.params["reply_parameters"]["message_id"] > 0  # quotes the question


async def test_flood_from_one_chat_is_limited_politely(telegram_api, fake_rasa):
    settings = bridge_settings(telegram_api, fake_rasa.url, rate_limit_messages=3)
    async with running_bridge(settings):
        for index in range(6):
            telegram_api.push(message_update(telegram_api, CHAT, f"câu {index}"))
        telegram_api.push(message_update(telegram_api, 77, "chat khác"))
        await telegram_api.wait_calls("sendMessage", 77)
        sent = await telegram_api.wait_calls("sendMessage", CHAT, count=4)
        await asyncio.sleep(0.3)
        sent = telegram_api.calls_to("sendMessage", CHAT)
    notices = [c for c in sent if "hơi nhanh" in c.params["text"]]
    assert len(notices) == 1  # told once, not once per dropped message
    assert [c.message for c in fake_rasa.calls if c.message.startswith("câu")] == [
        "câu 0", "câu 1", "câu 2"]


async def test_messages_of_one_chat_stay_in_order(telegram_api, fake_rasa):
    """Updates run concurrently, but one chat's messages reach Rasa and come back in order."""
    fake_rasa.delay = 0.05
    async with running_bridge(bridge_settings(telegram_api, fake_rasa.url)):
        for index in range(5):
            telegram_api.push(message_update(telegram_api, CHAT, f"câu {index}"))
        sent = await telegram_api.wait_calls("sendMessage", CHAT, count=5)
    assert [c.message for c in fake_rasa.calls] == [f"câu {i}" for i in range(5)]
    assert [c.params["text"].split(" | ")[0] for c in sent] == [
        f"Bạn hỏi: câu {i}" for i in range(5)]

"""Custom actions run on saved tracker fixtures, the way Rasa's own demo bots test them."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import actions
from actions.catalog import CatalogStore
from testsupport.trackers import slot

FIXTURES = Path(__file__).parent / "fixtures" / "trackers"
LLTP = "ly_lich_tu_phap"


def load_tracker(name: str) -> Tracker:
    return Tracker.from_dict(json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8")))


def run(action, fixture: str):
    dispatcher = CollectingDispatcher()
    events = action.run(dispatcher, load_tracker(fixture), domain={})
    return dispatcher.messages, events


def texts(messages) -> str:
    return "\n".join(m.get("text") or "" for m in messages)


@pytest.fixture
def answer():
    return actions.ActionAnswerProcedure()


def test_where_sends_citizens_to_the_police_not_the_department(answer):
    messages, events = run(answer, "where_judicial_record_unaccented")
    reply = texts(messages)
    assert "Công an" in reply
    assert slot(events, "procedure") == LLTP and slot(events, "aspect") == "ask_where"


def test_follow_up_keeps_the_procedure_of_the_conversation(answer):
    messages, _ = run(answer, "fee_follow_up")
    reply = texts(messages)
    assert "Lệ phí" in reply and "200.000" in reply and "Phiếu lý lịch tư pháp" in reply


def test_question_without_procedure_asks_which_with_buttons(answer):
    messages, events = run(answer, "fee_without_procedure")
    assert "thủ tục nào" in texts(messages)
    payloads = [b["payload"] for b in messages[0]["buttons"]]
    assert f'/ask_fee{{"procedure":"{LLTP}"}}' in payloads
    assert slot(events, "pending_aspect") == "ask_fee"


def test_choosing_the_procedure_answers_the_pending_question(answer):
    messages, events = run(answer, "button_after_procedure_question")
    assert "200.000" in texts(messages)
    assert slot(events, "pending_aspect") is None


def test_menu_button_gives_an_overview_with_aspect_buttons(answer):
    messages, _ = run(answer, "menu_button")
    titles = [b["title"] for b in messages[0]["buttons"]]
    assert "Lệ phí" in titles and "Hồ sơ cần chuẩn bị" in titles
    assert "Công an" in texts(messages)


def test_typed_procedure_follow_up_repeats_the_last_question(answer):
    messages, events = run(answer, "typed_procedure_follow_up")
    assert slot(events, "procedure") != LLTP
    assert "Lệ phí" in texts(messages)


def test_special_case_answer_for_foreigners(answer):
    reply = texts(run(answer, "foreigner_special_case")[0])
    assert "nước ngoài" in reply.lower() and "Công an" in reply


def test_closed_vi_thanh_point_is_explained(answer):
    reply = texts(run(answer, "vi_thanh_closed")[0])
    assert "01/01/2026" in reply and "Công an" in reply


def test_unknown_phone_is_admitted_not_invented(answer):
    reply = texts(run(answer, "contact_judicial_record")[0])
    assert "chưa" in reply and "Kênh chính thức" in reply
    assert not re.search(r"(?<![\d/.])(?:0|\+84)\d{2,3}[ .]?\d{3}[ .]?\d{3,4}(?![\d/])", reply)


def test_low_confidence_offers_guesses_as_buttons_with_readable_titles():
    messages, _ = run(actions.ActionSuggestGuesses(), "low_confidence_with_procedure")
    buttons = messages[0]["buttons"]
    assert buttons[0]["title"].startswith("Thời hạn giải quyết")
    assert buttons[0]["payload"] == f'/ask_time{{"procedure":"{LLTP}"}}'
    assert buttons[-1]["payload"] == "/help"


def test_second_misunderstanding_points_to_the_official_channel():
    messages, _ = run(actions.ActionSuggestGuesses(), "low_confidence_twice")
    assert "vẫn chưa hiểu" in texts(messages) and "dichvucong.gov.vn" in texts(messages)


def test_blank_message_gets_a_polite_prompt():
    messages, _ = run(actions.ActionSuggestGuesses(), "blank_message")
    assert "chưa nhập" in texts(messages) and messages[0]["buttons"]


# --- the catalog is re-read at run time --------------------------------------------------------

def set_fee(root: Path, text: str) -> None:
    path = root / "thu-tuc" / "ly-lich-tu-phap.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    next(p for p in data["thu_tuc"] if p["id"] == LLTP)["le_phi"] = text
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def test_an_edited_answer_is_live_without_retraining(answer, catalog_copy, monkeypatch):
    monkeypatch.setattr(actions, "STORE", CatalogStore(catalog_copy))
    assert "200.000" in texts(run(answer, "fee_follow_up")[0])
    set_fee(catalog_copy, "Mức thu mới: 123.456 đồng (ví dụ kiểm thử).")
    assert "123.456" in texts(run(answer, "fee_follow_up")[0])


def test_a_broken_edit_keeps_the_last_valid_catalog_answering(answer, catalog_copy, monkeypatch,
                                                               caplog):
    monkeypatch.setattr(actions, "STORE", CatalogStore(catalog_copy))
    run(answer, "fee_follow_up")
    (catalog_copy / "co-quan.yml").write_text("co_quan: [unclosed", encoding="utf-8")
    assert "200.000" in texts(run(answer, "fee_follow_up")[0])
    assert "co-quan.yml" in caplog.text


def test_a_bare_procedure_name_gives_its_overview(answer):
    messages, events = run(answer, "bare_procedure_name")
    assert slot(events, "procedure") == "chung_thuc_ban_sao"
    assert "nội dung nào" in texts(messages) and messages[0]["buttons"]


def test_off_topic_question_is_refused_politely_with_the_official_channel():
    messages, _ = run(actions.ActionOutOfScope(), "off_topic")
    assert "ngoài phạm vi" in texts(messages) and "dichvucong.gov.vn" in texts(messages)


def test_a_message_naming_a_procedure_is_never_refused_as_off_topic():
    messages, events = run(actions.ActionOutOfScope(), "story_naming_a_procedure_read_as_off_topic")
    assert "ngoài phạm vi" not in texts(messages) and "Công an" in texts(messages)
    assert slot(events, "procedure") == LLTP and messages[0]["buttons"]

"""Answers that lead with the asked detail (issue #9): a detail question gets the units of the
field that carry it, a broad one the field from the top cut to a phone screen, and the whole
field is one "Xem đầy đủ" button away (actions/units.py)."""

from __future__ import annotations

import json
import shutil

import pytest

from actions import actions, units
from actions.catalog import load_catalog
from actions.settings import PROJECT_ROOT
from catalog_support import LLTP, LLTP_FILE, edit, lltp
from testsupport.trackers import run_action

pytestmark = pytest.mark.usefixtures("today_is_fixed")


def ask(text, intent="ask_fee", slots=None, entities=None):
    return run_action(actions.ActionAnswerProcedure(), text, intent, slots, entities)


def full_button(buttons):
    return next((b for b in buttons if b["title"] in ("Xem đầy đủ", "Full answer")), None)


def press(button):
    """What a channel sends when the button is pressed: the payload, parsed as Rasa does."""
    intent, _, entities = button["payload"][1:].partition("{")
    values = json.loads("{" + entities)
    return ask(button["payload"], intent,
               entities=[{"entity": k, "value": v} for k, v in values.items()])


def test_a_detail_question_gets_that_detail_first_and_not_the_whole_field():
    reply, buttons, _ = ask("xin lý lịch tư pháp từ phiếu thứ 3 thì thêm bao nhiêu")
    body = reply.split("\n")
    assert "5.000" in body[1] and "thứ 3" in body[1]
    assert "Miễn phí" not in reply and "Sinh viên" not in reply  # other details
    assert full_button(buttons) is not None


def test_the_full_answer_button_shows_every_unit_of_the_field():
    _, buttons, _ = ask("người khuyết tật xin lý lịch tư pháp có mất phí không")
    reply, after, _ = press(full_button(buttons))
    assert all(part in reply for part in ("200.000", "100.000", "Miễn phí", "5.000", "VNeID"))
    assert full_button(after) is None  # nothing left to show


def test_a_broad_question_starts_at_the_top_and_fits_a_phone_screen():
    reply, buttons, _ = ask("lệ phí lý lịch tư pháp bao nhiêu")
    assert reply.split("\n")[1].startswith("- Mức thường: 200.000")
    body = reply.split("\n(Còn nữa")[0]
    assert len(body) <= units.MAX_BODY + 60  # the heading line on top of the field's text
    assert full_button(buttons) is not None


def test_the_personal_details_of_a_story_do_not_pick_the_detail():
    story = ("Em ở phường Vị Thanh, sinh năm 1998, làm nghề tự do, sđt 0912345678, công ty "
             "mới đòi lý lịch tư pháp. Cho em biết làm phiếu này tốn bao nhiêu tiền?")
    reply, _, _ = ask(story, "out_of_scope")
    assert "200.000" in reply


def test_english_detail_question_is_answered_from_the_english_text():
    reply, buttons, _ = ask("Do people with disabilities have to pay for a criminal record "
                            "certificate?", slots={"language": "en"})
    assert reply.split("\n")[1].startswith("- Free for:") and "disabilities" in reply
    assert "200,000" not in reply  # the normal fee is another detail
    assert full_button(buttons)["title"] == "Full answer"


def test_an_officers_edit_changes_the_units_without_retraining(tmp_path, monkeypatch):
    root = tmp_path / "catalog"
    shutil.copytree(PROJECT_ROOT / "catalog", root)

    def add_veterans_line(data):
        fee = lltp(data)["le_phi"]
        current = fee[-1] if isinstance(fee, list) else fee
        current["noi_dung"] = current["noi_dung"].rstrip("\n") + \
            "\n- Cựu chiến binh: 150.000 đồng (mức thử của bài kiểm tra)."
    edit(root, LLTP_FILE, add_veterans_line)
    catalog = load_catalog(root)
    from actions import answers
    reply = answers.aspect_answer(catalog, catalog.procedures[LLTP], "ask_fee",
                                  question="cựu chiến binh thì phí bao nhiêu", full=False)
    assert reply.text.split("\n")[1].startswith("- Cựu chiến binh: 150.000")


def test_units_keep_the_label_of_the_list_they_come_from():
    pieces = units.split("Mở đầu.\nTheo kênh nộp:\n- VNeID: 200.000 đồng.\n- Bưu điện: thêm phí.")
    assert units.render([pieces[1]]) == "Theo kênh nộp:\n- VNeID: 200.000 đồng."


def test_copies_and_pages_are_counted_into_one_total():
    reply, _, _ = ask("Công ty yêu cầu 3 bản sao chứng thực CCCD (1 trang) và 2 bản sao chứng "
                      "thực bằng tốt nghiệp (1 trang). Chứng thực hết bao nhiêu tiền?")
    assert "Tổng: 10.000 đồng" in reply


def test_three_questions_in_one_message_get_three_answers():
    reply, _, _ = ask("Vợ tôi người Lào muốn nhập quốc tịch Việt Nam. Nộp hồ sơ ở đâu, lệ phí "
                      "bao nhiêu, và phiếu lý lịch tư pháp phải cấp trong bao lâu?", "ask_where")
    assert "109 Nguyễn Trãi" in reply and "3.000.000" in reply and "90 ngày" in reply

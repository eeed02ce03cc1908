"""The law in force on the day asked: dated rule versions, the change line, how sure a fact is,
corrections of outdated beliefs, and the re-check worklist (issue: Luật 107/2025/QH15)."""

from __future__ import annotations

import datetime as dt

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions import actions, answers, worklist
from actions.catalog import Dated, Fact, Version, load_catalog
from actions.settings import today
from catalog_support import LLTP, LLTP_FILE, edit, lltp, problems_of
from testsupport.trackers import tracker

BEFORE, ON, AFTER = dt.date(2026, 6, 30), dt.date(2026, 7, 1), dt.date(2026, 11, 27)


def reply_to(text: str, intent: str, monkeypatch, day: str | None = None, action=None) -> str:
    if day:
        monkeypatch.setenv("ASSISTANT_TODAY", day)
    dispatcher = CollectingDispatcher()
    (action or actions.ActionAnswerProcedure()).run(dispatcher, tracker(text, intent), domain={})
    return "\n".join(m.get("text") or "" for m in dispatcher.messages)


# --- choosing the version in force ----------------------------------------------------------

def _dated(*versions) -> Dated:
    return Dated(tuple(Version(start, end, Fact(text=text)) for start, end, text in versions))


def test_the_version_in_force_is_chosen_before_on_and_after_a_change():
    rule = _dated((dt.date(2010, 7, 1), dt.date(2026, 6, 30), "10 ngày"),
                  (dt.date(2026, 7, 1), None, "5 ngày"))
    assert rule.at(dt.date(2010, 6, 30)) is None  # before the first rule: nothing to answer
    assert rule.at(BEFORE).text == "10 ngày"
    assert rule.at(ON).text == "5 ngày"
    assert rule.at(dt.date(2031, 1, 1)).text == "5 ngày"  # open-ended


def test_an_open_ended_version_gives_way_to_the_next_one_on_its_first_day():
    rule = _dated((dt.date(2020, 1, 1), None, "A"), (dt.date(2025, 3, 1), None, "B"),
                  (dt.date(2026, 7, 1), None, "C"))
    assert [rule.at(d).text for d in (dt.date(2025, 2, 28), dt.date(2025, 3, 1), ON)] == \
        ["A", "B", "C"]
    current, previous = rule.change(ON)
    assert (current.value.text, previous.value.text) == ("C", "B")
    assert rule.change(dt.date(2024, 1, 1)) is None  # the first rule replaced nothing


def test_a_rule_entered_ahead_of_time_applies_from_its_first_day(catalog_copy, monkeypatch):
    def future_fee(data):
        lltp(data)["le_phi"] = [
            {"tu_ngay": "2020-01-01", "noi_dung": "200.000 đồng."},
            {"tu_ngay": "2027-01-01", "noi_dung": "150.000 đồng.", "tom_tat": "150.000 đồng"}]
    edit(catalog_copy, LLTP_FILE, future_fee)
    procedure = load_catalog(catalog_copy).procedures[LLTP]
    assert "200.000" in procedure.fact("le_phi", dt.date(2026, 12, 31)).text
    assert "150.000" in procedure.fact("le_phi", dt.date(2027, 1, 1)).text
    monkeypatch.setenv("ASSISTANT_TODAY", "2027-01-02")
    assert "150.000" in procedure.fact("le_phi").text  # today() follows ASSISTANT_TODAY


def test_assistant_today_overrides_the_date_and_a_bad_value_falls_back(monkeypatch):
    monkeypatch.setenv("ASSISTANT_TODAY", "2026-06-15")
    assert today() == dt.date(2026, 6, 15)
    monkeypatch.setenv("ASSISTANT_TODAY", "15/06/2026x")
    assert today() >= dt.date(2026, 11, 27)  # the real date, not a crash


# --- answers -----------------------------------------------------------------------------------

def test_today_the_time_limit_is_five_working_days_under_law_107_with_a_hedge(monkeypatch):
    reply = reply_to("làm lý lịch tư pháp mất bao lâu", "ask_time", monkeypatch, "2026-11-27")
    assert "5 ngày làm việc" in reply and "107/2025/QH15" in reply
    assert answers.HEDGES["bao_chi"] in reply  # press reports, not the law's text
    assert "giấy hẹn" in reply and "VNeID" in reply  # what governs
    assert "Từ 01/07/2026: không quá 5 ngày làm việc (trước đó: không quá 10 ngày" in reply
    assert "tối đa 15 ngày" not in reply.split("(trước đó")[0]


def test_before_the_law_the_time_limit_was_ten_or_fifteen_days(monkeypatch):
    reply = reply_to("làm lý lịch tư pháp mất bao lâu", "ask_time", monkeypatch, "2026-06-15")
    assert "10 ngày làm việc" in reply and "15 ngày làm việc" in reply
    assert "5 ngày làm việc" not in reply.replace("15 ngày làm việc", "")
    assert answers.HEDGES["bao_chi"] not in reply  # the 2009 law's text is confirmed


def test_a_change_older_than_a_year_is_no_longer_announced(monkeypatch):
    reply = reply_to("làm lý lịch tư pháp mất bao lâu", "ask_time", monkeypatch, "2027-08-01")
    assert "5 ngày làm việc" in reply and "trước đó" not in reply


def test_a_fact_confirmed_by_a_legal_text_gets_no_hedge(monkeypatch):
    reply = reply_to("uỷ quyền làm lý lịch tư pháp được không", "ask_authorization", monkeypatch,
                     "2026-11-27")
    assert "Phiếu số 1" in reply
    assert not any(hedge in reply for hedge in answers.HEDGES.values())


def test_channels_give_their_own_time_on_the_date_asked(monkeypatch):
    reply = reply_to("nộp lltp trực tuyến được không", "ask_online", monkeypatch, "2026-11-27")
    assert "5 ngày làm việc" in reply and "10 ngày" not in reply
    reply = reply_to("nộp lltp trực tuyến được không", "ask_online", monkeypatch, "2026-06-15")
    assert "10 ngày làm việc" in reply


def test_today_online_is_the_default_and_in_person_only_for_some(monkeypatch):
    reply = reply_to("các bước xin lý lịch tư pháp", "ask_steps", monkeypatch, "2026-11-27")
    assert "trực tuyến" in reply and "người nước ngoài" in reply
    assert "định danh điện tử" in reply


def test_upcoming_changes_are_marked_as_such(monkeypatch):
    reply = reply_to("lý lịch tư pháp có gì thay đổi", "ask_changes", monkeypatch, "2026-06-15")
    assert "Từ 01/07/2026 (sắp áp dụng)" in reply and "107/2025/QH15" in reply


# --- outdated beliefs are corrected first -----------------------------------------------------

@pytest.mark.parametrize("text, intent, correction", [
    ("nộp hồ sơ lý lịch tư pháp ở sở tư pháp mấy giờ", "ask_contact", "Công an"),
    ("lltp bây giờ lên Sở tư pháp Hậu Giang làm hả", "ask_where", "VNeID"),
    ("công ty bắt nộp phiếu lý lịch tư pháp số 2 thì xin ở đâu", "ask_where", "Phiếu số 2"),
    ("nộp hồ sơ khai sinh ở điểm tiếp nhận Vị Tân được không", "ask_where", "01/01/2026"),
    ("đăng ký kết hôn ở ubnd tỉnh hậu giang cần gì", "ask_documents", "TP Cần Thơ"),
    ("chứng thực bản sao ở phòng tư pháp huyện mất phí bao nhiêu", "ask_fee", "cấp huyện"),
    ("làm lý lịch tư pháp có cần sổ hộ khẩu không", "ask_documents", "Sổ hộ khẩu giấy"),
])
def test_the_reply_starts_with_the_correction(text, intent, correction, monkeypatch):
    reply = reply_to(text, intent, monkeypatch, "2026-11-27")
    first_line = reply.splitlines()[0]
    assert correction in first_line, reply
    assert len(reply.splitlines()) > 2  # and then answers


def test_employer_demanding_phieu_2_is_corrected_only_once_the_law_applies(monkeypatch):
    text = "công ty bắt nộp phiếu lý lịch tư pháp số 2 thì xin ở đâu"
    assert "Phiếu số 2" in reply_to(text, "ask_where", monkeypatch, "2026-11-27").splitlines()[0]
    assert "Phiếu số 2" not in reply_to(text, "ask_where", monkeypatch,
                                        "2026-06-15").splitlines()[0]


def test_a_question_without_the_belief_gets_no_correction(monkeypatch):
    reply = reply_to("phí làm lý lịch tư pháp bao nhiêu", "ask_fee", monkeypatch, "2026-11-27")
    assert reply.startswith("Phiếu lý lịch tư pháp – Lệ phí")
    reply = reply_to("tôi ở Vị Thanh, làm lltp mất bao lâu", "ask_time", monkeypatch, "2026-11-27")
    assert reply.startswith("Phiếu lý lịch tư pháp – Thời hạn")  # living there is no belief


def test_an_off_topic_message_with_an_outdated_belief_is_still_corrected(monkeypatch):
    reply = reply_to("sổ hộ khẩu của tôi bị mất phải làm sao", "out_of_scope", monkeypatch,
                     "2026-11-27", action=actions.ActionOutOfScope())
    assert reply.startswith("Sổ hộ khẩu giấy không còn được dùng")


# --- broken versions are named precisely -----------------------------------------------------

@pytest.mark.parametrize("versions, expected", [
    ([{"tu_ngay": "2026-13-01", "noi_dung": "x"}], "version #1, field 'tu_ngay': not a date"),
    ([{"tu_ngay": "2020-01-01", "den_ngay": "2026-07-10", "noi_dung": "a"},
      {"tu_ngay": "2026-07-01", "noi_dung": "b"}], "version #2: overlaps the previous version"),
    ([{"tu_ngay": "2026-07-01", "noi_dung": "a"},
      {"tu_ngay": "2020-01-01", "noi_dung": "b"}], "version #2: versions must be in date order"),
    ([{"tu_ngay": "2026-07-01"}], "version #1: has no text"),
    ([{"tu_ngay": "2026-07-01", "den_ngay": "2026-01-01", "noi_dung": "a"}],
     "version #1: den_ngay 01/01/2026 is before tu_ngay"),
    ([{"noi_dung": "a"}], "version #1, field 'tu_ngay': missing"),
    ([{"tu_ngay": "2026-07-01", "noi_dung": "a", "do_tin_cay": "blog"}],
     "'blog' is not one of: van_ban, bao_chi, chua_chac"),
])
def test_bad_versions_name_file_procedure_and_field(catalog_copy, versions, expected):
    edit(catalog_copy, LLTP_FILE, lambda data: lltp(data).update(thoi_han_giai_quyet=versions))
    message = problems_of(catalog_copy)
    assert "catalog/thu-tuc/ly-lich-tu-phap.yml: procedure 'ly_lich_tu_phap', field " \
           "'thoi_han_giai_quyet'" in message, message
    assert expected in message, message


def test_a_bad_channel_version_is_named(catalog_copy):
    def bad(data):
        lltp(data)["cach_thuc"][0]["thoi_han"] = [{"tu_ngay": "01/07/2026", "den_ngay": "x",
                                                    "noi_dung": "5 ngày"}]
    edit(catalog_copy, LLTP_FILE, bad)
    message = problems_of(catalog_copy)
    assert "channel #1, field 'thoi_han', version #1, field 'den_ngay': not a date" in message


def test_the_running_assistant_keeps_the_last_valid_catalog_after_a_bad_version(
        catalog_copy, monkeypatch):
    store = actions.CatalogStore(catalog_copy)
    monkeypatch.setattr(actions, "STORE", store)
    assert "5 ngày" in reply_to("lltp mất bao lâu", "ask_time", monkeypatch, "2026-11-27")
    edit(catalog_copy, LLTP_FILE, lambda data: lltp(data).update(
        thoi_han_giai_quyet=[{"tu_ngay": "2026-07-01", "noi_dung": "a"},
                             {"tu_ngay": "2026-07-01", "noi_dung": "b"}]))
    assert "5 ngày" in reply_to("lltp mất bao lâu", "ask_time", monkeypatch)


# --- the re-check worklist ------------------------------------------------------------------

def test_the_worklist_lists_stale_and_unknown_facts_by_procedure(catalog):
    items = worklist.worklist(catalog, AFTER)
    owners = worklist.grouped(items)
    lltp_items = owners["catalog/thu-tuc/ly-lich-tu-phap.yml: procedure 'ly_lich_tu_phap'"]
    # re-checked on 27/11/2026: not stale; the rest of the record was verified in February
    assert not any(i.field == "thoi_han_giai_quyet" for i in lltp_items)
    assert any(i.field == "" and i.kind == "stale" for i in lltp_items)
    police = owners["catalog/co-quan.yml: office 'cong_an_tp_can_tho'"]
    assert {i.field for i in police if i.kind == "unknown"} == {"dia_chi", "gio_lam_viec",
                                                                 "dien_thoai"}
    assert not worklist.worklist(catalog, AFTER, max_age=10_000) == []  # unknowns stay listed


def test_check_catalog_prints_the_worklist_as_warnings(capsys, monkeypatch):
    from actions.catalog import main
    monkeypatch.setenv("ASSISTANT_TODAY", "2026-11-27")
    assert main(["check"]) == 0  # warnings do not fail the check
    out = capsys.readouterr().out
    assert "Catalog OK" in out and "Re-check worklist (27/11/2026; warnings, not errors)" in out
    assert "procedure 'ly_lich_tu_phap'" in out and "still unknown" in out

"""Recognising the procedure as citizens write it: accents or not, abbreviations, typos."""

from __future__ import annotations

import time

import pytest

from actions.matching import find_office, find_procedure, find_question
from actions.text import fold

LLTP = "ly_lich_tu_phap"


@pytest.mark.parametrize("message", [
    "Làm lý lịch tư pháp ở đâu?",
    "lam ly lich tu phap o dau",
    "LLTP nộp ở đâu ạ",
    "xin phiếu tư pháp mất bao lâu",
    "giay tu phap bn tien",
    "lys lichj tuw phaps o dau",      # Telex residue
    "ly1 lich5 tu phap",              # VNI residue
    "ly lich tu phpa lam o dau",      # a typo
    "police clearance certificate",
])
def test_judicial_record_is_recognised(catalog, message):
    procedure = find_procedure(catalog, message)
    assert procedure is not None and procedure.id == LLTP, message


@pytest.mark.parametrize("message, expected_field", [
    ("làm giấy khai sinh cho con", "ho tich"),
    ("dang ky ket hon can gi", "ho tich"),
    ("chứng thực bản sao hết bao nhiêu", "chung thuc"),
    ("sao y giấy tờ ở đâu", "chung thuc"),
    ("xin nhập quốc tịch việt nam", "quoc tich"),
    ("tro giup phap ly mien phi khong", "tro giup phap ly"),
])
def test_other_procedures_are_recognised(catalog, message, expected_field):
    procedure = find_procedure(catalog, message)
    assert procedure is not None and fold(expected_field) in fold(procedure.field), message


def test_the_most_specific_alias_wins(catalog):
    foreign = find_procedure(catalog, "kết hôn với người nước ngoài cần gì")
    domestic = find_procedure(catalog, "đăng ký kết hôn cần gì")
    assert foreign is not None and domestic is not None and foreign.id != domestic.id


def test_the_procedure_named_first_wins(catalog):
    procedure = find_procedure(catalog, "xin lltp để kết hôn với người nước ngoài")
    assert procedure.id == LLTP


@pytest.mark.parametrize("message", ["công chức", "phí bao nhiêu?", "xin chào", "", "   ", "😀😀", "bao lâu"])
def test_no_procedure_is_guessed_from_a_message_that_names_none(catalog, message):
    assert find_procedure(catalog, message) is None


def test_a_special_case_question_is_found_by_keyword(catalog):
    question = find_question(catalog.procedures[LLTP], "nguoi nuoc ngoai xin lltp duoc khong",
                             "doi_tuong")
    assert question is not None and "nước ngoài" in question.question.lower()


def test_a_special_case_limited_to_some_aspects_leaves_the_others_alone(catalog):
    limited = [q for q in catalog.procedures[LLTP].questions if q.aspects]
    assert limited, "the judicial record should have special cases limited to some aspects"
    question = limited[0]
    other = next(a for a in ("le_phi", "mau_don", "can_cu_phap_ly") if a not in question.aspects)
    message = f"lltp {question.keywords[0]}"
    assert find_question(catalog.procedures[LLTP], message, question.aspects[0]) is question
    assert find_question(catalog.procedures[LLTP], message, other) is not question


def test_a_closed_office_is_recognised_by_its_old_name(catalog):
    office = find_office(catalog, "con nop o vi thanh duoc ko")
    assert office is not None and office.closed


def test_a_very_long_message_is_matched_quickly(catalog):
    message = "em muốn hỏi " + "abc xyz " * 1250 + " lý lịch tư pháp"
    started = time.perf_counter()
    find_procedure(catalog, message)
    assert time.perf_counter() - started < 1.0


def test_folding_keeps_words_apart_and_expands_chat_spellings():
    assert fold("Đăng ký KẾT HÔN, được ko?") == "dang ki ket hon duoc khong"
    assert fold("pháp lý") == fold("pháp lí") == "phap li"  # i and y spell the same vowel
    assert fold("bn tiền z") == "bao nhieu tien vay"

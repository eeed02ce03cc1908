"""Everyday words citizens use for a procedure or a detail, and the fact their reply must then
carry (issue #9, fourth pass over the content set's dev halves; the wordings here are our
own). On built trackers: the actions alone, the intent given as the classifier would."""

from __future__ import annotations

import pytest

from actions import actions, units
from actions.text import fold
from testsupport.trackers import run_action, slot

pytestmark = pytest.mark.usefixtures("today_is_fixed")


def ask(text, intent, slots=None):
    reply, _, events = run_action(actions.ActionAnswerProcedure(), text, intent, slots)
    return reply, slot(events, "procedure")


# --- names: chat abbreviations and everyday verbs -----------------------------------------

@pytest.mark.parametrize("text, intent, procedure, fact", [
    # "ct" is how chat writes chứng thực, before any of its objects
    ("ct chữ ký trên đơn xin việc mất phí không ạ", "ask_fee", "chung_thuc_chu_ky", "10.000"),
    ("ct hợp đồng cho thuê nhà làm ở phường nào cũng được hả", "ask_where",
     "chung_thuc_hop_dong", "UBND"),
    # "nhận nuôi" is the everyday verb of adoption
    ("hai vợ chồng muốn nhận nuôi đứa cháu, phí nộp là bao nhiêu", "ask_fee",
     "nuoi_con_nuoi_trong_nuoc", "400.000"),
    # the hospital's "giấy báo tử" is what families name when they mean the death registration
    ("bà ngoại mới mất, đi làm giấy báo tử thì nộp chỗ nào", "ask_where", "dang_ky_khai_tu",
     "UBND xã/phường"),
])
def test_an_everyday_name_finds_the_procedure_and_its_fact(text, intent, procedure, fact):
    reply, named = ask(text, intent)
    assert named == procedure, reply
    assert fact in reply, reply


def test_a_foreign_adopter_named_with_the_everyday_verb_gets_the_foreign_fee():
    reply, named = ask("tôi là người Hàn Quốc ở Cần Thơ, muốn nhận nuôi một bé thì phí bao nhiêu",
                       "ask_fee")
    assert named == "nuoi_con_nuoi_nuoc_ngoai" and "4.500.000" in reply, reply


def test_a_dropped_n_of_a_final_ng_is_still_the_word():
    assert fold("đăg kí khai sinh") == fold("đăng kí khai sinh")
    assert fold("khôg biết") == "khong biet"
    assert fold("big dog") == "big dog"  # English words ending in g are left alone


def test_registering_residence_typed_with_a_dropped_n_points_to_the_police():
    reply, _ = ask("đăg kí thường trú cho con mới sinh ở đâu", "ask_where")
    assert "Công an" in reply and "không thuộc lĩnh vực tư pháp" in reply, reply


# --- details: which one is asked ------------------------------------------------------------

def test_how_long_a_certificate_is_valid_is_its_validity_not_the_processing_time():
    reply, _ = ask("Once issued, how long is the criminal record certificate valid?", "ask_time")
    assert "Validity" in reply and "sets no validity period" in reply, reply
    assert "Processing time" not in reply, reply


def test_asking_about_certificate_number_2_through_someone_else_gets_its_own_rule():
    # "số 2" shares only its number with the bullet on certificate No. 2, "người khác" two
    # words with the one on No. 1: the number must count.
    reply, _ = ask("mình nhờ người khác nộp lltp số 2 giùm được không", "ask_authorization")
    assert "Phiếu số 2: không được ủy quyền" in reply, reply


def test_the_vneid_steps_say_which_police_office_issues_the_certificate():
    reply, _ = ask("hướng dẫn xin phiếu lý lịch tư pháp qua vneid với", "ask_online")
    assert "Công an TP Cần Thơ" in reply and "Cục Hồ sơ nghiệp vụ" in reply, reply


# --- special cases: the asking sentence decides ----------------------------------------------

def test_a_place_named_in_the_story_does_not_outweigh_what_the_question_asks():
    reply, _ = ask("I lived in Vi Thanh for years and moved to Australia in 2024. "
                   "How can I request my criminal record certificate from abroad?", "ask_steps")
    assert "I live abroad" in reply and "Ministry of Public Security" in reply, reply
    assert "Reception point No. 2" not in reply, reply


def test_a_citizen_who_cannot_come_home_gets_the_living_abroad_answer():
    reply, _ = ask("Em đi làm ở Đài Loan, công ty cần lý lịch tư pháp. "
                   "Em không về nước được thì xin bằng cách nào?", "ask_steps")
    assert "Cục Hồ sơ nghiệp vụ – Bộ Công an" in reply and "ủy quyền" in reply, reply


# --- the amended Nationality Law (fact sheet §2.3) ----------------------------------------

def test_the_amended_nationality_law_is_answered_without_a_procedure_named():
    reply, _ = ask("luật quốc tịch sửa đổi năm 2025 có những điểm gì mới vậy ạ", "ask_changes")
    assert "79/2025/QH15" in reply and "01/7/2025" in reply, reply
    assert "thủ tục nào" not in reply, reply


def test_an_english_question_on_proving_nationality_with_the_electronic_id_is_answered():
    reply, _ = ask("Since the nationality law changed, is my electronic ID enough to prove "
                   "Vietnamese nationality?", "ask_result")
    assert "electronic ID prove Vietnamese nationality" in reply, reply
    assert "not verified yet" not in reply, reply


# --- follow-ups: a kind of person the procedure lists -----------------------------------------

def test_asking_whether_a_listed_kind_of_person_may_have_it_answers_who_may():
    # read by the classifier as a remark to the bot; the conversation is about legal aid
    reply, _, _ = run_action(actions.ActionSmallTalk(), "bà nội tôi là người có công với cách "
                             "mạng thì có dc không ạ", "bot_challenge",
                             {"procedure": "tro_giup_phap_ly", "aspect": "ask_where"})
    assert "người có công" in reply and "miễn phí" in reply, reply


def test_asking_the_bot_about_itself_mid_conversation_still_gets_the_bot_answer():
    reply, _, _ = run_action(actions.ActionSmallTalk(), "bạn là người thật hay là máy vậy",
                             "bot_challenge", {"procedure": "tro_giup_phap_ly",
                                               "aspect": "ask_where"})
    assert reply == ""  # utter_iamabot, sent by Rasa (no text here)


# --- numbered items: "số 2" and the bullets that name them ----------------------------------

def test_the_head_of_a_long_bullet_brings_the_sentences_that_follow_it():
    text = ("- Thẻ xanh: được gia hạn tại quầy. Cần mang theo biên nhận cũ và ảnh chân dung. "
            "Người trên 70 tuổi không cần ảnh nhưng phải mang giấy tờ tùy thân có ảnh còn "
            "hạn sử dụng để cán bộ đối chiếu khi gia hạn thẻ tại quầy tiếp nhận.\n"
            "- Thẻ đỏ: không được gia hạn.\n- Thẻ vàng: gia hạn trực tuyến.")
    pieces = units.split(text)
    assert len(pieces) == 5  # the long first bullet is three sentences
    weights = units.Weights([text, "- Thẻ cam: nộp hồ sơ tại quầy.", "- Sổ tay: ghi chép.",
                             "- Biên nhận: giữ lại.", "- Ảnh: 4x6."])
    chosen = units.focus(pieces, ["the", "xanh"], weights)
    assert chosen == [0, 1, 2], [pieces[i].text for i in chosen]


def test_asking_about_certificate_number_1_through_a_parent_keeps_the_parents_rule():
    reply, _ = ask("em nhờ mẹ nộp lltp số 1 thay em thì có cần giấy ủy quyền không",
                   "ask_authorization")
    assert "không cần văn bản ủy quyền" in reply and "chứng minh quan hệ" in reply, reply


def test_a_question_on_both_numbered_items_gets_both():
    # "số 1" and "số 2" together ask the difference: a line naming both is not the answer
    reply, _ = ask("lltp số 1 vs số 2 khác nhau sao", "ask_difference")
    assert "Chỉ ghi án tích chưa được xóa" in reply and "Ghi tất cả án tích" in reply, reply


# --- a correction of the detail, and "any ward" ------------------------------------------------

@pytest.mark.parametrize("text, fact", [
    ("à nhầm, ý em là cho người khuyết tật", "Miễn phí"),
    ("Oh sorry, I meant for the elderly.", "Free for"),
])
def test_a_correction_naming_a_detail_asks_the_previous_question_about_it(text, fact):
    # the classifier heard another aspect; the conversation was about the Phiếu's fee
    reply, _, events = run_action(actions.ActionAnswerProcedure(), text, "ask_contact",
                                  {"procedure": "ly_lich_tu_phap", "aspect": "ask_fee"})
    assert fact in reply, reply
    assert slot(events, "aspect") == "ask_fee"


def test_asking_whether_any_ward_will_do_asks_where():
    reply, _, _ = run_action(actions.ActionSuggestGuesses(),
                             "Are certified copies made at any commune office in the city?",
                             "nlu_fallback")
    assert "Where to apply" in reply and "any ward/commune" in reply, reply


@pytest.mark.parametrize("text, title, fact", [
    ("chứng thực chữ ký bên xã lấy bao nhiêu tiềng vậy", "Lệ phí", "10.000"),
    ("chứng thực chữ ký họ lấy bao nhiêu ngày mới xong", "Thời hạn giải quyết", "Trong ngày"),
])
def test_what_the_office_takes_is_its_charge_unless_days_are_counted(text, title, fact):
    reply, _, _ = run_action(actions.ActionSuggestGuesses(), text, "nlu_fallback")
    assert reply.startswith(f"Chứng thực chữ ký – {title}") and fact in reply, reply


def test_a_correction_naming_a_special_case_asks_the_previous_question_about_it():
    # "20 ngày" is a special case of the Phiếu's processing time (an outdated figure), not a
    # word of its time field; the classifier heard a contact question
    reply, _, _ = run_action(actions.ActionAnswerProcedure(),
                             "à nhầm, ý em là cái vụ 20 ngày người ta nói", "ask_contact",
                             {"procedure": "ly_lich_tu_phap", "aspect": "ask_time"})
    assert "20 ngày" in reply and "5 ngày làm việc" in reply, reply
    assert "Liên hệ" not in reply, reply


# --- fifth pass (round 6 dev half): general causes, our own wordings ------------------------

def test_still_usable_in_southern_speech_asks_the_validity_not_the_processing_time():
    # "xài" is the Southern "dùng"; "còn dùng được" asks whether an issued paper still serves
    reply, _ = ask("tờ lý lịch tư pháp xin hồi năm ngoái giờ còn xài được nữa không", "ask_time")
    assert "Thời hạn sử dụng" in reply and "không quy định thời hạn" in reply, reply
    assert "Thời hạn giải quyết" not in reply, reply


def test_still_acceptable_for_a_file_asks_the_validity():
    reply, _ = ask("giấy lý lịch tư pháp cấp từ tháng 5 thì bây giờ còn hợp lệ để nộp hồ sơ "
                   "du học không", "ask_time")
    assert "Thời hạn sử dụng" in reply and "Thời hạn giải quyết" not in reply, reply


def test_qt_in_chat_is_nationality():
    assert fold("thôi qt") == fold("thôi quốc tịch")
    reply, named = ask("mẹ tôi muốn thôi qt việt nam để nhập tịch bên Đức thì nộp hồ sơ ở đâu",
                       "ask_where")
    assert named == "thoi_quoc_tich" and "109 Nguyễn Trãi" in reply, reply


def test_a_number_plate_without_the_word_for_vehicle_points_to_the_police():
    reply, _, _ = run_action(actions.ActionOutOfScope(), "mới mua chiếc ô tô, làm biển số ở "
                             "phường nào", "out_of_scope")
    assert "không thuộc lĩnh vực tư pháp" in reply and "Công an" in reply, reply


def test_hiring_a_lawyer_is_not_taken_for_tax_and_ls_is_a_lawyer():
    # folded, "thuê" (hire) is "thuế" (tax); "ls" is chat for luật sư; "tốn phí" asks the fee
    reply, _, events = run_action(actions.ActionOutOfScope(), "chú em bị công an bắt, nhà hộ "
                                  "nghèo, thuê ls bào chữa có tốn phí không", "out_of_scope")
    assert "Trợ giúp pháp lý" in reply and "hộ nghèo" in reply, reply
    assert "không thuộc lĩnh vực tư pháp" not in reply, reply


def test_paying_land_tax_is_still_another_offices_service():
    reply, _, _ = run_action(actions.ActionOutOfScope(), "đóng thuế đất hằng năm ở đâu vậy",
                             "out_of_scope")
    assert "không thuộc lĩnh vực tư pháp" in reply, reply


def test_the_merger_called_joining_provinces_is_explained():
    reply, _ = ask("từ hồi gộp tỉnh tới giờ, dân Vị Thanh làm giấy tờ thì ai lo", "ask_changes")
    assert "TP Cần Thơ" in reply and "01/7/2025" in reply, reply
    assert "thủ tục nào" not in reply, reply


# --- follow-ups: what the discussed paper is used for -----------------------------------------

@pytest.mark.parametrize("text, fact", [
    # "nó" is the Phiếu just asked about; the adoption file is only what it is for
    ("vậy còn nếu em nộp nó vào hồ sơ nhận con nuôi trong nước thì sao", "không quá 6 tháng"),
    ("And what if I need it for a domestic adoption?", "domestic adoption 6 months"),
])
def test_using_the_discussed_paper_for_another_file_asks_the_same_about_the_paper(text, fact):
    reply, named = ask(text, "ask_changes", {"procedure": "ly_lich_tu_phap",
                                             "aspect": "ask_validity"})
    assert named == "ly_lich_tu_phap" and fact in reply, reply


def test_a_follow_up_naming_another_procedure_without_it_still_asks_about_that_one():
    reply, named = ask("thế còn nhập quốc tịch thì sao", "ask_fee",
                       {"procedure": "ly_lich_tu_phap", "aspect": "ask_fee"})
    assert named == "nhap_quoc_tich" and "3.000.000" in reply, reply

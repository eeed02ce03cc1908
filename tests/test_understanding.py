"""What citizens actually ask: corrections, general questions, other offices' services,
English, new procedures, commands — on built trackers (the actions alone, no model)."""

from __future__ import annotations

import pytest

from actions import actions, language
from actions.catalog import CatalogStore, load_catalog
from actions.matching import find_procedure
from actions.settings import PROJECT_ROOT
from catalog_support import edit
from testsupport.trackers import run_action, slot

LLTP = "ly_lich_tu_phap"


pytestmark = pytest.mark.usefixtures("today_is_fixed")


def answer(text, intent, slots=None):
    return run_action(actions.ActionAnswerProcedure(), text, intent, slots)


# --- corrections and switches --------------------------------------------------------------

@pytest.mark.parametrize("text, intent, procedure", [
    ("à không, tôi hỏi chứng thực chữ ký chứ", "bot_challenge", "chung_thuc_chu_ky"),
    ("lộn, ý là bản trích lục", "inform_procedure", "trich_luc_ho_tich"),
    ("không phải lý lịch tư pháp mà là chứng thực bản sao", "ask_where", "chung_thuc_ban_sao"),
    ("còn khai sinh thì sao", "inform_procedure", "dang_ky_khai_sinh"),
])
def test_a_correction_asks_the_previous_question_about_the_new_procedure(text, intent, procedure):
    action = actions.ActionSmallTalk() if intent == "bot_challenge" else \
        actions.ActionAnswerProcedure()
    reply, _, events = run_action(action, text, intent,
                                  {"procedure": "chung_thuc_ban_sao" if procedure != "chung_thuc_ban_sao"
                                   else LLTP, "aspect": "ask_fee"})
    assert slot(events, "procedure") == procedure
    assert slot(events, "aspect") == "ask_fee"
    assert "Lệ phí" in reply.splitlines()[0], reply
    assert "trợ lý ảo" not in reply  # not "I am a bot"


def test_a_follow_up_that_names_an_aspect_keeps_its_own_aspect():
    reply, _, events = answer("còn phí chứng thực bản sao thì sao", "ask_fee",
                              {"procedure": LLTP, "aspect": "ask_where"})
    assert slot(events, "aspect") == "ask_fee" and "2.000" in reply


def test_asking_the_bot_about_itself_still_gets_the_bot_answer():
    dispatcher_reply, _, _ = run_action(actions.ActionSmallTalk(), "bạn là người hay máy",
                                        "bot_challenge")
    assert dispatcher_reply == ""  # the utter_iamabot response, sent by Rasa (no text here)


# --- questions about no single procedure --------------------------------------------------

@pytest.mark.parametrize("text, intent, fact", [
    ("Hậu Giang giờ thuộc thành phố nào vậy", "out_of_scope", "TP Cần Thơ"),
    ("có được nộp hồ sơ ở phường khác không", "ask_where", "01/10/2025"),
    ("trung tâm hành chính công ở đâu", "ask_where", "109 Nguyễn Trãi"),
    ("nộp online ở đâu, cổng dịch vụ công là trang nào", "ask_online", "dichvucong.gov.vn"),
])
def test_general_questions_are_answered_without_asking_which_procedure(text, intent, fact):
    reply, buttons, _ = answer(text, intent, {"procedure": "trich_luc_ho_tich"})
    assert fact in reply, reply
    assert "thủ tục nào" not in reply


def test_a_follow_up_about_hours_stays_with_the_procedure_of_the_conversation():
    reply, _, events = answer("mấy giờ làm việc", "ask_contact", {"procedure": LLTP})
    assert slot(events, "procedure") == LLTP and "Công an" in reply


@pytest.mark.parametrize("text", ["làm căn cước ở đâu", "đăng ký xe máy mất bao lâu",
                                  "sang tên sổ đỏ cần giấy tờ gì"])
def test_another_offices_service_is_declined_and_pointed_elsewhere(text):
    reply, _, _ = answer(text, "ask_where")
    assert "không thuộc lĩnh vực tư pháp" in reply and "dichvucong.gov.vn" in reply


def test_a_justice_procedure_named_with_another_service_is_still_answered():
    reply, _, events = answer("chứng thực hợp đồng chuyển nhượng sổ đỏ ở đâu", "ask_where")
    assert slot(events, "procedure") == "chung_thuc_hop_dong"


# --- English -----------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("How long does a criminal record certificate take?", "en"),
    ("where can I get a police clearance", "en"),
    ("and the fee?", "en"),
    ("lam ly lich tu phap o dau", "vi"),
    ("cho e hoi lam lltp mat bao lau a", "vi"),
    ("Làm lý lịch tư pháp ở đâu vậy ad", "vi"),
    ("online dc ko", "vi"),
    ("lltp", None),
    ("ok", None),
])
def test_the_language_of_a_message(text, expected):
    assert language.detect(text) == expected


def test_an_english_question_gets_an_english_answer_with_todays_rule():
    reply, buttons, events = answer("How long does a judicial record certificate take?",
                                    "ask_time")
    assert reply.startswith("Judicial record certificate – Processing time:")
    assert "5 working days" in reply and "press reports" in reply
    assert "ngày làm việc" not in reply
    assert {b["title"] for b in buttons} >= {"Fee", "Documents"}
    assert slot(events, "language") == "en"


def test_a_short_follow_up_keeps_the_conversations_language():
    reply, _, _ = answer("lltp", "ask_fee", {"procedure": LLTP, "language": "en"})
    assert "200,000 VND" in reply


def test_a_foreigner_is_told_to_go_to_the_police_in_english():
    reply, _, _ = answer("I'm a foreigner working in Can Tho, where do I apply for a police "
                         "clearance for my work permit?", "ask_where")
    assert "police" in reply.lower() and "Department of Justice" in reply


def test_english_without_an_english_text_says_so_and_names_the_official_channel(catalog_copy,
                                                                                monkeypatch):
    # Every fact in force now has English, so a copy of the catalog loses one.
    def drop_fee_english(data):
        fee = next(p for p in data["thu_tuc"] if p["id"] == "luat_su")["le_phi"]
        del fee["noi_dung_en"]
    edit(catalog_copy, "thu-tuc/bo-tro-tu-phap.yml", drop_fee_english)
    monkeypatch.setattr(actions, "STORE", CatalogStore(catalog_copy))
    reply, _, _ = answer("how much does the lawyer certificate cost", "ask_fee")
    assert "only available in Vietnamese" in reply and "dichvucong.gov.vn" in reply


def test_an_english_question_with_an_outdated_belief_is_corrected_in_english():
    reply, _, _ = answer("Can I get my criminal record certificate at the Department of "
                         "Justice?", "ask_where")
    assert reply.startswith("The judicial record certificate is no longer issued by the "
                            "Department of Justice")


@pytest.mark.parametrize("text, fact", [
    ("How much is the fee for certified copies?", "2,000 VND"),
    ("How long does marriage registration with a foreigner take?", "10 working days"),
    ("naturalisation fee", "3,000,000 VND"),
    ("intercountry adoption fee", "9,000,000 VND"),
    ("Is legal aid free?", "Free"),
])
def test_procedures_foreigners_use_have_english_answers(text, fact):
    intent = "ask_time" if "long" in text else "ask_fee"
    reply, _, _ = answer(text, intent)
    assert fact in reply and "only available in Vietnamese" not in reply, reply


# --- coverage: procedures citizens asked for that were missing ----------------------------

@pytest.mark.parametrize("text, procedure", [
    ("đăng ký khai tử cho bố ở đâu", "dang_ky_khai_tu"),
    ("sửa sai giấy khai sinh của con", "thay_doi_cai_chinh_ho_tich"),
    ("mất giấy khai sinh, sổ hộ tịch cũng mất thì đăng ký lại khai sinh", "dang_ky_lai_khai_sinh"),
    ("vợ chồng tôi đã kết hôn ở nước ngoài, về Việt Nam ghi chú kết hôn", "ghi_chu_ket_hon"),
])
def test_missing_civil_status_procedures_now_exist(text, procedure):
    catalog = load_catalog(PROJECT_ROOT / "catalog")
    assert find_procedure(catalog, text).id == procedure
    reply, _, _ = answer(text, "ask_where")
    assert "UBND xã/phường" in reply


def test_new_procedures_invent_no_fee():
    reply, _, _ = answer("lệ phí đăng ký khai tử bao nhiêu", "ask_fee")
    assert "chưa có thông tin đã xác minh" in reply and "đồng" not in reply


# --- commands -----------------------------------------------------------------------------

def test_restart_says_a_new_conversation_started():
    reply, buttons, events = run_action(actions.ActionRestart(), "/restart", "restart")
    assert "cuộc trò chuyện mới" in reply and buttons
    assert any(e.get("event") == "restart" for e in events)


@pytest.mark.parametrize("text, intent", [("/stop", "stop"), ('/foo{"x":1}', "foo")])
def test_an_unknown_command_gets_a_polite_reply(text, intent):
    for action in (actions.ActionAnswerProcedure(), actions.ActionOutOfScope()):
        reply, buttons, _ = run_action(action, text, intent)
        assert "không có lệnh này" in reply and buttons


# --- long stories and mixed questions: the question words decide --------------------------

def test_a_story_ending_with_a_fee_question_gets_the_fee():
    story = ("Tôi ở phường Đại Thành, đang xin làm bảo vệ cho một công ty, họ đòi lý lịch tư "
             "pháp. Tôi làm nghề tự do, sđt 0978112233. Xin cho biết làm phiếu này tốn bao "
             "nhiêu tiền?")
    reply, _, events = run_action(actions.ActionOutOfScope(), story, "out_of_scope")
    assert "200.000" in reply and slot(events, "procedure") == LLTP
    assert "0978112233" not in reply


def test_two_questions_in_one_message_get_both_answers():
    reply, _, _ = answer("Tôi cần giấy xác nhận tình trạng hôn nhân. Làm ở đâu, mấy ngày có?",
                         "inform_procedure")
    assert "UBND xã/phường" in reply and "3 ngày làm việc" in reply


def test_question_words_at_the_end_outweigh_a_word_in_the_middle():
    reply, _, _ = answer("chung thuc chu ky tren to khai mat bao lau", "ask_forms")
    assert "Thời hạn giải quyết" in reply.splitlines()[0]


def test_a_misread_follow_up_matching_a_special_case_is_answered():
    reply, _, _ = run_action(actions.ActionOutOfScope(), "ua truoc la 10 ngay ma",
                             "out_of_scope", {"procedure": LLTP, "aspect": "ask_time"})
    assert "5 ngày làm việc" in reply


# --- the more specific procedure, the computed fee, the procedure that knows --------------

@pytest.mark.parametrize("text, procedure", [
    ("kêt hôn vs ng Trung Quốc lệ phí bao nhiu", "dang_ky_ket_hon_yeu_to_nuoc_ngoai"),
    ("Việt kiều định cư ở Mỹ nhận con nuôi ở Việt Nam thì lệ phí bao nhiêu?",
     "nuoi_con_nuoi_nuoc_ngoai"),
    ("ks của em bị sai ngày sinh sửa ở đâu", "thay_doi_cai_chinh_ho_tich"),
])
def test_words_of_the_question_point_to_the_more_specific_procedure(text, procedure):
    _, _, events = answer(text, "ask_fee")
    assert slot(events, "procedure") == procedure


def test_the_conversations_procedure_is_refined_too():
    _, _, events = answer("nếu chồng là người nước ngoài thì mất bao lâu?", "ask_time",
                          {"procedure": "dang_ky_ket_hon"})
    assert slot(events, "procedure") == "dang_ky_ket_hon_yeu_to_nuoc_ngoai"


@pytest.mark.parametrize("text, intent, expected", [
    ("chung thuc ban sao tai lieu 12 trang het bao nhieu tien", "ask_fee", "Bản 12 trang: 14.000 đồng"),
    ("How much does it cost to certify a copy of a 12-page document?", "ask_fee",
     "A 12-page document: 14,000 VND"),
    ("sao y 500 trang hết bao nhiêu", "ask_fee", "Bản 500 trang: 200.000 đồng"),
])
def test_a_fee_by_pages_is_worked_out(text, intent, expected):
    reply, _, _ = answer(text, intent)
    assert reply.startswith(expected), reply


def test_a_field_another_named_procedure_knows_answers_the_question():
    reply, _, _ = answer("Hồ sơ xin nhập quốc tịch thì phiếu lý lịch tư pháp phải được cấp "
                         "trong thời hạn bao lâu?", "ask_validity")
    assert "90 ngày" in reply


def test_where_without_a_procedure_gives_the_general_answer_and_buttons():
    reply, buttons, _ = answer("vậy giờ tôi nộp ở đâu?", "ask_where")
    assert "109 Nguyễn Trãi" in reply and "xã/phường bất kỳ" in reply and buttons


@pytest.mark.parametrize("text", [
    "Em ở phường Long Mỹ, bạn gái em ở xã Hiệp Hưng. Đăng ký kết hôn có mất phí không?",
    "Chị Nga với anh Đức ở Vị Thanh muốn đăng ký kết hôn thì có mất phí không?",
])
def test_a_place_or_a_given_name_is_not_a_foreign_country(text):
    """"Long Mỹ" is a ward and Nga a given name: the marriage stays the domestic one."""
    _, _, events = answer(text, "ask_fee")
    assert slot(events, "procedure") == "dang_ky_ket_hon"


def test_a_story_is_about_the_procedure_its_question_names():
    story = ("Chồng em hay đánh em, em muốn ly hôn nhưng không có tiền thuê luật sư. "
             "Em có được trợ giúp pháp lý miễn phí không?")
    _, _, events = answer(story, "ask_eligibility")
    assert slot(events, "procedure") == "tro_giup_phap_ly"


def test_what_if_continues_the_previous_question_about_its_detail():
    reply, _, _ = answer("Nếu phải xác minh thì sao?", "nlu_fallback",
                         {"procedure": "dang_ky_ket_hon", "aspect": "ask_time"})
    assert "5 ngày làm việc" in reply and "xác minh" in reply


def test_a_free_lawyer_is_legal_aid_not_the_lawyers_licence():
    reply, _, events = answer("Con tôi 15 tuổi bị bắt vì đánh nhau, nhà nghèo, có luật sư miễn "
                              "phí không?", "ask_fee")
    assert slot(events, "procedure") == "tro_giup_phap_ly" and "chứng chỉ hành nghề" not in reply


def test_a_correction_names_the_longer_procedure_that_ends_last():
    _, _, events = answer("à nhầm, ý tôi là trích lục khai sinh", "inform_procedure",
                          {"procedure": "chung_thuc_chu_ky", "aspect": "ask_fee"})
    assert slot(events, "procedure") == "trich_luc_ho_tich"


def test_an_unknown_fee_of_a_foreign_marriage_is_never_the_domestic_one():
    reply, _, events = answer("kết hôn với người Trung Quốc lệ phí bao nhiêu", "ask_fee")
    assert slot(events, "procedure") == "dang_ky_ket_hon_yeu_to_nuoc_ngoai"
    assert "Đăng ký kết hôn trong nước được miễn" not in reply


@pytest.mark.parametrize("story, procedure", [
    ("Em chuẩn bị hồ sơ kết hôn với bạn trai người Đài Loan, bên đó yêu cầu em nộp phiếu lý lịch "
     "tư pháp. Hồi trước người ta xin ở Sở Tư pháp. Giờ em xin ở đâu?", "ly_lich_tu_phap"),
    ("Tôi mua đất, bên văn phòng công chứng kêu phải có giấy xác nhận tình trạng hôn nhân. Tôi "
     "chưa có vợ. Làm giấy đó mất mấy ngày?", "xac_nhan_tinh_trang_hon_nhan"),
    ("Vợ tôi là người Campuchia, sống ở Vị Thủy hơn 20 năm. Giờ vợ tôi muốn nhập quốc tịch Việt "
     "Nam. Tốn kém không, và phiếu lý lịch tư pháp trong hồ sơ có cần mới không?",
     "nhap_quoc_tich"),
])
def test_a_story_is_about_the_procedure_someone_needs(story, procedure):
    _, _, events = answer(story, "out_of_scope")
    assert slot(events, "procedure") == procedure


# --- issue #9, dev-half study: details the replies missed ----------------------------------

def test_a_fee_at_its_ceiling_says_it_is_the_maximum():
    reply, _, _ = answer("sao y bằng đại học 250 trang hết bao nhiêu tiền", "ask_fee")
    assert reply.startswith("Bản 250 trang: 200.000 đồng/bản (mức tối đa"), reply
    reply, _, _ = answer("How much to certify a copy of a 400-page report?", "ask_fee")
    assert "200,000 VND per certified copy (the maximum per copy)" in reply, reply


def test_a_fee_below_the_ceiling_is_not_called_the_maximum():
    reply, _, _ = answer("chung thuc ban sao 12 trang het bao nhieu tien", "ask_fee")
    assert "tối đa cho một bản" not in reply.splitlines()[0]


@pytest.mark.parametrize("text, fact", [
    ("trích lục khai sinh mỗi bản bao nhiêu ạ", "8.000 đồng"),
    ("phieu ly lich tu phap cho sv bao nhieu a", "100.000 đồng"),
])
def test_how_much_at_the_end_of_a_question_asks_the_price(text, fact):
    reply, _, _ = run_action(actions.ActionSuggestGuesses(), text, "nlu_fallback")
    assert fact in reply, reply


def test_how_much_time_or_age_is_not_a_price():
    from actions import aspects
    from actions.text import fold
    assert aspects.asked_in("phải bao nhiêu tuổi mới được nhận con nuôi", fold) != ["ask_fee"]
    assert "ask_fee" not in aspects.asked_in("làm mất bao nhiêu ngày", fold)


@pytest.mark.parametrize("text, intent, facts", [
    ("Em muốn nhận cháu ruột làm con nuôi. Làm ở đâu, có tốn nhiều không?", "ask_where",
     ["UBND xã/phường", "400.000"]),
    ("Công ty cần phiếu lý lịch tư pháp gấp, làm sao cho nhanh nhất?", "ask_steps",
     ["VNeID", "5 ngày làm việc"]),
    ("Cần giấy xác nhận tình trạng hôn nhân trước thứ Sáu, nộp ở đâu, có kịp không?",
     "ask_where", ["UBND xã/phường", "3 ngày làm việc"]),
])
def test_how_costly_and_how_quick_are_asked_in_everyday_words(text, intent, facts):
    reply, _, _ = answer(text, intent)
    assert all(f in reply for f in facts), reply


def test_a_special_case_answer_is_followed_by_the_other_aspect_asked():
    reply, _, _ = answer("Hồi trước kết hôn với người nước ngoài làm ở huyện, giờ làm ở đâu, "
                         "có nhanh không?", "ask_where")
    assert "không còn cấp huyện" in reply and "10 ngày làm việc" in reply, reply


@pytest.mark.parametrize("intent", ["inform_procedure", "out_of_scope"])
def test_a_follow_up_naming_a_new_case_asks_the_previous_question(intent):
    action = actions.ActionOutOfScope() if intent == "out_of_scope" else \
        actions.ActionAnswerProcedure()
    reply, _, events = run_action(action, "Thế còn Việt kiều ở Mỹ muốn nhận con nuôi thì sao?",
                                  intent, {"procedure": "nuoi_con_nuoi_trong_nuoc",
                                           "aspect": "ask_fee"})
    assert slot(events, "procedure") == "nuoi_con_nuoi_nuoc_ngoai"
    assert "9.000.000" in reply and "Lệ phí" in reply.splitlines()[0], reply


@pytest.mark.parametrize("text, intent, fact", [
    ("Can the commune certify a copy of my Japanese degree? Does it have to be legalized "
     "before?", "nlu_fallback", "consularly legalised"),
    ("tôi muốn chứng thực bản sao bằng nước ngoài, có cần hợp pháp hóa lãnh sự không",
     "out_of_scope", "hợp pháp hóa lãnh sự trước"),
])
def test_a_first_message_matching_a_special_case_gets_its_answer(text, intent, fact):
    action = actions.ActionOutOfScope() if intent == "out_of_scope" else \
        actions.ActionSuggestGuesses()
    reply, _, _ = run_action(action, text, intent)
    assert fact in reply, reply


@pytest.mark.parametrize("text, fact", [
    ("Con trai tôi 16 tuổi bị bắt, có được trợ giúp pháp lý không ạ?", "từ đủ 16 đến dưới 18"),
    ("người nước ngoài có được nhận con nuôi không", "Người nước ngoài"),
])
def test_may_i_have_the_procedure_asks_who_may_apply(text, fact):
    reply, _, _ = answer(text, "ask_changes")
    assert "Ai được yêu cầu" in reply.splitlines()[0] and fact in reply, reply


def test_free_legal_help_in_english_says_it_is_free_and_who_is_entitled():
    # Named as the Vietnamese "hộ nghèo, người khuyết tật" are: the special case that says who
    # gets legal aid free of charge, not only that it is free.
    reply, _, _ = answer("My uncle is poor and disabled. Is there free legal aid for him?",
                         "ask_changes")
    assert reply.startswith("Legal aid") and "free legal aid" in reply \
        and "poor households" in reply, reply


@pytest.mark.parametrize("text", [
    "I was Vietnamese until I took Canadian citizenship. Can I get Vietnamese nationality back? "
    "What is the fee?",
    "Tôi đã mất quốc tịch Việt Nam, muốn có lại quốc tịch Việt Nam thì lệ phí bao nhiêu?",
])
def test_wanting_ones_nationality_back_is_regaining_it_not_naturalisation(text):
    reply, _, events = answer(text, "ask_fee")
    assert slot(events, "procedure") == "tro_lai_quoc_tich"
    assert "2.500.000" in reply or "2,500,000" in reply, reply


def test_a_key_held_too_long_at_the_end_of_a_word_still_names_the_procedure():
    reply, _, events = answer("trich lucc ket hon bao nhieu tien 1 ban", "nlu_fallback")
    assert slot(events, "procedure") == "trich_luc_ho_tich" and "8.000" in reply, reply
    from actions.text import fold
    assert fold("tren app") == "tren app" and fold("tt") == "tt"


@pytest.mark.parametrize("text, intent, heading, fact", [
    ("phieu lltp so 1 la gi vay", "nlu_fallback", "Phân biệt", "án tích"),
    ("sao y giay to o cong chung duoc khong hay phai ra xa", "nlu_fallback", "Nơi nộp",
     "tổ chức hành nghề công chứng"),
])
def test_chat_questions_of_what_it_is_and_where_to_go(text, intent, heading, fact):
    reply, _, _ = run_action(actions.ActionSuggestGuesses(), text, intent)
    assert heading in reply.splitlines()[0] and fact in reply, reply


def test_going_to_the_ward_in_a_story_is_no_question_of_where():
    from actions import aspects
    from actions.text import fold
    assert "ask_where" not in aspects.asked_in("em lên xã hỏi thì cán bộ bảo chờ", fold)


@pytest.mark.parametrize("text, intent, procedure, fact", [
    ("Giấy đăng ký kết hôn của ông bà tôi bị thất lạc, tôi cần bản sao để chia tài sản. Xin ở "
     "đâu, tốn bao nhiêu tiền?", "ask_fee", "trich_luc_ho_tich", "8.000 đồng"),
    ("em bị mất giấy khai sinh, lên xã hỏi thì sổ hộ tịch cũng mất luôn, em sinh năm 1990",
     "ask_legal_basis", "dang_ky_lai_khai_sinh", "Đăng ký lại khai sinh"),
])
def test_lost_papers_point_to_the_copy_or_the_re_registration(text, intent, procedure, fact):
    reply, _, events = answer(text, intent)
    assert slot(events, "procedure") == procedure and fact in reply, reply


def test_a_marriage_question_without_a_loss_stays_the_marriage():
    _, _, events = answer("đăng ký kết hôn mất bao lâu", "ask_time")
    assert slot(events, "procedure") == "dang_ky_ket_hon"


@pytest.mark.parametrize("text, heading", [
    ("How long is a police clearance certificate valid for a visa?", "Validity"),
    ("phiếu lý lịch tư pháp có giá trị bao lâu", "Thời hạn sử dụng"),
    ("Can my wife collect my criminal record certificate for me?",
     "Applying through someone else"),
    ("Is legal aid available for foreigners?", "Who may apply"),
])
def test_english_and_everyday_words_for_validity_proxies_and_eligibility(text, heading):
    reply, _, _ = run_action(actions.ActionSuggestGuesses(), text, "nlu_fallback")
    assert heading in reply.splitlines()[0], reply


def test_how_long_it_takes_and_how_long_it_lasts_are_both_answered():
    reply, _, _ = run_action(actions.ActionSuggestGuesses(),
                             "phiếu lý lịch tư pháp làm mấy ngày, có giá trị bao lâu",
                             "nlu_fallback")
    assert "Thời hạn giải quyết" in reply and "Thời hạn sử dụng" in reply, reply


@pytest.mark.parametrize("text, procedure", [
    ("I want to renounce my Vietnamese citizenship, what is the fee?", "thoi_quoc_tich"),
    ("I married a Vietnamese woman in Korea last year. Do we have to register the marriage "
     "again in Vietnam?", "ghi_chu_ket_hon"),
    ("I lost my birth certificate. How do I get a copy?", "trich_luc_ho_tich"),
])
def test_english_words_point_to_the_more_specific_procedure(text, procedure):
    _, _, events = run_action(actions.ActionSuggestGuesses(), text, "nlu_fallback")
    assert slot(events, "procedure") == procedure


def test_the_certificate_mentioned_earlier_is_the_one_pointed_at():
    from rasa_sdk.executor import CollectingDispatcher

    from testsupport.trackers import tracker

    built = tracker("Cái phiếu đó bây giờ nộp ở đâu?", "ask_where",
                    {"procedure": "nhap_quoc_tich", "aspect": "ask_documents"})
    built.events.insert(0, {"event": "user", "text": "Hồ sơ nhập quốc tịch có cần phiếu lý lịch "
                                                     "tư pháp không?"})
    dispatcher = CollectingDispatcher()
    events = actions.ActionAnswerProcedure().run(dispatcher, built, domain={})
    reply = "\n".join(m.get("text") or "" for m in dispatcher.messages)
    assert slot(events, "procedure") == LLTP and "Công an" in reply, reply


def test_a_pointing_word_about_the_current_procedure_keeps_it():
    _, _, events = answer("giấy đó nộp ở đâu", "ask_where",
                          {"procedure": "xac_nhan_tinh_trang_hon_nhan"})
    assert slot(events, "procedure") == "xac_nhan_tinh_trang_hon_nhan"


@pytest.mark.parametrize("text, heading", [
    ("Tôi là người Hàn Quốc, có vợ Việt Nam. Tôi muốn nhập quốc tịch Việt Nam thì cần điều kiện "
     "gì?", "Ai được yêu cầu"),
    ("Em sắp nhận con nuôi, phải chuẩn bị những gì ạ?", "Hồ sơ cần chuẩn bị"),
])
def test_conditions_and_what_to_bring_in_everyday_words(text, heading):
    reply, _, _ = run_action(actions.ActionSuggestGuesses(), text, "nlu_fallback")
    assert heading in reply.splitlines()[0], reply


def test_a_lawyer_for_someone_who_cannot_pay_is_legal_aid():
    reply, _, events = answer("Em 16 tuổi bị người ta đánh, nhà thuộc hộ cận nghèo. Có luật sư "
                              "nào giúp em miễn phí không?", "ask_fee")
    assert slot(events, "procedure") == "tro_giup_phap_ly" and "miễn phí" in reply
    _, _, events = answer("thuê luật sư bào chữa hết bao nhiêu tiền", "ask_fee")
    assert slot(events, "procedure") == "luat_su"


def test_going_back_home_to_apply_asks_where():
    reply, _, _ = run_action(actions.ActionOutOfScope(),
                             "Tôi làm ở Sài Gòn, công ty đòi lý lịch tư pháp. Có phải về quê "
                             "làm không?", "out_of_scope")
    assert "Nơi nộp" in reply.splitlines()[0] and "VNeID" in reply, reply


@pytest.mark.parametrize("intent", ["help", "greet"])
def test_a_message_naming_a_procedure_is_never_answered_with_the_bare_menu(intent):
    reply, _, events = run_action(actions.ActionShowMenu(), "chào ad, nuôi con nuôi là gì vậy",
                                  intent)
    assert slot(events, "procedure") == "nuoi_con_nuoi_trong_nuoc"
    assert "nuôi con nuôi trong nước" in reply and "chọn một thủ tục" not in reply, reply


def test_the_menu_still_answers_a_plain_request_for_help():
    reply, buttons, _ = run_action(actions.ActionShowMenu(), "giúp tôi với", "help")
    assert "chọn một thủ tục" in reply and buttons


def test_a_follow_up_naming_a_foreign_partner_moves_to_the_foreign_marriage():
    reply, _, events = run_action(actions.ActionSuggestGuesses(), "với người Đài Loan thì sao",
                                  "nlu_fallback", {"procedure": "dang_ky_ket_hon"})
    assert slot(events, "procedure") == "dang_ky_ket_hon_yeu_to_nuoc_ngoai"
    assert "chưa hiểu" not in reply, reply


@pytest.mark.parametrize("text, procedure, fact", [
    ("We got married abroad last year and now live in Can Tho. Where do we record it?",
     "ghi_chu_ket_hon", "ward"),
    ("My partner and I live in Lyon and want to adopt a baby from Vietnam. What is the fee?",
     "nuoi_con_nuoi_nuoc_ngoai", "9,000,000"),
    ("My son was born in Singapore. Where can I register his birth in Can Tho?",
     "dang_ky_khai_sinh", "ward"),
    ("Tôi cần giấy chứng minh không có tiền án để đi làm, xin ở đâu?", LLTP, "Công an"),
])
def test_everyday_names_of_procedures_are_recognised(text, procedure, fact):
    reply, _, events = run_action(actions.ActionSuggestGuesses(), text, "nlu_fallback")
    assert slot(events, "procedure") == procedure and fact in reply, reply


@pytest.mark.parametrize("intent", ["ask_steps", "nlu_fallback"])
def test_what_if_about_a_detail_of_the_previous_answer_stays_with_it(intent):
    reply, _, _ = answer("thế nếu phải xác minh thì sao", intent,
                         {"procedure": "dang_ky_ket_hon", "aspect": "ask_time"})
    assert "Thời hạn giải quyết" in reply.splitlines()[0] and "5 ngày làm việc" in reply, reply


def test_a_follow_up_about_another_aspect_keeps_the_classifiers_aspect():
    reply, _, _ = answer("còn giấy tờ thì sao", "ask_documents",
                         {"procedure": "dang_ky_ket_hon", "aspect": "ask_time"})
    assert "hồ sơ cần chuẩn bị" in reply.splitlines()[0], reply


@pytest.mark.parametrize("text, intent, slots, heading", [
    ("tôi ở Cần Thơ mà người mất đăng ký ở Vị Thanh, có phải về Vị Thanh không?",
     "nlu_fallback", {"procedure": "dang_ky_khai_tu"}, "Nơi nộp"),
    ("Chứng thực bản sao có cần mang theo CCCD gốc không?", "ask_result", {},
     "Hồ sơ cần chuẩn bị"),
])
def test_must_i_go_back_and_must_i_bring_in_everyday_words(text, intent, slots, heading):
    action = actions.ActionSuggestGuesses() if intent == "nlu_fallback" else \
        actions.ActionAnswerProcedure()
    reply, _, _ = run_action(action, text, intent, slots)
    assert heading in reply.splitlines()[0], reply


def test_a_detail_word_shared_with_the_procedures_name_still_continues_the_question():
    reply, _, _ = answer("thế lỡ cán bộ phải xác minh thì sao ạ", "ask_steps",
                         {"procedure": "xac_nhan_tinh_trang_hon_nhan", "aspect": "ask_time"})
    assert "23 ngày" in reply, reply


def test_chat_h_is_now_gio():
    reply, _, _ = run_action(actions.ActionSuggestGuesses(), "hg h con la tinh ko ad",
                             "nlu_fallback")
    assert "TP Cần Thơ" in reply, reply

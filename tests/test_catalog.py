"""The catalog staff edit: today's facts are in it, and a broken edit is named precisely."""

from __future__ import annotations

import datetime as dt

from actions.catalog import load_catalog
from actions.text import fold
from catalog_support import LLTP, LLTP_FILE, edit, lltp, problems_of

# --- the real catalog ----------------------------------------------------------------------

def test_real_catalog_covers_the_procedures_citizens_ask_about(catalog):
    fields = {fold(p.field) for p in catalog.procedures.values()}
    for expected in ("ly lich tu phap", "chung thuc", "ho tich", "quoc tich", "nuoi con nuoi",
                     "tro giup phap ly"):
        assert any(fold(expected) in f for f in fields), f"no procedure in the field {expected!r}"


def test_judicial_record_is_issued_by_the_police_today(catalog):
    procedure = catalog.procedures[LLTP]
    assert "công an" in procedure.agency.lower()
    assert procedure.effective_from >= dt.date(2025, 3, 1)
    assert any(change.date == dt.date(2025, 3, 1) for change in procedure.changes)


def test_judicial_record_fee_is_the_current_amount(catalog):
    fee = catalog.procedures[LLTP].fact("le_phi")
    assert "200.000" in fee.text and "100.000" in fee.text and "5.000" in fee.text
    assert "16/2025" in (fee.basis or "") + fee.text


def test_the_vi_thanh_point_is_closed_and_points_to_the_city_centre(catalog):
    closed = [o for o in catalog.offices.values() if "vi thanh" in map(fold, o.aliases)]
    assert closed and closed[0].closed and closed[0].closed_on == dt.date(2026, 1, 1)
    replacement = catalog.offices[closed[0].replaced_by]
    assert "109 Nguyễn Trãi" in replacement.address.text


# The only phone number the fact sheet gives (§5.2) is the city centre's pre-merger one, to be
# shown only as such; every other phone is unknown.
KNOWN_PHONES = {"trung_tam_pvhcc_can_tho": "0292 3 817 696"}


def test_no_phone_number_is_invented(catalog):
    for office in catalog.offices.values():
        if office.id not in KNOWN_PHONES:
            assert not office.phone.known, f"{office.id}: a phone number facts.md does not give"
            continue
        phone = office.phone
        assert KNOWN_PHONES[office.id] in phone.text
        assert phone.confidence == "chua_chac" and "trước sáp nhập" in phone.text


def test_menu_starts_with_the_judicial_record(catalog):
    assert catalog.menu[0] == LLTP
    assert all(pid in catalog.procedures for pid in catalog.menu)


# --- broken edits --------------------------------------------------------------------------

def test_yaml_syntax_error_names_file_and_line(catalog_copy):
    path = catalog_copy / LLTP_FILE
    path.write_text(path.read_text(encoding="utf-8") + "\n  bad: [unclosed\n", encoding="utf-8")
    message = problems_of(catalog_copy)
    assert "catalog/thu-tuc/ly-lich-tu-phap.yml" in message and "line" in message


def test_missing_required_field_names_procedure_and_field(catalog_copy):
    edit(catalog_copy, LLTP_FILE, lambda d: lltp(d).pop("co_quan_thuc_hien"))
    message = problems_of(catalog_copy)
    assert "ly-lich-tu-phap.yml: procedure 'ly_lich_tu_phap', field 'co_quan_thuc_hien'" in message
    assert "missing" in message


def test_misspelt_field_is_rejected(catalog_copy):
    edit(catalog_copy, LLTP_FILE, lambda d: lltp(d).update(le_phii="200.000 đồng"))
    assert "field 'le_phii': unknown field" in problems_of(catalog_copy)


def test_bad_date_is_rejected_with_the_accepted_formats(catalog_copy):
    edit(catalog_copy, LLTP_FILE, lambda d: lltp(d).update(ngay_xac_minh="14-02-2026x"))
    message = problems_of(catalog_copy)
    assert "field 'ngay_xac_minh'" in message and "DD/MM/YYYY" in message


def test_an_alias_may_name_only_one_procedure(catalog_copy):
    # "LLTP" folds to the judicial record's alias "lltp": two procedures would claim it.
    path = next(p for p in sorted((catalog_copy / "thu-tuc").glob("*.yml"))
                if "ly-lich" not in p.name)
    edit(catalog_copy, str(path.relative_to(catalog_copy)),
         lambda d: d["thu_tuc"][0]["bi_danh"].append("LLTP"))
    message = problems_of(catalog_copy)
    assert "field 'bi_danh'" in message and "also names procedure" in message
    assert "lltp" in message.lower()


def test_unknown_office_reference_is_rejected(catalog_copy):
    edit(catalog_copy, LLTP_FILE, lambda d: lltp(d).update(noi_nop=["so_tu_phap_vi_thanh"]))
    message = problems_of(catalog_copy)
    assert "field 'noi_nop'" in message and "so_tu_phap_vi_thanh" in message


def test_wrong_shape_of_an_answer_field_is_rejected(catalog_copy):
    edit(catalog_copy, LLTP_FILE, lambda d: lltp(d).update(le_phi=["200.000"]))
    assert "field 'le_phi'" in problems_of(catalog_copy)


def test_every_problem_is_reported_at_once(catalog_copy):
    def two_mistakes(data):
        lltp(data).pop("ten")
        lltp(data)["hieu_luc_tu"] = "someday"

    edit(catalog_copy, LLTP_FILE, two_mistakes)
    message = problems_of(catalog_copy)
    assert "field 'ten'" in message and "field 'hieu_luc_tu'" in message


def test_unknown_fact_is_kept_as_unknown_with_its_reason(catalog_copy):
    edit(catalog_copy, LLTP_FILE,
         lambda d: lltp(d).update(le_phi={"chua_ro": "Chưa có thông tư mới."}))
    fee = load_catalog(catalog_copy).procedures[LLTP].fact("le_phi")
    assert not fee.known and fee.unknown_reason == "Chưa có thông tư mới."


def test_missing_catalog_files_are_named(tmp_path):
    message = problems_of(tmp_path)
    assert "chung.yml: file is missing" in message and "co-quan.yml: file is missing" in message


def test_every_aspect_the_assistant_answers_has_a_name_staff_can_use():
    # hoi_dap.khia_canh is validated against catalog.ASPECT_KEYS; answers must use the same names.
    from actions import answers
    from actions import catalog as catalog_module

    assert set(answers.ASPECT_KEYS.values()) <= set(catalog_module.ASPECT_KEYS)
    assert set(answers.ASPECT_KEYS) == set(answers.ASPECTS)


def test_a_bad_page_fee_or_refinement_is_named(catalog_copy):
    def bad(data):
        procedure = next(p for p in data["thu_tuc"] if p["id"] == "chung_thuc_ban_sao")
        procedure["phi_theo_trang"] = {"trang_dau": "2k", "so_trang_dau": 2, "trang_tiep": 1000}
        procedure["cu_the_hon"] = [{"tu_khoa": ["nước ngoài"], "thu_tuc": "khong_co"}]
    edit(catalog_copy, "thu-tuc/chung-thuc.yml", bad)
    message = problems_of(catalog_copy)
    assert "procedure 'chung_thuc_ban_sao', field 'phi_theo_trang', field 'trang_dau': must be " \
           "a whole number" in message
    assert "procedure 'chung_thuc_ban_sao', field 'cu_the_hon': unknown procedure 'khong_co'" \
           in message


def test_a_closed_office_must_say_since_when(catalog_copy):
    def bad(data):
        office = next(o for o in data["co_quan"] if o.get("trang_thai") == "da_dong")
        office.pop("ngay_dong")
    edit(catalog_copy, "co-quan.yml", bad)
    message = problems_of(catalog_copy)
    assert "co-quan.yml: office '" in message and "field 'ngay_dong': missing (required)" in message


def test_a_bad_item_of_a_list_is_named_at_its_field(catalog_copy):
    # The staff console puts the problem next to the field "bi_danh": the item's number is
    # in the message, not the location.
    edit(catalog_copy, LLTP_FILE, lambda d: lltp(d)["bi_danh"].append(""))
    message = problems_of(catalog_copy)
    assert "procedure 'ly_lich_tu_phap', field 'bi_danh': item #" in message
    assert "must be a non-empty text" in message


def test_a_broken_record_is_not_also_called_unknown(catalog_copy):
    # The procedure cannot be read (its name is not a text), but it exists: the menu and other
    # procedures pointing to it must not add a false "unknown procedure".
    edit(catalog_copy, LLTP_FILE, lambda d: lltp(d).update(ten=["a", "list"]))
    message = problems_of(catalog_copy)
    assert "procedure 'ly_lich_tu_phap', field 'ten': must be a text" in message
    assert "unknown procedure" not in message

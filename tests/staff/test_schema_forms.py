"""The forms generated from catalog/schema.json give back exactly the record they showed, for
every shape the format allows (dated versions, confidence, false premises, per-channel dated
fees) and for keys the schema does not know yet (kept, not dropped). Rendering and parsing run
in the console's own environment, as they do in production."""

from __future__ import annotations

import json
import subprocess

import pytest

from actions.settings import PROJECT_ROOT
from console_support import STAFF_PYTHON, form_fields

SCRIPT = """
import json, sys
from pathlib import Path
from staff.schema_forms import FormParser, FormRenderer, Schema
schema = Schema(Path("catalog/schema.json"))
job = json.load(sys.stdin)
if job["do"] == "render":
    html = FormRenderer(schema, {}).record(job["kind"], job["record"])
    print('<form action="x">' + str(html) + "</form>")
else:
    form = {}
    for name, value in job["fields"]:
        form.setdefault(name, []).append(value)
    print(json.dumps(FormParser(schema, form).record(job["kind"]), ensure_ascii=False))
"""


def staff_python(job: dict) -> str:
    if not STAFF_PYTHON.exists():
        pytest.fail("run `make staff-setup` (make test does it)")
    done = subprocess.run([str(STAFF_PYTHON), "-c", SCRIPT], input=json.dumps(job), capture_output=True,
                          text=True, cwd=PROJECT_ROOT, env={"PYTHONPATH": str(PROJECT_ROOT)}, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


def round_trip(kind: str, record: dict) -> dict:
    html = staff_python({"do": "render", "kind": kind, "record": record})
    fields = form_fields(html, "x")
    return json.loads(staff_python({"do": "parse", "kind": kind, "fields": fields}))


PROCEDURE = {
    "id": "thu_nghiem", "ten": "Thủ tục thử nghiệm", "ten_ngan": "Thử nghiệm", "linh_vuc": "Lý lịch tư pháp",
    "cap_thuc_hien": "Cấp tỉnh", "co_quan_thuc_hien": "Công an", "noi_nop": ["vneid"],
    "mo_ta": "Dòng một.\nDòng hai <b>không đậm</b>.", "hieu_luc_tu": "2026-07-01", "ngay_xac_minh": "14/02/2026",
    "nguon": ["a.vn", "b.vn"], "bi_danh": ["thử nghiệm"],
    "le_phi": {"noi_dung": "200.000 đồng", "can_cu": "TT 16/2025", "do_tin_cay": "bao_chi", "luu_y": "kiểm tra"},
    "thoi_han_giai_quyet": [
        {"tu_ngay": "2010-07-01", "den_ngay": "2026-06-30", "noi_dung": "10 ngày", "can_cu": "Luật 2009"},
        {"tu_ngay": "2026-07-01", "noi_dung": "5 ngày", "do_tin_cay": "chua_chac"},
        {"tu_ngay": "2027-01-01", "chua_ro": "chưa có văn bản"}],
    "uy_quyen": {"chua_ro": "chưa xác minh"},
    "trinh_tu": "Bước 1.\nBước 2.",
    "cach_thuc": [
        {"kenh": "truc_tuyen", "ten": "VNeID", "mo_ta": "Nộp trên VNeID",
         "phi": [{"tu_ngay": "2025-01-01", "noi_dung": "150.000 đồng"}], "thoi_han": "3 ngày"},
        {"kenh": "truc_tiep", "mo_ta": "Tại trụ sở"}],
    "hoi_dap": [{"hoi": "Người nước ngoài?", "tu_khoa": ["nước ngoài", "foreigner"], "tra_loi": "Nộp tại Cục.",
                 "khia_canh": ["noi_nop", "le_phi"]}],
    "tien_de_sai": [{"tu_khoa": ["sở tư pháp"], "sua": "Từ 01/3/2025 Công an cấp Phiếu.", "khia_canh": ["noi_nop"]}],
    "thay_doi": [{"ngay": "2025-03-01", "noi_dung": "Công an cấp thay Sở Tư pháp."}],
    # Being added in the core right now: English texts, page fees, hand-offs to a narrower procedure.
    "ten_en": "Judicial record certificate", "bi_danh_en": ["criminal record", "police check"],
    "phi_theo_trang": {"trang_dau": 2000, "so_trang_dau": 2, "trang_tiep": 1000, "toi_da": 200000},
    "cu_the_hon": [{"tu_khoa": ["bị sai", "cải chính"], "thu_tuc": "thay_doi_cai_chinh_ho_tich"}],
}
PROCEDURE["le_phi"] = dict(PROCEDURE["le_phi"], noi_dung_en="200,000 VND")
PROCEDURE["cach_thuc"][0]["mo_ta"] = {"noi_dung": "Nộp trên VNeID", "noi_dung_en": "On the VNeID app"}


def test_every_shape_of_the_format_comes_back_unchanged():
    assert round_trip("procedure", PROCEDURE) == PROCEDURE


def test_keys_the_schema_does_not_know_are_kept():
    record = dict(PROCEDURE, khoa_moi={"x": 1},
                  le_phi=dict(PROCEDURE["le_phi"], chu_thich_moi="giữ lại"),
                  cach_thuc=[dict(PROCEDURE["cach_thuc"][0], ghi_chu="giữ lại")])
    assert round_trip("procedure", record) == record


def test_offices_and_the_general_file():
    office = {"id": "vp", "ten": "Văn phòng", "loai": "van_phong", "dia_chi": "109 Nguyễn Trãi",
              "gio_lam_viec": {"chua_ro": "chưa xác minh"}, "trang_thai": "da_dong", "ngay_dong": "2026-01-01",
              "thay_the_boi": "khac", "nguon": ["x.vn"], "ngay_xac_minh": "2026-01-01"}
    assert round_trip("office", office) == office
    general = {"kenh_chinh_thuc": "Cổng DVC", "ngay_xac_minh": "2026-02-14", "menu": ["a", "b"],
               "tien_de_sai": [{"tu_khoa": ["x"], "sua": "Đính chính."}]}
    assert round_trip("general", general) == general

"""The pages, driven over HTTP like a browser posts its forms: the generated form gives back
exactly the record it showed, errors land next to their field, the flows work without the API."""

from __future__ import annotations

import re

from console_support import form_fields


def test_an_untouched_form_saves_nothing_for_every_record(console):
    page, api = console.browser_session(), console.api()
    paths = [f"/procedures/{p['id']}" for p in api.get("/api/procedures").json()]
    paths += [f"/offices/{o['id']}" for o in api.get("/api/offices").json()] + ["/general"]
    for path in paths:
        fields = form_fields(page.get(path).text, path)
        reply = page.session.post(console.url + path, data=fields, timeout=30)
        assert reply.status_code == 200 and "Đã lưu bản nháp" in reply.text, (path, reply.text[:2000])
        assert api.get("/api/drafts").json() == [], path  # the record came back unchanged


def test_a_form_edit_becomes_a_draft_and_errors_show_beside_the_field(console):
    page, api = console.browser_session(), console.api()
    path = "/procedures/nhap_quoc_tich"
    fields = dict(form_fields(page.get(path).text, path))
    fields["ngay_xac_minh"] = "2026-02-30"
    reply = page.post(path, fields)
    assert reply.status_code == 422
    assert re.search(r'field has-error">\s*<label for="f-ngay_xac_minh"', reply.text)
    assert "not a date: &#39;2026-02-30&#39;" in reply.text
    assert api.get("/api/drafts").json() == []
    fields["ngay_xac_minh"] = "2026-03-01"
    fields["le_phi.__kind"] = "unknown"
    fields["le_phi.chua_ro"] = "Chưa có biểu phí mới sau sáp nhập."
    reply = page.post(path, fields)
    assert reply.status_code == 200 and "Đã lưu bản nháp" in reply.text
    record = api.item("nhap_quoc_tich")["record"]
    assert record["le_phi"] == {"chua_ro": "Chưa có biểu phí mới sau sáp nhập."}
    assert record["ngay_xac_minh"] == "2026-03-01"
    assert "Chưa có biểu phí mới" in page.get("/publish").text
    assert page.post("/procedures/nhap_quoc_tich/discard").status_code == 200
    assert api.get("/api/drafts").json() == []


def test_two_officers_in_the_page_the_second_sees_both_versions(console):
    first, second = console.browser_session(), console.browser_session()
    path = "/procedures/dang_ky_khai_sinh"
    form_a = dict(form_fields(first.get(path).text, path))
    form_b = dict(form_fields(second.get(path).text, path))
    form_a["mo_ta"] = "Bản mô tả của người thứ nhất."
    assert first.post(path, form_a).status_code == 200
    form_b["mo_ta"] = "Bản mô tả của người thứ hai."
    reply = second.post(path, form_b)
    assert reply.status_code == 409
    assert "Bản mô tả của người thứ nhất." in reply.text and "Bản mô tả của người thứ hai." in reply.text
    assert "Có người đã lưu bản khác" in reply.text
    assert "người thứ nhất" in console.api().item("dang_ky_khai_sinh")["record"]["mo_ta"]
    assert first.post(f"{path}/discard").status_code == 200


def test_a_new_procedure_by_copying_one(console):
    page, api = console.browser_session(), console.api()
    html = page.get("/procedures/new?copy=chung_thuc_ban_sao").text
    fields = dict(form_fields(html, "/procedures/new"))
    assert fields["id"] == "chung_thuc_ban_sao_ban_sao"
    fields["bi_danh"] = "bản sao thử nghiệm"
    fields["ten_ngan"] = "Bản sao thử"
    reply = page.post("/procedures/new", fields)
    assert reply.status_code == 200 and "Đã lưu bản nháp" in reply.text, reply.text[:3000]
    assert api.item("chung_thuc_ban_sao_ban_sao")["draft"] is True
    assert page.post("/procedures/new", fields).status_code == 409  # the id now exists
    assert page.post("/procedures/chung_thuc_ban_sao_ban_sao/discard").status_code == 200


def test_pages_need_a_login_and_the_right_role(console):
    import requests

    reply = requests.get(console.url + "/publish", allow_redirects=False)
    assert reply.status_code == 303 and reply.headers["location"].startswith("/login")
    console.add_user("chi_sua", "editor", "editor-pass-9")
    editor = console.browser_session("chi_sua", "editor-pass-9")
    assert editor.get("/users").status_code == 403
    assert editor.post("/publish", {"note": "x"}).status_code == 403
    assert editor.post("/procedures/ly_lich_tu_phap/restore", {"version": "1"}).status_code == 403
    assert editor.get("/worklist").status_code == 200


def test_no_users_page_says_how_to_create_one(fresh_console):
    console = fresh_console(STAFF_ADMIN_PASSWORD="")
    import requests

    text = requests.get(console.url + "/login").text
    assert "make staff-user" in text and "STAFF_ADMIN_PASSWORD" in text
    assert "Chưa có tài khoản nào" in console.log


def test_history_version_page_and_a_garbled_test_pane_transcript(console):
    page = console.browser_session()
    assert page.get("/history/procedures/ly_lich_tu_phap/1").status_code == 200
    assert page.get("/history/procedures/ly_lich_tu_phap/999").status_code == 404
    reply = page.post("/test", {"message": "xin chào", "transcript": '[1, {"messages": 3}, "x"]'})
    assert reply.status_code == 502  # no assistant here; but the page is intact
    assert "Không kết nối được trợ lý" in reply.text


def test_an_admin_manages_accounts_in_the_page(console):
    page = console.browser_session()
    reply = page.post("/users", {"username": "moi_vao", "role": "publisher", "password": "mat-khau-dai"})
    assert reply.status_code == 200 and "moi_vao" in reply.text
    assert page.post("/users", {"username": "x", "role": "editor", "password": "ngan"}).status_code == 422
    assert console.browser_session("moi_vao", "mat-khau-dai").get("/publish").status_code == 200
    assert page.post("/users/moi_vao/delete").status_code == 200
    assert "moi_vao" not in page.get("/users").text
    assert page.post("/users/admin/delete").status_code == 409
    actions = [row["action"] for row in console.api().get("/api/audit").json()]
    assert "user_deleted" in actions and "user_created" in actions

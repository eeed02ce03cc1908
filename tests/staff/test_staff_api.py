"""The staff console's HTTP API, every rule of issue #10, against a real console process."""

from __future__ import annotations

import sqlite3
import time

import pytest
import requests
import yaml

from actions.settings import PROJECT_ROOT
from console_support import ADMIN_PASSWORD

LLTP_FILE = "thu-tuc/ly-lich-tu-phap.yml"
FEE = "- Mức thường: 250.000 đồng/lần/người."


def catalog_texts(root):
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*.yml"))}


# --- accounts, sessions, roles ---------------------------------------------------------------

def test_every_api_call_needs_a_login(console):
    assert requests.post(f"{console.url}/api/login", json={"username": "admin", "password": "nope"}).status_code == 401
    assert requests.post(f"{console.url}/api/login", json={"username": "ghost", "password": "x" * 9}).status_code == 401
    for method, path in [("GET", "/api/procedures"), ("GET", "/api/procedures/ly_lich_tu_phap"),
                         ("PUT", "/api/procedures/ly_lich_tu_phap"), ("POST", "/api/publish"),
                         ("GET", "/api/history"), ("POST", "/api/preview"), ("GET", "/api/offices"),
                         ("POST", "/api/procedures/ly_lich_tu_phap/restore")]:
        assert requests.request(method, console.url + path, json={}).status_code == 401, path
        assert requests.request(method, console.url + path, json={},
                                headers={"Authorization": "Bearer forged"}).status_code == 401, path


def test_list_and_get_use_the_catalogs_field_names(console):
    api = console.api()
    listing = api.get("/api/procedures").json()
    assert "ly_lich_tu_phap" in {p["id"] for p in listing}
    item = api.item()
    assert set(item) >= {"id", "version", "record"}
    assert item["record"]["ten_ngan"] == "Phiếu lý lịch tư pháp"
    assert item["record"]["ngay_xac_minh"] == "2026-02-14"
    assert "le_phi" in item["record"]
    assert api.get("/api/procedures?q=ly lich").json()[0]["id"] == "ly_lich_tu_phap"
    assert api.get("/api/offices/vneid").json()["record"]["loai"] == "cong_thong_tin"
    assert api.get("/api/procedures/khong_co").status_code == 404


def test_roles_are_enforced_on_the_server(fresh_console):
    console = fresh_console()
    editor = console.add_user("bien_tap", "editor")
    publisher = console.add_user("duyet", "publisher")
    assert editor.save_fee(FEE).status_code == 200
    assert editor.post("/api/publish", json={"note": "x"}).status_code == 403
    assert editor.post("/api/procedures/ly_lich_tu_phap/restore", json={"version": 1}).status_code == 403
    assert editor.get("/api/users").status_code == 403
    assert editor.post("/api/users", json={"username": "x1", "role": "admin", "password": "p" * 10}).status_code == 403
    assert publisher.get("/api/audit").status_code == 403
    assert publisher.post("/api/publish", json={"note": "phí mới"}).status_code == 200
    assert console.api().get("/api/audit").status_code == 200


def test_sessions_expire(fresh_console):
    console = fresh_console(STAFF_SESSION_MINUTES="0.1")  # 6 seconds without a request
    api = console.api()
    assert api.get("/api/procedures").status_code == 200
    time.sleep(7)
    assert api.get("/api/procedures").status_code == 401


def test_repeated_failed_logins_are_slowed_down(console):
    console.add_user("cham", "editor", "right-password")
    url = f"{console.url}/api/login"
    codes = [requests.post(url, json={"username": "cham", "password": f"wrong{i}"}).status_code for i in range(6)]
    assert codes[:5] == [401] * 5 and codes[5] == 429
    reply = requests.post(url, json={"username": "cham", "password": "right-password"})
    assert reply.status_code == 429 and int(reply.headers["Retry-After"]) > 0
    assert "thử lại" in reply.json()["error"]
    assert console.api().get("/api/me").status_code == 200  # other accounts are not locked out


def test_cookie_sessions_need_the_csrf_token(console):
    page = console.browser_session()
    item = page.get("/api/procedures/ly_lich_tu_phap").json()  # reading needs no token
    body = {"version": item["version"], "record": item["record"]}
    assert page.session.put(f"{console.url}/api/procedures/ly_lich_tu_phap", json=body).status_code == 403
    assert page.session.put(f"{console.url}/api/procedures/ly_lich_tu_phap", json=body,
                            headers={"X-CSRF-Token": "forged"}).status_code == 403
    assert page.session.put(f"{console.url}/api/procedures/ly_lich_tu_phap", json=body,
                            headers={"X-CSRF-Token": page.csrf}).status_code == 200
    # The page's own forms carry it as a field.
    assert page.post("/procedures/ly_lich_tu_phap/recheck", {"version": item["version"]}, csrf=False).status_code == 403
    # A login form posted from elsewhere (no login CSRF cookie) is refused.
    assert requests.post(f"{console.url}/login", data={"username": "admin", "password": ADMIN_PASSWORD,
                                                      "csrf_token": "x"}).status_code == 403


# --- drafts: conflicts and validation ------------------------------------------------------------

def test_a_stale_version_gets_409_with_both_versions_and_nothing_is_overwritten(console):
    first, second = console.api(), console.add_user("nguoi_hai", "editor")
    seen_by_second = second.item("chung_thuc_ban_sao")
    assert first.save_fee("Miễn phí (bản của admin).", "chung_thuc_ban_sao").status_code == 200
    record = seen_by_second["record"]
    record["le_phi"] = "Bản của người hai."
    reply = second.put("/api/procedures/chung_thuc_ban_sao",
                       json={"version": seen_by_second["version"], "record": record})
    assert reply.status_code == 409
    body = reply.json()
    assert "Miễn phí (bản của admin)." in str(body["current"]["record"]["le_phi"])
    assert body["yours"]["le_phi"] == "Bản của người hai."
    assert body["current"]["user"] == "admin"
    assert "Miễn phí (bản của admin)." in str(first.item("chung_thuc_ban_sao")["record"]["le_phi"])
    # Having seen both, the second officer saves on top of the newest version.
    reply = second.put("/api/procedures/chung_thuc_ban_sao",
                       json={"version": body["current"]["version"], "record": record})
    assert reply.status_code == 200
    assert first.request("DELETE", "/api/procedures/chung_thuc_ban_sao/draft").status_code == 200


@pytest.mark.parametrize("change, field, words", [
    (lambda r: r.update(le_phii=r.pop("le_phi")), "le_phii", "unknown field (a typo?)"),
    (lambda r: r.update(hieu_luc_tu="31/02/2026"), "hieu_luc_tu", "not a date"),
    (lambda r: r.update(ngay_xac_minh="hôm qua"), "ngay_xac_minh", "not a date"),
    (lambda r: r["noi_nop"].append("uy_ban_khong_co"), "noi_nop", "unknown office 'uy_ban_khong_co'"),
    (lambda r: r.update(ten_ngan="Một tên ngắn nhưng dài hơn ba mươi ký tự"), "ten_ngan", "longer than 30"),
    # check-catalog validates with catalog/schema.json, so it names the length limit itself
    (lambda r: r.update(mo_ta="x" * 9000), "mo_ta", "longer than 8000 characters"),
    (lambda r: r["cach_thuc"][0].update(kenh="fax"), "cach_thuc.0.kenh", "'fax' is not one of"),
    (lambda r: r.update(thoi_han_giai_quyet={"noi_dung": ""}), "thoi_han_giai_quyet.noi_dung", "non-empty"),
    (lambda r: r.update(bi_danh=["chứng thực bản sao"]), "bi_danh", "also names procedure 'chung_thuc_ban_sao'"),
    (lambda r: r.update(id="doi_ma"), "id", "không đổi được mã"),
])
def test_an_invalid_record_gets_422_with_the_check_catalog_message_and_nothing_is_saved(
        console, change, field, words):
    api = console.api()
    before = api.item()
    record = before["record"]
    change(record)
    reply = api.put("/api/procedures/ly_lich_tu_phap", json={"version": before["version"], "record": record})
    assert reply.status_code == 422, reply.text
    errors = reply.json()["errors"]
    assert any(e["field"] == field and words in e["message"] for e in errors), errors
    for error in errors:  # check-catalog's own line, when the loader found it
        assert "problem" not in error or error["problem"].endswith(error["message"])
    after = api.item()
    assert after["version"] == before["version"] and not after["draft"]


def test_html_in_a_field_is_saved_as_text_and_shown_as_text(console):
    api = console.api()
    item = api.item("tro_giup_phap_ly")
    record = item["record"]
    record["mo_ta"] = '<script>alert("xss")</script><img src=x onerror=alert(1)> Trợ giúp pháp lý miễn phí.'
    assert api.put("/api/procedures/tro_giup_phap_ly", json={"version": item["version"], "record": record}).status_code == 200
    page = console.browser_session().get("/procedures/tro_giup_phap_ly").text
    assert "&lt;script&gt;alert(" in page and "<script>alert(" not in page
    assert "<img src=x" not in page
    assert api.request("DELETE", "/api/procedures/tro_giup_phap_ly/draft").status_code == 200


def test_a_new_procedure_and_an_id_that_already_exists(console):
    api = console.api()
    record = dict(api.item("chung_thuc_ban_sao")["record"], id="thu_tuc_moi", ten_ngan="Thủ tục mới",
                  ten="Một thủ tục mới", bi_danh=["thủ tục mới toanh"])
    record.pop("bi_danh_en", None)  # an alias names one procedure only
    reply = api.post("/api/procedures", json={"record": record})
    assert reply.status_code == 201, reply.text
    assert api.post("/api/procedures", json={"record": record}).status_code == 409
    taken = dict(record, id="ly_lich_tu_phap")
    assert api.post("/api/procedures", json={"record": taken}).status_code == 409
    assert api.item("thu_tuc_moi")["draft"] is True
    assert api.request("DELETE", "/api/procedures/thu_tuc_moi/draft").status_code == 200
    assert api.get("/api/procedures/thu_tuc_moi").status_code == 404


def test_a_10_mb_body_gets_413_and_the_console_keeps_working(console):
    api = console.api()
    reply = api.put("/api/procedures/ly_lich_tu_phap", data=b"{" + b" " * (10 * 1024 * 1024) + b"}",
                    headers={"Content-Type": "application/json"})
    assert reply.status_code == 413 and "quá lớn" in reply.json()["error"]
    assert api.get("/api/procedures").status_code == 200
    assert not api.item()["draft"]
    chunks = (b" " * 65536 for _ in range(200))  # 13 MB without a Content-Length
    reply = api.put("/api/procedures/ly_lich_tu_phap", data=chunks, headers={"Content-Type": "application/json"})
    assert reply.status_code == 413
    assert api.get("/api/procedures").status_code == 200


# --- publish, history, restore, audit -----------------------------------------------------------

def test_publish_writes_the_yaml_keeping_comments_and_order(fresh_console):
    console = fresh_console()
    original = (console.catalog / LLTP_FILE).read_text(encoding="utf-8")
    api = console.api()
    assert api.save_fee(FEE).status_code == 200
    assert (console.catalog / LLTP_FILE).read_text(encoding="utf-8") == original  # a draft is not live
    reply = api.post("/api/publish", json={"note": "TT mới về lệ phí"})
    assert reply.status_code == 200, reply.text
    assert reply.json()["retrain_needed"] is False
    text = (console.catalog / LLTP_FILE).read_text(encoding="utf-8")
    assert FEE in text
    old_lines, new_lines = original.splitlines(), text.splitlines()
    assert [line for line in old_lines if line.lstrip().startswith("#")] == \
           [line for line in new_lines if line.lstrip().startswith("#")]
    assert len(set(old_lines) ^ set(new_lines)) <= 8  # the fee block only
    data = yaml.safe_load(text)["thu_tuc"][0]
    assert list(data) == list(yaml.safe_load(original)["thu_tuc"][0])  # key order kept
    from actions.catalog import load_catalog

    assert "250.000" in load_catalog(console.catalog).procedures["ly_lich_tu_phap"].fact("le_phi").text
    assert not api.item()["draft"]


def test_history_and_restore_bring_back_the_old_text(fresh_console):
    console = fresh_console()
    original = catalog_texts(console.catalog)
    api = console.api()
    api.save_fee(FEE)
    assert api.post("/api/publish", json={"note": "phí 250"}).status_code == 200
    history = api.get("/api/history?procedure=ly_lich_tu_phap").json()
    assert [h["version"] for h in history] == [2, 1]
    assert history[0]["user"] == "admin" and history[0]["note"] == "phí 250"
    assert history[0]["procedure"] == "ly_lich_tu_phap" and history[0]["time"]
    assert history[1]["note"] == "Trạng thái ban đầu của danh mục"
    assert api.get("/api/history").json()[0]["version"] == 2
    reply = api.post("/api/procedures/ly_lich_tu_phap/restore", json={"version": 1})
    assert reply.status_code == 200, reply.text
    assert "200.000" in api.item()["record"]["le_phi"]["noi_dung"] and api.item()["draft"]
    assert api.post("/api/publish", json={"note": "trả lại phí cũ"}).status_code == 200
    assert catalog_texts(console.catalog) == original  # byte for byte
    assert api.post("/api/procedures/ly_lich_tu_phap/restore", json={"version": 99}).status_code == 404


def test_restore_does_not_silently_replace_someone_elses_draft(fresh_console):
    console = fresh_console()
    api = console.api()
    saved = api.save_fee("Bản nháp đang viết dở.").json()["version"]
    assert api.post("/api/procedures/ly_lich_tu_phap/restore", json={"version": 1}).status_code == 409
    reply = api.post("/api/procedures/ly_lich_tu_phap/restore", json={"version": 1, "current": saved})
    assert reply.status_code == 200


def test_alias_changes_say_retraining_is_needed(fresh_console):
    console = fresh_console()
    api = console.api()
    item = api.item()
    item["record"]["bi_danh"].append("giấy xác nhận không tiền án")
    assert api.put("/api/procedures/ly_lich_tu_phap", json=item).status_code == 200
    reply = api.post("/api/publish", json={"note": "thêm bí danh"}).json()
    assert reply["retrain_needed"] is True and "make train" in reply["message"]


def test_the_audit_log_records_everything_and_is_append_only(fresh_console):
    console = fresh_console()
    requests.post(f"{console.url}/api/login", json={"username": "admin", "password": "wrong-one"})
    api = console.api()
    console.add_user("kiem_tra", "editor")
    api.save_fee(FEE)
    api.post("/api/publish", json={"note": "n"})
    api.post("/api/procedures/ly_lich_tu_phap/restore", json={"version": 1})
    actions = {row["action"] for row in api.get("/api/audit").json()}
    assert {"login", "login_failed", "user_created", "draft_saved", "publish", "restore"} <= actions
    db = sqlite3.connect(console.db)
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        db.execute("UPDATE audit SET action = 'nothing'")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        db.execute("DELETE FROM audit")


def test_an_invalid_publish_writes_nothing(fresh_console):
    console = fresh_console()
    api = console.api()
    before = catalog_texts(console.catalog)
    assert api.save_fee(FEE).status_code == 200
    # The catalog changes under the draft (a hand edit): publishing must not overwrite it blindly.
    path = console.catalog / LLTP_FILE
    path.write_text(path.read_text(encoding="utf-8").replace("ten_ngan: Phiếu lý lịch tư pháp",
                                                             "ten_ngan: Phiếu LLTP"), encoding="utf-8")
    reply = api.post("/api/publish", json={"note": "x"})
    assert reply.status_code == 409 and "ly_lich_tu_phap" in reply.json()["error"]
    assert catalog_texts(console.catalog)[LLTP_FILE] != before[LLTP_FILE]
    assert "250.000" not in path.read_text(encoding="utf-8")


# --- crashes --------------------------------------------------------------------------------------

def test_a_crash_before_the_files_are_replaced_leaves_the_previous_catalog(fresh_console):
    console = fresh_console(STAFF_FAULT="crash-after-temp")
    before = catalog_texts(console.catalog)
    api = console.api()
    assert api.save_fee(FEE).status_code == 200
    with pytest.raises(requests.ConnectionError):
        api.post("/api/publish", json={"note": "boom"})
    assert console.wait_exit() == 70
    assert catalog_texts(console.catalog) == before
    console.restart(STAFF_FAULT="")
    assert not list(console.catalog.rglob("*.staff-tmp"))
    api = console.api()
    assert api.item()["draft"] is True  # the officer's edit is not lost
    assert api.post("/api/publish", json={"note": "again"}).status_code == 200
    assert "250.000" in (console.catalog / LLTP_FILE).read_text(encoding="utf-8")


def test_a_crash_between_two_file_renames_is_finished_at_the_next_start(fresh_console):
    console = fresh_console(STAFF_FAULT="crash-mid-rename")
    api = console.api()
    assert api.save_fee(FEE).status_code == 200
    office = api.get("/api/offices/vneid").json()
    office["record"]["ghi_chu"] = "Ứng dụng định danh điện tử (đã kiểm tra lại)."
    assert api.put("/api/offices/vneid", json=office).status_code == 200
    with pytest.raises(requests.ConnectionError):
        api.post("/api/publish", json={"note": "hai tệp"})
    assert console.wait_exit() == 71
    console.restart(STAFF_FAULT="")
    assert "250.000" in (console.catalog / LLTP_FILE).read_text(encoding="utf-8")
    assert "đã kiểm tra lại" in (console.catalog / "co-quan.yml").read_text(encoding="utf-8")
    from actions.catalog import load_catalog

    load_catalog(console.catalog)
    api = console.api()
    assert api.get("/api/drafts").json() == []
    newest = api.get("/api/history").json()[0]
    assert newest["user"] == "admin" and newest["note"] == "hai tệp"


# --- worklist and preview ------------------------------------------------------------------------

def test_the_worklist_lists_old_and_unknown_facts_and_recheck_dates_them_today(fresh_console):
    console = fresh_console()
    api = console.api()
    rows = api.get("/api/worklist").json()
    assert any(r["id"] == "ly_lich_tu_phap" and r["reason"] == "stale" for r in rows)
    assert any(r["reason"] == "unknown" and r["field"] == "dien_thoai" for r in rows)
    item = api.item()
    assert api.post("/api/procedures/ly_lich_tu_phap/recheck", json={"version": item["version"]}).status_code == 200
    import datetime as dt

    assert api.item()["record"]["ngay_xac_minh"] == dt.date.today().isoformat()
    assert not any(r["id"] == "ly_lich_tu_phap" and r["reason"] == "stale" for r in api.get("/api/worklist").json())


def test_preview_without_the_assistant_says_so(console):
    reply = console.api().post("/api/preview", json={"message": "lệ phí lý lịch tư pháp", "sender": "t"})
    assert reply.status_code == 502 and "make run" in reply.json()["error"]


def test_the_schema_file_is_the_one_the_forms_use():
    assert (PROJECT_ROOT / "catalog" / "schema.json").is_file()


def test_a_new_procedure_and_office_are_published_into_the_files(fresh_console):
    console = fresh_console()
    api = console.api()
    office = dict(api.get("/api/offices/vneid").json()["record"], id="van_phong_moi", ten="Văn phòng mới",
                  loai="van_phong", bi_danh=["văn phòng mới toanh"])
    assert api.post("/api/offices", json={"record": office}).status_code == 201
    record = dict(api.item("chung_thuc_ban_sao")["record"], id="thu_tuc_moi", ten_ngan="Thủ tục mới",
                  ten="Một thủ tục mới", bi_danh=["thủ tục mới toanh"], noi_nop=["van_phong_moi"],
                  mo_ta="Dòng một.\nDòng hai.")
    record.pop("bi_danh_en", None)  # an alias names one procedure only
    assert api.post("/api/procedures", json={"record": record}).status_code == 201
    reply = api.post("/api/publish", json={"note": "thêm mới"})
    assert reply.status_code == 200, reply.text
    assert reply.json()["files"] == ["co-quan.yml", "thu-tuc/thu-tuc-moi.yml"]
    assert reply.json()["retrain_needed"] is True
    from actions.catalog import load_catalog

    catalog = load_catalog(console.catalog)
    assert catalog.procedures["thu_tuc_moi"].offices == ("van_phong_moi",)
    assert catalog.procedures["thu_tuc_moi"].summary == "Dòng một.\nDòng hai."
    assert "mo_ta: |" in (console.catalog / "thu-tuc/thu-tuc-moi.yml").read_text(encoding="utf-8")


def test_a_fact_with_its_own_verified_date_is_on_the_worklist(tmp_path):
    from console_support import Console

    work = tmp_path / "w"
    work.mkdir()
    import shutil

    shutil.copytree(PROJECT_ROOT / "catalog", work / "catalog")
    path = work / "catalog" / LLTP_FILE
    text = path.read_text(encoding="utf-8")
    marker = "      can_cu: Luật LLTP 2009 Điều 45 khoản 3, Điều 46 khoản 2"  # uy_quyen: no own date
    assert marker in text
    path.write_text(text.replace(marker, "      ngay_xac_minh: 2025-01-01\n" + marker, 1), encoding="utf-8")
    console = Console(work, catalog=work / "catalog")
    try:
        api = console.api()
        rows = api.get("/api/worklist").json()
        assert any(r["id"] == "ly_lich_tu_phap" and r["field"] == "uy_quyen" and "01/01/2025" in r["detail"]
                   for r in rows), rows
        version = api.item()["version"]
        reply = api.post("/api/procedures/ly_lich_tu_phap/recheck", json={"version": version, "field": "trinh_tu"})
        assert reply.status_code == 422
    finally:
        console.stop()


def test_the_review_warns_when_an_old_fee_is_still_written_elsewhere(console):
    api = console.api()
    assert api.save_fee("- Mức thường: 250.000 đồng/lần/người.").status_code == 200
    draft = next(d for d in api.get("/api/drafts").json() if d["id"] == "ly_lich_tu_phap")
    leftovers = {(w["figure"], w["field"].split(".")[0]) for w in draft["leftovers"]}
    assert ("200.000", "cach_thuc") in leftovers  # the per-channel fee still says 200.000
    assert "vẫn còn ở" in console.browser_session().get("/publish").text
    assert api.request("DELETE", "/api/procedures/ly_lich_tu_phap/draft").status_code == 200

"""What the console does, independent of HTTP: drafts, validation, publish, history, preview.

Both the JSON API and the pages call these methods, so every rule (version conflicts,
validation, roles checked by the callers, audit) is enforced once. Writes to drafts and to the
catalog are serialised by one lock: a handful of officers never notice, and a publish can
never interleave with a save.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import secrets
import threading
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Dict, List, Optional

from actions.catalog import parse_date
from staff import catalog_io
from staff.auth import Auth, LoginThrottle
from staff.catalog_io import CatalogFiles, Key, field_of, message_of, record_hash
from staff.errors import StaffError
from staff.schema_forms import Schema, describe_changes
from staff.settings import Settings
from staff.store import Store

logger = logging.getLogger(__name__)
FILE_USER = "(tệp catalog)"
ALIAS_KEYS = ("bi_danh", "ten_ngan")
LIST_KEY = {"procedure": "procedure", "office": "office", "general": "general"}
# How the loader names an item in its messages.
_LOADER_LABEL = {"procedure": "procedure '{}'", "office": "office '{}'", "general": "chung.yml"}
RETRAIN_MESSAGE = ("Bí danh (tên gọi) đã thay đổi: cần huấn luyện lại mô hình (`make train`, "
                   "hoặc khởi động lại `make run`) để trợ lý nhận ra tên mới. Nội dung trả lời "
                   "đã có hiệu lực ngay.")


class Console:
    def __init__(self, settings: Settings):
        self.settings = settings
        self.store = Store(settings.db_path)
        self.files = CatalogFiles(settings.catalog_dir)
        self.schema = Schema(Path(__file__).resolve().parent.parent / "catalog" / "schema.json")
        self.auth = Auth(self.store, settings.session_minutes,
                         LoginThrottle(settings.login_max_failures, settings.login_window_seconds))
        self.journal = settings.db_path.parent / "publish-journal.json"
        self._lock = threading.RLock()

    # --- start-up -------------------------------------------------------------------------
    def start(self) -> None:
        with self._lock:
            if catalog_io.recover_journal(self.settings.catalog_dir, self.journal, self._record_publish):
                logger.warning("Finished a publish interrupted by a crash (journal %s)", self.journal)
            if self.settings.admin_password:
                try:
                    self.auth.put_user(None, "admin", "admin", self.settings.admin_password, "env")
                except StaffError as error:
                    raise SystemExit(f"STAFF_ADMIN_PASSWORD: {error.message}") from None
            try:
                self.sync_history()
            except StaffError as error:  # e.g. a YAML syntax error from a hand edit
                logger.error("%s; the console starts, but cannot edit until the file is fixed", error.message)
            self.refresh_draft_catalog()

    def has_users(self) -> bool:
        return bool(self.store.users())

    # --- reading --------------------------------------------------------------------------
    def published(self) -> Dict[Key, Dict[str, Any]]:
        """Published items (CatalogFiles re-reads them only when a file changed)."""
        try:
            return self.files.items()
        except catalog_io.CatalogIOError as error:
            raise StaffError(500, f"Không đọc được tệp danh mục: {error}") from error

    def current(self, kind: str, item_id: str) -> Optional[Dict[str, Any]]:
        """The item as an editor sees it: its draft if there is one, else the published record."""
        draft = self.store.draft(kind, item_id)
        published = self.published().get((kind, item_id))
        if draft is None and published is None:
            return None
        record = draft["record"] if draft else published["record"]
        return {"id": item_id, "kind": kind, "version": record_hash(record), "record": record,
                "draft": draft is not None, "draft_user": draft["user"] if draft else None,
                "draft_time": _iso(draft["time"]) if draft else None,
                "published": published["record"] if published else None,
                "file": published["file"] if published else catalog_io.new_file_for(kind, item_id)}

    def get(self, kind: str, item_id: str) -> Dict[str, Any]:
        item = self.current(kind, item_id)
        if item is None:
            raise StaffError(404, f"Không có {_noun(kind)} với mã {item_id!r}.")
        return item

    def listing(self, kind: str, query: str = "") -> List[Dict[str, Any]]:
        drafts = {(d["kind"], d["id"]): d for d in self.store.drafts()}
        keys = [k for k in self.published() if k[0] == kind] + [k for k in drafts if k[0] == kind
                                                                  and k not in self.published()]
        words = _fold(query).split()
        result = []
        for key in keys:
            draft = drafts.get(key)
            record = draft["record"] if draft else self.published()[key]["record"]
            haystack = _fold(" ".join(str(record.get(f) or "") for f in ("id", "ten", "ten_ngan", "linh_vuc"))
                             + " " + " ".join(record.get("bi_danh") or []))
            if words and not all(w in haystack for w in words):
                continue
            result.append({"id": key[1], "ten": record.get("ten"), "ten_ngan": record.get("ten_ngan"),
                           "linh_vuc": record.get("linh_vuc"), "ngay_xac_minh": record.get("ngay_xac_minh"),
                           "version": record_hash(record), "draft": draft is not None,
                           "draft_user": draft["user"] if draft else None,
                           "new": key not in self.published()})
        return result

    # --- validation -------------------------------------------------------------------------
    def validate(self, kind: str, item_id: str, record: dict) -> List[Dict[str, str]]:
        """Field errors of `record` as part of the catalog with every other draft applied."""
        if not isinstance(record, dict):
            return [{"field": "", "message": "record phải là một đối tượng JSON (mapping)"}]
        errors: List[Dict[str, str]] = []
        if kind != "general" and str(record.get("id", "")) != item_id:
            errors.append({"field": "id", "message": f"mã trong bản ghi ({record.get('id')!r}) phải trùng "
                                                      f"mã trong đường dẫn ({item_id!r}); không đổi được mã"})
            return errors
        changes = {(d["kind"], d["id"]): d["record"] for d in self.store.drafts()}
        changes[(kind, item_id)] = record
        try:
            texts = self.files.texts_with(changes)
        except catalog_io.CatalogIOError as error:
            raise StaffError(500, f"Không đọc được tệp danh mục: {error}") from error
        problems = catalog_io.problems_with(self.settings.catalog_dir, texts)
        label = _LOADER_LABEL[kind].format(item_id)
        mine = [p for p in problems if label in p or f"'{item_id}'" in p]
        # When the item itself is broken the loader drops it, and other files then complain that
        # it is missing (menu, references): those echoes would only confuse the officer.
        own = [p for p in mine if label in p.split(": field", 1)[0].split(", field", 1)[0]]
        mine = own or mine
        for problem in mine:
            errors.append({"field": field_of(problem), "message": message_of(problem), "problem": problem})
        reported = {e["field"] for e in errors}
        for error in self.schema.errors(kind, record):
            if not any(error["field"] == f or error["field"].startswith(f + ".") or f.startswith(error["field"] + ".")
                       for f in reported if f):
                errors.append(error)
        return errors

    # --- drafts -----------------------------------------------------------------------------
    def save(self, kind: str, item_id: str, version: Optional[str], record: Any, user: str,
             ip: Optional[str], create: bool = False) -> Dict[str, Any]:
        with self._lock:
            current = self.current(kind, item_id)
            if create and current is not None:
                raise StaffError(409, f"Mã {item_id!r} đã có ({_noun(kind)} khác); chọn mã khác.",
                                 errors=[{"field": "id", "message": "mã đã tồn tại"}])
            if current is None and kind == "general":
                raise StaffError(404, "Không có tệp chung.yml.")
            if current is not None and version != current["version"]:
                raise StaffError(
                    409, "Bản này đã được người khác sửa sau khi bạn mở nó. Xem cả hai bản, "
                         "chép phần của bạn vào bản mới nhất rồi lưu lại.",
                    current={"version": current["version"], "record": current["record"],
                             "user": current["draft_user"], "time": current["draft_time"]},
                    yours=record)
            errors = self.validate(kind, item_id, record)
            if errors:
                raise StaffError(422, "Chưa lưu: có lỗi ở các trường dưới đây.", errors)
            published = self.published().get((kind, item_id))
            new_version = record_hash(record)
            if published is not None and record_hash(published["record"]) == new_version:
                self.store.delete_draft(kind, item_id)  # back to what is live: nothing to publish
            else:
                draft = self.store.draft(kind, item_id)
                base = draft["base_version"] if draft else (record_hash(published["record"]) if published else None)
                self.store.put_draft(kind, item_id, record, new_version, base, user)
            self.store.audit(user, "draft_created" if current is None else "draft_saved", kind, item_id,
                             {"version": new_version, "changes": describe_changes(
                                 self.schema, current["record"] if current else None, record)}, ip)
            self.refresh_draft_catalog()
            return {"version": new_version}

    def discard(self, kind: str, item_id: str, user: str, ip: Optional[str]) -> None:
        with self._lock:
            draft = self.store.draft(kind, item_id)
            if draft is None:
                raise StaffError(404, "Không có bản nháp để bỏ.")
            self.store.delete_draft(kind, item_id)
            self.store.audit(user, "draft_discarded", kind, item_id, {"record": draft["record"]}, ip)
            self.refresh_draft_catalog()

    def refresh_draft_catalog(self) -> None:
        """Rewrite the draft catalog (published + drafts) the preview's action server reads."""
        changes = {(d["kind"], d["id"]): d["record"] for d in self.store.drafts()}
        try:
            catalog_io.write_tree(self.settings.draft_catalog, self.settings.catalog_dir,
                                  self.files.texts_with(changes))
        except (OSError, catalog_io.CatalogIOError):
            logger.exception("Could not write the draft catalog %s", self.settings.draft_catalog)

    def pending(self) -> List[Dict[str, Any]]:
        """Every draft with its changes in words, for the review before publishing."""
        result = []
        for draft in self.store.drafts():
            published = self.published().get((draft["kind"], draft["id"]))
            old = published["record"] if published else None
            changes = describe_changes(self.schema, old, draft["record"])
            result.append({**draft, "time": _iso(draft["time"]), "changes": changes, "new": old is None,
                           "retrain": _aliases_changed(old, draft["record"]),
                           "leftovers": self._leftover_figures(changes, draft["record"]),
                           "stale": published is not None and draft["base_version"] not in
                           (None, record_hash(published["record"]))})
        return result

    def _leftover_figures(self, changes: List[Dict[str, str]], record: dict) -> List[Dict[str, str]]:
        """An amount or a number of days taken out of one field but still written in another
        (the fee is also in each channel's row): the officer probably meant to change both."""
        found = []
        for change in changes:
            removed = set(_FIGURE.findall(change["before"])) - set(_FIGURE.findall(change["after"]))
            for figure in sorted(removed):
                for path, text in _leaves(record, ""):
                    if path != change["field"] and not path.startswith(change["field"] + ".") \
                            and re.search(rf"(?<![\d.]){re.escape(figure)}(?![\d])", text):
                        found.append({"figure": figure, "field": path, "label": self.schema.label(path),
                                      "changed": change["label"]})
        return found

    # --- publish ------------------------------------------------------------------------------
    def publish(self, user: str, note: str, ip: Optional[str]) -> Dict[str, Any]:
        note = (note or "").strip()
        if len(note) > 2000:
            raise StaffError(422, "Ghi chú dài quá 2000 ký tự.", [{"field": "note", "message": "quá dài"}])
        with self._lock:
            self.sync_history()
            pending = self.pending()
            if not pending:
                raise StaffError(409, "Không có bản nháp nào để xuất bản.")
            stale = [p for p in pending if p["stale"]]
            if stale:
                raise StaffError(409, "Tệp danh mục đã đổi sau khi các bản nháp này được tạo (có người "
                                      "xuất bản hoặc sửa tệp): mở lại, kiểm tra rồi lưu trước khi xuất bản: "
                                 + ", ".join(p["id"] for p in stale), items=[p["id"] for p in stale])
            changes = {(p["kind"], p["id"]): p["record"] for p in pending}
            texts = self.files.texts_with(changes)
            problems = catalog_io.problems_with(self.settings.catalog_dir, texts)
            if problems:
                raise StaffError(422, "Chưa xuất bản: danh mục sau khi áp dụng bản nháp có lỗi.",
                                 [{"field": field_of(p), "message": p} for p in problems])
            payload = {"user": user, "note": note or "(không ghi chú)", "ip": ip,
                       "items": [{"kind": p["kind"], "id": p["id"], "record": p["record"],
                                  "hash": record_hash(p["record"])} for p in pending]}
            result: Dict[str, Any] = {}
            catalog_io.write_files(self.settings.catalog_dir, texts, self.journal, payload,
                                   self.settings.fault, on_renamed=lambda data: result.update(self._record_publish(data)))
            self.refresh_draft_catalog()
            retrain = any(p["retrain"] for p in pending)
            result.update({"items": [{"kind": p["kind"], "id": p["id"]} for p in pending],
                           "files": sorted(texts), "retrain_needed": retrain,
                           "message": RETRAIN_MESSAGE if retrain else
                           "Đã xuất bản: trợ lý trả lời theo nội dung mới từ tin nhắn tiếp theo."})
            return result

    def _record_publish(self, payload: dict) -> Dict[str, Any]:
        """Bookkeeping after the files are in place (also run by crash recovery)."""
        items = payload.get("items") or []
        version = self.store.add_version(payload.get("user") or FILE_USER, payload.get("note") or "", items)
        for item in items:
            draft = self.store.draft(item["kind"], item["id"])
            if draft is not None and draft["version"] == item["hash"]:
                self.store.delete_draft(item["kind"], item["id"])
        self.store.audit(payload.get("user"), "publish", detail={
            "version": version, "note": payload.get("note"), "items": [[i["kind"], i["id"]] for i in items]},
            ip=payload.get("ip"))
        return {"version": version}

    def sync_history(self) -> None:
        """Record the files' state as a version when they changed outside the console (the first
        start, a git pull, a hand edit), so history and restore always know what was live; drop
        drafts that equal what is now published."""
        with self._lock:
            published = self.published()
            known = self.store.latest_hashes()
            items = [{"kind": k, "id": i, "record": v["record"], "hash": record_hash(v["record"])}
                     for (k, i), v in published.items() if known.get((k, i)) != record_hash(v["record"])]
            items += [{"kind": k, "id": i, "record": None, "hash": "removed"}
                      for (k, i), h in known.items() if (k, i) not in published and h != "removed"]
            if items:
                note = ("Trạng thái ban đầu của danh mục" if not known else
                        "Thay đổi trực tiếp trong tệp (ngoài bảng điều khiển)")
                self.store.add_version(FILE_USER, note, items)
            for draft in self.store.drafts():
                live = published.get((draft["kind"], draft["id"]))
                if live is not None and record_hash(live["record"]) == draft["version"]:
                    self.store.delete_draft(draft["kind"], draft["id"])

    # --- history ------------------------------------------------------------------------------
    def history(self, kind: Optional[str], item_id: Optional[str]) -> List[Dict[str, Any]]:
        rows = self.store.history(kind, item_id)
        return [{"version": r["version"], "user": r["username"], "time": _iso(r["time"]), "note": r["note"],
                 "kind": r["kind"], r["kind"] if r["kind"] != "general" else "general": r["item_id"],
                 "removed": r["hash"] == "removed"} for r in rows]

    def restore(self, kind: str, item_id: str, version: Any, current_version: Optional[str], user: str,
                ip: Optional[str]) -> Dict[str, Any]:
        try:
            version = int(version)
        except (TypeError, ValueError):
            raise StaffError(422, "version phải là số phiên bản trong lịch sử.",
                             [{"field": "version", "message": "không phải số phiên bản"}]) from None
        with self._lock:
            old = self.store.record_at(kind, item_id, version)
            if old is None:
                raise StaffError(404, f"Phiên bản {version} không có {_noun(kind)} {item_id!r}.")
            draft = self.store.draft(kind, item_id)
            if draft is not None and current_version != draft["version"]:
                raise StaffError(409, f"{item_id} đang có bản nháp chưa xuất bản của {draft['user']}: mở bản "
                                      "nháp đó (hoặc bỏ nó) trước khi khôi phục, để không ghi đè mất.",
                                 current={"version": draft["version"], "record": draft["record"],
                                          "user": draft["user"], "time": _iso(draft["time"])})
            errors = self.validate(kind, item_id, old["record"])
            if errors:
                raise StaffError(422, "Phiên bản cũ này không còn hợp lệ với danh mục hiện tại; sửa trong "
                                      "biểu mẫu sau khi khôi phục không được.", errors)
            published = self.published().get((kind, item_id))
            new_version = record_hash(old["record"])
            if published is not None and record_hash(published["record"]) == new_version:
                self.store.delete_draft(kind, item_id)
            else:
                base = record_hash(published["record"]) if published else None
                self.store.put_draft(kind, item_id, old["record"], new_version, base, user)
            self.store.audit(user, "restore", kind, item_id, {"from_version": version,
                                                              "replaced_draft": draft["record"] if draft else None}, ip)
            self.refresh_draft_catalog()
            return {"version": new_version, "restored_from": version,
                    "message": f"Đã tạo bản nháp bằng phiên bản {version}. Xuất bản để áp dụng."}

    # --- re-check worklist ----------------------------------------------------------------
    def worklist(self) -> List[Dict[str, Any]]:
        today = dt.date.today()
        cutoff = today - dt.timedelta(days=self.settings.stale_days)
        rows = []
        for kind in ("procedure", "office", "general"):
            for entry in self.listing(kind):
                item = self.current(kind, entry["id"])
                record = item["record"]
                name = record.get("ten_ngan") or record.get("ten") or ("Nội dung chung" if kind == "general" else entry["id"])
                verified = parse_date(record.get("ngay_xac_minh"))
                if verified is None or verified < cutoff:
                    rows.append({"kind": kind, "id": entry["id"], "name": name, "field": "ngay_xac_minh",
                                 "label": "Ngày xác minh", "reason": "stale",
                                 "detail": f"xác minh lần cuối {verified:%d/%m/%Y} ({(today - verified).days} ngày trước)"
                                 if verified else "chưa có ngày xác minh", "version": item["version"]})
                for path, value in _fact_dates(record, ""):
                    checked = parse_date(value)
                    if checked is not None and checked < cutoff:
                        rows.append({"kind": kind, "id": entry["id"], "name": name, "field": path,
                                     "label": self.schema.label(path), "reason": "stale",
                                     "detail": f"xác minh lần cuối {checked:%d/%m/%Y} "
                                               f"({(today - checked).days} ngày trước)", "version": item["version"]})
                for path, reason in _unknowns(record, ""):
                    rows.append({"kind": kind, "id": entry["id"], "name": name, "field": path,
                                 "label": self.schema.label(path), "reason": "unknown",
                                 "detail": f"chưa rõ: {reason}", "version": item["version"]})
        return rows

    def recheck(self, kind: str, item_id: str, version: Optional[str], user: str, ip: Optional[str],
                field: str = "ngay_xac_minh") -> Dict[str, Any]:
        """Today as the verified date of the record, or of one fact that carries its own date
        (`field` = the fact's path, e.g. "le_phi" or "thoi_han_giai_quyet.1")."""
        item = self.get(kind, item_id)
        record = json.loads(json.dumps(item["record"]))
        target = record
        if field and field != "ngay_xac_minh":
            for part in field.split("."):
                target = target[int(part)] if isinstance(target, list) and part.isdigit() else \
                    target.get(part) if isinstance(target, dict) else None
                if target is None:
                    break
            if not isinstance(target, dict) or "ngay_xac_minh" not in target:
                raise StaffError(422, f"{field} không có ngày xác minh riêng.",
                                 [{"field": field, "message": "không có ngày xác minh riêng"}])
        target["ngay_xac_minh"] = dt.date.today().isoformat()
        return self.save(kind, item_id, version, record, user, ip)

    # --- preview ------------------------------------------------------------------------------
    def preview(self, user: str, message: str, sender: Optional[str]) -> Dict[str, Any]:
        message = (message or "").strip()
        if not message or len(message) > 2000:
            raise StaffError(422, "Nhập câu hỏi (tối đa 2000 ký tự).", [{"field": "message", "message": "trống hoặc quá dài"}])
        if not self.settings.preview_token:
            raise StaffError(503, "Chưa cấu hình STAFF_PREVIEW_TOKEN: trợ lý không trả lời theo bản nháp "
                                  "(khởi động bằng `make run` để có).")
        suffix = re.sub(r"[^A-Za-z0-9_-]", "", sender or "")[:40] or secrets.token_hex(4)
        sender_id = f"preview-{user}-{suffix}"
        body = json.dumps({"sender": sender_id, "message": message,
                           "metadata": {"preview_token": self.settings.preview_token}}).encode("utf-8")
        request = urllib.request.Request(f"{self.settings.rasa_url}/webhooks/rest/webhook", data=body,
                                         headers={"Content-Type": "application/json"}, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                replies = json.loads(response.read().decode("utf-8"))
        except (urllib.error.URLError, OSError, ValueError) as error:
            raise StaffError(502, f"Không kết nối được trợ lý ({self.settings.rasa_url}): {error}. "
                                  "Trợ lý có đang chạy (make run)?") from error
        messages = [{"text": r.get("text"), "buttons": [{"title": b.get("title"), "payload": b.get("payload")}
                                                        for b in r.get("buttons") or []]}
                    for r in replies if isinstance(r, dict)]
        return {"sender": suffix, "messages": messages}


# Amounts ("200.000", "1.500.000") and counts of days/months ("10 ngày") worth checking elsewhere.
_FIGURE = re.compile(r"\d{1,3}(?:\.\d{3})+|\d+(?= (?:ngày|tháng|năm))")


def _leaves(value: Any, path: str):
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, sub in value.items():
            yield from _leaves(sub, f"{path}.{key}" if path else key)
    elif isinstance(value, list):
        for index, sub in enumerate(value):
            yield from _leaves(sub, f"{path}.{index}")


def _aliases_changed(old: Optional[dict], new: Optional[dict]) -> bool:
    return any((old or {}).get(k) != (new or {}).get(k) for k in ALIAS_KEYS)


def _fact_dates(value: Any, path: str):
    """(path, date) of every fact below the top level that carries its own ngay_xac_minh."""
    if isinstance(value, dict):
        for key, sub in value.items():
            if key == "ngay_xac_minh" and path:
                yield path, sub
            elif isinstance(sub, (dict, list)):
                yield from _fact_dates(sub, f"{path}.{key}" if path else key)
    elif isinstance(value, list):
        for index, sub in enumerate(value):
            yield from _fact_dates(sub, f"{path}.{index}")


def _unknowns(value: Any, path: str):
    if isinstance(value, dict):
        if "chua_ro" in value and isinstance(value["chua_ro"], str):
            yield path, value["chua_ro"].strip()
        for key, sub in value.items():
            if key != "chua_ro":
                yield from _unknowns(sub, f"{path}.{key}" if path else key)
    elif isinstance(value, list):
        for index, sub in enumerate(value):
            yield from _unknowns(sub, f"{path}.{index}")


def _iso(timestamp: Optional[float]) -> Optional[str]:
    if timestamp is None:
        return None
    return dt.datetime.fromtimestamp(timestamp, dt.timezone.utc).astimezone().isoformat(timespec="seconds")


def _noun(kind: str) -> str:
    return {"procedure": "thủ tục", "office": "cơ quan", "general": "nội dung chung"}[kind]


def _fold(text: str) -> str:
    from actions.text import fold
    return fold(text or "")


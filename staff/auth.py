"""Who is asking and what they may do: passwords, sessions, throttling, roles, CSRF.

Roles are ordered editor < publisher < admin and checked on the server for every request.
Sessions are random tokens stored only as SHA-256 hashes; they end after STAFF_SESSION_MINUTES
without a request. The page uses a cookie session whose state-changing requests must carry the
session's CSRF token; API clients send `Authorization: Bearer <token>` (not sent automatically
by browsers, so exempt from CSRF).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass
from typing import Deque, Dict, Optional

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from staff.errors import StaffError
from staff.store import Store

ROLES = ("editor", "publisher", "admin")
ROLE_TITLES = {"editor": "Biên tập viên", "publisher": "Người duyệt (xuất bản)", "admin": "Quản trị"}
USERNAME = re.compile(r"^[a-z0-9_.-]{2,40}$")
MIN_PASSWORD = 8
COOKIE = "staff_session"
_hasher = PasswordHasher()
# Verifying against this when the user does not exist keeps the timing of both cases alike.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


@dataclass(frozen=True)
class Principal:
    username: str
    role: str
    via: str  # "cookie" or "bearer"
    csrf: str
    token_hash: str

    def can(self, role: str) -> bool:
        return ROLES.index(self.role) >= ROLES.index(role)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_new_user(username: str, role: str, password: str) -> None:
    if not USERNAME.match(username or ""):
        raise StaffError(422, "Tên đăng nhập: 2–40 ký tự a-z, 0-9, dấu chấm, gạch nối hoặc gạch dưới.",
                         [{"field": "username", "message": "tên không hợp lệ"}])
    if role not in ROLES:
        raise StaffError(422, f"Vai trò phải là một trong: {', '.join(ROLES)}.",
                         [{"field": "role", "message": "vai trò không hợp lệ"}])
    if len(password or "") < MIN_PASSWORD:
        raise StaffError(422, f"Mật khẩu cần ít nhất {MIN_PASSWORD} ký tự.",
                         [{"field": "password", "message": "mật khẩu quá ngắn"}])


class LoginThrottle:
    """Failed logins per user name and per client address within a sliding window; beyond the
    limit every attempt (even a right password) gets 429 until the window has passed."""

    def __init__(self, max_failures: int, window: float):
        self.max_failures, self.window = max_failures, window
        self._failures: Dict[str, Deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def _keys(self, username: str, ip: str):
        # An address may try several names (an office behind one NAT), so it gets more room.
        return ((f"user:{username.lower()}", self.max_failures), (f"ip:{ip}", self.max_failures * 4))

    def check(self, username: str, ip: str) -> None:
        now = time.monotonic()
        with self._lock:
            for key, limit in self._keys(username, ip):
                failures = self._failures[key]
                while failures and failures[0] < now - self.window:
                    failures.popleft()
                if len(failures) >= limit:
                    retry = int(failures[0] + self.window - now) + 1
                    raise StaffError(429, f"Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau {retry} giây.",
                                     retry_after=retry)

    def failed(self, username: str, ip: str) -> None:
        with self._lock:
            for key, _ in self._keys(username, ip):
                self._failures[key].append(time.monotonic())

    def succeeded(self, username: str) -> None:
        with self._lock:
            self._failures.pop(f"user:{username.lower()}", None)


class Auth:
    def __init__(self, store: Store, session_minutes: float, throttle: LoginThrottle):
        self.store, self.session_seconds, self.throttle = store, session_minutes * 60, throttle

    def login(self, username: str, password: str, ip: str, via: str) -> tuple:
        """(token, csrf) for a right password; 401 otherwise, 429 when throttled."""
        username = (username or "").strip().lower()
        self.throttle.check(username, ip)
        user = self.store.user(username)
        try:
            _hasher.verify(user["password_hash"] if user else _DUMMY_HASH, password or "")
            ok = user is not None
        except (VerificationError, InvalidHashError):
            ok = False
        if not ok:
            self.throttle.failed(username, ip)
            self.store.audit(username or None, "login_failed", ip=ip)
            raise StaffError(401, "Sai tên đăng nhập hoặc mật khẩu.")
        if _hasher.check_needs_rehash(user["password_hash"]):
            self.store.set_password_hash(username, hash_password(password))
        self.throttle.succeeded(username)
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        self.store.add_session(token_hash(token), username, csrf, via)
        self.store.audit(username, "login", detail={"via": via}, ip=ip)
        return token, csrf

    def principal(self, token: Optional[str], via: str) -> Optional[Principal]:
        if not token:
            return None
        hashed = token_hash(token)
        row = self.store.session(hashed)
        if row is None or row["via"] != via:
            return None
        if time.time() - row["last_seen"] > self.session_seconds:
            self.store.drop_session(hashed)
            return None
        self.store.touch_session(hashed)
        return Principal(row["username"], row["role"], via, row["csrf"], hashed)

    def logout(self, principal: Principal, ip: str) -> None:
        self.store.drop_session(principal.token_hash)
        self.store.audit(principal.username, "logout", ip=ip)

    def put_user(self, actor: Optional[str], username: str, role: str, password: str, ip: Optional[str]) -> bool:
        username = (username or "").strip().lower()
        check_new_user(username, role, password)
        created = self.store.put_user(username, role, hash_password(password))
        self.store.audit(actor, "user_created" if created else "user_reset", "user", username,
                         {"role": role}, ip)
        return created


def check_csrf(principal: Principal, method: str, supplied: Optional[str]) -> None:
    """Cookie sessions must prove a state-changing request comes from the console's own page."""
    if principal.via != "cookie" or method in ("GET", "HEAD", "OPTIONS"):
        return
    if not supplied or not hmac.compare_digest(supplied, principal.csrf):
        raise StaffError(403, "Thiếu hoặc sai mã CSRF: tải lại trang rồi thử lại.")


def require(principal: Optional[Principal], role: str = "editor") -> Principal:
    if principal is None:
        raise StaffError(401, "Cần đăng nhập (phiên có thể đã hết hạn).")
    if not principal.can(role):
        raise StaffError(403, f"Việc này cần vai trò {ROLE_TITLES[role]} trở lên; bạn là "
                              f"{ROLE_TITLES[principal.role]}.")
    return principal

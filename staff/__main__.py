"""`python -m staff` serves the console; `python -m staff user` creates or resets an account
from the terminal (what `make staff-user` runs). Settings come from the environment
(staff/settings.py); the project root must be on PYTHONPATH (the Makefile sets it)."""

from __future__ import annotations

import getpass
import logging
import sys

from staff.settings import Settings


def serve() -> int:
    import uvicorn

    from staff.app import create_app

    settings = Settings.from_env()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app = create_app(settings)
    if not app.state.console.has_users():
        print("Chưa có tài khoản nào. Tạo tài khoản: `make staff-user`, hoặc khởi động với "
              "STAFF_ADMIN_PASSWORD=... (tạo tài khoản admin).", flush=True)
    print(f"Staff console: http://{settings.host}:{settings.port}/", flush=True)
    uvicorn.run(app, host=settings.host, port=settings.port, log_level="warning", proxy_headers=False)
    return 0


def create_user() -> int:
    from staff.auth import ROLES, Auth, LoginThrottle
    from staff.errors import StaffError
    from staff.store import Store

    settings = Settings.from_env()
    auth = Auth(Store(settings.db_path), settings.session_minutes, LoginThrottle(1, 1))
    print(f"Tạo hoặc đặt lại tài khoản bảng điều khiển (cơ sở dữ liệu {settings.db_path}).")
    username = input("Tên đăng nhập: ").strip().lower()
    role = input(f"Vai trò ({' / '.join(ROLES)}) [editor]: ").strip() or "editor"
    password = getpass.getpass("Mật khẩu (ít nhất 8 ký tự): ")
    if password != getpass.getpass("Nhập lại mật khẩu: "):
        print("Hai lần nhập mật khẩu không khớp; chưa lưu gì.", file=sys.stderr)
        return 1
    try:
        created = auth.put_user("(terminal)", username, role, password, "terminal")
    except StaffError as error:
        print(error.message, file=sys.stderr)
        return 1
    print(("Đã tạo" if created else "Đã đặt lại") + f" tài khoản {username} ({role}).")
    return 0


def main(argv: list) -> int:
    if argv[1:2] == ["user"]:
        return create_user()
    if argv[1:]:
        print("usage: python -m staff [user]", file=sys.stderr)
        return 2
    return serve()


if __name__ == "__main__":
    sys.exit(main(sys.argv))

"""Run the staff console as a real process (its own .venv-staff) on a free port, with a private
copy of the catalog and a private database, and talk to it over HTTP like an officer would."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from pathlib import Path
from typing import Dict, Optional

import requests

from actions.settings import PROJECT_ROOT

STAFF_PYTHON = PROJECT_ROOT / ".venv-staff" / "bin" / "python"
ADMIN_PASSWORD = "admin-pass-123"


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Console:
    """One console process; `restart()` keeps its catalog, database and settings."""

    def __init__(self, work: Path, catalog: Optional[Path] = None, draft_catalog: Optional[Path] = None,
                 **env: str):
        self.work = work
        self.catalog = catalog or work / "catalog"
        if catalog is None:
            shutil.copytree(PROJECT_ROOT / "catalog", self.catalog)
        self.db = work / "staff.db"
        self.draft_catalog = draft_catalog or work / "draft-catalog"
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT), "CATALOG_DIR": str(self.catalog),
                    "STAFF_DB": str(self.db), "STAFF_DRAFT_CATALOG": str(self.draft_catalog),
                    "STAFF_HOST": "127.0.0.1", "STAFF_PORT": str(self.port),
                    "STAFF_ADMIN_PASSWORD": ADMIN_PASSWORD, "RASA_URL": f"http://127.0.0.1:{free_port()}",
                    "STAFF_PREVIEW_TOKEN": "test-preview-token", **env}
        self.process: Optional[subprocess.Popen] = None
        self.start()

    @property
    def log(self) -> str:
        return (self.work / "console.log").read_text(errors="replace")

    def start(self, **env: str) -> None:
        if not STAFF_PYTHON.exists():
            raise RuntimeError(f"{STAFF_PYTHON} is missing: run `make staff-setup` (make test does it).")
        self.process = subprocess.Popen(
            [str(STAFF_PYTHON), "-m", "staff"], cwd=PROJECT_ROOT, env={**self.env, **env},
            stdout=(self.work / "console.log").open("a"), stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the console exited with {self.process.returncode}:\n{self.log}")
            try:
                if requests.get(f"{self.url}/login", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                time.sleep(0.2)
        raise RuntimeError(f"the console did not start:\n{self.log}")

    def wait_exit(self, timeout: float = 20) -> int:
        return self.process.wait(timeout=timeout)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def restart(self, **env: str) -> None:
        self.stop()
        self.start(**env)

    # --- clients ----------------------------------------------------------------------------
    def token(self, username: str = "admin", password: str = ADMIN_PASSWORD) -> str:
        reply = requests.post(f"{self.url}/api/login", json={"username": username, "password": password},
                              timeout=10)
        assert reply.status_code == 200, reply.text
        return reply.json()["token"]

    def api(self, username: str = "admin", password: str = ADMIN_PASSWORD) -> "Api":
        return Api(self.url, self.token(username, password))

    def add_user(self, username: str, role: str, password: str = "user-pass-123") -> "Api":
        reply = self.api().post("/api/users", json={"username": username, "role": role, "password": password})
        assert reply.status_code in (200, 201), reply.text
        return self.api(username, password)

    def browser_session(self, username: str = "admin", password: str = ADMIN_PASSWORD) -> "PageSession":
        """A cookie session logged in through the login form, as the page does it."""
        session = requests.Session()
        form = session.get(f"{self.url}/login", timeout=10).text
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
        reply = session.post(f"{self.url}/login", data={"username": username, "password": password,
                                                        "csrf_token": csrf, "next": "/"}, timeout=10)
        assert reply.status_code == 200 and "Đăng xuất" in reply.text, reply.text[:500]
        page_csrf = re.search(r'name="csrf_token" value="([^"]+)"', reply.text).group(1)
        return PageSession(self.url, session, page_csrf)


class Api:
    """requests with the base URL and the Bearer token filled in."""

    def __init__(self, url: str, token: str):
        self.url, self.headers = url, {"Authorization": f"Bearer {token}"}

    def request(self, method: str, path: str, **kwargs) -> requests.Response:
        kwargs.setdefault("timeout", 60)
        headers = {**self.headers, **kwargs.pop("headers", {})}
        return requests.request(method, self.url + path, headers=headers, **kwargs)

    def get(self, path: str, **kwargs) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs) -> requests.Response:
        return self.request("POST", path, **kwargs)

    def put(self, path: str, **kwargs) -> requests.Response:
        return self.request("PUT", path, **kwargs)

    def item(self, pid: str = "ly_lich_tu_phap") -> Dict:
        reply = self.get(f"/api/procedures/{pid}")
        assert reply.status_code == 200, reply.text
        return reply.json()

    def save_fee(self, text: str, pid: str = "ly_lich_tu_phap") -> requests.Response:
        item = self.item(pid)
        record = item["record"]
        record["le_phi"] = {**record["le_phi"], "noi_dung": text} if isinstance(record.get("le_phi"), dict) \
            else text
        return self.put(f"/api/procedures/{pid}", json={"version": item["version"], "record": record})


class PageSession:
    def __init__(self, url: str, session: requests.Session, csrf: str):
        self.url, self.session, self.csrf = url, session, csrf

    def get(self, path: str, **kwargs) -> requests.Response:
        return self.session.get(self.url + path, timeout=30, **kwargs)

    def post(self, path: str, data: Optional[dict] = None, csrf: bool = True, **kwargs) -> requests.Response:
        data = dict(data or {})
        if csrf:
            data.setdefault("csrf_token", self.csrf)
        return self.session.post(self.url + path, data=data, timeout=30, **kwargs)


def form_fields(html: str, action: str):
    """The (name, value) pairs a browser would submit for the form posting to `action`
    (inputs inside <template> are not part of the form)."""
    from html.parser import HTMLParser

    class Parser(HTMLParser):
        def __init__(self):
            super().__init__(convert_charrefs=True)
            self.fields, self.in_form, self.template = [], False, 0
            self.textarea, self.select, self.option = None, None, None

        def handle_starttag(self, tag, attrs):
            a = dict(attrs)
            if tag == "form":
                self.in_form = a.get("action") == action
            if not self.in_form:
                return
            if tag == "template":
                self.template += 1
            if self.template:
                return
            if tag == "input":
                kind = a.get("type", "text")
                if kind in ("checkbox", "radio") and "checked" not in a:
                    return
                if a.get("name") and kind not in ("submit", "button"):
                    self.fields.append((a["name"], a.get("value", "on" if kind == "checkbox" else "")))
            elif tag == "textarea":
                self.textarea = [a.get("name"), ""]
            elif tag == "select":
                self.select = [a.get("name"), None, None]
            elif tag == "option" and self.select:
                value = a.get("value", "")
                if self.select[2] is None:
                    self.select[2] = value
                if "selected" in a:
                    self.select[1] = value

        def handle_endtag(self, tag):
            if tag == "form":
                self.in_form = False
            elif tag == "template" and self.template:
                self.template -= 1
            elif tag == "textarea" and self.textarea:
                name, text = self.textarea
                self.fields.append((name, text[1:] if text.startswith("\n") else text))
                self.textarea = None
            elif tag == "select" and self.select:
                name, chosen, first = self.select
                self.fields.append((name, chosen if chosen is not None else first))
                self.select = None

        def handle_data(self, data):
            if self.textarea is not None:
                self.textarea[1] += data

    parser = Parser()
    parser.feed(html)
    return parser.fields

"""Reading and writing the catalog files without losing what people wrote in them.

Records travel as JSON (dates as YYYY-MM-DD strings, the catalog's own keys). Writing merges
a record into the file's ruamel.yaml round-trip tree, so comments, key order, quoting and
block style of untouched values stay exactly as they were and a git diff shows only the edit.

Validation is the core's own loader (actions.catalog.load_catalog, imported with the project
root on PYTHONPATH): the files a publish would write are materialised with the rest of the
catalog in a temporary folder and loaded there, so the console can never publish something
`make check-catalog` would reject, and reports the very same messages.

Publishing is atomic per file (temporary file in the same folder, fsync, os.replace). For a
publish touching several files: every new file is written and fsynced first; then a journal
listing the renames is fsynced; then the renames happen. A crash before the journal leaves the
previous catalog untouched; a crash during the renames is rolled forward at the next start
(recover_journal), so after a restart the catalog is always either all old or all new.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, List, Optional, Tuple

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError
from ruamel.yaml.scalarstring import LiteralScalarString

from actions.catalog import CatalogError, load_catalog

GENERAL_FILE, OFFICES_FILE, PROCEDURES_DIR = "chung.yml", "co-quan.yml", "thu-tuc"
KINDS = ("procedure", "office", "general")
GENERAL_ID = "chung"
TMP_SUFFIX = ".staff-tmp"  # not *.yml, so the action server's file watcher never reads one
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_FIELD = re.compile(r"field '([^']*)'|(\w+) #(\d+)")
# Labels the loader uses for list items, and the list key each one lives in.
_ITEM_LABELS = {"channel": "cach_thuc", "change": "thay_doi", "question": "hoi_dap",
                "premise": "tien_de_sai", "refinement": "cu_the_hon", "version": None, "item": None}

Key = Tuple[str, str]  # (kind, id)


class CatalogIOError(Exception):
    """The catalog files cannot be read or written (syntax error, disk problem)."""


def _yaml() -> YAML:
    yaml = YAML()  # round-trip
    yaml.preserve_quotes = True
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def to_json(value: Any) -> Any:
    """A plain JSON value from YAML data (ruamel or PyYAML); dates become YYYY-MM-DD."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_json(v) for v in value]
    if isinstance(value, str):
        return str(value)
    return value


def normalized(value: Any) -> Any:
    """The record as the loader reads it: surrounding whitespace of texts does not count."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, dict):
        return {k: normalized(v) for k, v in value.items()}
    if isinstance(value, list):
        return [normalized(v) for v in value]
    return value


def record_hash(record: Optional[dict]) -> str:
    """The edit version of a record: changes whenever its content changes, however it changed
    (console, git, hand edit), so a stale edit is always detected."""
    canonical = json.dumps(normalized(record), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]


def _to_yaml(value: Any) -> Any:
    if isinstance(value, str):
        if _ISO_DATE.match(value):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                return value  # an impossible date stays text; the loader names it
        value = value.strip()
        return LiteralScalarString(value + "\n") if "\n" in value else value
    if isinstance(value, dict):
        result = CommentedMap()
        for k, v in value.items():
            result[k] = _to_yaml(v)
        return result
    if isinstance(value, list):
        seq = CommentedSeq(_to_yaml(v) for v in value)
        if value and all(isinstance(v, str) and "\n" not in v for v in value) and sum(map(len, value)) < 80:
            seq.fa.set_flow_style()
        return seq
    return value


def _same(old: Any, new: Any) -> bool:
    old = to_json(old)
    if isinstance(old, str) and isinstance(new, str):
        return old.strip() == new.strip()
    return old == new


def _keep_trailing_comment(container: Any, old_last: Any, new_last: Any) -> None:
    """A blank line or comment after the last entry stays after the last entry when one is added."""
    comment = container.ca.items.pop(old_last, None)
    if comment is not None:
        container.ca.items[new_last] = comment


def merge(old: Any, new: Any) -> Any:
    """`new` (JSON) written over the YAML node `old`, keeping every untouched node as it was."""
    if isinstance(old, CommentedMap) and isinstance(new, dict):
        for key in [k for k in old if k not in new]:
            del old[key]
        for key, value in new.items():
            if key in old:
                old[key] = merge(old[key], value)
            else:
                last = next(reversed(old), None) if len(old) else None
                old[key] = _to_yaml(value)
                _keep_trailing_comment(old, last, key)
        return old
    if isinstance(old, CommentedSeq) and isinstance(new, list):
        for index, value in enumerate(new):
            if index < len(old):
                old[index] = merge(old[index], value)
            else:
                old.append(_to_yaml(value))
                _keep_trailing_comment(old, len(old) - 2, len(old) - 1)
        del old[len(new):]
        return old
    return old if _same(old, new) else _to_yaml(new)


class CatalogFiles:
    """The catalog folder: its items as JSON records, and new file texts with edits applied."""

    def __init__(self, root: Path):
        self.root = Path(root)
        self._items: Tuple[Any, Dict[Key, Dict[str, Any]]] = (None, {})

    def file_names(self) -> List[str]:
        names = [n for n in (GENERAL_FILE, OFFICES_FILE) if (self.root / n).is_file()]
        return names + sorted(f"{PROCEDURES_DIR}/{p.name}" for p in (self.root / PROCEDURES_DIR).glob("*.yml"))

    def _load(self, name: str) -> Any:
        path = self.root / name
        try:
            return _yaml().load(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, YAMLError) as error:
            raise CatalogIOError(f"{name}: {error}") from error

    def signature(self) -> Tuple:
        result = []
        for name in self.file_names():
            try:
                stat = (self.root / name).stat()
            except FileNotFoundError:
                continue
            result.append((name, stat.st_mtime_ns, stat.st_size))
        return tuple(result)

    def items(self) -> Dict[Key, Dict[str, Any]]:
        """Every published item: {(kind, id): {"file", "record"}}; re-read only after a file changed."""
        signature = self.signature()
        if signature != self._items[0]:
            self._items = (signature, self._read_items())
        return self._items[1]

    def _read_items(self) -> Dict[Key, Dict[str, Any]]:
        result: Dict[Key, Dict[str, Any]] = {}
        for name in self.file_names():
            data = self._load(name)
            if not isinstance(data, dict):
                continue
            for kind, item_id, node in _nodes(name, data):
                result.setdefault((kind, item_id), {"file": name, "record": to_json(node)})
        return result

    def texts_with(self, changes: Dict[Key, Optional[dict]]) -> Dict[str, str]:
        """New text of every file that `changes` (record, or None to remove) touch."""
        located = {key: value["file"] for key, value in self.items().items()}
        docs: Dict[str, Any] = {}

        def doc(name: str) -> Any:
            if name not in docs:
                docs[name] = self._load(name) if (self.root / name).is_file() else CommentedMap()
            return docs[name]

        for (kind, item_id), record in changes.items():
            name = located.get((kind, item_id)) or new_file_for(kind, item_id)
            data = doc(name)
            if kind == "general":
                merge(data, record or {})
                continue
            list_key = "thu_tuc" if kind == "procedure" else "co_quan"
            items = data.setdefault(list_key, CommentedSeq())
            index = next((n for n, node in enumerate(items)
                          if isinstance(node, dict) and str(node.get("id")) == item_id), None)
            if record is None:
                if index is not None:
                    del items[index]
            elif index is None:
                items.append(_to_yaml(record))
            else:
                items[index] = merge(items[index], record)
        texts = {}
        for name, data in docs.items():
            out = io.StringIO()
            _yaml().dump(data, out)
            texts[name] = out.getvalue()
        return texts


def new_file_for(kind: str, item_id: str) -> str:
    if kind == "procedure":
        return f"{PROCEDURES_DIR}/{item_id.replace('_', '-')}.yml"
    return OFFICES_FILE if kind == "office" else GENERAL_FILE


def _nodes(name: str, data: Any) -> Iterable[Tuple[str, str, Any]]:
    if not isinstance(data, dict):
        return
    if name == GENERAL_FILE:
        yield "general", GENERAL_ID, data
        return
    list_key = "co_quan" if name == OFFICES_FILE else "thu_tuc"
    kind = "office" if name == OFFICES_FILE else "procedure"
    for node in data.get(list_key) or []:
        if isinstance(node, dict) and node.get("id") is not None:
            yield kind, str(node["id"]), node


# --- validation -------------------------------------------------------------------------------

def materialise(source: Path, target: Path, texts: Dict[str, str]) -> None:
    """Write the catalog of `source` with `texts` replacing some files into `target`."""
    (target / PROCEDURES_DIR).mkdir(parents=True, exist_ok=True)
    for name in CatalogFiles(source).file_names():
        if name not in texts:
            shutil.copyfile(source / name, target / name)
    for name, text in texts.items():
        (target / name).write_text(text, encoding="utf-8")


def problems_with(source: Path, texts: Dict[str, str]) -> List[str]:
    """What `make check-catalog` would say about the catalog with `texts` written in."""
    with tempfile.TemporaryDirectory(prefix="staff-check-") as tmp:
        target = Path(tmp) / "catalog"  # so messages name catalog/thu-tuc/x.yml
        materialise(source, target, texts)
        try:
            load_catalog(target)
        except CatalogError as error:
            return list(error.problems)
    return []


def field_of(problem: str) -> str:
    """The dotted field path a loader problem is about: "procedure 'x', channel #2, field
    'phi'" -> "cach_thuc.1.phi"; "" when it names no field."""
    parts: List[str] = []
    for match in _FIELD.finditer(problem.split("': ", 1)[0] + "'" if "field '" in problem else problem):
        if match.group(1) is not None:
            parts.append(match.group(1))
        else:
            list_key = _ITEM_LABELS.get(match.group(2), None)
            if list_key:
                parts.append(list_key)
            parts.append(str(int(match.group(3)) - 1))
    return ".".join(parts)


def message_of(problem: str) -> str:
    """The problem without its location, as an officer reads it next to the field."""
    fields = list(re.finditer(r"field '[^']*': ", problem))
    if fields:
        return problem[fields[-1].end():]
    return problem.split(": ", 2)[-1] if problem.count(": ") >= 2 else problem


# --- writing ----------------------------------------------------------------------------------

def _fsync_dir(path: Path) -> None:
    fd = os.open(str(path), os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_files(root: Path, texts: Dict[str, str], journal: Path, payload: Optional[dict] = None,
                fault: str = "", on_renamed: Optional[Callable[[dict], None]] = None) -> None:
    """Replace files under `root` atomically as described in the module docstring.

    `payload` is stored in the journal so recovery can finish the publish's bookkeeping.
    `fault` (tests only, from STAFF_FAULT) kills the process at a chosen point to prove the
    guarantee: "crash-after-temp" before any rename, "crash-mid-rename" after the first one.
    """
    pairs = []
    for name, text in sorted(texts.items()):
        final = root / name
        final.parent.mkdir(parents=True, exist_ok=True)
        tmp = final.with_name(final.name + TMP_SUFFIX)
        with open(tmp, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        pairs.append((str(tmp), str(final)))
    if fault == "crash-after-temp":
        os._exit(70)
    journal.parent.mkdir(parents=True, exist_ok=True)
    journal_tmp = journal.with_name(journal.name + ".tmp")
    with open(journal_tmp, "w", encoding="utf-8") as handle:
        json.dump({"renames": pairs, "payload": payload}, handle, ensure_ascii=False)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(journal_tmp, journal)
    _fsync_dir(journal.parent)
    for number, (tmp, final) in enumerate(pairs):
        os.replace(tmp, final)
        if fault == "crash-mid-rename" and number == 0 and len(pairs) > 1:
            os._exit(71)
    for directory in {Path(final).parent for _, final in pairs}:
        _fsync_dir(directory)
    if on_renamed is not None:
        on_renamed(payload or {})
    journal.unlink()


def recover_journal(root: Path, journal: Path, on_renamed: Callable[[dict], None]) -> bool:
    """Finish a publish interrupted during its renames; drop leftovers of one interrupted before.
    True when a publish was rolled forward."""
    recovered = False
    if journal.exists():
        data = json.loads(journal.read_text(encoding="utf-8"))
        for tmp, final in data["renames"]:
            if Path(tmp).exists():
                os.replace(tmp, final)
        on_renamed(data.get("payload") or {})
        journal.unlink()
        recovered = True
    for leftover in list(root.glob("*" + TMP_SUFFIX)) + list((root / PROCEDURES_DIR).glob("*" + TMP_SUFFIX)):
        leftover.unlink()
    return recovered


def write_tree(target: Path, source: Path, texts: Dict[str, str]) -> None:
    """Make `target` a copy of the catalog in `source` with `texts` applied (the draft catalog
    the preview answers from); each file replaced atomically, stale files removed."""
    wanted = {name: (source / name).read_text(encoding="utf-8") for name in CatalogFiles(source).file_names()}
    wanted.update(texts)
    (target / PROCEDURES_DIR).mkdir(parents=True, exist_ok=True)
    for name, text in wanted.items():
        path = target / name
        if path.is_file() and path.read_text(encoding="utf-8") == text:
            continue
        tmp = path.with_name(path.name + TMP_SUFFIX)
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    for name in CatalogFiles(target).file_names():
        if name not in wanted:
            (target / name).unlink()

"""Reading catalog/*.yml into the model: YAML, then the schema, then records.

Every problem is reported with its file, the procedure or office, and the field, all at
once, so staff can fix a file in one pass. Records are built from the model's field
declarations (model.key names the catalog key; the field's type says how to read it), so
this module knows kinds of values (texts, dates, facts, dated versions, lists of records),
never individual catalog fields.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import typing
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence, Set, Tuple, Type, TypeVar, Union

import yaml

from actions.catalog import validation
from actions.catalog.model import (
    UNKNOWN,
    Catalog,
    CatalogError,
    Dated,
    Fact,
    Office,
    Procedure,
    Version,
    parse_date,
)
from actions.catalog.validation import Locator, Problems
from actions.text import fold

R = TypeVar("R")
Step = Union[str, int]
MENU_SIZE = 8  # without a menu in chung.yml, the first procedures make the menu


class _Builder:
    """Builds records of one file from schema-valid data, reporting what the schema cannot
    check (a date that is not in the calendar, versions out of order) at its place."""

    def __init__(self, where: Locator, problems: Problems) -> None:
        self.where, self.problems = where, problems

    def bad(self, path: Sequence[Step], problem: str) -> None:
        self.problems.add(self.where(path), problem)

    def record(self, cls: Type[R], data: Dict[str, Any], path: Tuple[Step, ...],
               **given: Any) -> R:
        values: Dict[str, Any] = dict(given)
        hints = _hints(cls)
        for spec in dataclasses.fields(cls):  # type: ignore[arg-type]
            name = spec.metadata.get("key")
            if name is None:
                continue
            if isinstance(name, tuple):  # several keys into one dict (a procedure's facts)
                item_hint = typing.get_args(hints[spec.name])[1]
                values[spec.name] = {k: self.value(item_hint, data[k], path + (k,))
                                     for k in name if data.get(k) is not None}
            elif data.get(name) is not None:
                values[spec.name] = self.value(hints[spec.name], data[name], path + (name,),
                                               spec.metadata["fold"])
            elif hints[spec.name] is Fact:
                values[spec.name] = UNKNOWN  # an office's contact detail nobody has given
        record = cls(**values)
        # Records that apply from tu_ngay to den_ngay (questions, false premises)
        start, end = getattr(record, "start", None), getattr(record, "end", None)
        if isinstance(start, dt.date) and isinstance(end, dt.date) and end < start:
            self.bad(path + ("den_ngay",), f"{end:%d/%m/%Y} is before tu_ngay {start:%d/%m/%Y}")
        return record

    def value(self, hint: Any, data: Any, path: Tuple[Step, ...], folded: bool = False) -> Any:
        hint = _unoptional(hint)
        origin = typing.get_origin(hint)
        if hint is str:
            return str(data).strip()
        if hint is int:
            return data
        if hint is dt.date:
            return self.date(data, path)
        if hint is Fact:
            return self.fact(data, path)
        if origin is Dated:
            return self.dated(data, path)
        if origin is tuple:
            item_hint = typing.get_args(hint)[0]
            if item_hint is str:
                texts = tuple(str(item).strip() for item in data)
                if folded:
                    texts = tuple(f for f in map(fold, texts) if f)
                    if not texts:
                        self.bad(path, "no letters or digits in any of these words")
                return texts
            return tuple(self.record(item_hint, item, path + (index,))
                         for index, item in enumerate(data))
        if isinstance(hint, type) and dataclasses.is_dataclass(hint):
            return self.record(hint, data, path)
        raise NotImplementedError(f"the loader cannot read a {hint!r} (field {path[-1]!r})")

    def date(self, data: Any, path: Tuple[Step, ...]) -> Optional[dt.date]:
        parsed = parse_date(data)
        if parsed is None:
            self.bad(path, f"not a date: {data!r}; write YYYY-MM-DD or DD/MM/YYYY")
        return parsed

    def fact(self, data: Any, path: Tuple[Step, ...]) -> Fact:
        """A text, or a mapping {noi_dung, can_cu, ...} / {chua_ro: why}."""
        if isinstance(data, str):
            return Fact(text=data.strip())
        return self.record(Fact, data, path)

    def dated(self, data: Any, path: Tuple[Step, ...]) -> Dated[Fact]:
        """A fact, or its dated versions [{tu_ngay, den_ngay?, noi_dung | chua_ro}], oldest
        first, each starting after the previous one ends."""
        if not isinstance(data, list):
            return Dated.always(self.fact(data, path))
        versions = [Version(self.date(item["tu_ngay"], path + (index, "tu_ngay")),
                            self.date(item["den_ngay"], path + (index, "den_ngay"))
                            if "den_ngay" in item else None,
                            self.fact(item, path + (index,)))
                    for index, item in enumerate(data)]
        for index, version in enumerate(versions):
            if version.start and version.end and version.end < version.start:
                self.bad(path + (index,), f"den_ngay {version.end:%d/%m/%Y} is before tu_ngay "
                                          f"{version.start:%d/%m/%Y}")
        for index, (before, after) in enumerate(zip(versions, versions[1:], strict=False), start=1):
            if before.start is None or after.start is None:
                continue
            if after.start <= before.start:
                self.bad(path + (index,), "versions must be in date order, oldest first: tu_ngay "
                                          f"{after.start:%d/%m/%Y} is not after "
                                          f"{before.start:%d/%m/%Y}")
            elif before.end is not None and after.start <= before.end:
                self.bad(path + (index,), f"overlaps the previous version (which runs to "
                                          f"{before.end:%d/%m/%Y}); start it after that day")
        return Dated(tuple(versions))


_HINTS: Dict[type, Dict[str, Any]] = {}


def _hints(cls: type) -> Dict[str, Any]:
    """A model class's field types (resolved once: the annotations are strings)."""
    if cls not in _HINTS:
        _HINTS[cls] = typing.get_type_hints(cls)
    return _HINTS[cls]


def _unoptional(hint: Any) -> Any:
    args = [a for a in typing.get_args(hint) if a is not type(None)]
    return args[0] if typing.get_origin(hint) is Union and len(args) == 1 else hint


def _read_yaml(path: Path, name: str, problems: Problems) -> Optional[Dict[str, Any]]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        problems.add(name, "not UTF-8 text; save the file as UTF-8")
        return None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problems.add(name, f"YAML syntax error{line}: {getattr(error, 'problem', error)}")
        return None
    if not isinstance(data, dict):
        problems.add(name, "must contain a mapping at the top level")
        return None
    result: Dict[str, Any] = validation.jsonable(data)
    return result


def _display(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root.parent))
    except ValueError:
        return str(path)


def _read(kind: str, path: Path, root: Path, problems: Problems,
          build: Callable[[_Builder, Dict[str, Any], Tuple[Step, ...]], R],
          ids: Optional[Set[str]] = None) -> List[R]:
    """The records of one file; their problems are added to `problems`, and to `ids` the id
    of every record in it, readable or not."""
    name = _display(path, root)
    data = _read_yaml(path, name, problems)
    if data is None:
        return []
    format_problems, paths = validation.format_problems(kind, name, data)
    problems.items += format_problems
    records: List[Tuple[Tuple[Step, ...], Dict[str, Any]]]
    if kind in validation.FILE_LISTS:
        items = data.get(kind)
        records = [((kind, i), item) for i, item in enumerate(items) if isinstance(item, dict)] \
            if isinstance(items, list) else []
    else:
        records = [((), data)]
    if ids is not None:
        ids |= {item["id"] for _, item in records if isinstance(item.get("id"), str)}
    result = []
    for where, item in records:
        # A record with format problems is still read without its broken fields, so the checks
        # across records do not add false ones ("unknown procedure") about it.
        broken = {p[len(where)] for p in paths if p[:len(where)] == where and len(p) > len(where)}
        usable = {k: v for k, v in item.items() if k not in broken}
        try:
            result.append(build(_Builder(Locator(name, kind, data), problems), usable, where))
        except (TypeError, KeyError, ValueError, AttributeError):
            if not broken:
                raise  # a record the schema accepts must be readable: a bug here, not in the file
            # a required field is broken: its problem is already listed
    return result


def _procedure(builder: _Builder, data: Dict[str, Any], path: Tuple[Step, ...],
               source_file: str) -> Procedure:
    return builder.record(Procedure, data, path, source_file=source_file)


def _unique(items: List[R], label: str, problems: Problems) -> Dict[str, R]:
    result: Dict[str, R] = {}
    for item in items:
        item_id: str = getattr(item, "id")  # noqa: B009 (procedures and offices)
        if item_id in result:
            problems.add(f"{label} '{item_id}'", "defined twice; ids must be unique")
        result[item_id] = item
    return result


def load_catalog(root: Path) -> Catalog:
    """Read and validate every catalog file under `root`; raise CatalogError listing all problems."""
    root = Path(root)
    problems = Problems()
    general_path, offices_path = root / "chung.yml", root / "co-quan.yml"
    procedure_files = sorted((root / "thu-tuc").glob("*.yml"))
    for required in (general_path, offices_path):
        if not required.is_file():
            problems.add(_display(required, root), "file is missing")
    if not procedure_files:
        problems.add(_display(root / "thu-tuc", root), "no procedure files (*.yml)")
    if problems.items:
        raise CatalogError(problems.items)

    general = _read("general", general_path, root, problems, lambda b, data, path: b.record(
        Catalog, data, path, procedures={}, offices={}))
    offices = _read("co_quan", offices_path, root, problems,
                    lambda b, data, path: b.record(Office, data, path))
    procedures: List[Procedure] = []
    written: Set[str] = set()  # procedure ids in the files, readable or not
    for path in procedure_files:
        name = _display(path, root)
        procedures += _read("thu_tuc", path, root, problems,
                            functools.partial(_procedure, source_file=name), written)

    validation.check_aliases(procedures, problems)
    catalog = dataclasses.replace(
        general[0] if general else Catalog({}, {}, "", dt.date.min),
        procedures=_unique(procedures, "procedure", problems),
        offices=_unique(offices, "office", problems))
    if not catalog.menu:
        catalog = dataclasses.replace(catalog, menu=tuple(p.id for p in procedures[:MENU_SIZE]))
    validation.check_references(catalog, problems, written | set(catalog.procedures))
    if problems.items:
        raise CatalogError(problems.items)
    return catalog

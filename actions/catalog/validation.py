"""Checking the catalog: its format against catalog/schema.json, then what a schema cannot say.

The schema is the one description of the format: the staff console renders its forms from it
and this module validates the YAML files with it (jsonschema), translating each error into
the loader's own words: "<file>: procedure '<id>', channel #1, field 'phi': must be a text".
The staff console parses those locations back into form fields (staff/catalog_io.field_of), so
their shape is fixed: a list of records is named by its item ("channel #1"), a fact's dated
versions and a text list's items follow the field ("field 'le_phi', version #2").

The checks that need the whole catalog stay in code: dates that exist in the calendar, dated
versions in order, an alias naming one procedure only, ids defined once, references to
offices and procedures that exist.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from pathlib import Path
from typing import (
    Any,
    Dict,
    Iterable,
    Iterator,
    List,
    Mapping,
    Optional,
    Sequence,
    Set,
    Tuple,
    Union,
)

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from actions.catalog.model import Catalog, Procedure
from actions.text import fold

SCHEMA_PATH = Path(__file__).resolve().parents[2] / "catalog" / "schema.json"
DataPath = Tuple[Union[str, int], ...]  # a place in a file's data: ("thu_tuc", 0, "le_phi", 1)
Schema = Mapping[str, Any]
# A file's kind (by its top-level list key) and what each item of that list is called.
FILE_LISTS = {"thu_tuc": "procedure", "co_quan": "office"}
_TYPE_NAMES = {"string": "a text", "array": "a list", "object": "a mapping",
               "integer": "a whole number", "number": "a number", "boolean": "yes or no"}


class Problems:
    """Collects problems with their location instead of stopping at the first."""

    def __init__(self) -> None:
        self.items: List[str] = []

    def add(self, where: str, problem: str) -> None:
        self.items.append(f"{where}: {problem}")


@functools.lru_cache(maxsize=1)
def schema() -> Dict[str, Any]:
    document: Dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return document


@functools.lru_cache(maxsize=None)
def _validator(kind: str) -> Draft202012Validator:
    """The validator of one kind of file: "thu_tuc", "co_quan" or "general" (chung.yml)."""
    document = schema()
    base = {key: value for key, value in document.items() if key != "oneOf"}
    if kind == "general":
        return Draft202012Validator({**base, "$ref": "#/$defs/general"})
    shape = next(option for option in document["oneOf"] if kind in option.get("properties", {}))
    return Draft202012Validator({**base, **shape})


def _resolve(node: Schema) -> Schema:
    """The definition a {"$ref": "#/$defs/x"} points to (schema.json has local refs only; the
    staff console's newer jsonschema has another resolver API, so none is used here)."""
    while "$ref" in node:
        target: Any = schema()
        for part in str(node["$ref"]).lstrip("#/").split("/"):
            target = target[part]
        node = target
    return node


def jsonable(value: Any) -> Any:
    """YAML data as the schema (and the console's JSON API) sees it: dates as YYYY-MM-DD."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [jsonable(v) for v in value]
    return value


# --- where: a data path as staff read it -------------------------------------------------------

class Locator:
    """Names places in one file's data: "catalog/thu-tuc/x.yml: procedure 'a', channel #1,
    field 'phi'"."""

    def __init__(self, file_name: str, kind: str, data: Any) -> None:
        self.file_name, self.kind, self.data = file_name, kind, data

    def __call__(self, path: Sequence[Union[str, int]]) -> str:
        parts = [self.file_name]
        node: Optional[Schema] = _validator(self.kind).schema
        value: Any = self.data
        rest = list(path)
        if self.kind in FILE_LISTS and len(rest) >= 2 and isinstance(rest[1], int):
            item = _child(value, rest[0], rest[1])
            record_id = item.get("id") if isinstance(item, dict) else None
            label = FILE_LISTS[self.kind]
            parts[0] += f": {label} '{record_id}'" if isinstance(record_id, str) \
                else f", {label} #{rest[1] + 1}"
            node = _items(_property(node, value, str(rest[0])), _child(value, rest[0]))
            value, rest = item, rest[2:]
        for step, following in zip(rest, rest[1:] + [None], strict=True):
            if isinstance(step, int):
                items = _items(node, value)
                parts.append(f"{_label(items)} #{step + 1}")
                node, value = items, _child(value, step)
                continue
            child = _property(node, value, step) if node is not None else None
            if not (isinstance(following, int) and _is_record_list(child)):
                parts.append(f"field '{step}'")
            node, value = child, _child(value, step)
        return ", ".join(parts)


def _child(value: Any, *steps: Union[str, int]) -> Any:
    for step in steps:
        try:
            value = value[step]
        except (KeyError, IndexError, TypeError):
            return None
    return value


def _branch(node: Schema, value: Any) -> Schema:
    """The alternative of a oneOf that `value`'s shape selects (a fact given as a list is its
    versions); the node itself when it has no alternatives."""
    node = _resolve(node)
    options = [_resolve(option) for option in node.get("oneOf", ())]
    for option in options:
        if _fits_type(option, value):
            return option
    return node


def _fits_type(node: Schema, value: Any) -> bool:
    """Whether `value` has the shape of this alternative. Mapping alternatives are told apart
    by their first required key ({noi_dung: ...} or {chua_ro: ...})."""
    kind = node.get("type")
    if kind is None:
        return False
    if kind == "object":
        required = node.get("required", ())
        return isinstance(value, dict) and all(k in value for k in required[:1])
    return bool(Draft202012Validator.TYPE_CHECKER.is_type(value, kind))


def _property(node: Optional[Schema], value: Any, name: str) -> Optional[Schema]:
    if node is None:
        return None
    node = _branch(node, value)
    found: Optional[Schema] = node.get("properties", {}).get(name)
    return found


def _items(node: Optional[Schema], value: Any) -> Optional[Schema]:
    if node is None:
        return None
    items: Optional[Schema] = _branch(node, value).get("items")
    return items


def _is_record_list(node: Optional[Schema]) -> bool:
    """A field that is itself a list of records (cach_thuc), not a fact that may be one."""
    if node is None:
        return False
    node = _resolve(node)
    items = node.get("items")
    return node.get("type") == "array" and items is not None and \
        _resolve(items).get("type") == "object"


def _label(items: Optional[Schema]) -> str:
    """What one item of a list is called: the schema's x-label, else its $defs name."""
    if items is None:
        return "item"
    if "$ref" in items and "x-label" not in items:
        target = _resolve(items)
        return str(target.get("x-label") or items["$ref"].rsplit("/", 1)[-1].replace("_", " "))
    return str(items.get("x-label", "item"))


# --- what: a jsonschema error in the loader's words -------------------------------------------

def format_problems(kind: str, file_name: str, data: Any) -> Tuple[List[str], List[DataPath]]:
    """Every format problem of one file's (jsonable) data, and the paths they are at."""
    where = Locator(file_name, kind, data)
    problems: List[str] = []
    paths: List[DataPath] = []
    for path, message in _translate(_validator(kind).iter_errors(data)):
        last = path[-1] if path else None
        if isinstance(last, int) and not isinstance(_child(data, *path), dict):
            # an item of a list of texts: named in the message, so the location stays the
            # field's ("field 'bi_danh': item #3: ...") as the console's forms expect
            path, message = path[:-1], f"item #{last + 1}: {message}"
        line = f"{where(path)}: {message}"
        if line not in problems:
            problems.append(line)
            paths.append(path)
    return problems, paths


def _translate(errors: Iterable[ValidationError]) -> Iterator[Tuple[DataPath, str]]:
    for error in errors:
        path: DataPath = tuple(error.absolute_path)
        keyword, schema_node, value = error.validator, error.schema, error.instance
        if keyword == "required":
            missing = [k for k in error.validator_value if isinstance(value, dict) and k not in value]
            for name in missing:
                yield path + (name,), "missing (required)"
        elif keyword == "additionalProperties":
            allowed = list(schema_node.get("properties", {}))
            for name in value:
                if name not in allowed:
                    yield path + (str(name),), ("unknown field (a typo?); allowed: "
                                                + ", ".join(allowed))
        elif keyword == "oneOf":
            yield from _translate_choice(error, path)
        else:
            yield path, _message(error)


def _translate_choice(error: ValidationError, path: DataPath) -> Iterator[Tuple[DataPath, str]]:
    """A oneOf failed. Alternatives of different shapes (a fact: text, mapping, versions):
    report the errors of the one the value's shape selects. Alternatives that are only rules
    (a version gives noi_dung or chua_ro): say which rule."""
    options = [_resolve(option) for option in error.validator_value]
    value = error.instance
    if all("type" not in option for option in options):
        keys = [k for option in options for k in option.get("required", ())]
        given = [k for k in keys if isinstance(value, dict) and k in value]
        hint = error.schema.get("x-error")
        if not given:
            yield path, str(hint) if hint else f"give one of: {', '.join(keys)}"
        else:
            yield path, f"give only one of: {', '.join(keys)}"
        return
    chosen = next((i for i, option in enumerate(options) if _fits_type(option, value)), None)
    if chosen is None:
        hint = error.schema.get("x-error")
        yield path, f"must be {hint}" if hint else _message(error)
        return
    inner = [e for e in error.context if e.relative_schema_path and
             e.relative_schema_path[0] == chosen]
    yield from _translate(inner) if inner else iter([(path, _message(error))])


def _message(error: ValidationError) -> str:
    keyword, node, value, limit = error.validator, error.schema, error.instance, error.validator_value
    if keyword == "type":
        wanted = limit if isinstance(limit, str) else " or ".join(limit)
        return f"must be {_TYPE_NAMES.get(wanted, wanted)}, got {value!r}"
    if keyword == "enum":
        return f"{value!r} is not one of: {', '.join(map(str, limit))}"
    if keyword in ("pattern", "format") and node.get("x-error"):
        return str(node["x-error"]).format(value=repr(value))
    if keyword == "minLength":
        return "must be a non-empty text" if limit == 1 else f"shorter than {limit} characters"
    if keyword == "maxLength":
        return f"longer than {limit} characters"
    if keyword == "minItems":
        return "an empty list; give at least one item"
    if keyword == "minimum":
        return f"must be at least {limit}, got {value!r}"
    return str(error.message)


# --- what a schema cannot say -----------------------------------------------------------------

def check_aliases(procedures: List[Procedure], problems: Problems) -> None:
    """An alias names one procedure only, once diacritics are removed."""
    owner: Dict[str, str] = {}
    for proc in procedures:
        where = f"{proc.source_file}: procedure '{proc.id}', field 'bi_danh'"
        for alias in proc.aliases + proc.aliases_en + (proc.short_name,):
            folded = fold(alias)
            if not folded:
                problems.add(where, f"alias {alias!r} has no letters or digits")
            elif owner.get(folded, proc.id) != proc.id:
                problems.add(where, f"alias {alias!r} also names procedure '{owner[folded]}'")
            else:
                owner[folded] = proc.id


def check_references(catalog: Catalog, problems: Problems, written: Set[str]) -> None:
    """References to offices and procedures that exist. `written`: every procedure id in the
    files, also of records too broken to read, which are already reported on their own."""
    for proc in catalog.procedures.values():
        for office_id in proc.offices:
            if office_id not in catalog.offices:
                problems.add(f"{proc.source_file}: procedure '{proc.id}', field 'noi_nop'",
                             f"unknown office {office_id!r}; offices are defined in catalog/co-quan.yml")
    for office in catalog.offices.values():
        if office.replaced_by and office.replaced_by not in catalog.offices:
            problems.add(f"catalog/co-quan.yml: office '{office.id}', field 'thay_the_boi'",
                         f"unknown office {office.replaced_by!r}")
    for proc in catalog.procedures.values():
        for refinement in proc.refinements:
            if refinement.procedure not in written:
                problems.add(f"{proc.source_file}: procedure '{proc.id}', field 'cu_the_hon'",
                             f"unknown procedure {refinement.procedure!r}")
    for proc_id in catalog.menu:
        if proc_id not in written:
            problems.add("catalog/chung.yml, field 'menu'", f"unknown procedure {proc_id!r}")

"""Forms, field errors and plain-words diffs generated from catalog/schema.json.

The schema is the one description of the catalog format the console knows: labels come from
its Vietnamese titles, widgets from types (`x-widget` hints for long texts, dates and the
"text / details / unknown / dated versions" choice of an answer field). A field the schema does
not know is kept and shown read-only, never dropped.

Form field names are dotted paths of the record ("cach_thuc.0.phi"); the same paths name the
fields in API errors, so an error from the core's loader lands next to its input.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

from jsonschema import Draft202012Validator
from markupsafe import Markup

from staff.catalog_io import normalized

MAX_TEXT = 8000
VARIANT_TITLES = {"none": "(chưa nhập: coi như chưa rõ)", "text": "Một đoạn văn bản",
                  "mapping": "Nội dung kèm căn cứ, lưu ý", "unknown": "Chưa rõ (ghi lý do)",
                  "versions": "Theo mốc thời gian (nhiều phiên bản)"}
DEFINITION = {"procedure": "procedure", "office": "office", "general": "general"}


class Schema:
    def __init__(self, path: Path):
        self.doc = json.loads(Path(path).read_text(encoding="utf-8"))
        self.defs = self.doc["$defs"]
        self.titles: Dict[str, str] = {}
        for definition in ("procedure", "office", "general"):
            self._collect_titles(self.defs[definition])
        base = {k: v for k, v in self.doc.items() if k != "oneOf"}
        self.validators = {kind: Draft202012Validator({**base, "$ref": f"#/$defs/{name}"})
                           for kind, name in DEFINITION.items()}

    def resolve(self, node: dict) -> dict:
        while "$ref" in node:
            target = self.defs[node["$ref"].rsplit("/", 1)[-1]]
            node = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
        return node

    def _collect_titles(self, node: dict, seen: Optional[set] = None) -> None:
        seen = seen if seen is not None else set()
        node = self.resolve(node)
        if id(node) in seen:
            return
        for key, sub in (node.get("properties") or {}).items():
            sub_resolved = self.resolve(sub)
            self.titles.setdefault(key, sub.get("title") or sub_resolved.get("title") or key)
            if key not in seen:
                seen.add(key)
                self._collect_titles(sub_resolved, seen)
        for option in node.get("oneOf") or []:
            self._collect_titles(option, seen)
        if "items" in node:
            self._collect_titles(node["items"], seen)

    def record_schema(self, kind: str) -> dict:
        return self.resolve(self.defs[DEFINITION[kind]])

    def label(self, path: str) -> str:
        """"cach_thuc.0.phi" -> "Cách thức thực hiện › mục 1 › Phí, lệ phí qua kênh này"."""
        parts = []
        for part in path.split("."):
            parts.append(f"mục {int(part) + 1}" if part.isdigit() else self.titles.get(part, part))
        return " › ".join(p for p in parts if p)

    # --- validation ------------------------------------------------------------------------
    def errors(self, kind: str, record: dict) -> List[Dict[str, str]]:
        """Schema problems the core loader does not report (lengths, patterns), as field errors."""
        result = []
        for error in self.validators[kind].iter_errors(record):
            if error.validator in ("oneOf", "anyOf", "not"):
                continue
            path = ".".join(str(p) for p in error.absolute_path)
            message = _message(error)
            if error.validator in ("required", "additionalProperties"):
                named = re.findall(r"'([^']+)'", error.message)
                path = ".".join(p for p in (path, named[0] if named else "") if p)
            result.append({"field": path, "message": message})
        result.extend(_long_texts(record, ""))
        return result


def _message(error) -> str:
    value = error.validator_value
    if error.validator == "maxLength":
        return f"dài quá {value} ký tự"
    if error.validator == "minLength":
        return "không được để trống"
    if error.validator == "pattern":
        if "\\d{4}" in str(value):
            return f"không phải ngày: {error.instance!r}; viết YYYY-MM-DD hoặc DD/MM/YYYY"
        return "chỉ gồm chữ thường không dấu a-z, số và dấu _ (bắt đầu bằng chữ)"
    if error.validator == "enum":
        return f"{error.instance!r} không phải một trong: {', '.join(map(str, value))}"
    if error.validator == "required":
        return "bắt buộc, chưa nhập"
    if error.validator == "additionalProperties":
        return "có trường không thuộc định dạng (gõ nhầm?): " + error.message
    if error.validator == "minItems":
        return "cần ít nhất một mục"
    if error.validator == "minimum":
        return f"không được nhỏ hơn {value}"
    if error.validator == "type":
        return f"sai kiểu dữ liệu (cần {value})"
    return error.message


def _long_texts(value: Any, path: str) -> List[Dict[str, str]]:
    if isinstance(value, str):
        return [{"field": path, "message": f"dài quá {MAX_TEXT} ký tự"}] if len(value) > MAX_TEXT else []
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return []
    found = []
    for key, sub in items:
        found.extend(_long_texts(sub, f"{path}.{key}" if path else str(key)))
    return found


# --- rendering ----------------------------------------------------------------------------------

class FormRenderer:
    """HTML inputs for a record; everything from the record is escaped (shown as text)."""

    def __init__(self, schema: Schema, errors: Dict[str, List[str]], offices: List[Tuple[str, str]] = ()):
        self.schema, self.errors, self.offices = schema, errors, list(offices)

    def jump_links(self, kind: str) -> Markup:
        """Links to the answer fields and lists, so a long form is quick to move around."""
        node = self.schema.record_schema(kind)
        links = [Markup('<a href="#f-{}">{}</a>').format(key, (sub.get("title") or key).split(" (")[0])
                 for key, sub in node["properties"].items()
                 if self.schema.resolve(sub).get("x-widget") in ("fact", "contact")
                 or self.schema.resolve(sub).get("type") == "array"
                 and self.schema.resolve(self.schema.resolve(sub)["items"]).get("type") == "object"]
        return Markup('<nav class="jump" aria-label="Đi tới mục">Đi tới: {}</nav>').format(
            Markup(" · ").join(links)) if links else Markup("")

    def record(self, kind: str, record: dict) -> Markup:
        node = self.schema.record_schema(kind)
        parts = [self.jump_links(kind)]
        for key, sub in node["properties"].items():
            parts.append(self.field(sub, record.get(key), key, key in node.get("required", ()), 0))
        extra = {k: v for k, v in record.items() if k not in node["properties"]}
        parts.append(Markup('<input type="hidden" name="__extra" value="{}">').format(
            json.dumps(extra, ensure_ascii=False)))
        if extra:
            parts.append(Markup('<fieldset class="extra"><legend>Trường chưa có trong biểu mẫu '
                                '(giữ nguyên, chỉ xem)</legend><pre>{}</pre></fieldset>').format(
                json.dumps(extra, ensure_ascii=False, indent=2)))
        return Markup("").join(parts)

    @staticmethod
    def _extra(node: dict, value: Any, path: str) -> Markup:
        """Keys of `value` the schema does not know: kept in a hidden field, shown read-only."""
        if not isinstance(value, dict):
            return Markup("")
        extra = {k: v for k, v in value.items() if k not in node.get("properties", {})}
        if not extra:
            return Markup("")
        text = json.dumps(extra, ensure_ascii=False)
        return Markup('<input type="hidden" name="{}.__extra" value="{}"><p class="muted">Trường chưa có '
                      'trong biểu mẫu (giữ nguyên): <code>{}</code></p>').format(path, text, text)

    def _errors(self, path: str) -> Markup:
        messages = self.errors.get(path) or []
        return Markup("").join(Markup('<p class="field-error" role="alert">{}</p>').format(m) for m in messages)

    def _label(self, node: dict, key: str, path: str, required: bool) -> Markup:
        title = node.get("title") or self.schema.titles.get(key, key)
        star = Markup(' <span class="req" title="bắt buộc">*</span>') if required else Markup("")
        desc = node.get("description")
        hint = Markup(' <span class="hint">({})</span>').format(desc) if desc else Markup("")
        return Markup('<label for="f-{}">{}{}{}</label>').format(path, title, star, hint)

    def field(self, prop: dict, value: Any, path: str, required: bool, depth: int) -> Markup:
        node = self.schema.resolve(prop)
        key = path.rsplit(".", 1)[-1]
        widget = node.get("x-widget")
        css = "field has-error" if path in self.errors else "field"
        if widget in ("fact", "contact"):
            return self._variants(node, value, path, required, depth)
        kind = node.get("type")
        label = self._label(node, key, path, required)
        if kind == "array":
            items = self.schema.resolve(node["items"])
            if items.get("type") == "object":
                return self._object_list(node, items, value, path, required, depth)
            if "enum" in items:
                titles = dict(zip(items["enum"], items.get("x-enum-titles", items["enum"]), strict=True))
                # Ticked values first, in their saved order: the form posts them in page order,
                # so an untouched list comes back unchanged instead of re-sorted.
                chosen = [v for v in (value or []) if v in titles]
                order = chosen + [o for o in items["enum"] if o not in chosen]
                boxes = Markup("").join(
                    Markup('<label class="check"><input type="checkbox" name="{}" value="{}"{}> {}</label>').format(
                        path, option, Markup(" checked") if option in (value or []) else Markup(""), titles[option])
                    for option in order)
                return Markup('<div class="{}" data-path="{}"><span class="label">{}</span><div class="checks">{}</div>{}</div>'
                              ).format(css, path, label, boxes, self._errors(path))
            text = "\n".join(str(v) for v in value) if isinstance(value, list) else (value or "")
            hint = "Mỗi dòng một mục."
            if node.get("x-ref") == "offices" and self.offices:
                hint += " Mã cơ quan: " + ", ".join(i for i, _ in self.offices)
            return Markup('<div class="{}">{}<textarea id="f-{}" name="{}" rows="{}">\n{}</textarea>'
                          '<p class="help">{}</p>{}</div>').format(
                css, label, path, path, min(max(len(text.splitlines()) + 1, 2), 12), text, hint, self._errors(path))
        if kind == "object":
            inner = Markup("").join(self.field(sub, (value or {}).get(k) if isinstance(value, dict) else None,
                                               f"{path}.{k}", k in node.get("required", ()), depth)
                                    for k, sub in node["properties"].items())
            return Markup('<fieldset class="group"><legend>{}</legend>{}{}{}</fieldset>').format(
                node.get("title", key), inner, self._extra(node, value, path), self._errors(path))
        return Markup('<div class="{}">{}{}{}</div>').format(css, label, self._scalar(node, value, path),
                                                              self._errors(path))

    def _scalar(self, node: dict, value: Any, path: str, name: Optional[str] = None) -> Markup:
        name = name or path
        text = "" if value is None else (value if isinstance(value, str) else json.dumps(value, ensure_ascii=False))
        if "enum" in node:
            titles = dict(zip(node["enum"], node.get("x-enum-titles", node["enum"]), strict=True))
            options = [Markup('<option value="">—</option>')] + [
                Markup('<option value="{}"{}>{}</option>').format(o, Markup(" selected") if o == text else Markup(""), titles[o])
                for o in node["enum"]]
            return Markup('<select id="f-{}" name="{}">{}</select>').format(path, name, Markup("").join(options))
        if node.get("x-widget") == "textarea":
            rows = min(max(len(text.splitlines()) + 1, 2), 14)
            return Markup('<textarea id="f-{}" name="{}" rows="{}">\n{}</textarea>').format(path, name, rows, text)
        if node.get("type") == "integer":
            return Markup('<input id="f-{}" name="{}" value="{}" inputmode="numeric" class="number">').format(
                path, name, text)
        if node.get("x-widget") == "date":
            return Markup('<input id="f-{}" name="{}" value="{}" inputmode="numeric" placeholder="YYYY-MM-DD" '
                          'class="date">').format(path, name, text)
        return Markup('<input id="f-{}" name="{}" value="{}">').format(path, name, text)

    def _object_list(self, node, items, value, path, required, depth) -> Markup:
        placeholder = f"__i{depth}__"
        entries = value if isinstance(value, list) else []
        rendered = Markup("").join(self._list_item(items, entry, f"{path}.{n}", n + 1, depth)
                                   for n, entry in enumerate(entries))
        template = self._list_item(items, None, f"{path}.{placeholder}", "mới", depth)
        return Markup(
            '<fieldset class="list{}" id="f-{}" data-path="{}" data-placeholder="{}" data-next="{}"><legend>{}{}</legend>{}'
            '<div class="items">{}</div><template>{}</template>'
            '<button type="button" class="add">+ Thêm mục</button></fieldset>').format(
            " has-error" if path in self.errors else "", path, path, placeholder, len(entries), node.get("title", path),
            Markup(' <span class="req">*</span>') if required else Markup(""), self._errors(path), rendered, template)

    def _list_item(self, items, entry, path, number, depth) -> Markup:
        inner = Markup("").join(
            self.field(sub, entry.get(k) if isinstance(entry, dict) else None, f"{path}.{k}",
                       k in items.get("required", ()), depth + 1)
            for k, sub in items["properties"].items())
        return Markup('<fieldset class="item"><legend>Mục {}</legend>{}{}{}'
                      '<button type="button" class="remove">Xoá mục này</button></fieldset>').format(
            number, inner, self._extra(items, entry, path), self._errors(path))

    def _variants(self, node, value, path, required, depth) -> Markup:
        key = path.rsplit(".", 1)[-1]
        options = {}
        for option in node["oneOf"]:
            resolved = self.schema.resolve(option)
            if resolved.get("type") == "string":
                options["text"] = resolved
            elif resolved.get("type") == "array":
                options["versions"] = resolved
            elif "chua_ro" in resolved.get("required", ()):
                options["unknown"] = resolved
            else:
                options["mapping"] = resolved
        current = variant_of(value)
        select = Markup("").join(
            Markup('<option value="{}"{}>{}</option>').format(
                name, Markup(" selected") if name == current else Markup(""), VARIANT_TITLES[name])
            for name in ["none"] + [n for n in ("text", "mapping", "unknown", "versions") if n in options])
        panels = []
        for name, option in options.items():
            if name == "text":
                text = value if isinstance(value, str) else (value.get("noi_dung") if isinstance(value, dict) else None)
                body = self._scalar({**option, "x-widget": "textarea"}, text, f"{path}.__text")
            elif name == "versions":
                body = self._object_list(option, self.schema.resolve(option["items"]),
                                         value if isinstance(value, list) else [], path, False, depth)
            else:
                mapping = value if isinstance(value, dict) else ({"noi_dung": value} if isinstance(value, str) else {})
                body = Markup("").join(
                    self.field(sub, mapping.get(k), f"{path}.{k}", k in option.get("required", ()), depth)
                    for k, sub in option["properties"].items())
                if name == current:
                    body += self._extra(option, mapping, path)
            panels.append(Markup('<div class="variant" data-variant="{}"{}>{}</div>').format(
                name, Markup("") if name == current else Markup(" hidden"), body))
        title = node.get("title") or self.schema.titles.get(key, key)
        return Markup(
            '<fieldset class="fact{}" id="f-{}" data-path="{}"><legend>{}{}</legend>{}'
            '<label class="kind">Cách ghi: <select name="{}.__kind" class="variant-select">{}</select></label>'
            '{}</fieldset>').format(
            " has-error" if path in self.errors else "", path, path, title,
            Markup(' <span class="req">*</span>') if required else Markup(""), self._errors(path),
            path, select, Markup("").join(panels))


def variant_of(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "versions"
    if isinstance(value, dict) and "chua_ro" in value and "tu_ngay" not in value:
        return "unknown"
    return "mapping"


# --- parsing --------------------------------------------------------------------------------

class FormParser:
    """The record a submitted form describes, walking the same schema the renderer used."""

    def __init__(self, schema: Schema, form: Dict[str, List[str]]):
        self.schema = schema
        self.form = form

    def _get(self, name: str) -> Optional[str]:
        values = self.form.get(name)
        if not values:
            return None
        text = values[0].replace("\r\n", "\n").strip()
        return text or None

    def record(self, kind: str) -> dict:
        node = self.schema.record_schema(kind)
        record = {}
        for key, sub in node["properties"].items():
            value = self.value(sub, key)
            if value is not None:
                record[key] = value
        try:
            extra = json.loads(self._get("__extra") or "{}")
        except ValueError:
            extra = {}
        if isinstance(extra, dict):
            record.update({k: v for k, v in extra.items() if k not in record})
        return record

    def value(self, prop: dict, path: str) -> Any:
        node = self.schema.resolve(prop)
        if node.get("x-widget") in ("fact", "contact"):
            kind = self._get(f"{path}.__kind") or "none"
            for option in node["oneOf"]:
                resolved = self.schema.resolve(option)
                shape = resolved.get("type")
                if kind == "text" and shape == "string":
                    return self._get(f"{path}.__text")
                if kind == "versions" and shape == "array":
                    return self._objects(self.schema.resolve(resolved["items"]), path)
                if kind in ("mapping", "unknown") and shape == "object" and \
                        (kind == "unknown") == ("chua_ro" in resolved.get("required", ())):
                    return self._object(resolved, path)
            return None
        kind = node.get("type")
        if kind == "array":
            items = self.schema.resolve(node["items"])
            if items.get("type") == "object":
                return self._objects(items, path)
            if "enum" in items:
                return [v for v in self.form.get(path, []) if v in items["enum"]] or None
            text = self._get(path)
            lines = [line.strip() for line in (text or "").split("\n") if line.strip()]
            return lines or None
        if kind == "object":
            return self._object(node, path)
        text = self._get(path)
        if kind == "integer" and text is not None:
            digits = text.replace(".", "").replace(" ", "")
            return int(digits) if digits.isdigit() else text  # not a number: the schema says so
        return text

    def _object(self, node: dict, path: str) -> Optional[dict]:
        result = {}
        for key, sub in node["properties"].items():
            value = self.value(sub, f"{path}.{key}")
            if value is not None:
                result[key] = value
        if result:  # unknown keys survive only with the object they belong to
            try:
                extra = json.loads(self._get(f"{path}.__extra") or "{}")
            except ValueError:
                extra = {}
            if isinstance(extra, dict):
                result.update({k: v for k, v in extra.items() if k not in result})
        return result or None

    def _objects(self, items: dict, path: str) -> Optional[list]:
        prefix = path + "."
        indices = sorted({int(name[len(prefix):].split(".", 1)[0]) for name in self.form
                          if name.startswith(prefix) and name[len(prefix):].split(".", 1)[0].isdigit()})
        result = [v for v in (self._object(items, f"{path}.{i}") for i in indices) if v is not None]
        return result or None


# --- plain-words diff ------------------------------------------------------------------------

def _plain(value: Any, schema: Schema) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return "; ".join(value)
    if isinstance(value, list):
        return "\n".join(f"[{n}] {_plain(v, schema)}" for n, v in enumerate(value, 1))
    if isinstance(value, dict):
        return "\n".join(f"{schema.titles.get(k, k)}: {_plain(v, schema)}" for k, v in value.items())
    return str(value)


def describe_changes(schema: Schema, old: Optional[dict], new: Optional[dict]) -> List[Dict[str, str]]:
    """[{label, before, after}] for every field that differs, labelled in Vietnamese."""
    changes: List[Dict[str, str]] = []

    def walk(a: Any, b: Any, path: str) -> None:
        if normalized(a) == normalized(b):
            return
        if isinstance(a, dict) and isinstance(b, dict) and variant_of(a) == variant_of(b):
            for key in list(b) + [k for k in a if k not in b]:
                walk(a.get(key), b.get(key), f"{path}.{key}" if path else key)
            return
        if isinstance(a, list) and isinstance(b, list):
            if all(isinstance(v, str) for v in a + b):
                added = [v for v in b if v not in a]
                removed = [v for v in a if v not in b]
                after = "; ".join(filter(None, ["thêm: " + ", ".join(added) if added else "",
                                                "bỏ: " + ", ".join(removed) if removed else ""]))
                changes.append({"field": path, "label": schema.label(path), "before": _plain(a, schema),
                                "after": after or "đổi thứ tự: " + _plain(b, schema)})
                return
            for index in range(max(len(a), len(b))):
                walk(a[index] if index < len(a) else None, b[index] if index < len(b) else None, f"{path}.{index}")
            return
        changes.append({"field": path, "label": schema.label(path) if path else "Toàn bộ",
                        "before": _plain(a, schema) if a is not None else "(chưa có)",
                        "after": _plain(b, schema) if b is not None else "(xoá)"})

    walk(old, new, "")
    return changes

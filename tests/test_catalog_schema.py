"""catalog/schema.json describes the catalog as the loader accepts it: the staff console renders
its forms from the schema, so a real record it rejects would be uneditable, and a key it accepts
that the loader refuses would let the console save drafts that can never be published."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import yaml
from jsonschema import Draft202012Validator

from actions.settings import PROJECT_ROOT

CATALOG = PROJECT_ROOT / "catalog"
SCHEMA = json.loads((CATALOG / "schema.json").read_text(encoding="utf-8"))


def _jsonable(value):
    """YAML dates become the YYYY-MM-DD strings the console's JSON API uses."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    return value


def _load(path: Path):
    return _jsonable(yaml.safe_load(path.read_text(encoding="utf-8")))


def _validator(definition: str) -> Draft202012Validator:
    schema = {key: value for key, value in SCHEMA.items() if key != "oneOf"}
    return Draft202012Validator({**schema, "$ref": f"#/$defs/{definition}"})


def _errors(definition: str, record) -> list:
    return [e.message for e in _validator(definition).iter_errors(record)]


def test_schema_is_valid_json_schema():
    Draft202012Validator.check_schema(SCHEMA)


@pytest.mark.parametrize("path", sorted((CATALOG / "thu-tuc").glob("*.yml")), ids=lambda p: p.name)
def test_every_procedure_validates(path):
    data = _load(path)
    assert not _errors_of_file(data), _errors_of_file(data)
    for record in data["thu_tuc"]:
        assert _errors("procedure", record) == [], record["id"]


def _errors_of_file(data) -> list:
    return [e.message for e in Draft202012Validator(SCHEMA).iter_errors(data)]


def test_every_office_and_the_general_file_validate():
    offices = _load(CATALOG / "co-quan.yml")
    for record in offices["co_quan"]:
        assert _errors("office", record) == [], record["id"]
    assert _errors("general", _load(CATALOG / "chung.yml")) == []
    assert _errors_of_file(offices) == []


def test_a_typo_in_a_key_is_rejected():
    record = _load(CATALOG / "thu-tuc" / "ly-lich-tu-phap.yml")["thu_tuc"][0]
    record["le_phii"] = record.pop("le_phi")
    assert any("le_phii" in message for message in _errors("procedure", record))


def test_dated_versions_and_false_premises_are_accepted():
    record = _load(CATALOG / "thu-tuc" / "ly-lich-tu-phap.yml")["thu_tuc"][0]
    record["thoi_han_giai_quyet"] = [
        {"tu_ngay": "2010-07-01", "den_ngay": "2026-06-30", "noi_dung": "10 ngày", "can_cu": "Luật 2009"},
        {"tu_ngay": "01/07/2026", "noi_dung": "5 ngày", "do_tin_cay": "bao_chi", "luu_y": "theo giấy hẹn"},
        {"tu_ngay": "2027-01-01", "chua_ro": "chưa có văn bản"},
    ]
    record["cach_thuc"][0]["phi"] = [{"tu_ngay": "2025-01-01", "noi_dung": "200.000 đồng"}]
    record["tien_de_sai"] = [{"tu_khoa": ["sở tư pháp"], "sua": "Từ 01/3/2025 Công an cấp Phiếu.",
                              "khia_canh": ["noi_nop"]}]
    record["cach_thuc"][0]["thoi_han"] = [{"tu_ngay": "2010-07-01", "den_ngay": "2026-06-30", "noi_dung": "10 ngày"},
                                          {"tu_ngay": "2026-07-01", "noi_dung": "5 ngày"}]
    assert _errors("procedure", record) == []


def test_a_page_fee_needs_whole_numbers():
    record = _load(CATALOG / "thu-tuc" / "ly-lich-tu-phap.yml")["thu_tuc"][0]
    record["phi_theo_trang"] = {"trang_dau": 2000, "so_trang_dau": 2, "trang_tiep": 1000, "toi_da": 200000}
    assert _errors("procedure", record) == []
    record["phi_theo_trang"]["trang_dau"] = "2.000 đồng"
    assert _errors("procedure", record)


@pytest.mark.parametrize("bad", [
    [{"den_ngay": "2026-06-30", "noi_dung": "no start"}],
    [{"tu_ngay": "2026-07-01", "noi_dung": "both", "chua_ro": "both"}],
    [{"tu_ngay": "2026-07-01", "noi_dung": "x", "do_tin_cay": "maybe"}],
    {"noi_dung": "x", "do_tin_cay": "chắc"},
    [],
])
def test_malformed_versions_are_rejected(bad):
    record = _load(CATALOG / "thu-tuc" / "ly-lich-tu-phap.yml")["thu_tuc"][0]
    record["le_phi"] = bad
    assert _errors("procedure", record)


# --- the schema and the model name the same keys ---------------------------------------------
# The loader reads a record's keys from the model's field declarations (actions.catalog.model,
# key("...")) after validating with this schema: a key the schema allows but no model field
# reads would be accepted from staff and silently never used; a field whose key the schema
# lacks could never be filled.

def _model_keys(*classes) -> set:
    import dataclasses

    keys = set()
    for cls in classes:
        for spec in dataclasses.fields(cls):
            name = spec.metadata.get("key")
            keys |= set(name) if isinstance(name, tuple) else {name} if name else set()
    return keys


def _schema_keys(*definitions) -> set:
    keys = set()
    for node in definitions:
        keys |= set(node["properties"])
    return keys


def test_every_schema_key_is_read_into_the_model_and_back():
    from actions.catalog import model

    defs = SCHEMA["$defs"]
    procedure = defs["procedure"]["properties"]
    pairs = [
        (_schema_keys(defs["procedure"]), _model_keys(model.Procedure)),
        (_schema_keys(defs["office"]), _model_keys(model.Office)),
        (_schema_keys(defs["general"]), _model_keys(model.Catalog)),
        (_schema_keys(defs["channel"]), _model_keys(model.Channel)),
        (_schema_keys(defs["change"]), _model_keys(model.Change)),
        (_schema_keys(defs["question"]), _model_keys(model.QuestionAnswer)),
        (_schema_keys(defs["premise"]), _model_keys(model.Premise)),
        (_schema_keys(defs["fact_mapping"], defs["fact_unknown"]), _model_keys(model.Fact)),
        (_schema_keys(defs["fact_version"]) - {"tu_ngay", "den_ngay"}, _model_keys(model.Fact)),
        (_schema_keys(procedure["cu_the_hon"]["items"]), _model_keys(model.Refinement)),
        (_schema_keys(procedure["phi_theo_trang"]), _model_keys(model.PageFee)),
    ]
    for in_schema, in_model in pairs:
        assert in_schema == in_model, (in_schema ^ in_model)


def test_aspects_staff_may_name_are_the_aspect_tables():
    """hoi_dap.khia_canh is chosen from the schema's list in the console: an aspect missing
    there (ket_qua was) could not be picked for a special case, one too many would be refused
    by the loader."""
    from actions.aspects import CATALOG_KEYS

    aspect = SCHEMA["$defs"]["aspect"]
    assert sorted(aspect["enum"]) == sorted(CATALOG_KEYS)
    assert len(aspect["x-enum-titles"]) == len(aspect["enum"])

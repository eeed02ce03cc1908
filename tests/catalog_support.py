"""Editing a copy of the catalog in tests: change a file's data, then read the problems."""

from __future__ import annotations

import pytest
import yaml

from actions.catalog import CatalogError, load_catalog

LLTP = "ly_lich_tu_phap"
LLTP_FILE = "thu-tuc/ly-lich-tu-phap.yml"


def edit(root, name, change):
    """Load a catalog file, let `change` mutate the data, write it back."""
    path = root / name
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def lltp(data):
    return next(p for p in data["thu_tuc"] if p["id"] == LLTP)


def problems_of(root) -> str:
    with pytest.raises(CatalogError) as error:
        load_catalog(root)
    return str(error.value)

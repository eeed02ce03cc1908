"""The procedure catalog staff edit (catalog/*.yml): one job per module.

model.py       the dataclasses the assistant reads (Procedure, Fact, Dated, ...)
loading.py     YAML files -> model, every problem named by file, record and field
validation.py  the format check with catalog/schema.json, and the checks across records
store.py       the running catalog, re-read when a file changes
cli.py         `python -m actions.catalog` (make check-catalog): validate, print the worklist

Other modules import from here: `from actions.catalog import Procedure, load_catalog`.
"""

from actions.catalog.cli import main
from actions.catalog.loading import load_catalog
from actions.catalog.model import (
    ASPECT_KEYS,
    CHANNEL_KINDS,
    CONFIDENCE_LEVELS,
    FACT_FIELDS,
    OFFICE_KINDS,
    OFFICE_STATES,
    UNKNOWN,
    Catalog,
    CatalogError,
    Change,
    Channel,
    Dated,
    Fact,
    Office,
    PageFee,
    Premise,
    Procedure,
    QuestionAnswer,
    Refinement,
    Version,
    parse_date,
)
from actions.catalog.store import CatalogStore

__all__ = [
    "ASPECT_KEYS", "CHANNEL_KINDS", "CONFIDENCE_LEVELS", "FACT_FIELDS", "OFFICE_KINDS",
    "OFFICE_STATES", "UNKNOWN", "Catalog", "CatalogError", "CatalogStore", "Change", "Channel",
    "Dated", "Fact", "Office", "PageFee", "Premise", "Procedure", "QuestionAnswer", "Refinement",
    "Version", "load_catalog", "main", "parse_date",
]

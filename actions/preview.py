"""Which catalog answers a message: the published one, or the staff console's drafts.

The staff console's test pane sends its questions over the ordinary REST channel with
`metadata: {"preview_token": ...}`; Rasa 3.6's REST channel passes that metadata on to
`tracker.latest_message["metadata"]`. When the token equals STAFF_PREVIEW_TOKEN (set for both
processes by `make run`), the answer comes from the draft catalog the console keeps in
STAFF_DRAFT_CATALOG, so officers see their unpublished edits while citizens never do. With no
token configured, previews are off and every message is answered from the published catalog.
"""

from __future__ import annotations

import hmac
import os
from pathlib import Path
from typing import Dict, Optional

from rasa_sdk import Tracker

from actions.catalog import Catalog, CatalogStore
from actions.settings import PROJECT_ROOT, catalog_dir

STORE = CatalogStore(catalog_dir())
_draft_stores: Dict[Path, CatalogStore] = {}


def _draft_dir() -> Path:
    path = Path(os.environ.get("STAFF_DRAFT_CATALOG") or PROJECT_ROOT / "var/staff/draft-catalog")
    return path if path.is_absolute() else PROJECT_ROOT / path


def is_preview(tracker: Tracker) -> bool:
    expected = os.environ.get("STAFF_PREVIEW_TOKEN", "")
    metadata = (tracker.latest_message or {}).get("metadata") or {}
    supplied = metadata.get("preview_token") if isinstance(metadata, dict) else None
    if not expected or not isinstance(supplied, str):
        return False
    return hmac.compare_digest(supplied.encode("utf-8"), expected.encode("utf-8"))


def catalog_for(tracker: Tracker, published: Optional[CatalogStore] = None) -> Catalog:
    """The draft catalog for the console's preview messages, else the published catalog
    (`published`, default the store of CATALOG_DIR)."""
    if is_preview(tracker):
        root = _draft_dir()
        if (root / "chung.yml").is_file():
            store = _draft_stores.setdefault(root, CatalogStore(root))
            return store.current()
    return (published or STORE).current()

"""`python -m actions.catalog [dir]` (make check-catalog): validate the catalog, then print
the re-check worklist as warnings. Exit status 1 when the catalog cannot be used."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import List

from actions.catalog.loading import load_catalog
from actions.catalog.model import CatalogError
from actions.settings import catalog_dir, today


def main(argv: List[str]) -> int:
    root = Path(argv[1]) if len(argv) > 1 else catalog_dir()
    try:
        catalog = load_catalog(root)
    except CatalogError as error:
        print(error, file=sys.stderr)
        print("\nFix the fields above (format: catalog/README.md), then run `make check-catalog` again.",
              file=sys.stderr)
        return 1
    print(f"Catalog OK: {len(catalog.procedures)} procedures, {len(catalog.offices)} offices "
          f"({root}).")
    from actions import worklist  # imports this package: load it only for the command line

    day = today()
    print(worklist.render(worklist.worklist(catalog, day), day))
    return 0

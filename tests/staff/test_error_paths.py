"""Loader problems land on the right form field: check-catalog's location ("channel #1, field
'mo_ta', version #2, field 'noi_dung'") becomes the dotted path the form and the API use."""

from __future__ import annotations

import subprocess

import pytest

from actions.settings import PROJECT_ROOT
from console_support import STAFF_PYTHON

CASES = [
    ("catalog/thu-tuc/x.yml: procedure 'a', field 'le_phii': unknown field (a typo?); allowed: id",
     "le_phii", "unknown field (a typo?); allowed: id"),
    ("catalog/thu-tuc/x.yml: procedure 'a', channel #1, field 'phi': must be a non-empty text",
     "cach_thuc.0.phi", "must be a non-empty text"),
    ("catalog/thu-tuc/x.yml: procedure 'a', field 'le_phi', version #2, field 'tu_ngay': not a date: 'x'",
     "le_phi.1.tu_ngay", "not a date: 'x'"),
    ("catalog/thu-tuc/x.yml: procedure 'a', false premise #2, field 'sua': missing (required)",
     "tien_de_sai.1.sua", "missing (required)"),
    ("catalog/thu-tuc/x.yml: procedure 'a', refinement #1, field 'thu_tuc': missing (required)",
     "cu_the_hon.0.thu_tuc", "missing (required)"),
    ("catalog/thu-tuc/x.yml: procedure 'a', question #3, field 'khia_canh': 'x' is not one of: a",
     "hoi_dap.2.khia_canh", "'x' is not one of: a"),
    ("catalog/chung.yml, field 'menu': unknown procedure 'a'", "menu", "unknown procedure 'a'"),
]


@pytest.mark.parametrize("problem, field, message", CASES)
def test_a_problem_maps_to_its_field(problem, field, message):
    code = ("import sys; from staff.catalog_io import field_of, message_of; p = sys.stdin.read(); "
            "print(field_of(p)); print(message_of(p))")
    done = subprocess.run([str(STAFF_PYTHON), "-c", code], input=problem, capture_output=True, text=True,
                          cwd=PROJECT_ROOT, env={"PYTHONPATH": str(PROJECT_ROOT)}, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [field, message]

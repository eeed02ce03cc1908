"""Staff console: officers edit the procedure catalog in a web page, safely.

Drafts, review, atomic publish into catalog/*.yml (the source of truth), history with rollback,
roles and an append-only audit log. `python -m staff` serves it; see docs/staff-api.md.
"""

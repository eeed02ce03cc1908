"""The one error type that crosses the console's HTTP boundary.

Every rule the console enforces (roles, conflicts, validation, limits) raises StaffError with
the status code and a Vietnamese message meant for an officer; the API turns it into JSON and
the pages into an inline message, so both say the same thing.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional


class StaffError(Exception):
    def __init__(self, status: int, message: str, errors: Optional[List[Dict[str, str]]] = None,
                 **extra: Any):
        super().__init__(message)
        self.status = status
        self.message = message
        self.errors = errors or []
        self.extra = extra

    def as_json(self) -> Dict[str, Any]:
        body: Dict[str, Any] = {"error": self.message}
        if self.errors or self.status == 422:
            body["errors"] = self.errors
        body.update(self.extra)
        return body

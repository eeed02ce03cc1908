"""Rasa's message processor copies what it would log at debug level only when it is logged.

`rasa.core.processor` passes deep copies of the message's parse data, the slots, the
predicted events and the action's events to `structlogger.debug(...)` on every message. The
copies are made before structlog looks at the level, so with debug logging off (always, in
service) they are built and dropped: about 3% of a Rasa server's CPU per message in a profile
of one citizen at a time. Every `copy.deepcopy` in that module is such a log argument (checked
for Rasa 3.6.21, which rasa_server insists on), so the module's `copy` becomes one whose
`deepcopy` copies only when the processor's logger would write a debug line: structlog's
`filter_by_level` asks the same standard logger.
"""

from __future__ import annotations

import copy
import logging
from typing import Any, Optional

_logger = logging.getLogger("rasa.core.processor")


class _CopyForDebugLog:
    """The `copy` module as rasa.core.processor sees it."""

    def __getattr__(self, name: str) -> Any:
        return getattr(copy, name)

    @staticmethod
    def deepcopy(value: Any, memo: Optional[dict] = None) -> Any:
        if _logger.isEnabledFor(logging.DEBUG):
            return copy.deepcopy(value, memo)
        return value  # only handed to a debug line that will not be written


def install() -> None:
    import rasa.core.processor

    rasa.core.processor.copy = _CopyForDebugLog()  # type: ignore[assignment]

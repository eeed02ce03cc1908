"""Rasa's lookup of an event class by its type name, done with a dictionary.

Rasa turns every stored event back into an object on every message (the tracker of the
latest session is read and replayed), and for each event `Event.resolve_by_type` walks the
whole tree of Event subclasses again, checking each for abstractness. A profile of one
server under load put that walk at about 19% of its time per message. Here the first
lookup builds a type name -> class table from the same walk, in the same order (the first
class found wins, as in Rasa); a name not in the table rebuilds it (an event class imported
later) and then falls back to Rasa's own code, which handles "topic", the default and the
error for an unknown name.
"""

from __future__ import annotations

from typing import Dict, Optional, Text, Type

from rasa.shared.core.events import Event
from rasa.shared.utils.common import all_subclasses

_stock_resolve_by_type = Event.resolve_by_type
_classes: Dict[Text, Type[Event]] = {}


def _rebuild() -> None:
    _classes.clear()
    for cls in all_subclasses(Event):
        _classes.setdefault(cls.type_name, cls)


def resolve_by_type(type_name: Text,
                    default: Optional[Type[Event]] = None) -> Optional[Type[Event]]:
    cls = _classes.get(type_name)
    if cls is None:
        _rebuild()
        cls = _classes.get(type_name)
    return cls if cls is not None else _stock_resolve_by_type(type_name, default)


def install() -> None:
    Event.resolve_by_type = staticmethod(resolve_by_type)

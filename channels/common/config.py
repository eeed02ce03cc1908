"""Reading a bridge's settings from the environment: the parts every chat channel shares."""

from __future__ import annotations

from typing import Mapping


class ConfigError(ValueError):
    """Raised when the environment does not allow a bridge to start."""


def number(env: Mapping[str, str], name: str, default, kind=float):
    """Parse a positive numeric variable, naming the variable in the error (not a bare
    ValueError); `default` when unset or blank."""
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = kind(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a number, got {raw!r}") from exc
    if value <= 0:
        raise ConfigError(f"{name} must be positive, got {raw!r}")
    return value

"""Small measuring helpers shared by the benchmark modules: percentiles, memory, models."""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import List, Optional, Sequence


def percentile(values: Sequence[float], fraction: float) -> Optional[float]:
    """Nearest-rank percentile (fraction 0.5 = median); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


def rss_mib(pid: int, field: str = "VmRSS") -> Optional[float]:
    """Resident memory of a process from /proc/<pid>/status, in MiB: now (VmRSS) or its
    peak so far (VmHWM)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def cpu_seconds(pid: int) -> Optional[float]:
    """User + system CPU time a process has used so far (/proc/<pid>/stat), in seconds."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


def newest_model(models_dir: Path) -> Path:
    models: List[Path] = sorted(models_dir.glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
    if not models:
        raise SystemExit(f"No trained model in {models_dir}: run `make train` first.")
    return models[-1]

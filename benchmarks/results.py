"""Append a benchmark's table to benchmarks/RESULTS.md with the command that made it."""

from __future__ import annotations

import datetime as dt
import os
import platform
import sys
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"


def record(title: str, text: str, note: str = "") -> None:
    """Add a dated section: the exact command, the machine, ``note``, then ``text``."""
    command = " ".join(["python", f"benchmarks/{Path(sys.argv[0]).name}", *sys.argv[1:]])
    machine = (f"{platform.machine()}, {os.cpu_count()} cores, "
               f"Python {platform.python_version()}")
    with RESULTS.open("a", encoding="utf-8") as handle:
        handle.write(f"\n## {title}, {dt.date.today().isoformat()}\n\n`{command}` on {machine}."
                     + (f" {note}" if note else "") + f"\n\n{text}\n")

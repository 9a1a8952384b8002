"""Where the kit's own files and the facilitator's workshops live.

The kit ships its notebooks, facilitation guides, Voilà template and word lists
inside the ``coproduction`` package (the wheel puts the top-level ``notebooks/`` and
``facilitation_guides/`` folders there), and finds them with ``importlib.resources``.
Run from a checkout of its repository instead, it uses the checkout's folders, so an
edit to a notebook is served at once.

Workshops are the facilitator's data, never the package's: from a checkout they live
in its ``data/workshops/`` (as the guides write it), and an installed kit keeps them
in the user's data folder (``platformdirs``), where an upgrade never touches them.
``--workshop`` still names any folder.
"""

from __future__ import annotations

import functools
import importlib.resources
import os
from pathlib import Path

#: The ``coproduction`` package's own folder, wherever it is installed.
PACKAGE = Path(str(importlib.resources.files("coproduction")))
#: The Jupyter data the kit ships: its kernel, its Voilà template, its report template.
JUPYTER_SHARE = PACKAGE / "share" / "jupyter"
#: The kit's word lists and the methods catalogue (see ``data/README.md`` in it).
DATA = PACKAGE / "data"
APP_NAME = "coproduction-kit"


def checkout() -> Path | None:
    """The repository folder the kit runs from, or None when it is installed."""
    root = PACKAGE.parent
    if (root / "pyproject.toml").is_file() and (root / "notebooks").is_dir():
        return root
    return None


@functools.cache
def kit_folder(name: str) -> Path:
    """One of the folders the kit ships: ``notebooks``, ``facilitation_guides``."""
    root = checkout()
    if root is not None:
        return root / name
    with importlib.resources.as_file(importlib.resources.files("coproduction") / name) as found:
        return Path(found)


def notebooks(part: str) -> Path:
    """The notebooks of one kind: ``participant``, ``facilitator`` or ``evaluation``."""
    return kit_folder("notebooks") / part


def workshops_folder() -> Path:
    """Where workshops named without a folder live (the demo workshop among them)."""
    root = checkout()
    if root is not None:
        return root / "data" / "workshops"
    import platformdirs

    return platformdirs.user_data_path(APP_NAME, appauthor=False) / "workshops"


def kit_python_path() -> dict[str, str]:
    """``PYTHONPATH`` for a child process (a server, a page's kernel, a report's) that
    must import this same kit: a checkout first, then what this process was given."""
    root = checkout()
    parts = [str(root)] if root is not None else []
    parts += filter(None, [os.environ.get("PYTHONPATH")])
    return {"PYTHONPATH": os.pathsep.join(parts)} if parts else {}

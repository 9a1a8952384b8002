"""Every notebook: thin, committed without outputs, and runs top to bottom under nbval.

Each notebook is run against a temporary demo workshop passed through its
``parameters`` cell, the way an evaluator reruns it.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted(p for p in (ROOT / "notebooks").rglob("*.ipynb")
                   if ".ipynb_checkpoints" not in p.parts)


def test_there_are_notebooks_for_each_audience():
    folders = {p.parent.name for p in NOTEBOOKS}
    assert {"participant", "facilitator"} <= folders


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(ROOT)))
def test_committed_without_outputs(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(ROOT)))
def test_thin_with_a_parameters_cell_first(path):
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert "parameters" in code[0].metadata.get("tags", [])
    assert "workshop = None" in code[0].source
    body = "\n".join(c.source for c in code[1:])
    assert len(body.splitlines()) <= 6, "logic belongs in widgets/ or coproduction/"


@pytest.mark.notebook
def test_every_notebook_runs_top_to_bottom(tmp_path):
    from coproduction.demo import make_demo

    workshop = tmp_path / "workshop"
    make_demo(workshop).close()
    copies = []
    for path in NOTEBOOKS:
        nb = nbformat.read(path, as_version=4)
        first = next(c for c in nb.cells if c.cell_type == "code")
        first.source = first.source.replace("workshop = None", f"workshop = {str(workshop)!r}")
        copy = tmp_path / path.parent.name / path.name
        copy.parent.mkdir(exist_ok=True)
        nbformat.write(nb, copy)
        copies.append(copy)
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--nbval-lax", "-q", "-p", "no:cacheprovider",
         "--rootdir", str(tmp_path), *map(str, copies)],
        capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert f"{sum(len([c for c in nbformat.read(p, 4).cells if c.cell_type == 'code']) for p in copies)} passed" in result.stdout

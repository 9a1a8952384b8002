"""The participant page's own script (frontend/): what is committed is what its source
builds, and the pages load it instead of Voilà's JupyterLab application."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

FRONTEND = REPO / "frontend"
STATIC = REPO / "coproduction" / "share" / "jupyter" / "voila" / "templates" / "coproduction" / "static"
BUILT = ("page.js", "page.css", "page.js.LEGAL.txt", "page.js.LICENSES.txt", "head.js")


def test_the_committed_page_script_is_what_its_source_builds(tmp_path):
    """Rebuilt from frontend/ with the locked packages, byte for byte (needs npm and the
    npm registry; CI installs Node.js)."""
    npm = shutil.which("npm")
    if npm is None:
        if os.environ.get("CI"):
            pytest.fail("CI must install Node.js and npm (see .ci/run)")
        pytest.skip("npm is not installed")
    work = tmp_path / "frontend"
    work.mkdir()
    for name in ("package.json", "package-lock.json", "build.mjs"):
        shutil.copy(FRONTEND / name, work / name)
    shutil.copytree(FRONTEND / "src", work / "src")
    installed = subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
                               cwd=work, capture_output=True, text=True, timeout=600)
    assert installed.returncode == 0, installed.stderr
    built = subprocess.run(["node", "build.mjs", str(tmp_path / "out")], cwd=work,
                           capture_output=True, text=True, timeout=300)
    assert built.returncode == 0, built.stderr
    for name in BUILT:
        assert (tmp_path / "out" / name).read_bytes() == (STATIC / name).read_bytes(), (
            f"{name} is out of date: run `npm ci && npm run build` in frontend/")
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(BUILT)


def test_the_page_script_leaves_out_what_the_kit_does_not_use():
    script = (STATIC / "page.js").read_text()
    assert len(script) < 800_000, "the page script grew: every byte is read on every phone"
    assert "nonTextTags" not in script  # sanitize-html, replaced by src/plain-text.js
    for application in ("@voila-dashboards", "codemirror", "ydoc"):
        assert application not in script


def test_the_template_loads_the_kit_script_and_not_voilas_application():
    template = (STATIC.parent / "index.html.j2").read_text()
    assert 'include_js("static/page.js")' in template
    assert 'include_js("static/head.js")' in template
    # The kit's own browser code lives in frontend/src and is built with the rest: the
    # template keeps only one line of its own (no "Executing 1 of 3").
    own = [s for s in template.split("<script")[1:] if "voila_finish" not in s]
    assert len(own) == 1 and "voila_process" in own[0], own
    assert 'include_css("static/page.css")' in template
    assert "voila_setup_labextensions" not in template

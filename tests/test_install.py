"""The kit installs like any Python tool: a wheel, installed into a fresh virtual
environment, works from an empty folder, with its workshops in the user's data folder.

The environment sees the packages already installed for the tests (``jupyterlab``,
``voila`` ...), so nothing is downloaded but the build's own tools; the kit itself
comes from the wheel only (the test checks which copy is imported).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from harness import free_port

ROOT = Path(__file__).resolve().parents[1]


def clean_environment() -> dict[str, str]:
    """This environment without what points at this checkout or a workshop."""
    return {k: v for k, v in os.environ.items()
            if k not in ("PYTHONPATH", "COPRODUCTION_WORKSHOP", "COPRODUCTION_DATABASE_URL")}


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """A virtual environment with the kit installed from a freshly built wheel."""
    folder = tmp_path_factory.mktemp("install")
    # Built from a copy, so the build's own files (build/, *.egg-info) stay out of the
    # checkout, where they would pass for an installed kit.
    source = folder / "source"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(
        ".git", "node_modules", "build", "dist", "*.egg-info", "__pycache__", "workshops",
        "output", "tmp"))
    built = subprocess.run([sys.executable, "-m", "build", "--wheel", "--outdir",
                            str(folder / "dist"), str(source)], capture_output=True, text=True,
                           timeout=600, check=False, env=clean_environment())
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    warned = [line for line in (built.stdout + built.stderr).splitlines()
              if re.search(r"(?i)deprecat|warning", line)
              and "byte-compiling is disabled" not in line]  # PYTHONDONTWRITEBYTECODE
    assert not warned, warned
    [wheel] = (folder / "dist").glob("*.whl")
    venv = folder / "venv"
    env = clean_environment()
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)],
                   check=True, timeout=300, env=env)
    subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "--no-deps",
                    "--force-reinstall", str(wheel)], check=True, timeout=300,
                   capture_output=True, env=env)
    home = folder / "home"
    empty = folder / "empty"
    empty.mkdir()
    # Voilà's own templates were installed with it, beside the tests' Python, which a
    # virtual environment made on top of it does not look in: the kit finds them itself.
    env.pop("JUPYTER_PATH", None)
    home.mkdir()
    env.update(HOME=str(home), XDG_DATA_HOME=str(home / "data"))
    return venv, empty, env, home


def test_an_installed_wheel_makes_the_demo_in_the_users_data_folder(installed):
    venv, empty, env, home = installed
    where = subprocess.run([str(venv / "bin" / "python"), "-c",
                            "import coproduction, widgets; print(coproduction.__file__); "
                            "print(widgets.__file__)"], cwd=empty, env=env,
                           capture_output=True, text=True, check=True)
    assert all(line.startswith(str(venv)) for line in where.stdout.split()), where.stdout
    made = subprocess.run([str(venv / "bin" / "coproduction"), "demo"], cwd=empty, env=env,
                          capture_output=True, text=True, timeout=300)
    assert made.returncode == 0, made.stderr
    demo = home / "data" / "coproduction-kit" / "workshops" / "demo"
    assert str(demo) in made.stdout and (demo / "workshop.sqlite").is_file()
    site = next((venv / "lib").glob("python*/site-packages"))
    assert not (site / "data").exists() and not list(empty.iterdir())


def test_an_installed_wheel_serves_a_join_page_from_an_empty_folder(installed):
    venv, empty, env, _home = installed
    said = empty.parent / "serve.out"  # a file, not a pipe: the servers log a lot
    with said.open("wb") as out:
        serve = subprocess.Popen(
            [str(venv / "bin" / "coproduction"), "serve", "--host", "127.0.0.1",
             "--port", str(free_port()), "--console-port", str(free_port())],
            cwd=empty, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 180
        while not (join := re.search(r"^Join: (\S+)", said.read_text(), re.M)):
            assert serve.poll() is None and time.monotonic() < deadline, said.read_text()
            time.sleep(0.5)
        join = join.group(1)
        with urllib.request.urlopen(join, timeout=120) as page:
            body = page.read().decode("utf-8")
        assert page.status == 200 and "application/vnd.jupyter.widget-view" in body, body
        assert "TemplateNotFound" not in said.read_text(), said.read_text()[-3000:]
    finally:
        os.kill(serve.pid, signal.SIGTERM)
        serve.wait(timeout=60)


def test_an_installed_wheel_writes_the_evaluation_report(installed, tmp_path):
    """An evaluator with the kit installed from its wheel reruns the report: nbconvert's
    templates are found wherever nbconvert put them."""
    venv, empty, env, home = installed
    passphrase = "a passphrase for the wheel\n"  # the report's notebooks get its key
    subprocess.run([str(venv / "bin" / "coproduction"), "new", "--workshop",
                    str(tmp_path / "ws"), "--title", "Report from a wheel",
                    "--passphrase-stdin"], cwd=empty, env=env, input=passphrase,
                   capture_output=True, text=True, check=True, timeout=300)
    done = subprocess.run([str(venv / "bin" / "coproduction"), "evaluate", "--workshop",
                           str(tmp_path / "ws"), "--out", str(tmp_path / "report"),
                           "--passphrase-stdin"], input=passphrase,
                          cwd=empty, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "<html" in (tmp_path / "report" / "report.html").read_text(encoding="utf-8")


def test_an_installed_wheel_carries_every_language_s_catalogue(installed):
    """The translations ship inside the wheel: an installed kit says each language is
    complete, and a page from it speaks Urdu."""
    venv, empty, env, home = installed
    done = subprocess.run([str(venv / "bin" / "coproduction"), "translations"], cwd=empty,
                          env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert [line.split("\t")[:2] for line in done.stdout.splitlines()] == [
        ["en", "100.0%"], ["ur", "100.0%"], ["pl", "100.0%"]]
    said = subprocess.run([str(venv / "bin" / "python"), "-c",
                           "from coproduction.core import languages as L; L.use('ur'); "
                           "print(L._('Take part'), L.__file__)"],
                          cwd=empty, env=env, capture_output=True, text=True, timeout=300)
    assert said.stdout.startswith("حصہ لیں ") and str(venv) in said.stdout, said.stdout

"""Run the evaluation notebooks headlessly and write the report an evaluator can rerun.

Each notebook in ``notebooks/evaluation/`` is run through its ``parameters``
cell (a cell is added after it naming the workshop, as papermill does), the
executed notebooks are joined into one HTML report without the code, and the
metric tables are written as CSV by the same functions the notebooks call.
The tables are byte-identical on every run over the same data; the HTML
holds pictures, so it is not compared byte for byte.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .. import upstream
from ..core.resources import JUPYTER_SHARE, kit_python_path, notebooks
from ..privacy.outputs import OutputFolder
from ..store import Store, StoreError
from .metrics import Evaluation

NOTEBOOKS = notebooks("evaluation")
CELL_TIMEOUT = 600
#: The report's page: nbconvert's "lab" page with nothing fetched from the internet.
REPORT_TEMPLATES = JUPYTER_SHARE / "nbconvert" / "templates"
REPORT_TEMPLATE = "coproduction-report"


class ReportError(StoreError):
    """A notebook could not be run; the message says which, in plain words."""


def evaluation_notebooks() -> list[Path]:
    return sorted(p for p in NOTEBOOKS.glob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)


def run_notebook(path: Path, workshop: Path):
    """Execute one notebook with ``workshop`` set after its parameters cell."""
    import nbformat
    from jupyter_client import KernelManager
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    nb = nbformat.read(path, as_version=4)
    at = next(i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", []))
    nb.cells.insert(at + 1, nbformat.v4.new_code_cell(
        f"workshop = {str(workshop)!r}", metadata={"tags": ["injected-parameters"]}))
    # Local sockets, not TCP ports: no port can be taken by someone else meanwhile,
    # and nothing listens on the network.
    with tempfile.TemporaryDirectory(prefix="coproduction-kernel-") as folder:
        km = KernelManager(kernel_name="python3", transport="ipc",
                           ip=str(Path(folder) / "kernel"))
        client = NotebookClient(nb, km=km, timeout=CELL_TIMEOUT,
                                resources={"metadata": {"path": str(path.parent)}})
        # The kernel imports this same kit, as the servers' kernels do, and inherits the
        # rest of this environment (a database URL among it).
        env = {**os.environ, **kit_python_path()}
        try:
            client.execute(env=env)
        except CellExecutionError as error:
            raise ReportError(f"The notebook {path.name} stopped with an error "
                              f"({error.ename}); nothing else was written.") from error
        finally:
            if client.kc is not None:
                client.kc.stop_channels()
            if km.has_kernel:
                km.shutdown_kernel(now=False)
    return nb


def report_files(store: Store) -> dict[str, str]:
    """Every file of the report, by its name in the folder: the executed notebooks,
    the metric tables and ``report.html``. Nothing is written."""
    import nbformat
    from nbconvert import HTMLExporter

    files, executed = {}, []
    for path in evaluation_notebooks():
        nb = run_notebook(path, store.folder)
        text = nbformat.writes(nb)
        files[f"notebooks/{path.name}"] = text if text.endswith("\n") else text + "\n"
        executed.append(nb)
    for name, text in Evaluation(store).csv_files().items():
        files[f"tables/{name}"] = text
    report = nbformat.v4.new_notebook(metadata=executed[0].metadata if executed else {})
    for nb in executed:
        report.cells += [c for c in nb.cells if not {"parameters", "injected-parameters"}
                         & set(c.metadata.get("tags", []))]
    # nbconvert's own templates (which the kit's extends) wherever nbconvert put them.
    theirs = [os.path.join(folder, "nbconvert", "templates")
              for folder in upstream.jupyter_data_folders()]
    exporter = HTMLExporter(exclude_input=True, exclude_input_prompt=True,
                            exclude_output_prompt=True, template_name=REPORT_TEMPLATE,
                            extra_template_basedirs=[str(REPORT_TEMPLATES), *theirs],
                            extra_template_paths=theirs)
    title = f"Evaluation: {store.workshop()['title']}"
    files["report.html"], _ = exporter.from_notebook_node(
        report, resources={"metadata": {"name": title}})
    return files


def write_report(store: Store, out: Path | str, *, files: dict[str, str] | None = None,
                 leave_changed: bool = False) -> dict[str, list[Path]]:
    """Write ``report.html``, ``tables/*.csv`` and the executed notebooks to ``out``.

    Everything is worked out before anything is written, and every file is tracked
    (:mod:`coproduction.privacy.outputs`), so a withdrawal writes the report again without the
    person who left; a file of the same name that the kit did not write is never
    overwritten (the folder is refused; ``leave_changed`` leaves such files and writes the
    rest). ``files`` are the report's files when already worked out (:func:`report_files`).
    """
    files = report_files(store) if files is None else files
    written: dict[str, list[Path]] = {"report": [], "tables": [], "notebooks": []}
    with OutputFolder(store, out, "evaluation", leave_changed=leave_changed) as folder:
        folder.claim(list(files))
        for name, text in files.items():
            path = folder.write(name, text)
            if path is not None:
                written["report" if name == "report.html" else name.split("/")[0]].append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    """``python -m coproduction.evaluation.report WORKSHOP OUT [OUT ...]``: write tracked reports
    again after a withdrawal (:func:`coproduction.privacy.export.rewrite_outputs` starts it), the
    notebooks run once for them all, leaving alone any file someone changed. Each folder
    that could not be written is named on standard error, and the exit code is 1."""
    import logging
    import sys

    logging.basicConfig(level=logging.WARNING, format="coproduction: %(message)s")
    workshop, *outs = argv if argv is not None else sys.argv[1:]
    failed = []
    try:
        with Store.open(workshop) as store:
            files = report_files(store)
            for out in outs:
                try:
                    write_report(store, out, files=files, leave_changed=True)
                except StoreError:
                    failed.append(out)
    except StoreError:
        failed = outs
    for out in failed:
        print(f"The evaluation report in {out} could not be written again.", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())

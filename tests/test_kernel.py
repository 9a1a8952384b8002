"""The kit's kernel: ipykernel without completion, debugger and terminal, pages still work.

Every page has its own kernel, so every megabyte counts forty times in a full room
(benchmarks/capacity.py measures it). These tests start the kernel the way the servers
do, from the kit's kernel spec, and run a participant page in it.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from coproduction.core.resources import JUPYTER_SHARE
from coproduction.demo import DEMO_CODE
from coproduction.servers.serve import PARTICIPANT_NOTEBOOKS

LEFT_OUT = ("jedi", "debugpy", "prompt_toolkit", "IPython.terminal.interactiveshell")


@pytest.fixture
def kit_kernel(tmp_path):
    """A kernel started from the kit's ``python3`` kernel spec, against a demo workshop."""
    from jupyter_client import KernelManager
    from jupyter_client.kernelspec import KernelSpecManager

    from coproduction.demo import make_demo

    make_demo(tmp_path / "workshop").close()
    specs = KernelSpecManager(kernel_dirs=[str(JUPYTER_SHARE / "kernels")])
    manager = KernelManager(kernel_name="python3", kernel_spec_manager=specs)
    root = str(Path(__file__).resolve().parents[1])
    manager.start_kernel(env={**os.environ, "COPRODUCTION_WORKSHOP": str(tmp_path / "workshop"),
                              "PYTHONPATH": root})
    client = manager.client()
    client.start_channels()
    client.wait_for_ready(timeout=60)
    try:
        yield manager, client
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


def run(client, code: str) -> list[dict]:
    """Execute ``code``; the iopub messages it caused (outputs, errors)."""
    msg_id = client.execute(code)
    messages = []
    while True:
        msg = client.get_iopub_msg(timeout=60)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            return messages
        messages.append(msg)


def printed(messages: list[dict]) -> str:
    errors = [m["content"]["evalue"] for m in messages if m["msg_type"] == "error"]
    assert not errors, errors
    return "".join(m["content"]["text"] for m in messages if m["msg_type"] == "stream")


def test_the_servers_start_the_kit_kernel_for_python3_notebooks():
    spec = json.loads((JUPYTER_SHARE / "kernels" / "python3" / "kernel.json").read_text())
    assert spec["argv"][:3] == ["python", "-m", "coproduction.servers.kernel"]
    notebook = json.loads((PARTICIPANT_NOTEBOOKS / "language.ipynb").read_text())
    assert notebook["metadata"]["kernelspec"]["name"] == "python3"


def test_a_participant_page_runs_without_completion_debugger_or_terminal(kit_kernel):
    manager, client = kit_kernel
    cells = [c for c in json.loads((PARTICIPANT_NOTEBOOKS / "language.ipynb").read_text())[
        "cells"] if c["cell_type"] == "code"]
    outputs = [run(client, "".join(cell["source"])) for cell in cells]
    shown = [m for m in outputs[1] if m["msg_type"] == "execute_result"]
    assert shown and "application/vnd.jupyter.widget-view+json" in shown[0]["content"]["data"]
    assert printed(run(client, f"page.gate.code.value = {DEMO_CODE!r}\n"
                               "page.gate.name.value = 'Ana'\npage.gate.join.click()\n"
                               "print(page.person.pseudonym)")) == "Ana\n"
    loaded = printed(run(client, "import sys\nprint(sorted(m for m in "
                                 f"{LEFT_OUT!r} if sys.modules.get(m)))"))
    assert loaded == "[]\n"
    assert "not available" in printed(run(
        client, "import IPython\ntry:\n    IPython.embed()\nexcept RuntimeError as e:\n"
                "    print(e)"))
    assert "coproduction.servers.kernel" in Path(
        f"/proc/{manager.provisioner.process.pid}/cmdline").read_text().replace("\0", " ")


def test_a_reader_far_behind_still_gets_every_output_message(kit_kernel):
    """ZeroMQ drops what a publisher sends once its reader is 1000 messages behind. A page
    of hundreds of widgets on a busy machine lost messages that way: served without its
    widget, or waiting a minute for an "idle" that never came. The kit's kernel queues."""
    import queue
    import time

    _, client = kit_kernel
    count = 5000
    msg_id = client.execute(
        "from IPython.display import display\n"
        f"for number in range({count}):\n"
        "    display({'text/plain': str(number), 'text/x-padding': 'x' * 4000}, raw=True)\n")
    # 20 MB, more than the operating system's socket buffers hold
    client.get_shell_msg(timeout=60)  # the cell has run; nothing read from its output yet
    time.sleep(2)  # the kernel publishes into a reader that does not read
    shown, idle = [], False
    while not idle:
        try:
            msg = client.get_iopub_msg(timeout=30)
        except queue.Empty:
            pytest.fail(f"{count - len(shown)} messages and the end of the cell were lost")
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        if msg["msg_type"] == "display_data":
            shown.append(msg["content"]["data"]["text/plain"])
        idle = msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle"
    assert shown == [str(number) for number in range(count)]


def test_the_kernel_module_starts_ipykernel_after_leaving_things_out(monkeypatch):
    from coproduction.servers import kernel

    # The import system reads the interpreter's own module table, so replacing
    # sys.modules with a copy isolates nothing (and jedi is loaded as soon as any test
    # module imports ipywidgets). Empty the names in the real table; each comes back
    # as it was after the test.
    for name in (*kernel.LEFT_OUT, "IPython.terminal.embed"):
        monkeypatch.setitem(sys.modules, name, None)
        del sys.modules[name]
    kernel.leave_out_what_pages_never_use()
    with pytest.raises(ImportError):
        import jedi  # noqa: F401
    with pytest.raises(RuntimeError, match="not available"):
        sys.modules["IPython.terminal.embed"].embed()


def _parent(pid: int) -> int:
    stat = Path(f"/proc/{pid}/stat").read_text()
    return int(stat[stat.rfind(")") + 2:].split()[1])


@pytest.mark.skipif(sys.platform != "linux", reason="forks kernels on Linux only")
def test_a_page_kernel_is_forked_with_everything_its_page_loads_already_loaded(kit_kernel):
    """Every kernel loading Python, IPython, ipywidgets and the kit again cost half a second
    of a core and about 16 MB for each person (benchmarks/RESULTS.md). A kernel is forked
    from a fork server that loaded them once; a page drawn and joined in it loads nothing
    more, so nothing a page needs is left out of what the kernels share."""
    import subprocess

    from coproduction.servers.forks import ForkedKernelProvisioner

    manager, client = kit_kernel
    assert isinstance(manager.provisioner, ForkedKernelProvisioner)
    fork_server = _parent(manager.provisioner.pid)
    assert fork_server != os.getpid()
    assert "--forks" in Path(f"/proc/{fork_server}/cmdline").read_text().split("\0")
    preloaded = set(json.loads(subprocess.run(
        [sys.executable, "-c", "import json, sys\n"
         "from coproduction.servers import forks, kernel\n"
         "kernel.leave_out_what_pages_never_use()\nforks.preload()\n"
         "print(json.dumps(sorted(sys.modules)))"],
        capture_output=True, text=True, check=True).stdout))
    cells = [c for c in json.loads((PARTICIPANT_NOTEBOOKS / "workshop.ipynb").read_text())[
        "cells"] if c["cell_type"] == "code"]
    for cell in cells:
        printed(run(client, "".join(cell["source"])))
    assert printed(run(client, f"page.gate.code.value = {DEMO_CODE!r}\n"
                               "page.gate.name.value = 'Ana'\npage.gate.join.click()\n"
                               "print(page.person.pseudonym)")) == "Ana\n"
    loaded = json.loads(printed(run(client, "import json, sys\n"
                                            "print(json.dumps(sorted(sys.modules)))")))
    assert sorted(set(loaded) - preloaded) == []
    # ipywidgets was imported before there was a kernel: it still answers the page's
    # widget manager, which opens its own channel to the kernel.
    assert printed(run(client, "print(sorted(t for t in get_ipython().kernel.comm_manager."
                               "targets if t.startswith('jupyter.widget')))")
                   ) == "['jupyter.widget', 'jupyter.widget.control']\n"
    # It is a kernel of its own: its own session, the environment it was started with.
    assert os.getpgid(manager.provisioner.pid) == manager.provisioner.pid
    assert printed(run(client, "import os\nprint(os.environ['COPRODUCTION_WORKSHOP'])")
                   ).strip().endswith("workshop")


@pytest.mark.skipif(sys.platform != "linux", reason="forks kernels on Linux only")
def test_a_kernel_ends_with_its_fork_server_and_the_next_one_gets_a_new_fork_server(kit_kernel):
    import signal
    import time

    from harness import wait_for

    manager, _ = kit_kernel
    kernel = manager.provisioner.pid
    fork_server = _parent(kernel)
    os.kill(fork_server, signal.SIGKILL)
    assert wait_for(lambda: not manager.is_alive(), 20), "the kernel ended with it"
    assert manager.provisioner.process.poll() is not None
    from jupyter_client import KernelManager

    again = KernelManager(kernel_name="python3", kernel_spec_manager=manager.kernel_spec_manager)
    again.start_kernel()
    try:
        assert _parent(again.provisioner.pid) not in (fork_server, os.getpid())
        assert again.is_alive()
    finally:
        again.shutdown_kernel(now=True)
    started = time.monotonic()
    assert not again.is_alive() and time.monotonic() - started < 5


def test_a_server_that_cannot_fork_starts_each_kernel_on_its_own(monkeypatch, tmp_path):
    from jupyter_client import KernelManager
    from jupyter_client.kernelspec import KernelSpecManager

    from coproduction.servers import forks

    monkeypatch.setattr(forks.ForkServer, "_this_server", None)
    monkeypatch.setattr(forks.ForkServer, "_failed", False)
    monkeypatch.setattr(forks.ForkServer, "warned", False)
    monkeypatch.setattr(forks, "READY_SECONDS", 5)
    # A fork server that never says it is ready (an interpreter that cannot load the kit).
    monkeypatch.setattr(forks, "KERNEL_MODULE", "no_such_module_here")
    specs = KernelSpecManager(kernel_dirs=[str(JUPYTER_SHARE / "kernels")])
    manager = KernelManager(kernel_name="python3", kernel_spec_manager=specs)
    monkeypatch.setattr(forks, "forkable", lambda cmd: True)
    manager.start_kernel()
    try:
        assert forks.ForkServer._failed and forks.ForkServer.warned
        assert _parent(manager.provisioner.pid) == os.getpid()
        client = manager.client()
        client.start_channels()
        client.wait_for_ready(timeout=60)
        assert printed(run(client, "print(1 + 1)")) == "2\n"
        client.stop_channels()
    finally:
        manager.shutdown_kernel(now=True)


@pytest.mark.skipif(sys.platform != "linux", reason="forks kernels on Linux only")
def test_which_process_is_which_page_is_written_for_this_account_only(tmp_path):
    """A forked kernel's /proc environment is its fork server's, so the fork server says
    which process is which page, in the server's runtime folder, readable by this
    account alone; the record goes when the kernel does."""
    import stat

    from harness import wait_for
    from jupyter_client import KernelManager
    from jupyter_client.kernelspec import KernelSpecManager

    from coproduction.core.settings import KERNEL_ID_ENV
    from coproduction.servers.forks import PAGES_FOLDER

    runtime = tmp_path / "runtime"
    specs = KernelSpecManager(kernel_dirs=[str(JUPYTER_SHARE / "kernels")])
    manager = KernelManager(kernel_name="python3", kernel_spec_manager=specs)
    manager.start_kernel(env={**os.environ, "JUPYTER_RUNTIME_DIR": str(runtime),
                              KERNEL_ID_ENV: "a-page-kernel"})
    record = runtime / PAGES_FOLDER / str(manager.provisioner.pid)
    try:
        assert record.read_text() == "a-page-kernel"
        assert stat.S_IMODE(record.stat().st_mode) == 0o600
        assert stat.S_IMODE(record.parent.stat().st_mode) == 0o700
    finally:
        manager.shutdown_kernel(now=True)
    assert wait_for(lambda: not record.exists(), 10)

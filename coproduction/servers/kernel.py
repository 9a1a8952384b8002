"""The kernel behind every page the kit serves: IPython's kernel without what pages never use.

A Voilà page never completes code, never runs a debugger and never opens a terminal,
yet a plain ipykernel loads jedi (completion), debugpy (the debugger) and IPython's
terminal with prompt_toolkit into every kernel: together about 20 MB, for every person
in the room. This launcher makes those three unavailable, then starts ipykernel as
usual. IPython and ipykernel already treat jedi and debugpy as optional; the terminal
module is replaced by one whose ``embed`` says plainly that it is not available. Its
output channel also keeps every message until the server reads it (``KitKernelApp``).

The servers find it as the ``python3`` kernel spec in
``coproduction/share/jupyter/kernels`` (first on their ``JUPYTER_PATH``), so the
notebooks need no change and an evaluator's own Jupyter keeps its usual kernel::

    python -m coproduction.servers.kernel -f CONNECTION_FILE

A server starts its kernels by forking them from one that has loaded all this already
(``--forks``, see :mod:`coproduction.servers.forks`).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import signal
import sys
import types

from ..core.settings import SERVER_PID_ENV

#: Modules a page's kernel never needs, made unimportable before ipykernel starts.
LEFT_OUT = ("jedi", "debugpy")


def _no_terminal(*_args, **_kwargs):
    """IPython.embed stand-in: pages have no terminal."""
    raise RuntimeError("An interactive terminal is not available in the kit's kernels.")


def leave_out_what_pages_never_use() -> None:
    for name in LEFT_OUT:
        sys.modules.setdefault(name, None)  # `import name` now raises ImportError
    terminal = types.ModuleType("IPython.terminal.embed", "Left out: pages have no terminal.")
    terminal.embed = _no_terminal
    sys.modules.setdefault("IPython.terminal.embed", terminal)


#: The header a warm kernel proves itself with when it asks its server for its page's
#: address (``/voila/query/<kernel id>``): only the kernel and its server know the key.
PROOF_HEADER = "X-Coproduction-Kernel-Proof"
#: Where a kernel whose page has said its last word asks its server to end it.
ENDED_PATH = "coproduction/ended/"


def page_address_proof(key: bytes, kernel_id: str) -> str:
    """What a kernel sends to show that it holds its own connection key."""
    return hmac.new(key, f"page address of {kernel_id}".encode(), hashlib.sha256).hexdigest()


def end_with_the_server() -> None:
    """Ask Linux to end this kernel when its server ends, however the server ends.

    Jupyter starts each kernel in a session of its own, so killing the server (or the
    whole ``coproduction serve`` process group) left its kernels running, each with a
    page's state. Elsewhere the server's own shutdown still stops them.
    """
    server = os.environ.get(SERVER_PID_ENV)
    if not server or not sys.platform.startswith("linux"):
        return
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM, 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if str(os.getppid()) != server:
        try:
            os.kill(int(server), 0)
        except ProcessLookupError:  # the server ended before the line above
            os._exit(0)
        except (PermissionError, ValueError):
            pass
        # Not the server's own kernel (a notebook run by a command a kernel started):
        # it ends with that parent instead, as asked above.


def main() -> None:
    end_with_the_server()
    leave_out_what_pages_never_use()
    if sys.argv[1:2] == ["--forks"]:  # the server's fork server (see forks.py)
        from . import forks

        forks.preload()
        forks.become_the_kernel(forks.serve_forks(int(sys.argv[2])))
        end_with_the_server()  # a fork's parent is its fork server, which ends with it
    start_ipykernel()


def start_ipykernel() -> None:
    import zmq
    from ipykernel.kernelapp import IPKernelApp

    class KitKernelApp(IPKernelApp):
        """ipykernel, with an output channel that queues instead of dropping.

        ZeroMQ drops a publisher's messages for a reader that is 1000 behind. A console
        or board page sends hundreds of widget messages in one go; on a busy machine the
        server fell that far behind, lost some of them, and so served a page without its
        widget or waited for an "idle" that never came. Queued, they all arrive.
        """

        def init_iopub(self, context):
            context.setsockopt(zmq.SNDHWM, 0)  # no limit for the sockets made from here on
            super().init_iopub(context)

        def init_kernel(self):
            super().init_kernel()
            # ipywidgets answers a page's widget messages once it has registered with the
            # kernel, which it does when first imported inside one; a forked kernel's fork
            # server imported it before there was a kernel.
            if "ipywidgets" in sys.modules:
                sys.modules["ipywidgets"].register_comm_target()

    KitKernelApp.launch_instance()


if __name__ == "__main__":
    main()

"""Every piece of Voilà, jupyter_server, tornado and ipywidgets that the kit reaches past
their public API, in one place, with the versions it was tested with.

Lifting a version pin (``voila<0.6`` ...) means reading this module, not the whole kit:
each private name is used here only, behind a function that says what the kit needs
of it, and :data:`PRIVATE` lists them all with why (tests/test_project.py fails on a
Voilà import or one of those names anywhere else). The one exception is ipywidgets'
layout and style traits, which the page layer reaches itself (widgets/base.py), as the
engine never imports ipywidgets. :func:`untested` says plainly, at
the start of every server, when an installed version is not one the kit was tested
with.

Nothing here imports Voilà or the Jupyter server when this module is imported: a
page's kernel reads its environment through it without loading either (about 45 MB).
"""

from __future__ import annotations

import importlib.metadata
import os
import re
from types import SimpleNamespace

#: The versions the kit was tested with: at least the first, below the second (the same
#: ranges as pyproject.toml's; a test keeps them in step).
TESTED = {
    "voila": ("0.5.13", "0.6"),
    "jupyter_server": ("2.4", "3"),
    "tornado": ("6.2", "7"),
    "ipywidgets": ("8.1", "9"),
    "ipykernel": ("6.29", "8"),
}

#: Each private name the kit touches, and what for.
PRIVATE = {
    "voila.app.voila_kernel_manager_factory":
        "replaced, so the kernel manager counts pages, keeps places and warms kernels "
        "for the landing notebook only",
    "voila's kernel manager _pools":
        "read and refilled, to count warm kernels and top the pool up one at a time",
    "RequestInfoSocketHandler._waiters":
        "read, to count warm kernels that wait for a page",
    "RequestInfoSocketHandler._cache":
        "a delivered page address is forgotten at once",
    "voila.tornado, voila.request_info_handler, voila.shutdown_kernel_handler, "
    "voila.static_file_handler, voila.voila_identity_provider handlers":
        "subclassed: own-kernel-only tickets, plain errors, no login page",
    "Voila.listen, Voila.init_handlers, Voila.init_settings":
        "overridden: connection limits, the kit's handlers, no configuration files",
    "tornado.web.RequestHandler._request_summary, HTTPServerRequest.__repr__":
        "replaced, so logs name a request by method and path, never its query string",
    "ipywidgets.widgets.trait_types.InstanceDict make_dynamic_default, validate":
        "set on the layout and style traits, so the widgets of a page share one layout "
        "and style per look instead of one each (widgets/base.py, _share_looks: the one "
        "place of the page layer that does, as the engine never imports ipywidgets)",
    "VOILA_PREHEAT, QUERY_STRING, VOILA_APP_IP, VOILA_KERNEL_ID, VOILA_APP_PORT, "
    "VOILA_WS_PROTOCOL, VOILA_WS_BASE_URL, VOILA_SERVER_URL":
        "a page's kernel learns from them whether it was started ahead and where to ask "
        "for its page's address (what voila.utils.wait_for_request does)",
}


#: Lines Voilà, the Jupyter server and tornado write on every page or at every start
#: that say nothing a facilitator could act on, with why each is harmless; the servers
#: leave them out of their logs (coproduction.servers.limits.QuietLog).
HARMLESS_LOG_LINES = {
    r"Notebook \S+ is not trusted":
        "the kit's notebooks are committed without outputs: there is nothing to trust",
    r'Received message of type "create_subshell_request", which is not allowed':
        "the page's script asks ipykernel 7 for a subshell; the server says no, and the "
        "page never needs one",
    r"^403 GET /login\b":
        "the kit has no login page; its own start-up check knocks there for the refusal",
    r"websocket_ping_timeout \(\d+\) cannot be longer than the websocket_ping_interval":
        "jupyter_server's 90 s timeout is longer than its 30 s ping; tornado uses 30 s",
}
_HARMLESS = re.compile("|".join(f"(?:{pattern})" for pattern in HARMLESS_LOG_LINES))


def harmless(message: str) -> bool:
    """A log line of :data:`HARMLESS_LOG_LINES`."""
    return bool(_HARMLESS.search(message))


# -- versions ----------------------------------------------------------------------------
def _version(text: str) -> tuple[int, ...]:
    return tuple(int(n) for n in re.findall(r"\d+", text)[:3])


def untested() -> list[str]:
    """A plain sentence for each installed package outside the versions in :data:`TESTED`."""
    said = []
    for name, (low, below) in TESTED.items():
        try:
            have = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            continue
        if not _version(low) <= _version(have) < _version(below):
            said.append(f"{name} {have} is installed; the kit was tested with {name} "
                        f"{low} up to (not including) {below}. If a page misbehaves, install "
                        f"a tested version: pip install '{name}>={low},<{below}'.")
    return said


# -- a page's kernel: what Voilà put in its environment ------------------------------------
def jupyter_data_folders() -> list[str]:
    """The ``share/jupyter`` folders Voilà and nbconvert installed their templates into.

    Jupyter looks for data beside the running Python (``sys.prefix``); a virtual
    environment made with ``--system-site-packages`` (or a kit installed beside Voilà in
    another prefix) has Voilà's ``lab`` template elsewhere, and every page then failed
    with ``TemplateNotFound``. The packages' own records say where their files went.
    """
    found = []
    for name in ("voila", "nbconvert"):
        try:
            files = importlib.metadata.distribution(name).files or []
        except importlib.metadata.PackageNotFoundError:
            continue
        for file in files:
            parts = file.parts
            if "share" in parts and parts[parts.index("share") + 1:][:1] == ("jupyter",):
                where = str(file.locate().resolve()).split(os.sep + "jupyter" + os.sep)[0]
                folder = os.path.join(where, "jupyter")
                if folder not in found:
                    found.append(folder)
                break
    return found


def preheated() -> bool:
    """True on a kernel the server started before any page asked for it."""
    return os.environ.get("VOILA_PREHEAT") == "True"


def query_string() -> str:
    return os.environ.get("QUERY_STRING", "")


def page_address_socket() -> tuple[str, str]:
    """Where a kernel started ahead asks for its page's address, and its kernel id."""
    kernel_id = os.environ.get("VOILA_KERNEL_ID", "")
    base = os.environ.get("VOILA_WS_BASE_URL", os.environ.get("VOILA_SERVER_URL", "/"))
    url = (f"{os.environ.get('VOILA_WS_PROTOCOL', 'ws')}://"
           f"{os.environ.get('VOILA_APP_IP', '127.0.0.1')}:"
           f"{os.environ.get('VOILA_APP_PORT', '8866')}{base}voila/query/{kernel_id}")
    return url, kernel_id


def tell_kernels_where_to_ask(host: str) -> None:
    """Set, in a server process, the address its warm kernels knock at."""
    os.environ["VOILA_APP_IP"] = host


def is_voila_environment(name: str) -> bool:
    """A variable Voilà or Jupyter sets for a page (a report's kernel must not inherit)."""
    return name == "QUERY_STRING" or name.startswith(("VOILA_", "JUPYTER_"))


# -- a server process --------------------------------------------------------------------------
def server_pieces() -> SimpleNamespace:
    """The Voilà and Jupyter server classes the kit's server builds on (imported only
    in a server process)."""
    from jupyter_server.auth.logout import LogoutHandler
    from jupyter_server.base.handlers import JupyterHandler
    from jupyter_server.services.kernels.handlers import KernelHandler
    from voila.app import Voila
    from voila.request_info_handler import RequestInfoSocketHandler
    from voila.shutdown_kernel_handler import VoilaShutdownKernelHandler
    from voila.static_file_handler import TemplateStaticFileHandler
    from voila.tornado.contentshandler import VoilaContentsHandler
    from voila.tornado.handler import TornadoVoilaHandler
    from voila.tornado.kernel_websocket_handler import VoilaKernelWebsocketHandler
    from voila.tornado.treehandler import TornadoVoilaTreeHandler
    from voila.voila_identity_provider import VoilaLoginHandler

    return SimpleNamespace(**{c.__name__: c for c in (
        LogoutHandler, JupyterHandler, KernelHandler, Voila, RequestInfoSocketHandler,
        VoilaShutdownKernelHandler, TemplateStaticFileHandler, VoilaContentsHandler,
        TornadoVoilaHandler, VoilaKernelWebsocketHandler, TornadoVoilaTreeHandler,
        VoilaLoginHandler)})


def kernels_waiting_for_a_page() -> set[str]:
    """Ids of warm kernels that ran their notebook up to the page's address and wait."""
    from voila.request_info_handler import RequestInfoSocketHandler

    return set(RequestInfoSocketHandler._waiters)


def forget_page_address(kernel_id: str) -> None:
    """Voilà keeps a page's address (its token, a rejoin key) after it was delivered."""
    from voila.request_info_handler import RequestInfoSocketHandler

    RequestInfoSocketHandler._cache.pop(kernel_id, None)


def kernel_pool(manager, notebook: str, *, make: bool = False) -> list:
    """The warm kernels (tasks) Voilà's kernel manager keeps for ``notebook``."""
    return manager._pools.setdefault(notebook, []) if make else manager._pools.get(notebook, [])


def wrap_kernel_manager_factory(wrap) -> None:
    """Voilà makes its kernel manager class with a factory: the kit's wraps it."""
    import voila.app

    made = voila.app.voila_kernel_manager_factory
    voila.app.voila_kernel_manager_factory = lambda *args, **kwargs: wrap(made, *args, **kwargs)


def log_requests_by_path_only() -> None:
    """Tornado's warnings and error logs name a request with its query string
    (``?token=...&me=<rejoin key>``): method and path only."""
    import tornado.httputil
    import tornado.web

    def request_summary(handler) -> str:
        return f"{handler.request.method} {handler.request.path}"

    def request_repr(request) -> str:
        return f"{type(request).__name__}(method={request.method!r}, path={request.path!r})"

    tornado.web.RequestHandler._request_summary = request_summary
    tornado.httputil.HTTPServerRequest.__repr__ = request_repr

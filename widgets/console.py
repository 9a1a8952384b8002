"""The facilitator's console: the join link and its QR code, then each activity's panel.

The console is served on 127.0.0.1 only; participants cannot open it.
"""

from __future__ import annotations

import io
import os

import ipywidgets as ipw

from coproduction.store import Store

from .base import asked, css, label, page_or_problem
from .consent import ConsentConsole
from .feedback import FeedbackConsole
from .language import LanguageConsole
from .methods import MethodsConsole
from .timeline import TimelineConsole


def qr_png(text: str) -> bytes:
    """The QR code of ``text`` as PNG bytes (drawn locally, nothing fetched)."""
    import segno

    buffer = io.BytesIO()
    segno.make(text, error="m").save(buffer, kind="png", scale=6, border=2)
    return buffer.getvalue()


class FacilitatorConsole(ipw.VBox):
    """Everything the facilitator steers, on one page."""

    def __init__(self, store: Store, join_url: str = ""):
        super().__init__(_dom_classes=css("page", "console"))
        self.store = store
        workshop = store.workshop()
        header = [label(f"Console: {workshop['title']}", "workshop-title"),
                  label(f"Workshop code: {workshop['code']}", "workshop-code")]
        if join_url:
            qr = ipw.Image(value=qr_png(join_url), format="png",
                           layout=ipw.Layout(height="220px"), _dom_classes=css("join-qr"))
            header += [label("People join with this link:", "join-intro"),
                       label(join_url, "join-link"),
                       asked("Or they scan this code with a phone camera:", qr, "join-qr-box")]
            qr.layout.width = "220px"
        else:
            header.append(label("Start the workshop with 'coproduction serve' to get a join "
                                "link.", "join-intro"))
        self.language = LanguageConsole(store)
        self.methods = MethodsConsole(store)
        self.timeline = TimelineConsole(store)
        self.feedback = FeedbackConsole(store)
        self.consent = ConsentConsole(store)
        tabs = [("Shared language", self.language), ("Method selection", self.methods),
                ("Timeline", self.timeline), ("Feedback and pauses", self.feedback),
                ("People, consent and pay", self.consent)]
        self.tabs = ipw.Tab(children=[panel for _, panel in tabs],
                            titles=[title for title, _ in tabs], _dom_classes=css("activities"))
        # New pause signals show above the tabs, whichever tab is open.
        self.children = [ipw.VBox(header, _dom_classes=css("header")), self.feedback.alert,
                         self.tabs]
        for _, panel in tabs:
            panel.start()


def console_page(workshop=None) -> ipw.Widget:
    """The page the facilitator's console notebook shows."""
    return page_or_problem(lambda: FacilitatorConsole(
        Store.open(workshop), os.environ.get("COPRODUCTION_JOIN_URL", "")))

"""Hostile text typed in a real browser is shown as text everywhere, and nothing runs.

tests/test_hostile_input.py tries every field without a browser. Here real Chromium
types the strings that would run if they reached a page as markup into the shared
board's fields; another participant's page, the console, the evaluation report and the
export are then opened with every page listening for dialogs (alert), script errors and
injected elements.
"""

from __future__ import annotations

import pytest
from harness import chromium, coproduction, served_workshop

pytestmark = pytest.mark.browser

#: Typed as a new hard word and as a plainer wording.
TYPED = ["<script>alert(1)</script>", "<img src=x onerror=alert(2)>",
         "<a href='javascript:alert(3)'>help</a>", "javascript:alert(4)",
         "$$x^2$$ and $\\href{javascript:alert(5)}{y}$", "I paid $5 and $10 for the bus",
         "hello 👩‍👩‍👧 🙂 مرحبا بالجميع"]
#: What a page shows for a string the engine cleaned (direction overrides removed).
CLEANED = {"\u202eevil.exe\u202c": "evil.exe"}

INJECTED = """() => {
  const inside = document.querySelector('#rendered_cells') || document.body;
  return {
    scripts: Array.from(inside.querySelectorAll('.jupyter-widgets script')).length,
    images: inside.querySelectorAll('img[src="x"]').length,
    links: inside.querySelectorAll('a[href^="javascript"]').length,
    math: document.querySelectorAll('mjx-container, .MathJax, .katex').length,
  };
}"""


def watch(page, faults: list[str]) -> None:
    page.on("dialog", lambda d: (faults.append(f"dialog: {d.message}"), d.dismiss()))
    page.on("pageerror", lambda error: faults.append(f"script error: {error}"))


def test_hostile_text_is_only_ever_text_in_the_browser(tmp_path):
    from playwright.sync_api import expect, sync_playwright

    from coproduction.activities.consensus import ConsensusRule
    from coproduction.activities.shared_language import SharedLanguage
    from coproduction.core.sessions import create_session, open_round
    from coproduction.store import Store

    faults: list[str] = []
    with served_workshop(tmp_path, "Hostile text") as (server, workshop):
        with Store.open(workshop) as store:
            session_id = create_session(store, "language", "Our letters")
            open_round(store, session_id)
            engine = SharedLanguage(store, session_id)
            engine.put_text("Invitation", "The SENCO will see you at the TAC.")
            engine.set_rule(ConsensusRule(min_votes=1))
        with sync_playwright() as p:
            browser = chromium(p)
            pages = {}
            for name, url, width in (("Ana", server.join, 390), ("Bo", server.join, 390),
                                     ("console", server.console, 1100)):
                page = browser.new_context(viewport={"width": width, "height": 4000}).new_page()
                watch(page, faults)
                page.goto(url)
                if name == "console":
                    expect(page.locator(".coproduction-language-console")).to_be_visible(
                        timeout=60_000)
                else:
                    page.locator(".coproduction-join-name input").fill(name)
                    page.locator(".coproduction-join-button").click()
                    expect(page.locator(".coproduction-you-are")).to_be_visible(timeout=30_000)
                pages[name] = page
            ana, bo, console = pages["Ana"], pages["Bo"], pages["console"]

            tac = ana.locator(".coproduction-term", has_text="TAC")
            for number, text in enumerate([*TYPED, *CLEANED], start=1):
                box = tac.locator(".coproduction-propose-input input")
                box.fill(text)
                box.press("Enter")
                tac.locator(".coproduction-propose-button").click()
                expect(tac.locator(".coproduction-wording")).to_have_count(number,
                                                                           timeout=10_000)
            for number, text in enumerate(TYPED[:3], start=3):  # after SENCO and TAC
                flag = ana.locator(".coproduction-flag-input input")
                flag.fill(text)
                flag.press("Enter")
                ana.locator(".coproduction-flag-button").click()
                expect(bo.locator(".coproduction-term-name")).to_have_count(number,
                                                                            timeout=10_000)

            shown = [CLEANED.get(text, text) for text in [*TYPED, *CLEANED]]
            for page in (bo, console):
                wordings = page.locator(".coproduction-term", has_text="TAC").locator(
                    ".coproduction-wording")
                expect(wordings).to_have_count(len(shown), timeout=30_000)
                assert wordings.all_text_contents() == shown
                expect(page.locator(".coproduction-term-name")).to_have_count(5,
                                                                            timeout=10_000)
                assert page.locator(".coproduction-term-name").all_text_contents()[2:] == \
                    TYPED[:3]
            for page in (ana, bo, console):
                assert page.evaluate(INJECTED) == {"scripts": 0, "images": 0, "links": 0,
                                                   "math": 0}

            # Agree to a hostile wording, so the evaluation report carries it.
            ana.locator(".coproduction-proposal", has_text=TYPED[1]).get_by_role(
                "button", name="Agree", exact=True).click()
            expect(bo.locator(".coproduction-proposal", has_text=TYPED[1]).locator(
                ".coproduction-decision")).to_contain_text("Agreed", timeout=10_000)
            with Store.open(workshop) as store:
                SharedLanguage(store, session_id).confirm_glossary()
            expect(bo.locator(".coproduction-glossary-entry")).to_have_text(
                f"TAC: {TYPED[1]}", timeout=10_000)

            out = tmp_path / "evaluation"
            made = coproduction("evaluate", "--workshop", workshop, "--out", out)
            assert made.returncode == 0, made.stderr
            exported = tmp_path / "export"
            assert coproduction("export", "--workshop", workshop, "--out",
                                exported).returncode == 0
            report = browser.new_page()
            watch(report, faults)
            report.goto((out / "report.html").as_uri())
            expect(report.get_by_text(TYPED[1], exact=True).first).to_be_visible()
            assert report.evaluate(INJECTED)["images"] == 0
            package = browser.new_page()
            watch(package, faults)
            package.goto((exported / "datapackage.json").as_uri())
            assert '"name": "proposals"' in package.locator("body").inner_text()
            browser.close()
    assert faults == []

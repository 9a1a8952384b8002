"""Take the screenshots the README and the guides show, from the demo workshop.

    python facilitation_guides/take_screenshots.py

Starts the kit's servers on 127.0.0.1 with a fresh copy of the demo workshop,
opens the console and a participant page in headless Chromium (a phone-sized
page for the participant), and writes PNG files to facilitation_guides/images/.
Everyone shown is made up.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from harness import chromium, running_servers  # noqa: E402

from coproduction.demo import DEMO_CODE, make_demo  # noqa: E402

IMAGES = ROOT / "facilitation_guides" / "images"


def main() -> int:
    from playwright.sync_api import sync_playwright

    IMAGES.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        workshop = Path(tmp) / "demo"
        make_demo(workshop).close()
        with running_servers(workshop, workshop_code=DEMO_CODE) as servers, \
                sync_playwright() as p:
            browser = chromium(p)
            # Voila scrolls inside an inner element, so use tall pages, not full-page shots.
            phone = browser.new_context(viewport={"width": 390, "height": 1700},
                                        device_scale_factor=1).new_page()
            phone.goto(servers.join_url)
            phone.locator(".coproduction-join-name input").wait_for(timeout=60_000)
            phone.wait_for_timeout(500)
            phone.screenshot(path=IMAGES / "join.png")
            phone.locator(".coproduction-join-name input").fill("Rowan")
            phone.locator(".coproduction-join-button").click()
            phone.locator(".coproduction-language-board").wait_for(timeout=60_000)
            phone.wait_for_timeout(800)
            phone.screenshot(path=IMAGES / "participant.png")
            # The same person on each other activity: the address carries their rejoin key.
            language_url = phone.url
            for activity in ("methods", "timeline", "feedback"):
                phone.goto(language_url.replace("/language.ipynb", f"/{activity}.ipynb"))
                phone.locator(".coproduction-you-are").wait_for(timeout=60_000)
                phone.wait_for_timeout(800)
                phone.screenshot(path=IMAGES / f"participant-{activity}.png")
            console = browser.new_context(viewport={"width": 1100, "height": 2200}).new_page()
            console.goto(servers.console_url)
            console.locator(".coproduction-language-console").wait_for(timeout=60_000)
            console.wait_for_timeout(800)
            console.screenshot(path=IMAGES / "console.png")
            browser.close()
    for name in ("join", "participant", "participant-methods", "participant-timeline",
                 "participant-feedback", "console"):
        print(IMAGES / f"{name}.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())

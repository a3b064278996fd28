"""Browser test: a citizen submits the web form in headless Chromium and reads the case page.

Run by ./scripts/worker-test against a running Worker (MINYI_E2E_URL, loopback only). Uses
Debian's chromium (/usr/bin/chromium) driven by Playwright; nothing is downloaded at run time.
Prints one closing line `browser: N passed, M failed` and exits non-zero on any failure. A screenshot
of each page is written to MINYI_SCREENSHOTS (default: a temporary directory) for people.
"""

import os
import sys
import tempfile
import traceback
from urllib.parse import urlparse

from playwright.sync_api import sync_playwright

BASE = os.environ["MINYI_E2E_URL"].rstrip("/")
assert urlparse(BASE).hostname in ("127.0.0.1", "localhost"), "loopback only"
SHOTS = os.environ.get("MINYI_SCREENSHOTS") or tempfile.mkdtemp(prefix="minyi-shots-")
ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def submit_and_read(page):
    page.goto(f"{BASE}/submit")
    page.select_option("select[name=category]", "complaint")
    page.fill("input[name=title]", "路灯夜间不亮")
    page.fill("textarea[name=body]", "人民路与解放路交叉口的路灯已经一周不亮，夜间出行不安全。")
    page.fill("input[name=name]", "赵六")
    page.fill("input[name=phone]", "13600136000")
    page.check("input[name=publish][value=yes]")
    page.check("input[name=consent]")
    page.screenshot(path=f"{SHOTS}/1-form.png", full_page=True)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    page.screenshot(path=f"{SHOTS}/2-confirmation.png", full_page=True)
    tracking = page.inner_text("#tracking").strip()
    assert len(tracking.replace("-", "")) == 9, f"tracking number shown: {tracking!r}"
    page.goto(f"{BASE}/cases/{tracking}")
    page.screenshot(path=f"{SHOTS}/3-case.png", full_page=True)
    text = page.inner_text("main")
    assert "路灯夜间不亮" in text, "the case page shows the title"
    assert "赵六" not in page.content() and "13600136000" not in page.content(), "no personal data"


def form_errors_keep_input(page):
    page.goto(f"{BASE}/submit?lang=en")
    page.fill("input[name=title]", "Only a title")
    # The form marks required fields for the browser; switch that off to see the server's own
    # checks, which must hold for clients that skip them.
    page.evaluate("document.querySelector('main form').noValidate = true")
    page.click("button[type=submit]")
    page.wait_for_load_state()
    page.screenshot(path=f"{SHOTS}/4-errors.png", full_page=True)
    assert page.input_value("input[name=title]") == "Only a title", "input kept"
    assert "Required" in page.inner_text("main") or "Choose" in page.inner_text("main")


def main():
    passed = failed = 0
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        for test in (submit_and_read, form_errors_keep_input):
            page = browser.new_page(viewport={"width": 390, "height": 844})
            try:
                test(page)
                passed += 1
                print(f"ok   {test.__name__}")
            except Exception:
                failed += 1
                print(f"FAIL {test.__name__}")
                traceback.print_exc()
            finally:
                page.close()
        browser.close()
    print(f"screenshots: {SHOTS}")
    print(f"browser: {passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()

"""Browser test: one case walked through the desk in headless Chromium, as people do it.

A citizen calls the hotline: the operator logs in (password and authenticator code), registers
the call with its real receipt time on the intake form, reads the tracking number and query
code to the citizen, and dispatches it; the department's handler accepts it and writes the
reply; the department head signs it off; the reviewer approves and publishes it; the citizen
reads the reply on the public case page and rates it there with the query code; a supervisor
sees the month's statistics with their chart, and the public its statistics page. The staff
accounts are made first through the desk's API (the first admin with the deployment's ops
secret).

Needs a running deployment serving the public site and /desk/ at MINYI_E2E_URL (loopback
only), its ops secret in MINYI_OPS_SECRET, and either no staff account yet or the admin that
tests/desk_e2e.rs makes (the same login and password). Run by ./scripts/spin-test and
./scripts/worker-test. Prints `browser: N passed, M failed`.
Screenshots go to MINYI_SCREENSHOTS (default: a temporary directory).
"""

import base64
import hashlib
import hmac
import json
import os
import struct
import sys
import tempfile
import time
import traceback
import urllib.error
from datetime import datetime, timedelta, timezone
import urllib.request
from urllib.parse import urlparse

from playwright.sync_api import sync_playwright

BASE = os.environ["MINYI_E2E_URL"].rstrip("/")
assert urlparse(BASE).hostname in ("127.0.0.1", "localhost"), "loopback only"
OPS = os.environ["MINYI_OPS_SECRET"]
SHOTS = os.environ.get("MINYI_SCREENSHOTS") or tempfile.mkdtemp(prefix="minyi-desk-shots-")
PASSWORD = "correct horse battery staple"
ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def api(path, body, token=None, auth=None):
    headers = {"content-type": "application/json"}
    if token or auth:
        headers["authorization"] = f"Bearer {token or auth}"
    req = urllib.request.Request(f"{BASE}{path}", json.dumps(body).encode(), headers, method="POST")
    with urllib.request.urlopen(req, timeout=60) as r:
        return json.load(r)


def totp(secret_b32):
    """RFC 6238: HMAC-SHA1, 30-second steps, six digits."""
    key = base64.b32decode(secret_b32 + "=" * (-len(secret_b32) % 8))
    digest = hmac.new(key, struct.pack(">Q", int(time.time()) // 30), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return f"{(struct.unpack('>I', digest[offset:offset + 4])[0] & 0x7FFFFFFF) % 1000000:06d}"


def accounts():
    try:
        api("/desk/setup", {"login": "admin", "display_name": "管理员", "password": PASSWORD}, auth=OPS)
    except urllib.error.HTTPError as e:
        assert e.code == 409, f"setup: {e.code}"  # the end-to-end suite made the admin
    admin = api("/desk/api/session", {"login": "admin", "password": PASSWORD, "code": ""})["token"]
    secrets = {}
    for login, role in [("walk-operator", "operator"), ("walk-handler", "handler:1"),
                        ("walk-head", "head:1"), ("walk-reviewer", "reviewer"),
                        ("walk-supervisor", "supervisor")]:
        made = api("/desk/api/accounts", {"login": login, "display_name": login, "password": PASSWORD,
                                          "roles": [role]}, token=admin)
        uri = made.get("totp_uri")
        secrets[login] = uri.split("secret=")[1].split("&")[0] if uri else None
    return secrets


def log_in(page, login, secret, shot):
    page.goto(f"{BASE}/desk/login")
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", PASSWORD)
    if secret:
        page.fill("input[name=code]", totp(secret))
    page.screenshot(path=f"{SHOTS}/{shot}-login.png", full_page=True)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    assert page.url.endswith("/desk/"), f"{login} reached the queues: {page.url}"


def log_out(page):
    page.goto(f"{BASE}/desk/")
    page.click("form[action='/desk/logout'] button")
    page.wait_for_load_state()


def act(page, tracking, action, fill=None):
    page.goto(f"{BASE}/desk/cases/{tracking}")
    form = f"form[action='/desk/cases/{tracking}/{action}']"
    for selector, value in (fill or {}).items():
        element = page.locator(f"{form} {selector}")
        if element.evaluate("e => e.tagName") == "SELECT":
            element.select_option(value)
        else:
            element.fill(value)
    page.click(f"{form} button[type=submit]")
    page.wait_for_load_state()


def walk(page, secrets):
    log_in(page, "walk-operator", secrets["walk-operator"], "1-operator")
    page.click("a[href='/desk/intake']")
    page.wait_for_load_state()
    called = datetime.now(timezone(timedelta(hours=8))) - timedelta(minutes=40)
    page.select_option("select[name=channel]", "phone")
    page.fill("input[name=received_at]", called.strftime("%Y-%m-%dT%H:%M"))
    page.select_option("select[name=category]", "complaint")
    page.fill("input[name=title]", "小区门口路灯不亮")
    page.fill("textarea[name=body]", "幸福小区门口的路灯已经坏了两周，晚上回家很不方便。")
    page.fill("input[name=name]", "钱七")
    page.fill("input[name=phone]", "13500135000")
    page.check("input[name=publish]")
    page.screenshot(path=f"{SHOTS}/2-intake.png", full_page=True)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    shown = page.inner_text("#tracking").strip()
    code = page.inner_text("#query-code").strip()
    tracking = shown.replace("-", "")
    page.screenshot(path=f"{SHOTS}/3-registered.png", full_page=True)
    page.goto(f"{BASE}/desk/")
    assert tracking in page.inner_text("main"), "the new case waits in the operator's queue"
    page.goto(f"{BASE}/desk/cases/{shown}")
    assert "13500135000" in page.inner_text("main"), "the operator sees the contact"
    act(page, tracking, "dispatch", {"select[name=lead]": "1", "select[name=method]": "phone"})
    assert "电话交办" in page.inner_text("main") or "By phone" in page.inner_text("main")
    log_out(page)

    log_in(page, "walk-handler", secrets["walk-handler"], "4-handler")
    assert tracking in page.inner_text("main"), "the case waits in the department's queue"
    page.screenshot(path=f"{SHOTS}/5-handler-queue.png", full_page=True)
    act(page, tracking, "accept")
    act(page, tracking, "draft", {"textarea[name=body]": "已安排维修，路灯于次日恢复照明。",
                                  "select[name=truthfulness]": "true", "select[name=grade]": "A"})
    log_out(page)

    log_in(page, "walk-head", secrets["walk-head"], "6-head")
    assert tracking in page.inner_text("main"), "the draft waits for the head's sign-off"
    act(page, tracking, "sign-off")
    log_out(page)

    log_in(page, "walk-reviewer", secrets["walk-reviewer"], "7-reviewer")
    act(page, tracking, "approve")
    act(page, tracking, "publish", {"select[name=visibility]": "public"})
    log_out(page)

    page.goto(f"{BASE}/cases/{tracking}")
    text = page.inner_text("main")
    assert "已安排维修" in text, "the citizen reads the published reply"
    assert "13500135000" not in page.content() and "钱七" not in page.content(), "no personal data"
    page.check("#rate input[name=rating][value=satisfied]")
    page.fill("#rate-code", code)
    page.screenshot(path=f"{SHOTS}/8-rate.png", full_page=True)
    page.click("#rate button[type=submit]")
    page.wait_for_load_state()
    page.screenshot(path=f"{SHOTS}/9-rated.png", full_page=True)
    assert "评价已收到" in page.inner_text("main"), "the rating was received"
    # The rating purged the edge cache's copies at once; the public Worker's isolate keeps its
    # own copy of the page read above for at most a second (docs/cache.md).
    page.wait_for_timeout(1100)
    page.goto(f"{BASE}/cases/{tracking}")
    assert "已办结" in page.inner_text("#status"), "the rating closed the case"

    # The month's statistics, as a supervisor sees them: the chart is drawn server-side.
    log_in(page, "walk-supervisor", secrets["walk-supervisor"], "10-supervisor")
    page.click("a[href='/desk/statistics']")
    page.wait_for_load_state()
    assert page.locator("#on-time-chart rect").count() >= 1, "the chart draws a bar"
    assert "市城管局" in page.inner_text("#statistics"), "the department is counted"
    page.screenshot(path=f"{SHOTS}/11-statistics.png", full_page=True)
    log_out(page)
    page.goto(f"{BASE}/statistics")
    assert page.locator("#topics").count() == 1, "the public hot topics"
    page.screenshot(path=f"{SHOTS}/12-public-statistics.png", full_page=True)


def main():
    passed = failed = 0
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        try:
            secrets = accounts()
            page = browser.new_context(locale="zh-CN").new_page()
            page.set_default_timeout(30_000)
            walk(page, secrets)
            print("ok   desk_walk")
            passed += 1
        except Exception:  # noqa: BLE001 - any failure is the test's failure
            traceback.print_exc()
            print("FAIL desk_walk")
            failed += 1
        finally:
            browser.close()
    # Both on standard output, the closing line last and on a line of its own: the suite's
    # count reads it (a stderr line could land in front of it).
    print(f"screenshots: {SHOTS}")
    print(f"browser: {passed} passed, {failed} failed", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

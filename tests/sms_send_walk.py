#!/usr/bin/env python3
"""Outbound SMS through Aliyun's or Tencent Cloud's SendSms end to end, on any runtime
(scripts/worker-test, scripts/spin-test).

Usage: sms_send_walk.py BASE_URL PROVIDER FAKE_URL RECORD (--sqlite DB | --d1 PERSIST_DIR CONFIG)
Environment: MINYI_SMS_CALLBACK_TOKEN, MINYI_OPS_SECRET, FAKE_SMS_KEY_ID (the values the server
under test was given).

The server under test sends through PROVIDER (aliyun or tencent) to the fake provider at
FAKE_URL (tests/fakes/sms_gateway.py in that mode, which checks every signature with the
provider's own SDK and records what it accepts in RECORD). The walk:
  1. shows the fake refuses a request with a forged signature (so acceptance below means the
     server signed as the provider does);
  2. pushes a citizen's text message through the provider's own webhook: a case, and its
     answer (sms_answer) waiting in the outbox;
  3. adds, in the store, the messages a reminder (to department 1) and a reply (to the
     citizen) of that case write (the rows cases::store_transition writes), and makes the
     department reachable;
  4. runs the sweep (POST /ops/sweep): the three messages reach the fake once each, with the
     configured templates and their parameters (the tracking number, the department, the
     deadline; the answer's text without its signature);
  5. posts the provider's delivery report for each to the existing webhook
     (/sms/aliyun/{token}/report by biz_id, /sms/tencent/{token}/status by sid) and checks,
     in the store, that each message is closed as delivered under the provider's id.
Prints one line per check and "sms-send: N passed, M failed"; exits non-zero on a failure.
Sends nothing anywhere but BASE_URL and FAKE_URL (loopback).
"""

import json
import os
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

BASE = sys.argv[1].rstrip("/")
PROVIDER = sys.argv[2]
FAKE = sys.argv[3].rstrip("/") + "/"
RECORD = sys.argv[4]
STORE = sys.argv[5:]
CALLBACK = os.environ["MINYI_SMS_CALLBACK_TOKEN"]
OPS = os.environ["MINYI_OPS_SECRET"]
KEY_ID = os.environ["FAKE_SMS_KEY_ID"]
# The templates the server was given (MINYI_SMS_TEMPLATES in the calling script).
TEMPLATES = {"reminded": "SMS_900001", "replied": "SMS_900002", "sms_answer": "SMS_900003"}
if PROVIDER == "tencent":
    TEMPLATES = {"reminded": "900001", "replied": "900002", "sms_answer": "900003"}
CITIZEN = "13700137031"
DEPARTMENT = "13900139031"
passed = failed = 0


def check(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print(f"ok   {PROVIDER}: {name}")
    else:
        failed += 1
        print(f"FAIL {PROVIDER}: {name}: {detail}")


def request(url, body=None, headers=None, method="POST"):
    req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def push(path, items):
    return request(BASE + path, json.dumps(items, ensure_ascii=False).encode(),
                   {"content-type": "application/json"})


def sql(statement):
    """Rows of one statement on the server's store (between its requests)."""
    if STORE[0] == "--sqlite":
        db = sqlite3.connect(STORE[1])
        rows = db.execute(statement).fetchall()
        db.commit()
        db.close()
        return rows
    persist, config = STORE[1], STORE[2]
    # A second process on the session's local D1: it can find the database busy while the
    # session writes (a delivery report just taken), so a refused read is tried again.
    for attempt in range(3):
        out = subprocess.run(
            ["node_modules/.bin/wrangler", "d1", "execute", "DB", "--local", "-c", config,
             "--persist-to", persist, "--json", "--command", statement],
            stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=300)
        if out.returncode == 0:
            return [tuple(r.values()) for r in json.loads(out.stdout)[0]["results"]]
        print(f"wrangler d1 execute failed (attempt {attempt + 1}): {out.stderr.strip()[-400:]}",
              file=sys.stderr)
        time.sleep(1)
    raise SystemExit(f"wrangler d1 execute kept failing: {statement}")


def records():
    with open(RECORD, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


# 1. The fake checks signatures: a forged one is refused and nothing is recorded.
if PROVIDER == "aliyun":
    forged = urllib.parse.urlencode({
        "AccessKeyId": KEY_ID, "Action": "SendSms", "Format": "JSON", "OutId": "forged",
        "PhoneNumbers": CITIZEN, "RegionId": "cn-hangzhou", "SignName": "民意",
        "SignatureMethod": "HMAC-SHA1", "SignatureNonce": "forged-nonce",
        "SignatureVersion": "1.0", "TemplateCode": "SMS_900003",
        "TemplateParam": '{"text":"x"}', "Timestamp": __import__("time").strftime(
            "%Y-%m-%dT%H:%M:%SZ", __import__("time").gmtime()),
        "Version": "2017-05-25", "Signature": "zJDF+Lrzhj/ThnlvIToysFRq6t4="}).encode()
    status, answer = request(FAKE, forged, {"content-type": "application/x-www-form-urlencoded"})
    refused = "SignatureDoesNotMatch" in answer
else:
    stamp = str(int(__import__("time").time()))
    date = __import__("time").strftime("%Y-%m-%d", __import__("time").gmtime(int(stamp)))
    status, answer = request(FAKE, b'{"SessionContext":"forged"}', {
        "content-type": "application/json; charset=utf-8",
        "authorization": f"TC3-HMAC-SHA256 Credential={KEY_ID}/{date}/sms/tc3_request, "
                         "SignedHeaders=content-type;host, Signature=" + "0" * 64,
        "x-tc-action": "SendSms", "x-tc-version": "2021-01-11", "x-tc-timestamp": stamp,
        "x-tc-region": "ap-guangzhou"})
    refused = "AuthFailure.SignatureFailure" in answer
check("the fake provider refuses a forged signature", refused and not records(),
      f"{status} {answer}")

# 2. A citizen's text message through the provider's webhook: a case and its answer.
if PROVIDER == "aliyun":
    status, answer = push(f"/sms/aliyun/{CALLBACK}/up", [{
        "phone_number": CITIZEN, "content": "小区门口路灯坏了一周，晚上很黑，请尽快修理",
        "send_time": "2026-11-27 10:00:00", "dest_code": "1069", "sequence_id": 990031}])
else:
    status, answer = push(f"/sms/tencent/{CALLBACK}/reply", [{
        "mobile": CITIZEN, "nationcode": "86", "text": "小区门口路灯坏了一周，晚上很黑，请尽快修理",
        "sign": "民意", "time": 1764208800, "extend": ""}])
check("the citizen's message is taken", status == 200, f"{status} {answer}")
case = sql("SELECT id, tracking_no FROM \"case\" WHERE channel = 'sms' ORDER BY id DESC LIMIT 1")
check("it became a case", len(case) == 1, case)
case_id, tracking = case[0] if case else (0, "XXXXXXXXX")
grouped = f"{tracking[0:3]}-{tracking[3:6]}-{tracking[6:9]}"

# 3. A reminder's and a reply's messages, as the case's transitions write them.
due_ms = 1764604800000  # 2025-12-02 00:00 in Beijing
sql(f"UPDATE department SET notice_phone = '{DEPARTMENT}' WHERE id = 1")
sql("INSERT INTO outbox (dedupe_key, case_id, kind, recipient, department_id, due_at, "
    f"next_attempt_at, created_at) VALUES ('{case_id}/90/dept/1', {case_id}, 'reminded', "
    f"'department', 1, {due_ms}, 1, 1)")
sql("INSERT INTO outbox (dedupe_key, case_id, kind, recipient, department_id, due_at, "
    f"next_attempt_at, created_at) VALUES ('{case_id}/91/citizen', {case_id}, 'replied', "
    f"'citizen', NULL, {due_ms}, 1, 1)")

# 4. The sweep sends the three through the provider, signed as it checks.
status, answer = request(BASE + "/ops/sweep", b"", {"authorization": f"Bearer {OPS}"})
try:
    sent = json.loads(answer)["outbox"]
except (ValueError, KeyError):
    sent = {}
check("the sweep sends three messages, none refused or retried",
      status == 200 and sent.get("sent") == 3 and sent.get("failed") == 0
      and sent.get("retrying") == 0, f"{status} {answer}")
got = records()
by_template = {r["body"]["template"]: r for r in got}
check("the fake provider accepted three, each once, under the outbox's ids",
      len(got) == 3 and len({r["body"]["id"] for r in got}) == 3
      and {f"{case_id}/90/dept/1", f"{case_id}/91/citizen"} <= {r["body"]["id"] for r in got},
      [r["body"] for r in got])


def params(kind):
    record = by_template.get(TEMPLATES[kind])
    return record["body"]["params"] if record else None


want = {
    "reminded": {"department": "市城管局", "tracking": grouped, "due": "2025-12-02 00:00"},
    "replied": {"tracking": grouped},
}
order = {"reminded": ["department", "tracking", "due"], "replied": ["tracking"]}
for kind, expected in want.items():
    have = params(kind)
    if PROVIDER == "tencent":
        expected = [expected[name] for name in order[kind]]
    check(f"{kind}: its template with the case's parameters", have == expected,
          f"{have} != {expected}")
answer_params = params("sms_answer")
text = (answer_params or {}).get("text") if PROVIDER == "aliyun" else (answer_params or [""])[0]
check("sms_answer: one text parameter, the answer without its signature",
      isinstance(text, str) and grouped.replace("-", "") in text.replace("-", "")
      and not text.startswith("【") and (PROVIDER == "aliyun" or len(answer_params) == 1),
      answer_params)
check("to the department's and the citizen's numbers",
      sorted(r["body"]["to"].removeprefix("+86") for r in got)
      == sorted([DEPARTMENT, CITIZEN, CITIZEN]), [r["body"]["to"] for r in got])

# 5. The provider's delivery reports close the messages.
for r in got:
    to = r["body"]["to"].removeprefix("+86")
    if PROVIDER == "aliyun":
        status, answer = push(f"/sms/aliyun/{CALLBACK}/report", [{
            "phone_number": to, "send_time": "2026-11-27 10:00:01",
            "report_time": "2026-11-27 10:00:05", "success": True, "err_code": "DELIVERED",
            "err_msg": "用户接收成功", "biz_id": r["ref"], "out_id": r["body"]["id"]}])
    else:
        status, answer = push(f"/sms/tencent/{CALLBACK}/status", [{
            "user_receive_time": "2026-11-27 10:00:05", "nationcode": "86", "mobile": to,
            "report_status": "SUCCESS", "errmsg": "DELIVRD", "description": "用户短信送达成功",
            "sid": r["ref"]}])
    check(f"the delivery report of {r['body']['id']} is taken", status == 200,
          f"{status} {answer}")
closed = sql(f"SELECT dedupe_key, provider, provider_ref, state FROM outbox WHERE case_id = {case_id} "
             "ORDER BY dedupe_key")
want_closed = sorted((r["body"]["id"], PROVIDER, r["ref"], "delivered") for r in got)
check("each message is closed as delivered under the provider's id",
      sorted(tuple(row) for row in closed) == want_closed and len(closed) == 3,
      f"{closed} != {want_closed}")

print(f"sms-send: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)

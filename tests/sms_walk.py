#!/usr/bin/env python3
"""The SMS webhooks end to end over HTTP, on any runtime (scripts/worker-test, scripts/spin-test).

Usage: sms_walk.py BASE_URL
Environment: MINYI_SMS_PUBLIC_URL (the origin the deployment says Twilio calls),
MINYI_TWILIO_AUTH_TOKEN, MINYI_SMS_CALLBACK_TOKEN — the values the server under test was given.

Twilio's requests are signed by PyPI twilio's RequestValidator (Twilio's own implementation,
independent of the function's); Aliyun's and Tencent Cloud's pushes are sent in their formats.
Each step checks what the provider would see; the calling script checks the store afterwards
(one case per message, nothing stored for refused requests). Prints one line per step and
"sms: N passed, M failed". Sends nothing anywhere but BASE_URL (loopback).
"""

import json
import os
import re
import sys
import urllib.error
import urllib.parse
import urllib.request

from twilio.request_validator import RequestValidator

BASE = sys.argv[1].rstrip("/")
PUBLIC = os.environ["MINYI_SMS_PUBLIC_URL"].rstrip("/")
TOKEN = os.environ["MINYI_TWILIO_AUTH_TOKEN"]
CALLBACK = os.environ["MINYI_SMS_CALLBACK_TOKEN"]
validator = RequestValidator(TOKEN)
passed = failed = 0


def check(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print(f"ok   {name}")
    else:
        failed += 1
        print(f"FAIL {name}: {detail}")


def request(method, path, body=None, headers=None):
    req = urllib.request.Request(BASE + path, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.headers.get("content-type", ""), r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("content-type", ""), e.read().decode()


def twilio(sid, sender, text, signature=None):
    params = {"MessageSid": sid, "AccountSid": "AC00000000000000000000000000000000",
              "From": sender, "To": "+8610690000", "Body": text, "NumMedia": "0"}
    signed = validator.compute_signature(PUBLIC + "/sms/twilio", params)
    return request("POST", "/sms/twilio", urllib.parse.urlencode(params).encode(), {
        "content-type": "application/x-www-form-urlencoded",
        "x-twilio-signature": signature if signature is not None else signed,
    })


def push(path, payload):
    return request("POST", path, json.dumps(payload, ensure_ascii=False).encode(),
                   {"content-type": "application/json"})


def message(twiml):
    m = re.search(r"<Message>(.*?)</Message>", twiml)
    return m.group(1) if m else None


# Twilio: a message becomes a case, answered inline in TwiML.
status, kind, body = twilio("SM0001", "+8613700137000", "人民路路灯坏了一周")
answer = message(body) or ""
check("twilio: signed message answered in TwiML with its tracking number",
      status == 200 and kind.startswith("text/xml") and "已受理" in answer, f"{status} {body}")
tracking = answer.rsplit(" ", 1)[-1]
status, _, body = twilio("SM0001", "+8613700137000", "人民路路灯坏了一周")
check("twilio: the same message again gets an empty <Response/>",
      status == 200 and body.endswith("<Response/>"), body)
for bad in ["", "AAAA", validator.compute_signature(PUBLIC + "/sms/other", {})]:
    status, _, _ = twilio("SM0099", "+8613700137000", "伪造的消息", signature=bad)
    check(f"twilio: a bad signature ({bad[:6]!r}) is refused", status == 403, str(status))
status, _, body = twilio("SM0002", "+8613700137000", f"ｃｘ　{tracking.lower()}")
check("twilio: CX in full-width, typed loosely, answers the case's progress",
      tracking in (message(body) or ""), body)
status, _, body = twilio("SM0003", "+8613900139000", f"CX {tracking}")
check("twilio: another number cannot read it", "未找到" in (message(body) or ""), body)
status, _, body = twilio("SM0004", "+8613700137000", "TD")
check("twilio: TD opts the sender out", "退订" in (message(body) or ""), body)

# Aliyun: connectivity check, an inbound push, the same push again, a wrong token.
aliyun = f"/sms/aliyun/{CALLBACK}"
status, _, body = request("GET", aliyun + "/up")
check("aliyun: the connectivity check is answered",
      status == 200 and json.loads(body) == {"code": 0, "msg": "接收成功"}, body)
up = [{"phone_number": "13800138000", "content": "小区垃圾无人清运", "send_time": "2026-11-27 09:00:00",
       "dest_code": "1069", "sequence_id": 880001}]
for attempt in ("first", "again"):
    status, _, body = push(aliyun + "/up", up)
    check(f"aliyun: SmsUp acknowledged ({attempt})",
          status == 200 and json.loads(body) == {"code": 0, "msg": "接收成功"}, body)
status, _, _ = push("/sms/aliyun/not-the-token/up", up)
check("aliyun: a wrong path token is refused", status == 404, str(status))

# Tencent Cloud: a reply without an id, retried.
reply = {"extend": "", "mobile": "13600136000", "nationcode": "86", "sign": "民意",
         "text": "公交站牌损坏", "time": 1795395600}
for attempt in ("first", "again"):
    status, _, body = push(f"/sms/tencent/{CALLBACK}/reply", reply)
    check(f"tencent: sms_reply acknowledged ({attempt})",
          status == 200 and json.loads(body) == {"result": 0, "errmsg": "OK"}, body)
status, _, _ = push("/sms/tencent/not-the-token/reply", reply)
check("tencent: a wrong path token is refused", status == 404, str(status))

print(f"sms: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)

#!/usr/bin/env python3
"""A fake SMS provider on loopback for the end-to-end runs (never a real provider).

Usage: sms_gateway.py RECORD_FILE PORT_FILE [http|aliyun|tencent]

Listens on 127.0.0.1 (a free port, written to PORT_FILE once listening) and appends each
message it accepts to RECORD_FILE as one JSON line {"path", "authorization", "provider",
"ref", "body": {"id", "to", "text", ...}}. Stop it by its process group.

- http (the default): the city's gateway as the outbox's HTTP provider calls it
  (docs/outbox.md): each POST's JSON body is the record's body; it answers 200 with
  {"id": "fake-N"}, as a gateway that accepted the message would.
- aliyun: Aliyun's SendSms (RPC style, form-encoded POST). Every request's Signature is
  checked with PyPI aliyun-python-sdk-core's own RPC signer (aliyunsdkcore's
  rpc_signature_composer and sha_hmac1), the AccessKeyId, Action, Version, Format and
  signature method must be SendSms's, the Timestamp within 15 minutes, the SignatureNonce
  never seen before. A bad request gets Aliyun's error answer and is not recorded; a good one
  gets {"Code": "OK", "BizId": "fake-biz-N^0", ...}. The record's body: OutId as id,
  PhoneNumbers as to, TemplateCode, the TemplateParam object as params, and text = the
  template code and its parameters (what gateway_tally searches).
- tencent: Tencent Cloud's SendSms (API 3.0, JSON POST). The Authorization header is checked
  with PyPI tencentcloud-sdk-python-common's own TC3 signer (AbstractClient's
  _get_tc3_signature over the request as received: its path, Content-Type and Host headers,
  X-TC-Timestamp and body), the credential's id, date and service, X-TC-Action and
  X-TC-Version, the timestamp within 15 minutes. A bad request gets Tencent's
  AuthFailure answer; a good one gets SendStatusSet [{"Code": "Ok", "SerialNo":
  "fake-serial-N", ...}]. The record's body: SessionContext as id, PhoneNumberSet[0] as to,
  TemplateId, TemplateParamSet as params.

The aliyun and tencent modes read the account from FAKE_SMS_KEY_ID and FAKE_SMS_SECRET, and
need the providers' SDKs (scripts/tools installs them into the venv scripts/lib.sh uses).
"""

import datetime
import json
import os
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

RECORD, PORT_FILE = sys.argv[1], sys.argv[2]
MODE = sys.argv[3] if len(sys.argv) > 3 else "http"
KEY_ID = os.environ.get("FAKE_SMS_KEY_ID", "")
SECRET = os.environ.get("FAKE_SMS_SECRET", "")
lock = threading.Lock()
count = 0
nonces = set()
SKEW = 15 * 60

if MODE == "aliyun":
    from aliyunsdkcore.auth.algorithm import sha_hmac1
    from aliyunsdkcore.auth.composer import rpc_signature_composer
elif MODE == "tencent":
    from tencentcloud.common.abstract_client import AbstractClient
    from tencentcloud.common.http.request import RequestInternal


def aliyun_check(fields):
    """Why Aliyun would refuse these fields, or None (the SDK's own signer decides)."""
    expected = {"Action": "SendSms", "Version": "2017-05-25", "Format": "JSON",
                "SignatureMethod": "HMAC-SHA1", "SignatureVersion": "1.0",
                "AccessKeyId": KEY_ID, "RegionId": "cn-hangzhou"}
    for name, value in expected.items():
        if fields.get(name) != value:
            return ("MissingParameter" if name not in fields else "InvalidParameter",
                    f"{name}: {fields.get(name)!r}")
    for name in ("PhoneNumbers", "SignName", "TemplateCode", "TemplateParam", "OutId",
                 "SignatureNonce", "Timestamp", "Signature"):
        if not fields.get(name):
            return "MissingParameter", name
    try:
        at = datetime.datetime.strptime(fields["Timestamp"], "%Y-%m-%dT%H:%M:%SZ")
    except ValueError:
        return "InvalidTimeStamp.Format", fields["Timestamp"]
    at = at.replace(tzinfo=datetime.timezone.utc).timestamp()
    if abs(at - time.time()) > SKEW:
        return "InvalidTimeStamp.Expired", fields["Timestamp"]
    unsigned = {k: v for k, v in fields.items() if k != "Signature"}
    compose = getattr(rpc_signature_composer, "__compose_string_to_sign")
    want = sha_hmac1.get_sign_string(compose("POST", unsigned), SECRET + "&")
    if want != fields["Signature"]:
        return "SignatureDoesNotMatch", "Specified signature is not matched with our calculation."
    with lock:
        if fields["SignatureNonce"] in nonces:
            return "SignatureNonceUsed", fields["SignatureNonce"]
        nonces.add(fields["SignatureNonce"])
    try:
        params = json.loads(fields["TemplateParam"])
    except ValueError:
        return "isv.INVALID_JSON_PARAM", fields["TemplateParam"]
    if not isinstance(params, dict):
        return "isv.INVALID_JSON_PARAM", fields["TemplateParam"]
    return None


def tencent_check(handler, raw):
    """Why Tencent would refuse this request, or None (the SDK's own TC3 signer decides)."""
    h = handler.headers
    auth = h.get("authorization") or ""
    prefix = "TC3-HMAC-SHA256 Credential="
    if not auth.startswith(prefix):
        return "AuthFailure.InvalidAuthorization", "not TC3-HMAC-SHA256"
    try:
        credential, signed, signature = (p.strip() for p in auth[len(prefix):].split(","))
        key_id, date, service, terminator = credential.split("/")
    except ValueError:
        return "AuthFailure.InvalidAuthorization", auth
    if (key_id, service, terminator) != (KEY_ID, "sms", "tc3_request"):
        return "AuthFailure.SecretIdNotFound", credential
    if signed != "SignedHeaders=content-type;host" or not signature.startswith("Signature="):
        return "AuthFailure.InvalidAuthorization", signed
    if h.get("x-tc-action") != "SendSms" or h.get("x-tc-version") != "2021-01-11":
        return "InvalidAction", f"{h.get('x-tc-action')} {h.get('x-tc-version')}"
    if not h.get("x-tc-region"):
        return "MissingParameter", "X-TC-Region"
    try:
        stamp = int(h.get("x-tc-timestamp") or "")
    except ValueError:
        return "MissingParameter", "X-TC-Timestamp"
    if abs(stamp - time.time()) > SKEW:
        return "AuthFailure.SignatureExpire", str(stamp)
    if date != datetime.datetime.fromtimestamp(stamp, datetime.timezone.utc).strftime("%Y-%m-%d"):
        return "AuthFailure.SignatureFailure", f"date {date}"
    request = RequestInternal(host=h.get("host"), method="POST", uri=handler.path,
                              header={"Content-Type": h.get("content-type"),
                                      "Host": h.get("host"),
                                      "X-TC-Timestamp": h.get("x-tc-timestamp")},
                              data=raw.decode("utf-8"))
    want = AbstractClient._get_tc3_signature(None, None, request, date, "sms", SECRET)
    if signature != "Signature=" + want:
        return "AuthFailure.SignatureFailure", "The provided credentials could not be validated."
    return None


class Gateway(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 (http.server's name)
        global count
        raw = self.read_body()
        if MODE == "aliyun":
            fields = dict(urllib.parse.parse_qsl(raw.decode("utf-8"), keep_blank_values=True))
            refused = aliyun_check(fields)
            if refused:
                code, message = refused
                return self.answer(400 if code.startswith(("Signature", "Missing", "Invalid")) else 200,
                                   {"Code": code, "Message": message, "RequestId": "fake"})
            params = json.loads(fields["TemplateParam"])
            body = {"id": fields["OutId"], "to": fields["PhoneNumbers"],
                    "template": fields["TemplateCode"], "params": params,
                    "sign": fields["SignName"],
                    "text": fields["TemplateCode"] + " " + json.dumps(params, ensure_ascii=False)}
        elif MODE == "tencent":
            refused = tencent_check(self, raw)
            if refused:
                code, message = refused
                return self.answer(200, {"Response": {"Error": {"Code": code, "Message": message},
                                                      "RequestId": "fake"}})
            try:
                message = json.loads(raw)
                params = message["TemplateParamSet"]
                body = {"id": message["SessionContext"], "to": message["PhoneNumberSet"][0],
                        "template": message["TemplateId"], "params": params,
                        "app": message["SmsSdkAppId"], "sign": message["SignName"],
                        "text": message["TemplateId"] + " " + json.dumps(params, ensure_ascii=False)}
            except (ValueError, KeyError, IndexError, TypeError):
                return self.answer(200, {"Response": {"Error": {
                    "Code": "InvalidParameter", "Message": "body"}, "RequestId": "fake"}})
        else:
            try:
                body = json.loads(raw)
            except ValueError:
                self.send_response(400)
                self.end_headers()
                return
        with lock:
            count += 1
            n = count
            ref = {"aliyun": f"fake-biz-{n}^0", "tencent": f"fake-serial-{n}"}.get(MODE, f"fake-{n}")
            with open(RECORD, "a", encoding="utf-8") as f:
                f.write(json.dumps({"path": self.path,
                                    "authorization": self.headers.get("authorization"),
                                    "provider": MODE, "ref": ref,
                                    "body": body}, ensure_ascii=False) + "\n")
        if MODE == "aliyun":
            return self.answer(200, {"Message": "OK", "RequestId": f"fake-{n}", "Code": "OK",
                                     "BizId": ref})
        if MODE == "tencent":
            return self.answer(200, {"Response": {"SendStatusSet": [{
                "SerialNo": ref, "PhoneNumber": body["to"], "Fee": 1,
                "SessionContext": body["id"], "Code": "Ok", "Message": "send success",
                "IsoCode": "CN"}], "RequestId": f"fake-{n}"}})
        return self.answer(200, {"id": ref})

    def answer(self, status, value):
        data = json.dumps(value, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def read_body(self):
        """The request body, sent with a length or in chunks (as a WASI host may send it)."""
        if "chunked" in (self.headers.get("transfer-encoding") or "").lower():
            body = b""
            while len(body) <= 65536:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    self.rfile.readline()
                    break
                body += self.rfile.read(size)
                self.rfile.readline()
            return body
        return self.rfile.read(min(int(self.headers.get("content-length") or 0), 65536))

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", 0), Gateway)
with open(PORT_FILE, "w", encoding="utf-8") as f:
    f.write(str(server.server_address[1]))
server.serve_forever()

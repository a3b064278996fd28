#!/usr/bin/env python3
"""A fake SMS gateway on loopback for the end-to-end runs (never a real provider).

Usage: sms_gateway.py RECORD_FILE PORT_FILE

Listens on 127.0.0.1 (a free port, written to PORT_FILE once listening) and takes what the
outbox's HTTP provider sends (docs/outbox.md): each POST's JSON body and its Authorization
header are appended to RECORD_FILE as one JSON line, and the gateway answers 200 with
{"id": "fake-N"}, as a gateway that accepted the message would. Stop it by its process group.
"""

import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

RECORD, PORT_FILE = sys.argv[1], sys.argv[2]
lock = threading.Lock()
count = 0


class Gateway(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 (http.server's name)
        global count
        body = self.read_body()
        try:
            message = json.loads(body)
        except ValueError:
            self.send_response(400)
            self.end_headers()
            return
        with lock:
            count += 1
            n = count
            with open(RECORD, "a", encoding="utf-8") as f:
                f.write(json.dumps({"path": self.path,
                                    "authorization": self.headers.get("authorization"),
                                    "body": message}, ensure_ascii=False) + "\n")
        answer = json.dumps({"id": f"fake-{n}"}).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

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

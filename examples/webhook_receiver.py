#!/usr/bin/env python3
"""A webhook receiver for trying Parley out: prints each delivery and whether its signature is valid.

Usage: python3 examples/webhook_receiver.py PORT SIGNING_SECRET
"""
import hashlib
import hmac
import json
import sys
import time
from http.server import BaseHTTPRequestHandler, HTTPServer


def verify_parley_signature(secret: str, header: str, body: bytes, now: float | None = None) -> bool:
    """The recipe of docs/webhooks.md."""
    parts = dict(p.strip().split("=", 1) for p in header.split(",") if "=" in p)
    t, v1 = parts.get("t"), parts.get("v1")
    if t is None or v1 is None or not t.isdigit():
        return False
    if abs((time.time() if now is None else now) - int(t)) > 300:
        return False
    expected = hmac.new(secret.encode(), t.encode() + b"." + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, v1)


class Receiver(BaseHTTPRequestHandler):
    secret = ""

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        valid = verify_parley_signature(self.secret, self.headers.get("Parley-Signature", ""), body)
        event = json.loads(body)
        print(f"{event['event']:<20} delivery {self.headers.get('Parley-Delivery-Id')} "
              f"signature {'valid' if valid else 'INVALID'}: {json.dumps(event['data'])}", flush=True)
        self.send_response(204 if valid else 401)
        self.end_headers()

    def log_message(self, *args):
        pass


if __name__ == "__main__":
    Receiver.secret = sys.argv[2]
    HTTPServer(("127.0.0.1", int(sys.argv[1])), Receiver).serve_forever()

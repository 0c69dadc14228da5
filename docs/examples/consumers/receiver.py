#!/usr/bin/env python3
"""Receives Simpul's deliveries: verifies the Standard Webhooks signature, refuses stale
timestamps, skips duplicates by webhook-id, stores each new event id, answers 204.

    WEBHOOK_SECRET=whsec_... PORT=9000 RECEIVED_FILE=received.txt python3 receiver.py

Python 3.9+, standard library only.
"""
import base64, hashlib, hmac, json, os, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# The subscription's whsec_... secret; while it changes, both, separated by a space.
KEYS = [base64.b64decode(s.removeprefix("whsec_")) for s in os.environ["WEBHOOK_SECRET"].split()]
TOLERANCE_SECONDS = 300
BODY_BYTES_MAX = 8 << 20
RECEIVED_FILE = os.environ.get("RECEIVED_FILE", "received.txt")
seen, lock = set(), threading.Lock()                  # use a database in production


def signature_ok(msg_id, timestamp, body, header):
    if not msg_id or not timestamp.isdigit() or abs(time.time() - int(timestamp)) > TOLERANCE_SECONDS:
        return False
    signed = msg_id.encode() + b"." + timestamp.encode() + b"." + body
    expected = [base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode() for key in KEYS]
    offered = [part[3:] for part in header.split() if part.startswith("v1,")]
    return any(hmac.compare_digest(e, o) for e in expected for o in offered)


class Receiver(BaseHTTPRequestHandler):
    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        if length > BODY_BYTES_MAX:
            return self.answer(413)
        body = self.rfile.read(length)
        msg_id = self.headers.get("webhook-id", "")
        if not signature_ok(msg_id, self.headers.get("webhook-timestamp", ""), body,
                            self.headers.get("webhook-signature", "")):
            print("refused: bad signature or timestamp", flush=True)
            return self.answer(401)
        event = json.loads(body)
        with lock:
            duplicate = msg_id in seen
            if not duplicate:
                with open(RECEIVED_FILE, "a") as received:   # store first, work later
                    received.write(msg_id + "\n")
                seen.add(msg_id)
        print(f"{'duplicate' if duplicate else 'received'} {event['type']} id={msg_id} signature=ok", flush=True)
        self.answer(204)

    def answer(self, status):
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


if __name__ == "__main__":
    port = int(os.environ.get("PORT", "9000"))
    print(f"listening on 127.0.0.1:{port}", flush=True)
    ThreadingHTTPServer(("127.0.0.1", port), Receiver).serve_forever()

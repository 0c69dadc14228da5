#!/usr/bin/env python3
"""A receiver for trying Simpul out (README, "Operating Simpul").

Listens on 127.0.0.1, answers every delivery with --status (default 200) and prints one
line per delivery: the webhook-id (the event id, the same on every retry and replay), the
event type and subject. It does not verify signatures; a real receiver must (see
SimpulDelivery's WebhookVerifier or the Standard Webhooks libraries).

    python3 scripts/example-receiver.py --port 9000            # up
    python3 scripts/example-receiver.py --port 9000 --status 500   # up but failing
"""
import argparse
import json
from http.server import BaseHTTPRequestHandler, HTTPServer

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--port", type=int, default=9000)
parser.add_argument("--status", type=int, default=200)
args = parser.parse_args()


class Receiver(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        try:
            event = json.loads(body)
        except ValueError:
            event = {}
        print(f"{args.status}  {self.headers.get('webhook-id')}  {event.get('type')}  {event.get('subject')}", flush=True)
        self.send_response(args.status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format, *arguments):
        pass  # one line per delivery is printed above


print(f"receiving on http://127.0.0.1:{args.port}/ (answering {args.status}); Ctrl-C stops", flush=True)
HTTPServer(("127.0.0.1", args.port), Receiver).serve_forever()

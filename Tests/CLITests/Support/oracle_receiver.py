#!/usr/bin/env python3
"""An independent webhook receiver for the delivery tests: Python's `standardwebhooks`
verifies each signature and Python's `cloudevents` SDK parses each body (not our code).

    oracle_receiver.py --secret whsec_... --out received.txt [--port 0]

Prints `port N` once listening. Each accepted delivery appends `<webhook-id> <event id>`
to --out; a bad signature or an unparsable event is answered 401/400 and logged to
--out as `REJECTED <reason>`. HTTP/1.1 keep-alive.
"""
import argparse, sys, threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks.webhooks import Webhook
try:
    from cloudevents.http import from_http          # cloudevents 1.x
except ImportError:
    from cloudevents.v1.http import from_http       # cloudevents 2.x keeps the 1.x API here

def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--secret", required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    webhook = Webhook(args.secret)
    lock = threading.Lock()
    out = open(args.out, "a", buffering=1)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def answer(self, status):
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            headers = {k.lower(): v for k, v in self.headers.items()}
            try:
                webhook.verify(body, headers)
            except Exception as error:
                with lock: out.write(f"REJECTED signature {error}\n")
                return self.answer(401)
            try:
                event = from_http(headers, body)
            except Exception as error:
                with lock: out.write(f"REJECTED cloudevent {error}\n")
                return self.answer(400)
            if headers.get("idempotency-key") != event["id"] or headers.get("webhook-id") != event["id"]:
                with lock: out.write(f"REJECTED ids {headers.get('webhook-id')} {event['id']}\n")
                return self.answer(400)
            with lock: out.write(f"{headers['webhook-id']} {event['id']}\n")
            self.answer(204)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    print(f"port {server.server_address[1]}", flush=True)
    server.serve_forever()

if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""A minimal Simpul receiver: verifies the Standard Webhooks signature, deduplicates by
webhook-id, prints each event, answers 204 (or the status given with --status).

    python3 docs/examples/receiver.py --port 9000 --secret whsec_...

Standard library only; for production use a Standard Webhooks library and a durable store.
"""
import argparse, base64, hashlib, hmac, json, sys, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

def verify(secret, headers, body):
    key = base64.b64decode(secret.removeprefix("whsec_"))
    msg_id, stamp = headers.get("webhook-id", ""), headers.get("webhook-timestamp", "0")
    if abs(time.time() - int(stamp)) > 300:
        return False
    expected = base64.b64encode(hmac.new(key, f"{msg_id}.{stamp}.".encode() + body, hashlib.sha256).digest()).decode()
    offered = [part.split(",", 1)[1] for part in headers.get("webhook-signature", "").split() if part.startswith("v1,")]
    return any(hmac.compare_digest(expected, sig) for sig in offered)

def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=9000)
    parser.add_argument("--secret", required=True)
    parser.add_argument("--status", type=int, default=204, help="answer this instead (e.g. 500 to simulate an outage)")
    args = parser.parse_args()
    seen = set()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            headers = {k.lower(): v for k, v in self.headers.items()}
            if not verify(args.secret, headers, body):
                self.send_response(401); self.end_headers(); print("refused: bad signature", flush=True); return
            if args.status >= 300:
                self.send_response(args.status); self.end_headers(); print(f"answered {args.status}", flush=True); return
            event = json.loads(body)
            duplicate = headers["webhook-id"] in seen
            seen.add(headers["webhook-id"])
            print(f"{'duplicate' if duplicate else 'received'} {event['type']} id={event['id']} signature=ok", flush=True)
            self.send_response(204); self.end_headers()

        def log_message(self, *args):
            pass

    print(f"listening on 127.0.0.1:{args.port}", flush=True)
    ThreadingHTTPServer(("127.0.0.1", args.port), Handler).serve_forever()

if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Writes N distinct signed ~1 KB webhooks for the ingest benchmark, one per line:
<hex signature>\t<json body>. Each has its own trade_order_line_id, so every request is a new
event that the gateway must store durably (no dedupe shortcut)."""
import hashlib
import hmac
import sys
import time

APP_KEY = "100132"
APP_SECRET = sys.argv[3] if len(sys.argv) > 3 else "bench-lazada-secret"

def body(n: int, now: int) -> str:
    # Padding in an extraParams object brings the body to about 1 KB, like a real push with
    # extra fields; the adapter ignores it.
    pad = "x" * 720
    return ('{"seller_id":"bench-store-%d","message_type":0,"data":{"order_status":"pending",'
            '"trade_order_id":"9%014d","trade_order_line_id":"8%014d","status_update_time":%d,'
            '"extraParams":{"note":"%s"}},"timestamp":%d,"site":"lazada_sg"}'
            % (n % 64, n, n, now, pad, now))

def main() -> None:
    count = int(sys.argv[1])
    out = sys.argv[2]
    now = int(time.time())
    with open(out, "w") as f:
        for n in range(count):
            b = body(n, now)
            sig = hmac.new(APP_SECRET.encode(), (APP_KEY + b).encode(), hashlib.sha256).hexdigest()
            f.write(sig + "\t" + b + "\n")

if __name__ == "__main__":
    main()

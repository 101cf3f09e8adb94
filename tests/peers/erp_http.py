#!/usr/bin/python3
"""An ERP's HTTP endpoint for tests (python3 standard library only). Every
POST is logged to a JSON-lines file (key, lot, status). It answers by what the
item's lot holds: E400 -> 400; E500 -> 500 for the first two tries of a key;
HANG -> the first try sleeps 5 s before answering; GARB -> the first try
gets bytes that are not HTTP; otherwise 200 with a document_id, or 409 when
the Idempotency-Key was posted before.
usage: erp_http.py PORT LOG    (prints "listening PORT" when ready)"""
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

port, logpath = int(sys.argv[1]), sys.argv[2]
lock = threading.Lock()
posted, tries = {}, {}


def log(rec):
    with lock, open(logpath, "a") as f:
        f.write(json.dumps(rec) + "\n")


class ERP(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def answer(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        key = self.headers.get("Idempotency-Key", "")
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        rec = json.loads(body)
        lot, typ = rec.get("item", {}).get("lot", ""), rec["type"]
        with lock:
            tries[key] = n = tries.get(key, 0) + 1
        if "GARB" in lot and n == 1:
            log({"key": key, "lot": lot, "status": "garbage"})
            self.wfile.write(b"\x00\x01 this is not HTTP\r\n\r\n")
            self.close_connection = True
            return
        if "HANG" in lot and n == 1:
            time.sleep(5)
        if "E400" in lot:
            status, out = 400, {"error": "unknown cost center"}
        elif "E500" in lot and n <= 2:
            status, out = 500, {"error": "database busy"}
        else:
            with lock:
                dup = key in posted
                posted.setdefault(key, "DOC-%05d" % (len(posted) + 1))
            status = 409 if dup else 200
            out = {"document_id": posted[key]}
        log({"key": key, "lot": lot, "status": status, "type": typ,
             "qty": rec.get("qty")})
        self.answer(status, out)


srv = ThreadingHTTPServer(("127.0.0.1", port), ERP)
print("listening %d" % srv.server_address[1], flush=True)
srv.serve_forever()

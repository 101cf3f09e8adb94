#!/usr/bin/python3
"""make bench's baseline for the end-to-end rate: the same DFT^P03 messages
the bridge sent (read from its outbox), sent again over MLLP one at a time,
each waiting for its ACK, as the bridge does. Prints "<messages> <seconds>".
usage: mllp_send.py BRIDGE_DB PORT"""
import socket, sqlite3, sys, time

db, port = sys.argv[1], int(sys.argv[2])
msgs = [r[0] for r in sqlite3.connect(db).execute(
    "SELECT payload FROM outbox WHERE dest = 'billing' ORDER BY id")]
s = socket.create_connection(("127.0.0.1", port))
t0 = time.monotonic()
for m in msgs:
    s.sendall(b"\x0b" + m.encode() + b"\x1c\r")
    buf = b""
    while b"\x1c" not in buf:
        chunk = s.recv(65536)
        if not chunk:
            sys.exit("the receiver closed the connection")
        buf += chunk
print(len(msgs), "%.3f" % (time.monotonic() - t0))

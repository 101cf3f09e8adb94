#!/usr/bin/python3
"""A TCP proxy on loopback for dead-link tests: tcp_proxy.py LISTEN_PORT
TARGET_PORT CONTROL. While CONTROL says "forward" it relays both ways; when
it says "blackhole", every open connection stays open but nothing more is
relayed, either way (no FIN, no RST: a link that went dead), and new
connections are accepted and starved too. Prints "listening"."""
import os
import select
import socket
import sys

listen_port, target_port, control = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]


def mode():
    try:
        return open(control).read().strip()
    except OSError:
        return "forward"


srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", listen_port))
srv.listen(16)
print("listening", flush=True)
peer = {}        # socket -> the socket it relays to
while True:
    dead = mode() == "blackhole"
    # A dead link reads nothing: the bytes wait in the sockets, unanswered.
    r, _, _ = select.select([srv] + ([] if dead else list(peer)), [], [], 0.05)
    for s in r:
        if s is srv:
            c, _ = srv.accept()
            if dead:
                peer[c] = None           # held open, never served
                continue
            t = socket.create_connection(("127.0.0.1", target_port))
            peer[c], peer[t] = t, c
            continue
        if dead or peer.get(s) is None:
            continue                     # leave the bytes unread
        try:
            data = s.recv(65536)
        except OSError:
            data = b""
        if not data:
            other = peer.pop(s)
            peer.pop(other, None)
            s.close()
            other.close()
            continue
        peer[s].sendall(data)

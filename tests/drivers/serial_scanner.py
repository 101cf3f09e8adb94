#!/usr/bin/python3
"""A serial scanner on a pseudo-terminal for the serial driver's tests.
serial_scanner.py LINK: makes a pty, points LINK (a symlink) at its slave,
waits for LINK.go, then plays: a scan in fragments, a scan without its
suffix, a 100 kB line, a normal scan, a hang-up (the pty closes), a new pty
at the same LINK, and a last scan. Prints each step; "done" at the end."""
import os
import sys
import time

link = sys.argv[1]


def pty_at(link):
    master, slave = os.openpty()
    tmp = link + ".tmp"
    if os.path.lexists(tmp):
        os.unlink(tmp)
    os.symlink(os.ttyname(slave), tmp)
    os.rename(tmp, link)
    return master, slave


def step(msg):
    print(msg, flush=True)


m, s = pty_at(link)
step("ready")
while not os.path.exists(link + ".go"):
    time.sleep(0.05)
time.sleep(0.3)
for frag in (b"]d201008845", b"2112345117270630", b"10FRAG1\r"):
    os.write(m, frag)
    time.sleep(0.05)
step("fragmented")
os.write(m, b"]d2010088452112346810NOSUFFIX")
time.sleep(1.6)
step("nosuffix")
os.write(m, b"X" * 100000 + b"\r")
time.sleep(0.5)
os.write(m, b"]C1010088452112347510SERIAL3\r")
time.sleep(0.5)
step("long")
os.close(m)
os.close(s)
time.sleep(1.0)
m, s = pty_at(link)
step("replugged")
time.sleep(2.5)
os.write(m, b"]d2010088452112348210AFTER\r")
time.sleep(1.0)
step("done")
os.close(m)

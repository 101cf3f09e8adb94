#!/usr/bin/env python3
"""tests/bench/fleet.sh's timing.

push T N: waits for T/go (the send's start, ns since the epoch), then scans
the recalled lot at each cart dir T/c1..T/cN: right away, again within
10 ms of its log saying the list is installed, and every 250 ms meanwhile,
until its log has the STOP; prints the ms from the send to each cart's
"installed" line and to its first STOP line, by the agents' log stamps:
"p50 p99 max" for installed, then for stopped.

subs FILE...: mosquitto_sub -F '%U %p' outputs, each payload the ns at its
publish: "p50 p99 max" in ms over every message each subscriber got.
"""
import datetime
import math
import os
import sys
import time

SCAN = "]d20100884521123451172706301" "0LOT9\n"


def pct(xs):
    xs = sorted(xs)
    at = lambda p: xs[max(0, math.ceil(p * len(xs)) - 1)]
    return "%.1f %.1f %.1f" % (at(0.50), at(0.99), xs[-1])


def stamp_ms(line):
    t = line.split(" ", 1)[0].rstrip("Z")
    d = datetime.datetime.fromisoformat(t).replace(
        tzinfo=datetime.timezone.utc)
    return d.timestamp() * 1000


def scan(d):
    try:
        fd = os.open(d + "/scan.fifo", os.O_WRONLY | os.O_NONBLOCK)
    except OSError:
        return
    try:
        os.write(fd, SCAN.encode())
    finally:
        os.close(fd)


def push(t, n):
    go = t + "/go"
    while not os.path.exists(go) or os.path.getsize(go) == 0:
        time.sleep(0.001)
    t0 = int(open(go).read()) / 1e6
    carts = {i: {"d": "%s/c%d" % (t, i), "off": 0, "inst": None,
                 "stop": None, "last": 0.0} for i in range(1, n + 1)}
    end = time.monotonic() + 60
    while time.monotonic() < end and any(c["stop"] is None
                                         for c in carts.values()):
        now = time.monotonic()
        for c in carts.values():
            if c["stop"] is not None:
                continue
            with open(c["d"] + "/agent.log", errors="replace") as f:
                f.seek(c["off"])
                new = f.read()
            # whole lines only
            cut = new.rfind("\n") + 1
            c["off"] += len(new[:cut].encode())
            fresh = False
            for line in new[:cut].splitlines():
                if c["inst"] is None and "fleet: recalls version" in line \
                        and "installed" in line:
                    c["inst"] = stamp_ms(line) - t0
                    fresh = True
                if c["stop"] is None and "STOP RECALLED" in line:
                    c["stop"] = stamp_ms(line) - t0
            if c["stop"] is None and (fresh or now - c["last"] >= 0.25):
                scan(c["d"])
                c["last"] = now
        time.sleep(0.01)
    inst = [c["inst"] for c in carts.values() if c["inst"] is not None]
    stop = [c["stop"] for c in carts.values() if c["stop"] is not None]
    if len(inst) < n or len(stop) < n:
        sys.exit("fleet.py: %d of %d installed, %d stopped in 60 s"
                 % (len(inst), n, len(stop)))
    print(pct(inst), pct(stop))


def subs(files):
    xs = []
    for fn in files:
        for line in open(fn):
            recv, _, sent = line.strip().partition(" ")
            if sent.isdigit():
                xs.append(float(recv) * 1000 - int(sent) / 1e6)
    print(pct(xs), len(xs))


if __name__ == "__main__":
    if sys.argv[1] == "push":
        push(sys.argv[2], int(sys.argv[3]))
    else:
        subs(sys.argv[2:])

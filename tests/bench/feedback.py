#!/usr/bin/env python3
"""make bench: scan -> feedback latency. Writes N scans, one at a time, into
a sim driver's FIFO and times each until the green LED's brightness file
(a fake sysfs tree) turns on, then waits for it to go off again.
usage: feedback.py FIFO BRIGHTNESS N [respond]
With "respond" it is the baseline's other end instead: it reads the FIFO
and lights the LED for each line at once (no decoding, no commit)."""
import os, sys, time

fifo, led, n = sys.argv[1], sys.argv[2], int(sys.argv[3])

def lit():
    with open(led) as f:
        return f.read().strip() not in ("", "0")

def respond():
    with open(fifo) as f:
        for _ in f:
            with open(led, "w") as o:
                o.write("1")
            time.sleep(0.02)
            with open(led, "w") as o:
                o.write("0")

def measure():
    lat = []
    with open(fifo, "w", buffering=1) as f:
        for i in range(n):
            while lit():
                time.sleep(0.001)
            t0 = time.perf_counter()
            f.write("]d201008845211234511727063010B%d\n" % i)
            deadline = t0 + 5
            while not lit():
                if time.perf_counter() > deadline:
                    sys.exit("no feedback for scan %d" % i)
            lat.append(time.perf_counter() - t0)
    lat.sort()
    print("%.3f %.3f" % (lat[n // 2] * 1000, lat[n * 99 // 100] * 1000))

respond() if sys.argv[4:] == ["respond"] else measure()

#!/usr/bin/python3
"""A PN532 NFC reader on a pseudo-terminal, for libnfc's pn532_uart driver
(frames and commands as in shared/reference/test-peers.md).
pn532_emu.py LINK CONTROL: makes a pty and points LINK at it; CONTROL is a
file the test writes: "card <uid hex>" (a badge on the reader), "tag <uid
hex> <data area hex>" (an NFC Forum Type 2 tag, read from page 4), "none",
or "vanish" (the reader goes away: the pty closes, and comes back at LINK
when CONTROL says anything else). Prints "ready" and every command seen."""
import os
import select
import sys
import time

link, control = sys.argv[1], sys.argv[2]
ACK = bytes([0, 0, 0xFF, 0, 0xFF, 0])


def frame(data):
    d = bytes([0xD5]) + data
    ln = len(d)
    return (bytes([0, 0, 0xFF, ln, (-ln) & 0xFF]) + d +
            bytes([(-sum(d)) & 0xFF, 0]))


def pty_at():
    m, s = os.openpty()
    tmp = link + ".tmp"
    if os.path.lexists(tmp):
        os.unlink(tmp)
    os.symlink(os.ttyname(s), tmp)
    os.rename(tmp, link)
    return m, s


def card():
    try:
        w = open(control).read().split()
    except OSError:
        return None
    return w


def target(uid, tag=False):
    u = bytes.fromhex(uid)
    atqa, sak = (b"\x00\x04", 0x08) if len(u) == 4 else (b"\x00\x44", 0x00)
    if tag:
        atqa, sak = b"\x00\x44", 0x00
    return atqa + bytes([sak, len(u)]) + u


def tag_read(c, args):
    """InDataExchange READ: 16 bytes from the page asked for."""
    if len(c) < 3 or c[0] != "tag" or len(args) < 3 or args[1] != 0x30:
        return bytes([0x41, 0x01])
    u = bytes.fromhex(c[1])
    mem = (u + bytes(16))[:12] + bytes([0xE1, 0x10, 0x12, 0x00])
    mem += bytes.fromhex(c[2])
    page = args[2]
    return bytes([0x41, 0x00]) + (mem[page * 4:page * 4 + 16] + bytes(16))[:16]


def answer(cmd, args):
    c = card() or ["none"]
    if cmd == 0x02:                      # GetFirmwareVersion
        return bytes([0x03, 0x32, 0x01, 0x06, 0x07])
    if cmd == 0x00:                      # Diagnose: echo
        return bytes([0x01]) + args
    if cmd == 0x06:                      # ReadRegister: a byte per address
        return bytes([0x07]) + bytes(len(args) // 2)
    if cmd == 0x4A:                      # InListPassiveTarget
        if args[1:2] == b"\x00" and c[0] in ("card", "tag"):
            return bytes([0x4B, 0x01, 0x01]) + target(c[1], c[0] == "tag")
        return bytes([0x4B, 0x00])
    if cmd == 0x60:                      # InAutoPoll
        if c[0] == "card":
            t = target(c[1])
            return bytes([0x61, 0x01, 0x10, len(t) + 1, 0x01]) + t
        return bytes([0x61, 0x00])
    if cmd == 0x42:                      # InCommunicateThru: timeout
        return bytes([0x43, 0x01])
    if cmd == 0x40:                      # InDataExchange
        return tag_read(c, args)
    return bytes([cmd + 1])              # SAM, SetParameters, RF, ...


def serve(m):
    buf = b""
    while True:
        w = card()
        if w and w[0] == "vanish":
            return
        r, _, _ = select.select([m], [], [], 0.05)
        if not r:
            continue
        try:
            chunk = os.read(m, 4096)
        except OSError:
            return
        buf += chunk
        while True:
            i = buf.find(b"\x00\x00\xff")
            if i < 0 or len(buf) < i + 5:
                break
            ln = buf[i + 3]
            if ln == 0 and buf[i + 4] == 0xFF:   # an ACK from the host
                buf = buf[i + 6:]
                continue
            if len(buf) < i + 5 + ln + 2:
                break
            d = buf[i + 5:i + 5 + ln]
            buf = buf[i + 5 + ln + 2:]
            if len(d) < 2 or d[0] != 0xD4:
                continue
            print("cmd %02x" % d[1], flush=True)
            os.write(m, ACK + frame(answer(d[1], d[2:])))


print("ready", flush=True)
while True:
    m, s = pty_at()
    serve(m)
    os.close(m)
    os.close(s)
    print("vanished", flush=True)
    while (card() or ["vanish"])[0] == "vanish":
        time.sleep(0.1)
    print("back", flush=True)

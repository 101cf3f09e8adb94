#!/usr/bin/python3
"""Writes a umockdev evemu events file that types scans on a US keyboard:
wedge_events.py START_S SCAN... where each SCAN is "ctrl:", "alt:" or
"sub:" followed by the text, GS written as \\x1d; ctrl: types GS as Ctrl+],
alt: as Alt+0029 on the keypad, sub: as "~". Each scan ends with Enter;
keys are 1 ms apart (a fast scanner), scans 2 ms apart."""
import sys

KEY = {c: k for k, c in enumerate("\0\0" "1234567890-=" "\0\0" "qwertyuiop[]"
                                   "\0\0" "asdfghjkl;'`" "\0\\" "zxcvbnm,./")}
SHIFTED = dict(zip('!@#$%^&*()_+QWERTYUIOP{}ASDFGHJKL:"~|ZXCVBNM<>?',
                   "1234567890-=qwertyuiop[]asdfghjkl;'`\\zxcvbnm,./"))
LSHIFT, LCTRL, LALT, ENTER, SPACE, RBRACE = 42, 29, 56, 28, 57, 27
KP = [82, 79, 80, 81, 75, 76, 77, 71, 72, 73]
t = float(sys.argv[1])
out = []


def ev(code, value):
    global t
    out.append("E: %.6f 0001 %04x %d" % (t, code, value))
    out.append("E: %.6f 0000 0000 0" % t)
    t += 0.001


def tap(code):
    ev(code, 1)
    ev(code, 0)


for arg in sys.argv[2:]:
    mode, _, text = arg.partition(":")
    for c in text.encode().decode("unicode_escape"):
        if c == "\x1d" and mode == "ctrl":
            ev(LCTRL, 1), tap(RBRACE), ev(LCTRL, 0)
        elif c == "\x1d" and mode == "alt":
            ev(LALT, 1)
            for d in "0029":
                tap(KP[int(d)])
            ev(LALT, 0)
        elif c == "\x1d":
            ev(LSHIFT, 1), tap(KEY["`"]), ev(LSHIFT, 0)	# "~"
        elif c == " ":
            tap(SPACE)
        elif c in SHIFTED:
            ev(LSHIFT, 1), tap(KEY[SHIFTED[c]]), ev(LSHIFT, 0)
        else:
            tap(KEY[c])
    tap(ENTER)
    t += 0.002
print("\n".join(out))

#!/usr/bin/python3
"""Writes a umockdev device file and ioctl script for a USB HID POS scanner:
usb_scanner.py OUTPREFIX BUS DEV VID PID LAYOUT SCRIPT, where LAYOUT is
honeywell (AIM id at byte 2) or shifted (byte 3), and SCRIPT is lines of
"report AIM DATA" (DATA with \\x1d escapes; over 56 bytes it is split over
continued reports), "error", "unplug" or "enable" (Honeywell's feature
report SET_REPORT 0xFE=1, expected on open)."""
import sys

out, bus, dev, vid, pid, layout, script = sys.argv[1:8]
bus, dev, vid, pid = int(bus), int(dev), int(vid, 16), int(pid, 16)

desc = bytes([18, 1, 0, 2, 0, 0, 0, 64, vid & 255, vid >> 8, pid & 255,
              pid >> 8, 0, 1, 0, 0, 0, 1])
desc += bytes([9, 2, 34, 0, 1, 1, 0, 0x80, 50])       # configuration
desc += bytes([9, 4, 0, 0, 1, 3, 0, 0, 0])            # interface, class HID
desc += bytes([9, 0x21, 0x11, 1, 0, 1, 0x22, 48, 0])  # HID
desc += bytes([7, 5, 0x81, 3, 64, 0, 1])              # interrupt IN 0x81
node = "/dev/bus/usb/%03d/%03d" % (bus, dev)
with open(out + ".umockdev", "w") as f:
    f.write("P: /devices/pci0000:00/0000:00:14.0/usb%d/%d-%d\n" % (bus, bus, dev))
    f.write("N: bus/usb/%03d/%03d=%s\n" % (bus, dev, desc.hex().upper()))
    for k, v in (("DEVNAME", node), ("DEVTYPE", "usb_device"),
                 ("BUSNUM", "%03d" % bus), ("DEVNUM", "%03d" % dev),
                 ("SUBSYSTEM", "usb"),
                 ("PRODUCT", "%x/%x/100" % (vid, pid))):
        f.write("E: %s=%s\n" % (k, v))
    for k, v in (("bConfigurationValue", "1"), ("busnum", str(bus)),
                 ("devnum", str(dev)), ("speed", "12"),
                 ("idVendor", "%04x" % vid), ("idProduct", "%04x" % pid)):
        f.write("A: %s=%s\\n\n" % (k, v))
    f.write("H: descriptors=%s\n" % desc.hex().upper())


def reports(aim, data):
    off = 2 if layout == "honeywell" else 3
    chunks = [data[i:i + 56 - (off - 2)] for i in range(0, len(data), 56 - (off - 2))] or [b""]
    for i, c in enumerate(chunks):
        r = bytearray(64)
        r[0], r[1] = 2, len(c)
        r[off:off + 3] = aim
        r[off + 3:off + 3 + len(c)] = c
        r[61] = 0x77
        r[63] = 1 if i < len(chunks) - 1 else 0
        yield bytes(r)


lines = ["@DEV %s (usbdevfs)" % node]
for cmd in open(script):
    w = cmd.split()
    if not w:
        continue
    if w[0] == "report":
        data = w[2].encode().decode("unicode_escape").encode("latin-1")
        for r in reports(w[1].encode(), data):
            lines.append("USBDEVFS_REAPURBNDELAY 0 1 129 0 0 64 64 0 " + r.hex())
    elif w[0] == "error":
        lines.append("USBDEVFS_REAPURBNDELAY 0 1 129 -71 0 64 0 0 ")
    elif w[0] == "unplug":
        lines.append("USBDEVFS_REAPURBNDELAY 0 1 129 -19 0 64 0 0 ")
    elif w[0] == "enable":
        setup = bytes([0x21, 9, 0xfe, 3, 0, 0, 2, 0, 0xfe, 1])
        lines.append("USBDEVFS_REAPURBNDELAY 0 2 0 0 0 10 2 0 " + setup.hex())
with open(out + ".ioctl", "w") as f:
    f.write("\n".join(lines) + "\n")

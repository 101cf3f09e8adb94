#!/usr/bin/env bash
# Real barcode symbols: zint renders them, ZXingReader (zxing-cpp) reads them
# back as a scanner would send them (AIM id and raw bytes), and pouctl decode
# must recover the fields. Also the symbol's text with its GS bytes removed
# and no AIM id, as a badly set-up keyboard wedge types it.
set -u
source "$(dirname "$0")/lib.sh"

# render NAME ZINT-ARGS...: a PNG with quiet zones ZXing can find.
render() {
	local name=$1
	shift
	zint --scale=4 --quietzones "$@" -o "$T/$name.png" > "$T/zint.log" 2>&1
}

# scanned NAME [BytesECI]: what a scanner in AIM mode sends (its AIM id,
# then the bytes), in the sim escapes; with BytesECI, the ECI variant.
scanned() {
	ZXingReader "$T/$1.png" | $PY -c '
import sys
aim, data, eci = "", b"", b""
for line in sys.stdin:
    k, _, v = line.partition(":")
    if k == "Identifier":
        aim = v.strip()
    elif k == "Bytes":
        data = bytes.fromhex(v)
    elif k == "BytesECI":
        eci = bytes.fromhex(v)
b = eci if len(sys.argv) > 1 else aim.encode() + data
print("".join(chr(c) if 32 <= c < 127 and c != 92 else "\\x%02x" % c for c in b))' ${2:-}
}

wedge() { ZXingReader "$T/$1.png" | sed -n 's/^Text: *"\(.*\)"$/\1/p' | tr -d '\035'; }

# field JSON KEY: one decoded field ("" for null).
field() {
	$PY -c 'import json,sys; v=json.loads(sys.argv[1]); k=sys.argv[2]
v=v.get(k) if "." not in k else v.get(k.split(".")[0], {}).get(k.split(".")[1])
print("" if v is None else v)' "$1" "$2"
}

decode() { "$B/pouctl" decode "$1"; }

check "zint renders a GS1 DataMatrix" render dm -b DATAMATRIX --gs1 --werror \
    -d '[01]00884521123451[17]270630[10]LOT4711[21]SN000123'
s=$(scanned dm)
check_eq "ZXing reads it with its AIM id" "]d2" "${s:0:3}"
j=$(decode "$s")
check_eq "GS1 DataMatrix: GTIN" 00884521123451 "$(field "$j" di)"
check_eq "GS1 DataMatrix: lot" LOT4711 "$(field "$j" lot)"
check_eq "GS1 DataMatrix: serial" SN000123 "$(field "$j" serial)"
check_eq "GS1 DataMatrix: expiry" 2027-06-30 "$(field "$j" expiry)"
j=$(decode "$(scanned dm eci)")
check_eq "sent with ECI (]d5), the same GTIN" 00884521123451 "$(field "$j" di)"

check "zint renders GS1-128" render g128 -b GS1_128 --werror \
    -d '[01]10884521123458[11]250115[30]12[240]REF-55-1234'
s=$(scanned g128)
check_eq "GS1-128 AIM id" "]C1" "${s:0:3}"
j=$(decode "$s")
check_eq "GS1-128: GTIN" 10884521123458 "$(field "$j" di)"
check_eq "GS1-128: production date" 2025-01-15 "$(field "$j" mfg)"
check_eq "GS1-128: count" 12 "$(field "$j" qty)"
check_eq "GS1-128: additional id" REF-55-1234 "$(field "$j" ais.240)"

check "zint renders a GS1 QR code" render qr -b QRCODE --gs1 --werror \
    -d '[01]00884521123451[17]280200[10]A1B2'
s=$(scanned qr)
check_eq "GS1 QR AIM id" "]Q3" "${s:0:3}"
j=$(decode "$s")
check_eq "GS1 QR: day 00 is the month's last day" 2028-02-29 "$(field "$j" expiry)"
check_eq "GS1 QR: lot" A1B2 "$(field "$j" lot)"

check "zint renders an HIBC DataMatrix" render hdm -b HIBC_DM -d 'A123BJC5D6E71'
j=$(decode "$(scanned hdm)")
check_eq "HIBC DataMatrix: scheme" hibc "$(field "$j" scheme)"
check_eq "HIBC DataMatrix: product" A123BJC5D6E71 "$(field "$j" di)"
check_eq "HIBC DataMatrix: zint's check character" G "$(field "$j" check)"

check "zint renders a concatenated HIBC Code 128" render h128 -b HIBC_128 \
    -d 'A99912345/$$52001510X3'
j=$(decode "$(scanned h128)")
check_eq "HIBC 128: lot" 10X3 "$(field "$j" lot)"
check_eq "HIBC 128: expiry from YYJJJ" 2020-01-15 "$(field "$j" expiry)"

check "zint renders a Digital Link in a plain QR" render dl -b QRCODE \
    -d 'https://id.example.org/01/00884521123451/10/LOT9?17=270630'
j=$(decode "$(scanned dl)")
check_eq "Digital Link: GTIN" 00884521123451 "$(field "$j" di)"
check_eq "Digital Link: lot" LOT9 "$(field "$j" lot)"

# A wedge that loses GS: a lot followed by an expiry is then detectable.
check "zint renders a label with the lot before the expiry" render wedge \
    -b DATAMATRIX --gs1 --werror -d '[01]00884521123451[10]LOT4711[17]270630'
check "the wedge's text has no GS" test -z "$(wedge wedge | tr -d -c '\035')"
j=$(decode "$(wedge wedge)")
check_eq "the GS-less text is refused, not a wrong lot" missing_fnc1_absorbed \
    "$(field "$j" code)"

# The cart's printed command barcodes (docs/commands/) read back as the
# commands, and one through the agent as a scanner in AIM mode sends it.
bash "$ROOT/packaging/command-barcodes.sh" "$T/cmd" png
read_cmd() { ZXingReader "$T/cmd/pou-$1.png" | sed -n 's/^Text: *"\(.*\)"$/\1/p'; }
for c in USE WASTE RETURN BILLONLY CONSIGN QTY-2 QTY-3 QTY-5 QTY-10 UNDO \
    OVERRIDE CANCEL END; do
	check_eq "the printed $c reads back" "POU:${c/-/:}" "$(read_cmd "$c")"
done
check "the printed SVGs in docs/ are the ones this renders" bash -c "
    bash '$ROOT/packaging/command-barcodes.sh' '$T/svg' svg &&
    diff -r '$T/svg' '$ROOT/docs/commands' >/dev/null"
cp "$T/cmd/pou-WASTE.png" "$T/w.png"
agent_conf "$T/agent.conf" cart-sym '[driver.sim0]' "path = $T/scan.fifo"
start_agent
scan "$(scanned w)" ']d201008845211234511727063010SYM1'
first_kind_is() { test "$(sql "$T/agent.db" "SELECT kind FROM events WHERE seq = 1")" = "$1"; }
check "POU:WASTE scanned with its AIM id applies to the next item" \
    wait_for 5 first_kind_is waste
summary

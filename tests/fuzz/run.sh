#!/usr/bin/env bash
# make fuzz: builds nothing; runs each libFuzzer target in build-fuzz/ for
# SECONDS (default 30) with ASan+UBSan, from a seed corpus made of
# tests/fixtures and, when present, ../shared/vectors. Exits non-zero on
# the first crash, leak or undefined behaviour.
set -u
cd "$(dirname "$0")/../.."
S=${1:-30}
F=build-fuzz
PY=/usr/bin/python3

seed() {	# seed TARGET: one file per input
	local d="$F/seeds/$1"
	rm -rf "$d"
	mkdir -p "$d"
	$PY - "$1" "$d" <<'PY'
import glob, os, sys
target, out = sys.argv[1], sys.argv[2]
scans = []
for f in glob.glob("tests/fixtures/*.tsv"):
    for line in open(f, encoding="latin-1"):
        if line.startswith("#"):
            continue
        c = line.rstrip("\n").split("\t")
        scans += c[1:3] if f.endswith("pairs.tsv") else c[1:2]
v = "../shared/vectors"
for name, cols in (("gs1.tsv", (5, 7)), ("hibc.tsv", (4,))):
    p = os.path.join(v, name)
    if os.path.exists(p):
        for line in list(open(p, encoding="utf-8", errors="replace"))[1:]:
            c = line.rstrip("\n").split("\t")
            scans += [c[i] for i in cols if i < len(c) and c[i]]
def raw(s):
    return s.replace("\\x1d", "\x1d").replace("\\x1D", "\x1d").encode("latin-1", "replace")
seeds = {
    "codes": [raw(s) for s in scans if not s.startswith("(")],
    "bracketed": [s.encode("latin-1", "replace") for s in scans if s.startswith("(")],
    "assemble": [raw(a) + b"\n" + raw(b) for a, b in zip(scans, scans[1:])],
    "wire": [open(p, "rb").read() for p in glob.glob("tests/fuzz/seeds/wire/*")],
    "hl7_ack": [open(p, "rb").read() for p in glob.glob("tests/fuzz/seeds/hl7_ack/*")],
    "ndef": [bytes.fromhex("030fd101 0b5504 65782e6f72672f30312f fe".replace(" ", ""))],
    "hidpos": [bytes([0xdc]) + bytes([2, 16]) + b"]d20100884521123451" + bytes(40) + b"w\0\0"],
    "csv": [l.encode() for f in glob.glob("configs/*.csv") for l in open(f)],
    "refdata": [bytes([k]) + open("configs/%s.csv" % n, "rb").read() for k, n in
                enumerate(("items", "chargemaster", "contracts", "locations", "par"))],
    "ident": [b"cart-07:3f9a.b2:42", b"a:b:0", b"a::1", b"2026-11-24",
              b"2026-11-24T13:30", b"2026-11-24 13:30:05Z"],
    "fleetcmd": [b"\x01" + c for c in (
        b'{"id":"c-1","iat":1800000000,"exp":1800000600,"aud":["*"],'
        b'"op":"clock","args":{}}',
        b'{"id":"c-2","iat":1800000000,"exp":1800000600,"aud":["main"],'
        b'"op":"config","args":{"set":{"session.qty":"2"}}}',
        b'{"id":"c-3","iat":1800000000,"exp":1800000600,"aud":'
        b'["main/cart-1"],"op":"recalls","args":{"version":"' + b"a" * 64 +
        b'","part":1,"parts":1,"rows":[["0088","L1","","R1","x"]]}}')] +
        [b"\x00eyJhbGciOiJFUzI1NiJ9.e30.AAAA"],
}[target]
for i, s in enumerate(seeds):
    open(os.path.join(out, "s%04d" % i), "wb").write(s)
PY
}

status=0
for t in ${TARGETS:-codes bracketed assemble wire hl7_ack hidpos ndef csv refdata ident fleetcmd}; do
	seed "$t"
	mkdir -p "$F/corpus/$t"
	log="$F/fuzz_$t.log"
	"$F/fuzz_$t" -max_total_time="$S" -timeout=10 -rss_limit_mb=2048 \
	    -print_final_stats=1 "$F/corpus/$t" "$F/seeds/$t" > "$log" 2>&1
	rc=$?
	runs=$(awk '/stat::number_of_executed_units/ {print $2}' "$log")
	echo "fuzz_$t: ${S}s, ${runs:-?} inputs, $(ls "$F/corpus/$t" | wc -l) in corpus, exit $rc"
	if [ $rc -ne 0 ]; then
		grep -A30 -E 'ERROR|runtime error' "$log" | head -40
		status=1
	fi
done
exit $status

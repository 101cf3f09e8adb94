#!/usr/bin/env bash
# Fleet commands' signatures against an implementation pou did not write
# (python3-cryptography, Debian's): a key from pouctl fleet keygen has the
# kid the public key's hash gives; a command pouctl signs verifies there as
# ES256 with r || s; one Python signs with the fleet key is obeyed by
# pouctl fleet verify, as a cart would; one signed by a key the cart does
# not hold, or changed, or for another cart, or expired, is refused by name.
set -u
source "$(dirname "$0")/lib.sh"

run() { local out=$1; shift; "$@" > "$out" 2>&1; RC=$?; }

mkdir -m 700 "$T/keys"
run "$T/kg" "$B/pouctl" fleet keygen "$T/keys"
check_eq "pouctl fleet keygen makes a key pair" 0 "$RC"
KEY=$(ls "$T"/keys/fleet-*.key)
PUB=$(ls "$T"/keys/fleet-*.pub)
KID=$(sed -n 's/^kid //p' "$T/kg")
check_eq "the private key is for its owner only" 600 "$(stat -c %a "$KEY")"
run "$T/kg2" "$B/pouctl" fleet keygen /nonexistent
check "a key directory that is not there is said so" \
    grep -q 'No such file or directory' "$T/kg2"

# The kid, by Python: the first 16 hex digits of SHA-256 over the public
# key's DER (SubjectPublicKeyInfo).
PYKID=$($PY - "$PUB" <<'EOF'
import sys, hashlib
from cryptography.hazmat.primitives import serialization as s
k = s.load_pem_public_key(open(sys.argv[1], 'rb').read())
der = k.public_bytes(s.Encoding.DER, s.PublicFormat.SubjectPublicKeyInfo)
print(hashlib.sha256(der).hexdigest()[:16])
EOF
)
check_eq "the kid is the public key's hash, as Python computes it" \
    "$KID" "$PYKID"

"$B/pouctl" fleet sign --key "$KEY" --aud main/cart-1 --op clock \
    --ttl 10m --id c-1 > "$T/c1.jws"
check "pouctl fleet sign signs a command" test -s "$T/c1.jws"

# Python's verifier (tests/peers/jose.py): the header, the claims, and
# ES256 over the first two parts with r || s as JOSE carries them.
check_eq "Python verifies pouctl's signature; header and claims as sent" \
    "ES256 $KID c-1 clock main/cart-1 600 {}" \
    "$($PY "$ROOT/tests/peers/jose.py" verify "$PUB" "$T/c1.jws" 2>&1)"

verify_as() {	# verify_as OUT SITE DEVICE < command
	run "$1" "$B/pouctl" fleet verify --key "$PUB" --site "$2" --device "$3"
}
verify_as "$T/v1" main cart-1 < "$T/c1.jws"
check "pouctl fleet verify obeys it as main/cart-1 would" \
    grep -qx 'ok id c-1 op clock args {}' "$T/v1"
verify_as "$T/v2" main cart-2 < "$T/c1.jws"
check "and main/cart-2 refuses it: wrong_audience, with its id" \
    grep -q '^refused wrong_audience: .*(id c-1)' "$T/v2"

$PY "$ROOT/tests/peers/jose.py" sign "$KEY" "$KID" main 600 a > "$T/py.jws"
verify_as "$T/v3" main cart-7 < "$T/py.jws"
check "a command Python signs with the fleet key is obeyed" \
    grep -qx 'ok id py-a op diagnose args {}' "$T/v3"
$PY "$ROOT/tests/peers/jose.py" sign "" "$KID" main 600 b > "$T/forged.jws"
verify_as "$T/v4" main cart-7 < "$T/forged.jws"
check "one signed by another key under the fleet key's kid: bad_signature" \
    grep -q '^refused bad_signature' "$T/v4"
$PY "$ROOT/tests/peers/jose.py" sign "" 0123456789abcdef main 600 c > "$T/other.jws"
verify_as "$T/v5" main cart-7 < "$T/other.jws"
check "one whose kid the cart does not hold: unknown_key" \
    grep -q '^refused unknown_key' "$T/v5"
$PY "$ROOT/tests/peers/jose.py" sign "$KEY" "$KID" main -1 d > "$T/old.jws"
verify_as "$T/v6" main cart-7 < "$T/old.jws"
check "an expired one: expired" grep -q '^refused expired: .*(id py-d)' \
    "$T/v6"
sed 's/\.\(.\)/.X\1/' "$T/c1.jws" | cut -c1-2000 > "$T/changed.jws"
verify_as "$T/v7" main cart-1 < "$T/changed.jws"
check "a changed one is refused" grep -q '^refused ' "$T/v7"
head -c 100000 /dev/urandom | base64 -w0 > "$T/big"
verify_as "$T/v8" main cart-1 < "$T/big"
check "an oversized one: too_big" grep -q '^refused too_big' "$T/v8"
check_eq "and pouctl fleet verify exits 1 on a refusal" 1 "$RC"

run "$T/s1" "$B/pouctl" fleet sign --key "$PUB" --aud '*' --op clock
check "signing with a public key is refused" \
    grep -q 'not a private fleet key' "$T/s1"
run "$T/s2" "$B/pouctl" fleet sign --key "$KEY" --aud '*' --op format
check "an op no cart knows is refused before signing" \
    grep -q 'no such op' "$T/s2"
run "$T/s3" "$B/pouctl" fleet sign --key "$KEY" --aud '*' --op config \
    --args '{"set":{"nodot":"1"}}'
check "args the op does not take are refused before signing" \
    grep -q 'section.key' "$T/s3"
run "$T/s4" "$B/pouctl" fleet sign --key "$KEY" --aud '*' --op clock \
    --ttl 91d
check "a lifetime over 90 days is refused" grep -q '90 days' "$T/s4"
printf 'room,start,end,case_id,mrn,encounter\n' > "$T/sched.csv"
run "$T/s5" "$B/pouctl" fleet sign-set --key "$KEY" --aud main schedule \
    "$T/sched.csv"
check "a schedule (MRNs) to a whole site is refused: carts only" \
    grep -q 'name its carts' "$T/s5"
summary

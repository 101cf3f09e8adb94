#!/usr/bin/env python3
"""JOSE for the fleet tests, on python3-cryptography (not pou's code):
   jose.py verify PUB FILE    prints alg, kid, id, op, aud[0], exp - iat, args
   jose.py sign KEY KID AUD TTL ID [OP [ARGS]]
                              prints a JWS of {"id": "py-ID", ...}; KEY ""
                              signs with a fresh key of its own (a forgery)
"""
import sys, json, base64, time
from cryptography.hazmat.primitives import hashes, serialization as s
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature, encode_dss_signature)

def b64d(p):
    return base64.urlsafe_b64decode(p + '=' * (-len(p) % 4))

def b64e(b):
    return base64.urlsafe_b64encode(b).rstrip(b'=').decode()

def verify(pub, msg):
    h, p, sig = msg.strip().split('.')
    raw = b64d(sig)
    assert len(raw) == 64, len(raw)
    der = encode_dss_signature(int.from_bytes(raw[:32], 'big'),
                               int.from_bytes(raw[32:], 'big'))
    k = s.load_pem_public_key(open(pub, 'rb').read())
    k.verify(der, (h + '.' + p).encode(), ec.ECDSA(hashes.SHA256()))
    return json.loads(b64d(h)), json.loads(b64d(p))

def sign(key, kid, claims):
    k = s.load_pem_private_key(open(key, 'rb').read(), None) if key \
        else ec.generate_private_key(ec.SECP256R1())
    h = b64e(json.dumps({'alg': 'ES256', 'kid': kid}).encode())
    p = b64e(json.dumps(claims).encode())
    r, s_ = decode_dss_signature(k.sign((h + '.' + p).encode(),
                                        ec.ECDSA(hashes.SHA256())))
    return h + '.' + p + '.' + b64e(r.to_bytes(32, 'big') +
                                    s_.to_bytes(32, 'big'))

if sys.argv[1] == 'verify':
    h, c = verify(sys.argv[2], open(sys.argv[3]).read())
    print(h['alg'], h['kid'], c['id'], c['op'], c['aud'][0],
          c['exp'] - c['iat'], json.dumps(c['args']))
else:
    now = int(time.time())
    key, kid, aud, ttl = sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
    op = sys.argv[7] if len(sys.argv) > 7 else 'diagnose'
    args = json.loads(sys.argv[8]) if len(sys.argv) > 8 else {}
    print(sign(key or None, kid, {'id': 'py-' + sys.argv[6], 'iat': now,
          'exp': now + ttl, 'aud': [aud], 'op': op, 'args': args}))

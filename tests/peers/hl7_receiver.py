#!/usr/bin/python3
"""A billing system's HL7 listener for tests and the demo: a real MLLP server
from python3-hl7 that appends every message it receives to a file (one line
per message, segments joined by '\\n' inside a JSON string) and answers AA,
or AE for messages containing --ae-match, or AR for --ar-match, or a frame
that is no HL7 ACK at all for --garbage-match, or closes the connection
without answering for --drop-match (once per message). A message matching
--slow-match is answered --slow-ms late the first time it arrives. With
--late-cr the frame's final CR is sent alone, 50 ms after the rest, as a
slow network may deliver it. With --sequence it keeps HL7's sequence number
protocol (v2.5.1 chapter 2, MSH-13 and MSA-4): a message with sequence
number 0 starts the link and is answered with the number it expects next
(-1 before the first), the expected number is accepted and recorded, any
other is refused with AE and the expected number, and not recorded.

Prints "listening <port>" once ready (port 0 picks a free one)."""
import argparse
import asyncio
import json
import sys

import hl7
from hl7.mllp import start_hl7_server


def answer_for(msg_text, args):
    if args.ae_match and args.ae_match in msg_text:
        return "AE", "charge code not on file"
    if args.ar_match and args.ar_match in msg_text:
        return "AR", "rejected by test receiver"
    return "AA", None


dropped = set()	# messages already dropped once
slowed = set()	# messages already answered late once
expected = [None]	# --sequence: the next sequence number accepted


def msh_field(text, n):
    """MSH-n of a message's text (MSH-1 is the field separator)."""
    fields = text.split("\r")[0].split("|")
    return fields[n - 1] if len(fields) >= n else ""


def sequence_verdict(text):
    """None to take the message, or (code, why) to refuse it; for MSH-13 = 0
    the link's start, answered and never recorded."""
    try:
        seq = int(msh_field(text, 13))
    except ValueError:
        return "AR", "no sequence number (MSH-13)"
    if seq == 0:
        return "AA", None
    if expected[0] is None or seq == expected[0]:
        expected[0] = seq + 1
        return None
    return "AE", ("duplicate sequence number" if seq < expected[0] else
                  "sequence number gap")


def with_msa(ack, why, exp):
    """The ACK's text with MSA-3 (why) and, for --sequence, MSA-4."""
    text = str(ack).rstrip("\r")
    if why or exp is not None:
        text += "|" + (why or "")
    if exp is not None:
        text += "|%d" % exp
    return hl7.parse(text + "\r")


async def serve(reader, writer, args):
    try:
        while not reader.at_eof():
            msg = await reader.readmessage()
            text = str(msg)
            code, why = answer_for(text, args)
            verdict = sequence_verdict(text) if args.sequence else None
            if verdict is not None:
                code, why = verdict
                print("receiver: sequence %s -> %s %s" % (
                    msh_field(text, 13), code, why or ""),
                    file=sys.stderr, flush=True)
                ack = msg.create_ack(ack_code=code, application="BILLING",
                                     facility="HOSP")
                writer.writemessage(with_msa(ack, why, expected[0] if
                                             expected[0] is not None else -1))
                await writer.drain()
                continue
            if args.garbage_match and args.garbage_match in text:
                code = "garbage"
            elif (args.drop_match and args.drop_match in text and
                  text not in dropped):
                dropped.add(text)
                code = "dropped"
            if (args.slow_match and args.slow_match in text and
                    text not in slowed):
                slowed.add(text)
                await asyncio.sleep(args.slow_ms / 1000)
            with open(args.out, "a") as f:
                f.write(json.dumps({"ack": code, "msg": text}) + "\n")
            if code == "garbage":
                writer.write(b"\x0bthis is not an ACK\x1c\r")
                await writer.drain()
                continue
            if code == "dropped":
                break
            ack = msg.create_ack(ack_code=code, application="BILLING",
                                 facility="HOSP")
            ack = with_msa(ack, why, expected[0] if args.sequence else None)
            if args.late_cr:
                writer.write(b"\x0b" + str(ack).encode() + b"\x1c")
                await writer.drain()
                await asyncio.sleep(0.05)
                writer.write(b"\r")
            else:
                writer.writemessage(ack)
            await writer.drain()
    except asyncio.IncompleteReadError:
        pass
    except Exception as e:  # a bad frame must not stop the receiver
        print("receiver: %s" % e, file=sys.stderr, flush=True)
    finally:
        writer.close()


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--out", required=True)
    ap.add_argument("--ae-match")
    ap.add_argument("--ar-match")
    ap.add_argument("--late-cr", action="store_true")
    ap.add_argument("--garbage-match")
    ap.add_argument("--drop-match")
    ap.add_argument("--slow-match")
    ap.add_argument("--slow-ms", type=int, default=1000)
    ap.add_argument("--sequence", action="store_true")
    args = ap.parse_args()
    server = await start_hl7_server(lambda r, w: serve(r, w, args),
                                    host="127.0.0.1", port=args.port)
    port = server.sockets[0].getsockname()[1]
    print("listening %d" % port, flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())

/*
 * HL7 v2.5.1: the DFT^P03 built for one chargeable event, and the ACK
 * parser. Field positions from the FT1 table of domain.md section 4.1.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "bridge.h"
#include "util.h"

void
hl7_time(int64_t wall_ms, char out[32])
{
	time_t t = (time_t)(wall_ms / 1000);
	struct tm tm;

	gmtime_r(&t, &tm);
	if (strftime(out, 32, "%Y%m%d%H%M%S+0000", &tm) == 0)
		out[0] = '\0';
}

static unsigned
nibble(char c)
{
	return (unsigned)(c <= '9' ? c - '0' : c - 'a' + 10);
}

void
hl7_control_id(const char *ident, int rev, char out[21])
{
	static const char b32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
	char in[EVENT_ID_MAX + 16], hex[HASH_HEX];
	unsigned v;
	int i, bit;

	snprintf(in, sizeof(in), "%s#%d", ident, rev);
	sha256_hex(in, strlen(in), hex);
	out[0] = 'P';
	for (i = 0; i < 19; i++) {	/* 5 bits each, from the hex digits */
		bit = i * 5;
		v = nibble(hex[bit / 4]) << 4 | nibble(hex[bit / 4 + 1]);
		out[1 + i] = b32[(v >> (3 - bit % 4)) & 0x1f];
	}
	out[20] = '\0';
}

void
hl7_escape(struct buf *out, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '|': buf_adds(out, "\\F\\"); break;
		case '^': buf_adds(out, "\\S\\"); break;
		case '~': buf_adds(out, "\\R\\"); break;
		case '\\': buf_adds(out, "\\E\\"); break;
		case '&': buf_adds(out, "\\T\\"); break;
		default:
			if ((unsigned char)*s < 0x20)
				buf_printf(out, "\\X%02X\\", (unsigned char)*s);
			else
				buf_addc(out, *s);
		}
	}
}

/* Appends "|" and the escaped value. */
static void
field(struct buf *b, const char *v)
{
	buf_addc(b, '|');
	hl7_escape(b, v);
}

static void
empty_fields(struct buf *b, int n)
{
	while (n-- > 0)
		buf_addc(b, '|');
}

static void
money(char out[32], long long cents)
{
	snprintf(out, 32, "%lld.%02lld", cents / 100, cents % 100);
}

static void
hl7_header(struct buf *b, const struct hl7_parties *p, const char *ctrl,
    const char *now)
{
	buf_adds(b, "MSH|^~\\&");
	field(b, p->send_app);
	field(b, p->send_fac);
	field(b, p->recv_app);
	field(b, p->recv_fac);
	field(b, now);
	buf_adds(b, "||DFT^P03^DFT_P03");
	field(b, ctrl);
	buf_adds(b, "|P|2.5.1\r");
	buf_printf(b, "EVN|P03|%s\r", now);
}

/*
 * PID-3 MRN, PID-18 account; PV1-2 class unknown, PV1-3 location, PV1-19 visit.
 */
static void
hl7_patient(struct buf *b, const struct event *ev)
{
	buf_adds(b, "PID|1|");
	field(b, ev->mrn);
	buf_adds(b, ev->mrn[0] ? "^^^^MR" : "");
	empty_fields(b, 14);
	field(b, ev->encounter);
	buf_adds(b, ev->encounter[0] ? "^^^^AN\r" : "\r");
	buf_adds(b, "PV1|1|U");
	field(b, ev->room);
	buf_adds(b, "^^^");
	hl7_escape(b, ev->site);
	empty_fields(b, 15);
	field(b, ev->encounter);
	buf_adds(b, ev->encounter[0] ? "^^^^VN\r" : "\r");
}

/*
 * FT1-2 event identity, FT1-4 date of use, FT1-5 posting, FT1-6 CG (CD for
 * a return), FT1-7 charge code, FT1-10 quantity, FT1-11/12 amounts,
 * FT1-13 department, FT1-16 location, FT1-22 unit cost (the vendor's
 * contract price), FT1-23 the case id as filler order number, FT1-25 the
 * chargemaster's HCPCS code.
 */
static void
hl7_ft1(struct buf *b, const struct bevent *be, const char *now)
{
	const struct event *ev = &be->ev;
	char id[EVENT_ID_MAX], at[32], unit[32], ext[32], qty[16], cost[32];

	event_identity(be, id, sizeof(id));
	hl7_time(be->at_fixed_ms, at);
	money(unit, be->charge->price_cents);
	money(ext, be->charge->price_cents * ev->qty);
	cost[0] = '\0';
	if (be->contract)
		money(cost, be->contract->cost_cents);
	snprintf(qty, sizeof(qty), "%d", ev->qty);
	buf_adds(b, "FT1|1");
	field(b, id);
	field(b, "");
	field(b, at);
	field(b, now);
	/* A return, or the undo of a use: a credit. */
	field(b, strcmp(ev->kind, "return") == 0 ||
	    strcmp(ev->kind, "undo") == 0 ? "CD" : "CG");
	field(b, be->charge->code);
	buf_addc(b, '^');
	hl7_escape(b, be->charge->desc);
	buf_adds(b, "^CDM||");
	field(b, qty);
	field(b, ext);
	field(b, unit);
	field(b, be->loc ? be->loc->department : "");
	empty_fields(b, 2);
	field(b, ev->room);
	buf_adds(b, "^^^");
	hl7_escape(b, ev->site);
	empty_fields(b, 5);
	field(b, cost);
	field(b, ev->case_id);
	if (be->charge->hcpcs[0]) {
		empty_fields(b, 1);
		field(b, be->charge->hcpcs);
		buf_adds(b, "^^HCPCS");
	}
	buf_addc(b, '\r');
}

/* The UDI as scanned, in the receiver's Z-segment: set ID, scheme, DI,
 * lot, serial, expiry, manufacture date. */
static void
hl7_udi(struct buf *b, const struct bevent *be, const char *name)
{
	const struct item *it = &be->ev.item;

	buf_adds(b, name);
	buf_adds(b, "|1");
	field(b, it->scheme);
	field(b, it->di);
	field(b, it->lot);
	field(b, it->serial);
	field(b, it->expiry);
	field(b, it->mfg);
	buf_addc(b, '\r');
}

void
hl7_dft_p03(struct buf *b, const struct bevent *be,
    const struct hl7_parties *p, const char *ctrl, int64_t now_ms)
{
	char now[32];

	hl7_time(now_ms, now);
	hl7_header(b, p, ctrl, now);
	hl7_patient(b, &be->ev);
	hl7_ft1(b, be, now);
	if (p->udi_segment && p->udi_segment[0])
		hl7_udi(b, be, p->udi_segment);
}

/* Copies field n (0 = segment name) of seg (len bytes) into out. */
static void
seg_field(const char *seg, size_t len, char sep, int n, char *out,
    size_t outlen)
{
	const char *p = seg, *end = seg + len, *e;
	size_t k;

	while (n-- > 0 && p < end) {
		if ((p = memchr(p, sep, (size_t)(end - p))) == NULL) {
			out[0] = '\0';
			return;
		}
		p++;
	}
	if (p >= end) {
		out[0] = '\0';
		return;
	}
	e = memchr(p, sep, (size_t)(end - p));
	k = (size_t)((e ? e : end) - p);
	if (k >= outlen)
		k = outlen - 1;
	memcpy(out, p, k);
	out[k] = '\0';
}

static void
msa_fields(const char *seg, size_t n, char sep, struct hl7_ack *a)
{
	char exp[24];
	long long v;

	seg_field(seg, n, sep, 1, a->code, sizeof(a->code));
	seg_field(seg, n, sep, 2, a->ctrl, sizeof(a->ctrl));
	seg_field(seg, n, sep, 3, a->text, sizeof(a->text));
	seg_field(seg, n, sep, 4, exp, sizeof(exp));
	a->expected = parse_int(exp, -1, INT64_MAX, &v) == 0 ? v : -2;
}

int
hl7_ack_parse(const char *msg, size_t len, struct hl7_ack *a)
{
	const char *p = msg, *end = msg + len, *seg;
	char sep;
	size_t n;

	memset(a, 0, sizeof(*a));
	a->expected = -2;
	if (len < 8 || memcmp(msg, "MSH", 3) != 0)
		return -EINVAL;
	sep = msg[3];
	while (p < end) {
		seg = p;
		for (n = 0; seg + n < end && seg[n] != '\r' && seg[n] != '\n';
		    n++)
			;
		if (n > 4 && memcmp(seg, "MSA", 3) == 0 && seg[3] == sep) {
			msa_fields(seg, n, sep, a);
			return strlen(a->code) == 2 ? 0 : -EINVAL;
		}
		p = seg + n + 1;
	}
	return -EINVAL;
}

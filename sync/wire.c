/* The wire protocol, version 1: topics and JSON payloads (DESIGN section 6). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "buf.h"
#include "util.h"
#include "wire.h"

int
wire_id_valid(const char *s)
{
	size_t n = strlen(s), i;

	if (n == 0 || n >= WIRE_ID_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' &&
		    s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') ||
		    strchr("-_.", s[i])))
			return 0;
	return 1;
}

int
wire_device_valid(const char *s)
{
	return wire_id_valid(s) && strcmp(s, "all") != 0;
}

int
wire_topic(char *out, size_t len, const char *site, const char *device,
    const char *leaf)
{
	int n = snprintf(out, len, "pou/v1/%s/%s/%s", site, device, leaf);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

int
wire_topic_parse(const char *topic, struct wire_topic *t)
{
	const char *p[3], *q;
	size_t n[3];
	int i;

	memset(t, 0, sizeof(*t));
	if (strncmp(topic, "pou/v1/", 7) != 0)
		return -EINVAL;
	q = topic + 7;
	for (i = 0; i < 3; i++) {
		p[i] = q;
		n[i] = strcspn(q, "/");
		q += n[i];
		if ((i < 2 && *q != '/') || (i == 2 && *q != '\0'))
			return -EINVAL;
		q++;
	}
	if (n[0] >= sizeof(t->site) || n[1] >= sizeof(t->device) ||
	    n[2] >= sizeof(t->leaf))
		return -EINVAL;
	memcpy(t->site, p[0], n[0]);
	memcpy(t->device, p[1], n[1]);
	memcpy(t->leaf, p[2], n[2]);
	return wire_id_valid(t->site) && wire_device_valid(t->device) ? 0 :
	    -EINVAL;
}

static json_t *
wire_flags(unsigned flags)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; a && i < nitems(event_flag_names); i++)
		if (flags & (1u << i))
			json_array_append_new(a,
			    json_string(event_flag_names[i]));
	return a;
}

static json_t *
wire_event(const struct event *ev)
{
	const struct item *it = &ev->item;

	json_t *j = json_pack("{s:I, s:I, s:s, s:I, s:s, s:i, "
	    "s:{s:s, s:s, s:s, s:s, s:s, s:s, s:s%}, s:s, s:{s:s, s:s}, s:s, "
	    "s:{s:s, s:s, s:s}, s:o, s:s}",
	    "seq", (json_int_t)ev->seq, "at", (json_int_t)ev->at_ms,
	    "boot", ev->boot, "mono_ms", (json_int_t)ev->mono_ms,
	    "kind", ev->kind, "qty", ev->qty,
	    "item", "scheme", it->scheme, "di", it->di, "lot", it->lot,
	    "serial", it->serial, "expiry", it->expiry, "mfg", it->mfg,
	    "raw", (const char *)it->raw, it->raw_len,
	    "case", ev->case_id,
	    "patient", "mrn", ev->mrn, "encounter", ev->encounter,
	    "user", ev->user,
	    "location", "site", ev->site, "room", ev->room, "unit", ev->unit,
	    "flags", wire_flags(ev->flags), "source", ev->source);

	if (j && ev->undoes > 0)
		json_object_set_new(j, "undoes", json_integer(ev->undoes));
	return j;
}

static char *
wire_dump(json_t *j)
{
	char *s = j ? json_dumps(j, JSON_COMPACT) : NULL;

	json_decref(j);
	return s;
}

static int
wire_to_buf(const char *p, size_t n, void *arg)
{
	buf_add(arg, p, n);
	return 0;
}

/* Appends j as compact JSON and releases it; -1 when j is NULL. */
static int
wire_append(struct buf *b, json_t *j)
{
	int rc = j ? json_dump_callback(j, wire_to_buf, b,
	    JSON_COMPACT | JSON_ENCODE_ANY) : -1;

	json_decref(j);
	return rc;
}

/*
 * Streamed one event at a time: a JSON tree of a whole batch costs some
 * 4 kB per event, which is most of the agent's memory at 500 per batch.
 */
static void
wire_mark_encode(struct buf *b, const struct wire_mark *m)
{
	if (m == NULL)
		return;
	if (m->acked > 0)
		buf_printf(b, ",\"acked\":%lld", (long long)m->acked);
	if (m->gone_from > 0)
		buf_printf(b, ",\"gone\":[%lld,%lld]", (long long)m->gone_from,
		    (long long)m->gone_to);
}

char *
wire_batch_encode(const char *epoch, const struct event *evs, int n,
    const struct wire_clock *sent, const struct wire_mark *mark)
{
	struct buf b = BUF_INIT;
	int i, rc = 0;

	buf_adds(&b, "{\"v\":" WIRE_VERSION_S ",\"epoch\":");
	rc |= wire_append(&b, json_string(epoch));
	buf_adds(&b, ",\"events\":[");
	for (i = 0; i < n && rc == 0; i++) {
		if (i > 0)
			buf_addc(&b, ',');
		rc |= wire_append(&b, wire_event(&evs[i]));
	}
	buf_addc(&b, ']');
	if (sent) {
		buf_adds(&b, ",\"sent\":");
		rc |= wire_append(&b, json_pack("{s:I, s:s, s:I}", "at",
		    (json_int_t)sent->at_ms, "boot", sent->boot, "mono_ms",
		    (json_int_t)sent->mono_ms));
	}
	wire_mark_encode(&b, mark);
	buf_addc(&b, '}');
	if (rc != 0 || b.oom) {
		buf_free(&b);
		return NULL;
	}
	return b.s;
}

static int
wire_sent(json_t *o, struct wire_clock *c, char *err, size_t errlen)
{
	json_error_t je;
	json_int_t at, mono;
	const char *boot;

	memset(c, 0, sizeof(*c));
	if (o == NULL)
		return 0;
	if (json_unpack_ex(o, &je, JSON_STRICT, "{s:I, s:s, s:I}", "at", &at,
	    "boot", &boot, "mono_ms", &mono) != 0) {
		snprintf(err, errlen, "sent: %s", je.text);
		return -EINVAL;
	}
	if (at < 0 || mono < 0 || strlen(boot) >= sizeof(c->boot)) {
		snprintf(err, errlen, "sent: bad clocks");
		return -EINVAL;
	}
	c->at_ms = at;
	c->mono_ms = mono;
	memcpy(c->boot, boot, strlen(boot) + 1);
	return 0;
}

/* Copies an untrusted string, refusing what does not fit. */
static int
wire_copy(char *dst, size_t size, const char *src, const char *what,
    char *err, size_t errlen)
{
	if (strlen(src) >= size) {
		snprintf(err, errlen, "%s longer than %zu bytes", what,
		    size - 1);
		return -EINVAL;
	}
	memcpy(dst, src, strlen(src) + 1);
	return 0;
}

static int
wire_raw(struct item *it, const char *raw, size_t len, char *err,
    size_t errlen)
{
	size_t i;

	if (len == 0 || len > ITEM_RAW_MAX) {
		snprintf(err, errlen, "item.raw of %zu bytes", len);
		return -EINVAL;
	}
	/* GS inside a symbol, RS between the symbols of one label. */
	for (i = 0; i < len; i++)
		if (raw[i] != 0x1d && raw[i] != 0x1e && (raw[i] < 0x20 ||
		    raw[i] > 0x7e)) {
			snprintf(err, errlen, "item.raw has byte 0x%02x",
			    (unsigned char)raw[i]);
			return -EINVAL;
		}
	memcpy(it->raw, raw, len);
	it->raw_len = len;
	return 0;
}

static int
wire_parse_flags(json_t *a, unsigned *flags, char *err, size_t errlen)
{
	size_t i, k;
	json_t *v;

	*flags = 0;
	json_array_foreach(a, i, v) {
		for (k = 0; k < nitems(event_flag_names); k++)
			if (json_is_string(v) && strcmp(json_string_value(v),
			    event_flag_names[k]) == 0)
				break;
		if (k == nitems(event_flag_names)) {
			snprintf(err, errlen, "unknown flag at flags[%zu]", i);
			return -EINVAL;
		}
		*flags |= 1u << k;
	}
	return 0;
}

struct wire_strs {
	const char *boot, *kind, *scheme, *di, *lot, *serial, *expiry, *mfg,
	    *raw, *case_id, *mrn, *enc, *user, *site, *room, *unit, *source;
	size_t rawlen;
};

#define COPY(dst, src, what) \
	wire_copy(dst, sizeof(dst), src, what, err, errlen)

static int
wire_copy_all(struct event *ev, const struct wire_strs *w, char *err,
    size_t errlen)
{
	struct item *it = &ev->item;

	if (COPY(ev->boot, w->boot, "boot") ||
	    COPY(ev->kind, w->kind, "kind") ||
	    COPY(it->scheme, w->scheme, "item.scheme") ||
	    COPY(it->di, w->di, "item.di") ||
	    COPY(it->lot, w->lot, "item.lot") ||
	    COPY(it->serial, w->serial, "item.serial") ||
	    COPY(it->expiry, w->expiry, "item.expiry") ||
	    COPY(it->mfg, w->mfg, "item.mfg") ||
	    COPY(ev->case_id, w->case_id, "case") ||
	    COPY(ev->mrn, w->mrn, "patient.mrn") ||
	    COPY(ev->encounter, w->enc, "patient.encounter") ||
	    COPY(ev->user, w->user, "user") ||
	    COPY(ev->site, w->site, "location.site") ||
	    COPY(ev->room, w->room, "location.room") ||
	    COPY(ev->unit, w->unit, "location.unit") ||
	    COPY(ev->source, w->source, "source"))
		return -EINVAL;
	return wire_raw(it, w->raw, w->rawlen, err, errlen);
}

static int
wire_check_event(const struct event *ev, char *err, size_t errlen)
{
	if (ev->seq < 1)
		snprintf(err, errlen, "seq %lld is not positive",
		    (long long)ev->seq);
	else if (!event_kind_valid(ev->kind))
		snprintf(err, errlen, "kind \"%s\" is not one of use, waste, "
		    "return, billonly, consign, undo", ev->kind);
	else if ((strcmp(ev->kind, "undo") == 0) != (ev->undoes > 0) ||
	    ev->undoes >= ev->seq)
		snprintf(err, errlen, "undoes %lld: only an undo names an "
		    "earlier seq", (long long)ev->undoes);
	else if (ev->qty < 1 || ev->qty > 9999)
		snprintf(err, errlen, "qty %d is not 1 to 9999", ev->qty);
	else if (ev->item.di[0] == '\0')
		snprintf(err, errlen, "item.di is empty");
	else
		return 0;
	return -EINVAL;
}

static int
wire_parse_event(json_t *j, struct event *ev, char *err, size_t errlen)
{
	struct wire_strs w;
	json_int_t seq, at, mono, undoes = 0;
	json_error_t je;
	json_t *flags;

	memset(ev, 0, sizeof(*ev));
	memset(&w, 0, sizeof(w));
	if (json_unpack_ex(j, &je, JSON_STRICT,
	    "{s:I, s:I, s:s, s:I, s:s, s:i, "
	    "s:{s:s, s:s, s:s, s:s, s:s, s:s, s:s%}, s:s, s:{s:s, s:s}, s:s, "
	    "s:{s:s, s:s, s:s}, s:o, s:s, s?I}",
	    "seq", &seq, "at", &at, "boot", &w.boot, "mono_ms", &mono,
	    "kind", &w.kind, "qty", &ev->qty,
	    "item", "scheme", &w.scheme, "di", &w.di, "lot", &w.lot,
	    "serial", &w.serial, "expiry", &w.expiry, "mfg", &w.mfg,
	    "raw", &w.raw, &w.rawlen, "case", &w.case_id,
	    "patient", "mrn", &w.mrn, "encounter", &w.enc, "user", &w.user,
	    "location", "site", &w.site, "room", &w.room, "unit", &w.unit,
	    "flags", &flags, "source", &w.source, "undoes", &undoes) != 0) {
		snprintf(err, errlen, "%s", je.text);
		return -EINVAL;
	}
	ev->seq = seq;
	ev->undoes = undoes;
	ev->at_ms = at;
	ev->mono_ms = mono;
	if (!json_is_array(flags)) {
		snprintf(err, errlen, "flags is not an array");
		return -EINVAL;
	}
	if (wire_copy_all(ev, &w, err, errlen) != 0 ||
	    wire_parse_flags(flags, &ev->flags, err, errlen) != 0)
		return -EINVAL;
	return wire_check_event(ev, err, errlen);
}

static int
wire_parse_events(json_t *a, struct event *evs, char *err, size_t errlen)
{
	char sub[160];
	size_t i;
	json_t *j;

	json_array_foreach(a, i, j) {
		if (wire_parse_event(j, &evs[i], sub, sizeof(sub)) != 0) {
			snprintf(err, errlen, "events[%zu]: %s", i, sub);
			return -EINVAL;
		}
		if (i > 0 && evs[i].seq <= evs[i - 1].seq) {
			snprintf(err, errlen, "events[%zu]: seq %lld not above "
			    "%lld", i, (long long)evs[i].seq,
			    (long long)evs[i - 1].seq);
			return -EINVAL;
		}
	}
	return 0;
}

static int
wire_epoch(const char *src, char *epoch, size_t epochlen, char *err,
    size_t errlen)
{
	if (!wire_id_valid(src) || strlen(src) >= epochlen) {
		snprintf(err, errlen, "epoch is not a valid id");
		return -EINVAL;
	}
	memcpy(epoch, src, strlen(src) + 1);
	return 0;
}

static json_t *
wire_load(const char *payload, size_t len, char *err, size_t errlen)
{
	json_error_t je;
	json_t *j = json_loadb(payload, len, JSON_REJECT_DUPLICATES, &je);

	if (j == NULL)
		snprintf(err, errlen, "not JSON: %s (at %d)", je.text,
		    je.position);
	return j;
}

/* "acked" and "gone"; the events' first seq (0: none) bounds the range. */
static int
wire_mark_decode(json_t *acked, json_t *gone, struct wire_mark *m,
    char *err, size_t errlen)
{
	json_int_t from = 0, to = 0;

	memset(m, 0, sizeof(*m));
	if (acked && (!json_is_integer(acked) ||
	    (m->acked = json_integer_value(acked)) < 0)) {
		snprintf(err, errlen, "acked is not a seq");
		return -EINVAL;
	}
	if (gone && (json_unpack(gone, "[II]", &from, &to) != 0 ||
	    json_array_size(gone) != 2 || from < 1 || to < from)) {
		snprintf(err, errlen, "gone is not [from, to] with 1 <= from "
		    "<= to");
		return -EINVAL;
	}
	m->gone_from = from;
	m->gone_to = to;
	return 0;
}

static int
wire_batch_check(int v, size_t n, const struct wire_mark *m, char *err,
    size_t errlen)
{
	if (v != WIRE_VERSION)
		snprintf(err, errlen, "batch version %d, this bridge speaks %d",
		    v, WIRE_VERSION);
	else if ((n < 1 && m->gone_from == 0) || n > WIRE_BATCH_MAX)
		snprintf(err, errlen, "events must be an array of 1 to %d "
		    "(0 only with gone)", WIRE_BATCH_MAX);
	else
		return 0;
	return -EINVAL;
}

static int
wire_batch_events(json_t *a, size_t n, const struct wire_mark *m,
    struct event **evsp, char *err, size_t errlen)
{
	struct event *evs;

	*evsp = NULL;
	if (n == 0)
		return 0;
	if ((evs = calloc(n, sizeof(*evs))) == NULL)
		return -ENOMEM;
	if (wire_parse_events(a, evs, err, errlen) != 0) {
		free(evs);
		return -EINVAL;
	}
	if (m->gone_from > 0 && m->gone_to >= evs[0].seq) {
		snprintf(err, errlen, "gone %lld..%lld reaches into the events",
		    (long long)m->gone_from, (long long)m->gone_to);
		free(evs);
		return -EINVAL;
	}
	*evsp = evs;
	return 0;
}

int
wire_batch_decode(const char *payload, size_t len, char *epoch,
    size_t epochlen, struct event **evsp, int *np, struct wire_clock *sent,
    struct wire_mark *mark, char *err, size_t errlen)
{
	struct wire_clock clk;
	struct wire_mark mk;
	const char *ep;
	json_error_t je;
	json_t *j, *a, *so = NULL, *ak = NULL, *gn = NULL;
	int v, rc = -EINVAL;
	size_t n;

	*evsp = NULL;
	*np = 0;
	if ((j = wire_load(payload, len, err, errlen)) == NULL)
		return -EINVAL;
	if (json_unpack_ex(j, &je, JSON_STRICT, "{s:i, s:s, s:o, s?o, s?o, "
	    "s?o}", "v", &v, "epoch", &ep, "events", &a, "sent", &so, "acked",
	    &ak, "gone", &gn) != 0) {
		snprintf(err, errlen, "batch: %s", je.text);
		goto out;
	}
	n = json_is_array(a) ? json_array_size(a) : 0;
	if (!json_is_array(a))
		snprintf(err, errlen, "events is not an array");
	else if (wire_mark_decode(ak, gn, &mk, err, errlen) == 0 &&
	    wire_batch_check(v, n, &mk, err, errlen) == 0 &&
	    wire_epoch(ep, epoch, epochlen, err, errlen) == 0 &&
	    wire_sent(so, &clk, err, errlen) == 0 &&
	    (rc = wire_batch_events(a, n, &mk, evsp, err, errlen)) == 0) {
		*np = (int)n;
		if (sent)
			*sent = clk;
		if (mark)
			*mark = mk;
	}
out:
	json_decref(j);
	return rc;
}

char *
wire_ack_encode(const struct wire_ack *a)
{
	json_t *j = json_pack("{s:i, s:s, s:I}", "v", WIRE_VERSION, "epoch",
	    a->epoch, "upto", (json_int_t)a->upto);

	if (j && a->replay > 0)
		json_object_set_new(j, "replay", json_integer(a->replay));
	if (j && a->stored > 0)
		json_object_set_new(j, "stored", json_integer(a->stored));
	if (j && a->held > a->upto)
		json_object_set_new(j, "held", json_integer(a->held));
	if (j && a->conflict > 0)
		json_object_set_new(j, "conflict", json_integer(a->conflict));
	return wire_dump(j);
}

int
wire_ack_decode(const char *payload, size_t len, struct wire_ack *a,
    char *err, size_t errlen)
{
	json_error_t je;
	json_int_t u, rp = 0, st = 0, hd = 0, cf = 0;
	const char *ep;
	json_t *j;
	int v, rc = -EINVAL;

	memset(a, 0, sizeof(*a));
	if ((j = wire_load(payload, len, err, errlen)) == NULL)
		return -EINVAL;
	if (json_unpack_ex(j, &je, JSON_STRICT, "{s:i, s:s, s:I, s?I, s?I, "
	    "s?I, s?I}", "v", &v, "epoch", &ep, "upto", &u, "replay", &rp,
	    "stored", &st, "held", &hd, "conflict", &cf) != 0)
		snprintf(err, errlen, "ack: %s", je.text);
	else if (v != WIRE_VERSION)
		snprintf(err, errlen, "ack version %d", v);
	else if (u < 0 || (rp != 0 && rp <= u) || st < 0 || hd < 0 || cf < 0)
		snprintf(err, errlen, "ack upto %lld replay %lld stored %lld "
		    "held %lld conflict %lld", (long long)u, (long long)rp,
		    (long long)st, (long long)hd, (long long)cf);
	else if ((rc = wire_epoch(ep, a->epoch, sizeof(a->epoch), err,
	    errlen)) == 0) {
		a->upto = u;
		a->replay = rp;
		a->stored = st;
		a->held = hd;
		a->conflict = cf;
	}
	json_decref(j);
	return rc;
}

char *
wire_status_encode(const char *state, const char *epoch, const char *version)
{
	if (epoch == NULL)
		return wire_dump(json_pack("{s:i, s:s}", "v", WIRE_VERSION,
		    "state", state));
	return wire_dump(json_pack("{s:i, s:s, s:s, s:s}", "v", WIRE_VERSION,
	    "state", state, "epoch", epoch, "version", version));
}

int
wire_status_decode(const char *payload, size_t len, struct wire_status *w,
    char *err, size_t errlen)
{
	const char *st, *ep = NULL, *ver = NULL;
	json_error_t je;
	json_t *j;
	int v, rc = -EINVAL;

	if ((j = wire_load(payload, len, err, errlen)) == NULL)
		return -EINVAL;
	if (json_unpack_ex(j, &je, JSON_STRICT, "{s:i, s:s, s?s, s?s}", "v", &v,
	    "state", &st, "epoch", &ep, "version", &ver) != 0)
		snprintf(err, errlen, "status: %s", je.text);
	else if (v != WIRE_VERSION)
		snprintf(err, errlen, "status version %d", v);
	else if (strlen(st) >= sizeof(w->state))
		snprintf(err, errlen, "status state too long");
	else if (ver != NULL && strlen(ver) >= sizeof(w->version))
		snprintf(err, errlen, "status version too long");
	else if (ep == NULL || (rc = wire_epoch(ep, w->epoch, sizeof(w->epoch),
	    err, errlen)) == 0) {
		if (ep == NULL)
			w->epoch[0] = '\0';
		memcpy(w->state, st, strlen(st) + 1);
		snprintf(w->version, sizeof(w->version), "%s", ver ? ver : "");
		rc = 0;
	}
	json_decref(j);
	return rc;
}

char *
wire_telemetry_encode(const struct telemetry *t)
{
	json_t *d = json_array();
	int i;

	for (i = 0; d && i < t->ndrivers; i++)
		json_array_append_new(d, json_pack("{s:s, s:s, s:I, s:I}",
		    "name", t->drivers[i].name, "state", t->drivers[i].state,
		    "since", (json_int_t)t->drivers[i].since_ms,
		    "scans", (json_int_t)t->drivers[i].scans));
	return wire_dump(json_pack("{s:i, s:I, s:I, s:I, s:I, s:I, s:I, s:I, "
	    "s:I, s:I, s:{s:b, s:s}, s:o, s:{s:s, s:s}}", "v", WIRE_VERSION,
	    "at", (json_int_t)t->at_ms,
	    "uptime_s", (json_int_t)t->uptime_s,
	    "backlog", (json_int_t)t->backlog,
	    "oldest_unacked_age_ms", (json_int_t)t->oldest_unacked_age_ms,
	    "last_acked_seq", (json_int_t)t->last_acked_seq,
	    "store_bytes", (json_int_t)t->store_bytes,
	    "store_used_bytes", (json_int_t)t->store_used_bytes,
	    "store_quota_bytes", (json_int_t)t->store_quota_bytes,
	    "disk_free_bytes", (json_int_t)t->disk_free_bytes,
	    "clock", "synced", t->clock_synced, "boot", t->boot, "drivers", d,
	    "refdata", "catalog", t->catalog, "recalls", t->recalls));
}

char *
wire_result_encode(const struct wire_result *r)
{
	json_t *data = r->data[0] ? json_loads(r->data, 0, NULL) :
	    json_object();
	json_t *id = r->id[0] ? json_string(r->id) : json_null();

	if (!json_is_object(data)) {
		json_decref(data);
		json_decref(id);
		return NULL;
	}
	return wire_dump(json_pack("{s:i, s:o, s:s, s:b, s:s, s:s, s:I, s:o}",
	    "v", WIRE_VERSION, "id", id, "state", r->state, "ok",
	    strcmp(r->state, "failed") != 0, "error", r->error, "detail",
	    r->detail, "at", (json_int_t)r->at_ms, "data", data));
}

int
wire_result_decode(const char *payload, size_t len, struct wire_result_in *r,
    char *err, size_t errlen)
{
	const char *st, *er, *de;
	json_t *j, *id, *data;
	json_error_t je;
	json_int_t at;
	int v, ok, rc = -EINVAL;

	memset(r, 0, sizeof(*r));
	if ((j = wire_load(payload, len, err, errlen)) == NULL)
		return -EINVAL;
	if (json_unpack_ex(j, &je, JSON_STRICT, "{s:i, s:o, s:s, s:b, s:s, "
	    "s:s, s:I, s:o}", "v", &v, "id", &id, "state", &st, "ok", &ok,
	    "error", &er, "detail", &de, "at", &at, "data", &data) != 0)
		snprintf(err, errlen, "result: %s", je.text);
	else if (v != WIRE_VERSION || !json_is_object(data) ||
	    !(json_is_null(id) || json_is_string(id)))
		snprintf(err, errlen, "result: version, id or data of the "
		    "wrong kind");
	else if ((json_is_string(id) && wire_copy(r->id, sizeof(r->id),
	    json_string_value(id), "id", err, errlen) != 0) ||
	    wire_copy(r->state, sizeof(r->state), st, "state", err,
	    errlen) != 0 || wire_copy(r->error, sizeof(r->error), er, "error",
	    err, errlen) != 0 || wire_copy(r->detail, sizeof(r->detail), de,
	    "detail", err, errlen) != 0)
		;
	else if ((r->data = json_dumps(data, JSON_COMPACT)) != NULL) {
		r->at_ms = at;
		rc = 0;
	}
	json_decref(j);
	return rc;
}

char *
wire_object_text(const char *payload, size_t len)
{
	char err[200];
	json_t *j = wire_load(payload, len, err, sizeof(err));

	if (json_is_object(j))
		return wire_dump(j);
	json_decref(j);
	return NULL;
}

/*
 * The scan session: context codes set case and patient for the items that
 * follow; item codes are decoded, committed, and only then acknowledged.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "agent.h"
#include "codes/codes.h"
#include "log.h"
#include "store.h"
#include "util.h"

const char *
scan_text(const struct scan *sc, size_t *len)
{
	const char *p = (const char *)sc->data;

	*len = sc->len;
	if (*len >= 3 && p[0] == ']')	/* the scanner's AIM symbology id */
		p += 3, *len -= 3;
	return p;
}

/* A context code starts with prefix, after the scanner's AIM id if any. */
static int
has_prefix(const struct scan *sc, const char *prefix, const char **rest)
{
	size_t n = strlen(prefix), len;
	const char *p = scan_text(sc, &len);

	if (n == 0 || len <= n || memcmp(p, prefix, n) != 0)
		return 0;
	*rest = p + n;
	return 1;
}

/* What context code sc is ("case", "patient", "encounter", "user"), with
 * the id after its prefix in *rest; NULL for an item scan. */
static const char *
context_kind(const struct agent *a, const struct scan *sc, const char **rest)
{
	const struct agent_conf *c = &a->conf;

	if (has_prefix(sc, c->case_prefix, rest))
		return "case";
	if (has_prefix(sc, c->mrn_prefix, rest))
		return "patient";
	if (has_prefix(sc, c->enc_prefix, rest))
		return "encounter";
	if (has_prefix(sc, c->user_prefix, rest))
		return "user";
	return NULL;
}

static void
session_clear(struct session *s)
{
	s->case_id[0] = s->mrn[0] = s->encounter[0] = '\0';
}

/* Copies the id after the prefix; refuses what does not fit or is not text. */
static int
context_id(char *dst, const char *src, size_t len)
{
	size_t i;

	if (len == 0 || len >= EV_STR)
		return -1;
	for (i = 0; i < len; i++)
		if (src[i] < 0x20 || src[i] > 0x7e)
			return -1;
	memcpy(dst, src, len);
	dst[len] = '\0';
	return 0;
}

static int
session_context(struct agent *a, const struct scan *sc)
{
	struct session *s = &a->sess;
	const char *v, *what;
	char id[EV_STR], msg[160];
	size_t n;

	if ((what = context_kind(a, sc, &v)) == NULL)
		return 0;
	n = sc->len - (size_t)(v - (const char *)sc->data);
	if (context_id(id, v, n) != 0) {
		snprintf(msg, sizeof(msg), "%s code not read: empty, too long "
		    "or not text", what);
		feedback(a, BOARD_STOP, msg);
		return 1;
	}
	if (what[0] == 'c') {		/* a new case starts a new context */
		session_clear(s);
		snprintf(s->case_id, sizeof(s->case_id), "%s", id);
	} else if (what[0] == 'p') {
		if (s->mrn[0] != '\0' && strcmp(s->mrn, id) != 0)
			session_clear(s);	/* another patient */
		snprintf(s->mrn, sizeof(s->mrn), "%s", id);
	} else if (what[0] == 'e')
		snprintf(s->encounter, sizeof(s->encounter), "%s", id);
	else
		snprintf(s->user, sizeof(s->user), "%s", id);
	s->last_ms = sc->mono_ms;
	snprintf(msg, sizeof(msg), "%s %s", what, id);
	feedback(a, BOARD_CONTEXT, msg);
	return 1;
}

static int
current_year(void)
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	return tm.tm_year + 1900;
}

static void
session_event(struct agent *a, const struct scan *sc, const struct item *it,
    struct event *ev)
{
	const struct agent_conf *c = &a->conf;
	const struct session *s = &a->sess;

	memset(ev, 0, sizeof(*ev));
	ev->at_ms = sc->wall_ms;
	snprintf(ev->boot, sizeof(ev->boot), "%s", a->boot);
	ev->mono_ms = now_boot_ms();
	snprintf(ev->kind, sizeof(ev->kind), "%s", s->kind[0] ? s->kind :
	    "use");
	ev->qty = s->qty > 0 ? s->qty : 1;
	ev->item = *it;
	memcpy(ev->case_id, s->case_id, sizeof(ev->case_id));
	memcpy(ev->mrn, s->mrn, sizeof(ev->mrn));
	memcpy(ev->encounter, s->encounter, sizeof(ev->encounter));
	memcpy(ev->user, s->user, sizeof(ev->user));
	snprintf(ev->site, sizeof(ev->site), "%s", c->site);
	snprintf(ev->room, sizeof(ev->room), "%s", c->room);
	snprintf(ev->unit, sizeof(ev->unit), "%s", c->unit);
	snprintf(ev->source, sizeof(ev->source), "%s", sc->source);
}

void
session_reset_action(struct session *s)
{
	s->kind[0] = '\0';
	s->qty = 0;
}

static void
session_refuse(struct agent *a, const struct scan *sc,
    const struct code_result *r)
{
	char raw[ITEM_RAW_MAX * 4 + 1], msg[224];

	a->tally.refused++;
	/* A refused scan may be a wristband's MRN: its bytes at debug only
	 * (a diagnose snapshot carries the lines above). */
	log_warnx("%s: scan refused (%s): %s (%zu bytes)", sc->source,
	    codes_errname(r->err), r->msg, sc->len);
	escape(sc->data, sc->len, raw, sizeof(raw));
	log_debug("%s: the refused scan: \"%s\"", sc->source, raw);
	snprintf(msg, sizeof(msg), "not recorded: %s", r->msg);
	feedback(a, BOARD_STOP, msg);
}

static void
session_feedback(struct agent *a, const struct event *ev)
{
	char msg[160];

	snprintf(msg, sizeof(msg), "recorded seq %lld %s %dx %s%s%s%s%s",
	    (long long)ev->seq, ev->kind, ev->qty, ev->item.di,
	    ev->item.lot[0] ? " lot " : "", ev->item.lot,
	    ev->flags & EVF_OVERRIDE ? " (override)" :
	    ev->flags & EVF_UNKNOWN_ITEM ? " (not in the catalog)" :
	    ev->flags & EVF_INACTIVE_ITEM ? " (inactive item)" :
	    ev->flags & EVF_NO_CASE ? " (no case)" : "",
	    ev->flags & EVF_LOT_MISSING ? " (no lot)" : "");
	feedback(a, ev->flags & ~EVF_OVERRIDE ? BOARD_WARN :
	    BOARD_OK, msg);
}

/* Decodes an item scan. 0, or -1 with the reason in r. */
static int
session_decode(const struct scan *sc, struct code_result *r)
{
	struct codes_opts o = { current_year(), 0 };

	return codes_decode(sc->data, sc->len, &o, r) == CODE_OK ? 0 : -1;
}

/* One half of a two-symbol label: a bare product code, or a secondary. */
static int
is_half(const struct code_result *r)
{
	const struct item *it = &r->item;

	if (r->partial)
		return 1;
	/* EAN/UPC supplies carry nothing more: record them at once. */
	if (r->item.raw_len >= 3 && memcmp(r->item.raw, "]E", 2) == 0)
		return 0;
	return it->lot[0] == '\0' && it->serial[0] == '\0' &&
	    it->expiry[0] == '\0';
}

/* Commits ev, then (and only then) tells the person. */
static void
session_commit(struct agent *a, struct event *ev)
{
	int rc;

	session_reset_action(&a->sess);
	rc = store_append(a->store, ev);
	/* Full: delete what is acked now, and try once more. */
	if (rc == -ENOSPC && (housekeeping_now(a) > 0 ||
	    store_room_ok(a->store)))
		rc = store_append(a->store, ev);
	if (rc != 0) {
		a->tally.store_errors++;
		if (rc == -ENOSPC)
			housekeeping_full(a, 1);
		a->health.broken = rc == -EIO || rc == -EBADMSG;
		log_warnx("%s: scan NOT recorded: %s", ev->source,
		    rc == -ENOSPC ? "the store is full" : "store error");
		feedback(a, BOARD_STOP, rc == -ENOSPC ? "NOT RECORDED: "
		    "storage full, write it down and tell IT" : "NOT RECORDED: "
		    "storage error, write it down");
		return;
	}
	housekeeping_full(a, 0);
	a->health.broken = 0;
	a->tally.recorded++;
	session_feedback(a, ev);
	uplink_kick(a->uplink);
}

/* Checks the item; a stop holds it for POU:OVERRIDE, else it is recorded. */
static void
session_record(struct agent *a, const struct scan *sc, const struct item *it)
{
	struct session *s = &a->sess;
	char why[128], msg[224];

	session_event(a, sc, it, &s->stopped);
	if (checks_run(a, &s->stopped, why, sizeof(why)) == 0) {
		session_commit(a, &s->stopped);
		return;
	}
	s->has_stopped = 1;
	s->stopped_until = sc->mono_ms + a->conf.override_window_s * 1000;
	log_warnx("%s: STOP %s: %s lot %s serial %s; not recorded unless "
	    "overridden", sc->source, why, it->di, it->lot, it->serial);
	snprintf(msg, sizeof(msg), "STOP: %s. Do not use; scan POU:OVERRIDE "
	    "within %llds to use it anyway", why, a->conf.override_window_s);
	feedback(a, BOARD_STOP, msg);
}

void
session_override(struct agent *a)
{
	struct session *s = &a->sess;

	if (!s->has_stopped) {
		feedback(a, BOARD_STOP, "nothing to override");
		return;
	}
	s->has_stopped = 0;
	s->stopped.flags |= EVF_OVERRIDE;
	memcpy(s->stopped.user, s->user, sizeof(s->stopped.user));
	log_warnx("%s: OVERRIDE by user \"%s\": seq follows for %s lot %s",
	    s->stopped.source, s->user, s->stopped.item.di,
	    s->stopped.item.lot);
	session_commit(a, &s->stopped);
}

void
session_undo(struct agent *a)
{
	struct session *s = &a->sess;
	struct event ev;
	char msg[128];

	if (store_last_undoable(a->store, s->user, s->case_id, &ev) != 1 ||
	    strcmp(ev.boot, a->boot) != 0 || now_boot_ms() - ev.mono_ms >
	    a->conf.undo_window_s * 1000) {
		snprintf(msg, sizeof(msg), "nothing to undo: no item of yours "
		    "in this case in the last %lld s", a->conf.undo_window_s);
		feedback(a, BOARD_STOP, msg);
		return;
	}
	if (strcmp(ev.kind, "return") == 0) {
		feedback(a, BOARD_STOP, "a return is not undone: "
		    "scan the item again to use it");
		return;
	}
	log_info("session: UNDO of seq %lld (%s %dx %s lot %s) by \"%s\"",
	    (long long)ev.seq, ev.kind, ev.qty, ev.item.di, ev.item.lot,
	    s->user);
	ev.undoes = ev.seq;
	snprintf(ev.kind, sizeof(ev.kind), "undo");
	ev.at_ms = now_wall_ms();
	ev.mono_ms = now_boot_ms();
	session_commit(a, &ev);
}

void
session_abandon(struct agent *a)
{
	struct session *s = &a->sess;

	if (!s->has_stopped)
		return;
	s->has_stopped = 0;
	a->tally.abandoned++;
	session_reset_action(s);
	log_info("%s: stopped item %s lot %s not used: not recorded",
	    s->stopped.source, s->stopped.item.di, s->stopped.item.lot);
}

/* Settles a held half: a primary is recorded alone, a secondary refused. */
void
session_flush(struct agent *a)
{
	struct session *s = &a->sess;

	if (!s->has_pending)
		return;
	s->has_pending = 0;
	if (!s->pending.partial) {
		session_record(a, &s->pending_scan, &s->pending.item);
		return;
	}
	s->pending.err = CODE_MISSING_REQ;
	snprintf(s->pending.msg, sizeof(s->pending.msg), "lot, serial or "
	    "expiry label without its product code: scan the product barcode");
	session_refuse(a, &s->pending_scan, &s->pending);
}

static void
session_hold(struct agent *a, const struct scan *sc,
    const struct code_result *r)
{
	struct session *s = &a->sess;

	s->has_pending = 1;
	s->pending = *r;
	s->pending_scan = *sc;
	s->pending_until = sc->mono_ms + a->conf.assembly_window_ms;
	feedback(a, BOARD_CONTEXT, r->partial ? "waiting for the "
	    "product barcode of this label" : "waiting for the lot/serial "
	    "barcode of this label");
}

/* The two scans' bytes, RS between them, as one event's raw. */
static void
session_join(const struct scan *first, const struct scan *second,
    struct scan *out, struct item *it)
{
	size_t n = first->len;

	*out = *second;
	memcpy(out->data, first->data, n);
	if (n < sizeof(out->data))
		out->data[n++] = 0x1e;
	if (n + second->len > sizeof(out->data))
		n = sizeof(out->data) - second->len;
	memcpy(out->data + n, second->data, second->len);
	out->len = n + second->len;
	memcpy(it->raw, out->data, out->len);
	it->raw_len = out->len;
}

/* A held half and this scan: one item, a refusal, or unrelated. */
static int
session_pair(struct agent *a, const struct scan *sc, struct code_result *r)
{
	struct session *s = &a->sess;
	struct codes_opts o = { current_year(), 0 };
	struct code_result joined;
	struct scan both;

	if (!s->has_pending)
		return 0;
	if (codes_assemble(&s->pending, r, &o, &joined) == CODE_NOT_PAIR) {
		session_flush(a);
		return 0;
	}
	if (joined.err != CODE_OK) {	/* keep waiting for the right half */
		session_refuse(a, sc, &joined);
		return 1;
	}
	s->has_pending = 0;
	session_join(&s->pending_scan, sc, &both, &joined.item);
	session_record(a, &both, &joined.item);
	return 1;
}

void
session_scan(void *arg, const struct scan *sc)
{
	struct agent *a = arg;
	struct code_result r;
	const char *rest;

	if (command_scan(a, sc))
		return;
	session_abandon(a);	/* any other scan gives up a stopped item */
	if (a->sess.has_pending && context_kind(a, sc, &rest) != NULL)
		session_flush(a);	/* a context change ends the label */
	if (session_context(a, sc))
		return;
	a->sess.last_ms = sc->mono_ms;
	if (session_decode(sc, &r) != 0) {
		session_refuse(a, sc, &r);
		return;
	}
	if (session_pair(a, sc, &r))
		return;
	if (r.item.di[0] == '\0' && !r.partial) {
		r.err = CODE_NOT_GS1;
		snprintf(r.msg, sizeof(r.msg), "this code names no product (no "
		    "GTIN, HIBC or ISBT 128 product code)");
		session_refuse(a, sc, &r);
	} else if (is_half(&r) && a->conf.assembly_window_ms > 0)
		session_hold(a, sc, &r);
	else if (r.partial) {
		r.err = CODE_MISSING_REQ;
		snprintf(r.msg, sizeof(r.msg), "lot, serial or expiry without "
		    "its product code: scan the product barcode");
		session_refuse(a, sc, &r);
	} else
		session_record(a, sc, &r.item);
}

static int
session_active(const struct session *s)
{
	return s->case_id[0] || s->mrn[0] || s->encounter[0] || s->user[0];
}

int
session_timeout(struct agent *a, int64_t now)
{
	int64_t end = a->sess.last_ms + a->conf.context_timeout_s * 1000;

	if (a->sess.has_pending && a->sess.pending_until < end)
		end = a->sess.pending_until;
	if (a->sess.has_stopped && a->sess.stopped_until < end)
		end = a->sess.stopped_until;
	if (!session_active(&a->sess) && !a->sess.has_pending &&
	    !a->sess.has_stopped)
		return -1;
	return end <= now ? 0 : end - now > 60000 ? 60000 : (int)(end - now);
}

void
session_end(struct agent *a, const char *why)
{
	log_info("session: case \"%s\" context cleared: %s", a->sess.case_id,
	    why);
	session_clear(&a->sess);
	session_reset_action(&a->sess);
	feedback(a, BOARD_CONTEXT, why);
}

void
session_tick(struct agent *a, int64_t now)
{
	if (a->sess.has_pending && now >= a->sess.pending_until)
		session_flush(a);
	if (a->sess.has_stopped && now >= a->sess.stopped_until)
		session_abandon(a);
	if (!session_active(&a->sess) ||
	    now < a->sess.last_ms + a->conf.context_timeout_s * 1000)
		return;
	log_info("session: context of case \"%s\" expired after %llds idle",
	    a->sess.case_id, a->conf.context_timeout_s);
	session_clear(&a->sess);
	session_reset_action(&a->sess);
	a->sess.user[0] = '\0';
	feedback_state(a);
}

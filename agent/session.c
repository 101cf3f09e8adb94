/*
 * The scan session: context codes set case and patient for the items that
 * follow; item codes are decoded, committed, and only then acknowledged.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "agent.h"
#include "codes/codes.h"
#include "log.h"
#include "store.h"
#include "util.h"

static int
has_prefix(const struct scan *sc, const char *prefix, const char **rest)
{
	size_t n = strlen(prefix);

	if (n == 0 || sc->len <= n || memcmp(sc->data, prefix, n) != 0)
		return 0;
	*rest = (const char *)sc->data + n;
	return 1;
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
	struct agent_conf *c = &a->conf;
	struct session *s = &a->sess;
	const char *v, *what;
	char id[EV_STR], msg[160];
	size_t n;

	if (has_prefix(sc, c->case_prefix, &v))
		what = "case";
	else if (has_prefix(sc, c->mrn_prefix, &v))
		what = "patient";
	else if (has_prefix(sc, c->enc_prefix, &v))
		what = "encounter";
	else if (has_prefix(sc, c->user_prefix, &v))
		what = "user";
	else
		return 0;
	n = sc->len - (size_t)(v - (const char *)sc->data);
	if (context_id(id, v, n) != 0) {
		snprintf(msg, sizeof(msg), "%s code not read: empty, too long "
		    "or not text", what);
		board_signal(a->board, BOARD_STOP, msg);
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
	board_signal(a->board, BOARD_CONTEXT, msg);
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
	snprintf(ev->kind, sizeof(ev->kind), "use");
	ev->qty = 1;
	ev->item = *it;
	memcpy(ev->case_id, s->case_id, sizeof(ev->case_id));
	memcpy(ev->mrn, s->mrn, sizeof(ev->mrn));
	memcpy(ev->encounter, s->encounter, sizeof(ev->encounter));
	memcpy(ev->user, s->user, sizeof(ev->user));
	snprintf(ev->site, sizeof(ev->site), "%s", c->site);
	snprintf(ev->room, sizeof(ev->room), "%s", c->room);
	snprintf(ev->unit, sizeof(ev->unit), "%s", c->unit);
	snprintf(ev->source, sizeof(ev->source), "%s", sc->source);
	if (!s->case_id[0] && !s->mrn[0] && !s->encounter[0])
		ev->flags |= EVF_NO_CASE;
	if (it->lot[0] == '\0')
		ev->flags |= EVF_LOT_MISSING;
}

static void
session_refuse(struct agent *a, const struct scan *sc,
    const struct code_result *r)
{
	char raw[ITEM_RAW_MAX * 4 + 1], msg[224];

	a->refused++;
	escape(sc->data, sc->len, raw, sizeof(raw));
	log_warnx("%s: scan refused (%s): %s: \"%s\"", sc->source,
	    codes_errname(r->err), r->msg, raw);
	snprintf(msg, sizeof(msg), "not recorded: %s", r->msg);
	board_signal(a->board, BOARD_STOP, msg);
}

static void
session_feedback(struct agent *a, const struct event *ev)
{
	char msg[160];

	snprintf(msg, sizeof(msg), "recorded seq %lld %s%s%s%s",
	    (long long)ev->seq, ev->item.di, ev->item.lot[0] ? " lot " : "",
	    ev->item.lot, ev->flags & EVF_NO_CASE ? " (no case)" :
	    ev->flags & EVF_LOT_MISSING ? " (no lot)" : "");
	board_signal(a->board, ev->flags ? BOARD_WARN : BOARD_OK, msg);
}

/* Decodes an item scan; refuses what names no product. 0 or -1. */
static int
session_decode(const struct scan *sc, struct code_result *r)
{
	struct codes_opts o = { current_year(), 0 };

	if (codes_decode(sc->data, sc->len, &o, r) != CODE_OK)
		return -1;
	if (r->partial) {
		r->err = CODE_MISSING_REQ;
		snprintf(r->msg, sizeof(r->msg), "lot, serial or expiry without "
		    "its product code: scan the product barcode");
		return -1;
	}
	if (r->item.di[0] == '\0') {
		r->err = CODE_NOT_GS1;
		snprintf(r->msg, sizeof(r->msg), "this code names no product "
		    "(no GTIN or HIBC product code)");
		return -1;
	}
	return 0;
}

void
session_scan(void *arg, const struct scan *sc)
{
	struct agent *a = arg;
	struct code_result r;
	struct event ev;
	int rc;

	if (session_context(a, sc))
		return;
	if (session_decode(sc, &r) != 0) {
		session_refuse(a, sc, &r);
		return;
	}
	session_event(a, sc, &r.item, &ev);
	if ((rc = store_append(a->store, &ev)) != 0) {
		a->store_errors++;
		log_warnx("%s: scan NOT recorded: store error %d", sc->source, rc);
		board_signal(a->board, BOARD_STOP, "NOT RECORDED: storage error, "
		    "write it down");
		return;
	}
	a->recorded++;
	a->sess.last_ms = sc->mono_ms;
	session_feedback(a, &ev);
	uplink_kick(a->uplink);
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

	if (!session_active(&a->sess))
		return -1;
	return end <= now ? 0 : end - now > 60000 ? 60000 : (int)(end - now);
}

void
session_tick(struct agent *a, int64_t now)
{
	if (session_timeout(a, now) != 0)
		return;
	log_info("session: context of case \"%s\" expired after %llds idle",
	    a->sess.case_id, a->conf.context_timeout_s);
	session_clear(&a->sess);
	a->sess.user[0] = '\0';
}

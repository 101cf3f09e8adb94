/*
 * The fixture of agent_fx.h: an agent with its store in a temp dir, and
 * in place of feedback.c and the uplink, recorders the tests read.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "agent_fx.h"
#include "util.h"

static struct agent_fx *fx_now;	/* the test running, for the recorders */

int
agent_fx_setup(void **state)
{
	struct agent_fx *f = calloc(1, sizeof(*f));
	struct agent *a = calloc(1, sizeof(*a));
	char path[96];

	assert_non_null(f);
	assert_non_null(a);
	snprintf(f->dir, sizeof(f->dir), "/tmp/pou-agent-fx.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(path, sizeof(path), "%s/agent.db", f->dir);
	assert_int_equal(store_open(path, 1, &a->store), 0);
	snprintf(a->boot, sizeof(a->boot), "boot-fx");
	snprintf(a->conf.site, sizeof(a->conf.site), "main");
	snprintf(a->conf.room, sizeof(a->conf.room), "or-1");
	snprintf(a->conf.unit, sizeof(a->conf.unit), "surgery");
	snprintf(a->conf.case_prefix, sizeof(a->conf.case_prefix), "CASE:");
	snprintf(a->conf.mrn_prefix, sizeof(a->conf.mrn_prefix), "PAT:");
	snprintf(a->conf.enc_prefix, sizeof(a->conf.enc_prefix), "ENC:");
	snprintf(a->conf.user_prefix, sizeof(a->conf.user_prefix), "USER:");
	a->conf.context_timeout_s = 600;
	a->conf.override_window_s = 30;
	a->conf.undo_window_s = 60;
	a->conf.retention_days = 30;
	a->health.fill_pct = -1;
	f->a = a;
	f->sess = &a->sess;
	f->conf = &a->conf;
	f->store = a->store;
	f->mono_ms = 1000000;
	fx_now = f;
	*state = f;
	return 0;
}

int
agent_fx_teardown(void **state)
{
	struct agent_fx *f = *state;
	char cmd[128];

	store_close(f->a->store);
	free(f->a);
	fx_now = NULL;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

void
fx_make_scan(struct agent_fx *f, const char *text, size_t len,
    struct scan *sc)
{
	memset(sc, 0, sizeof(*sc));
	sc->len = len ? len : strlen(text);
	assert_true(sc->len <= sizeof(sc->data));
	memcpy(sc->data, text, sc->len);
	sc->source = "sim0";
	sc->mono_ms = f->mono_ms;
	sc->wall_ms = now_wall_ms();
}

void
fx_scan(struct agent_fx *f, const char *text, size_t len)
{
	struct scan sc;

	fx_make_scan(f, text, len, &sc);
	session_scan(f->a, &sc);
}

void
fx_tick(struct agent_fx *f, int64_t ms)
{
	f->mono_ms += ms;
	session_tick(f->a, f->mono_ms);
}

const struct fx_signal *
fx_last(const struct agent_fx *f)
{
	assert_true(f->nsig > 0);
	return &f->sig[(f->nsig > FX_SIGNALS ? FX_SIGNALS : f->nsig) - 1];
}

int
fx_events(struct agent_fx *f, struct event *evs, int max)
{
	return store_read(f->store, 0, evs, max);
}

int64_t
fx_stored(struct agent_fx *f)
{
	struct store_stats ss;

	assert_int_equal(store_stats(f->store, &ss), 0);
	return ss.last_seq;
}

void
fx_gs1(char *out, size_t len, const char *yymmdd, const char *lot)
{
	snprintf(out, len, "]d201%s%s%s%s%s", FX_DI, yymmdd[0] ? "17" : "",
	    yymmdd, lot[0] ? "10" : "", lot);
}

/* feedback.c's in the tests: records; the store is read as it is now. */
void
feedback(struct agent *a, enum board_signal sig, const char *why)
{
	struct agent_fx *f = fx_now;
	struct fx_signal *s;

	assert_non_null(f);
	assert_ptr_equal(a, f->a);
	if (f->nsig < FX_SIGNALS) {
		s = &f->sig[f->nsig];
		s->sig = sig;
		snprintf(s->why, sizeof(s->why), "%s", why);
		s->stored = fx_stored(f);
	}
	f->nsig++;
}

void
feedback_state(struct agent *a)
{
	(void)a;
}

/* The uplink's in the tests: none connected. */
void
uplink_kick(struct uplink *u)
{
	(void)u;
	if (fx_now)
		fx_now->kicks++;
}

void
uplink_telemetry_soon(struct uplink *u)
{
	(void)u;
}

int64_t
uplink_acked_upto(const struct uplink *u)
{
	(void)u;
	return 0;
}

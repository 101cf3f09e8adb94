/*
 * Unit tests for agent/session.c, the scan session at the cart, on a real
 * store (agent_fx.c): a good code is committed before the person is told,
 * with its context; a bad one is refused and nothing is recorded; a
 * stopped item waits for its override; UNDO, the two-symbol label, the
 * store that refuses, and the context's timeout.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "agent_fx.h"
#include "log.h"
#include "util.h"

#define NEV	8

/* A label of FX_DI good until 2030 with lot LOT1, scanned. */
static void
scan_good(struct agent_fx *f, const char *lot)
{
	char code[64];

	fx_gs1(code, sizeof(code), "301231", lot);
	fx_scan(f, code, 0);
}

static void
test_good_code_is_committed_before_feedback(void **state)
{
	struct agent_fx *f = *state;
	struct event ev[NEV];
	char code[64];
	const struct fx_signal *s;

	fx_scan(f, "CASE:C1", 0);
	fx_scan(f, "PAT:M1", 0);
	fx_scan(f, "ENC:E1", 0);
	fx_scan(f, "USER:U1", 0);
	assert_int_equal(f->nsig, 4);
	assert_int_equal(fx_stored(f), 0);
	fx_gs1(code, sizeof(code), "301231", "LOT1");
	fx_scan(f, code, 0);
	s = fx_last(f);
	assert_int_equal(f->nsig, 5);
	assert_int_equal(s->sig, BOARD_OK);
	assert_int_equal(s->stored, 1);		/* in the store when told */
	assert_string_equal(s->why, "recorded seq 1 use 1x " FX_DI
	    " lot LOT1");
	assert_int_equal(f->kicks, 1);
	assert_int_equal(fx_events(f, ev, NEV), 1);
	assert_int_equal(ev[0].seq, 1);
	assert_string_equal(ev[0].kind, "use");
	assert_int_equal(ev[0].qty, 1);
	assert_string_equal(ev[0].item.di, FX_DI);
	assert_string_equal(ev[0].item.lot, "LOT1");
	assert_string_equal(ev[0].item.expiry, "2030-12-31");
	assert_int_equal(ev[0].item.raw_len, strlen(code));
	assert_memory_equal(ev[0].item.raw, code, strlen(code));
	assert_string_equal(ev[0].case_id, "C1");
	assert_string_equal(ev[0].mrn, "M1");
	assert_string_equal(ev[0].encounter, "E1");
	assert_string_equal(ev[0].user, "U1");
	assert_string_equal(ev[0].site, "main");
	assert_string_equal(ev[0].room, "or-1");
	assert_string_equal(ev[0].boot, "boot-fx");
	assert_string_equal(ev[0].source, "sim0");
	assert_int_equal(ev[0].flags, 0);
}

/* No case: recorded, flagged, and the person warned. */
static void
test_no_case_is_recorded_with_a_warning(void **state)
{
	struct agent_fx *f = *state;
	struct event ev[NEV];

	scan_good(f, "LOT1");
	assert_int_equal(fx_last(f)->sig, BOARD_WARN);
	assert_int_equal(fx_last(f)->stored, 1);
	assert_non_null(strstr(fx_last(f)->why, "(no case)"));
	assert_int_equal(fx_events(f, ev, NEV), 1);
	assert_int_equal(ev[0].flags, EVF_NO_CASE);
}

static void
test_bad_code_is_refused_and_not_recorded(void **state)
{
	struct agent_fx *f = *state;
	/* A code, and what the person is told about it. */
	static const char *bad[][2] = {
		{ "]d20100884521123452", "check digit should be 1" },
		{ "]d201008845211234", "has 12 of its 14 digits" },
		{ "]d200123456789012345675", "names no product" }, /* SSCC */
		{ "hello", "set the scanner to send AIM ids" },
	};
	size_t i;

	fx_scan(f, "CASE:C1", 0);
	for (i = 0; i < nitems(bad); i++) {
		f->nsig = 0;
		fx_scan(f, bad[i][0], 0);
		assert_int_equal(f->nsig, 1);
		assert_int_equal(fx_last(f)->sig, BOARD_STOP);
		assert_int_equal(strncmp(fx_last(f)->why, "not recorded: ", 14),
		    0);
		assert_non_null(strstr(fx_last(f)->why, bad[i][1]));
	}
	/* Lot and expiry alone, when no second symbol is awaited. */
	f->nsig = 0;
	fx_scan(f, "]d21730123110LOT1", 0);
	assert_int_equal(fx_last(f)->sig, BOARD_STOP);
	assert_non_null(strstr(fx_last(f)->why, "without its product code"));
	assert_int_equal(fx_stored(f), 0);
	assert_string_equal(f->sess->case_id, "C1");	/* context stays */
}

/* Context codes set what the next items carry; a new case or another
 * patient starts a new context; a bad id sets nothing. */
static void
test_context_codes(void **state)
{
	struct agent_fx *f = *state;
	char longid[80];

	fx_scan(f, "CASE:C1", 0);
	assert_int_equal(fx_last(f)->sig, BOARD_CONTEXT);
	assert_string_equal(fx_last(f)->why, "case C1");
	fx_scan(f, "]C0PAT:M1", 0);	/* after a scanner's AIM id */
	assert_string_equal(fx_last(f)->why, "patient M1");
	assert_string_equal(f->sess->case_id, "C1");
	assert_string_equal(f->sess->mrn, "M1");
	fx_scan(f, "USER:U1", 0);
	fx_scan(f, "PAT:M1", 0);	/* the same patient: the case stays */
	assert_string_equal(f->sess->case_id, "C1");
	fx_scan(f, "PAT:M2", 0);	/* another: the case goes */
	assert_string_equal(f->sess->case_id, "");
	assert_string_equal(f->sess->mrn, "M2");
	fx_scan(f, "ENC:E2", 0);
	fx_scan(f, "CASE:C2", 0);	/* a new case: patient, encounter go */
	assert_string_equal(f->sess->case_id, "C2");
	assert_string_equal(f->sess->mrn, "");
	assert_string_equal(f->sess->encounter, "");
	assert_string_equal(f->sess->user, "U1");	/* the user stays */
	/* Too long, or not text: a stop, and the context unchanged. */
	memset(longid, 'A', sizeof(longid));
	memcpy(longid, "CASE:", 5);
	f->nsig = 0;
	fx_scan(f, longid, sizeof(longid));
	assert_int_equal(fx_last(f)->sig, BOARD_STOP);
	assert_string_equal(fx_last(f)->why, "case code not read: empty, "
	    "too long or not text");
	fx_scan(f, "USER:U\x01", 0);
	assert_int_equal(fx_last(f)->sig, BOARD_STOP);
	assert_string_equal(f->sess->case_id, "C2");
	assert_string_equal(f->sess->user, "U1");
	assert_int_equal(fx_stored(f), 0);
}

/* An expired item is stopped, not recorded; POU:OVERRIDE records it with
 * the override flag and the current user. */
static void
test_stopped_item_waits_for_override(void **state)
{
	struct agent_fx *f = *state;
	struct event ev[NEV];
	char code[64];

	fx_scan(f, "CASE:C1", 0);
	fx_scan(f, "USER:U1", 0);
	fx_gs1(code, sizeof(code), "200131", "LOT1");
	fx_scan(f, code, 0);
	assert_int_equal(fx_last(f)->sig, BOARD_STOP);
	assert_string_equal(fx_last(f)->why, "STOP: EXPIRED 2020-01-31. Do "
	    "not use; scan POU:OVERRIDE within 30s to use it anyway");
	assert_int_equal(fx_stored(f), 0);
	assert_true(f->sess->has_stopped);
	session_override(f->a);
	assert_false(f->sess->has_stopped);
	assert_int_equal(fx_last(f)->sig, BOARD_WARN);
	assert_int_equal(fx_last(f)->stored, 1);
	assert_non_null(strstr(fx_last(f)->why, "(override)"));
	assert_int_equal(fx_events(f, ev, NEV), 1);
	assert_int_equal(ev[0].flags, EVF_EXPIRED | EVF_OVERRIDE);
	assert_string_equal(ev[0].user, "U1");
	assert_string_equal(ev[0].item.lot, "LOT1");
	/* Once only. */
	session_override(f->a);
	assert_int_equal(fx_last(f)->sig, BOARD_STOP);
	assert_string_equal(fx_last(f)->why, "nothing to override");
	assert_int_equal(fx_stored(f), 1);
}

/* Another scan, or the window passing, gives the stopped item up. */
static void
test_stopped_item_is_abandoned(void **state)
{
	struct agent_fx *f = *state;
	struct event ev[NEV];
	char code[64];

	fx_scan(f, "CASE:C1", 0);
	fx_gs1(code, sizeof(code), "200131", "OLD");
	fx_scan(f, code, 0);
	assert_true(f->sess->has_stopped);
	scan_good(f, "NEW");
	assert_false(f->sess->has_stopped);
	assert_int_equal(fx_events(f, ev, NEV), 1);
	assert_string_equal(ev[0].item.lot, "NEW");
	session_override(f->a);
	assert_string_equal(fx_last(f)->why, "nothing to override");
	/* The window: open at 29 s, closed at 30. */
	fx_scan(f, code, 0);
	assert_int_equal(session_timeout(f->a, f->mono_ms), 30000);
	fx_tick(f, 29999);
	assert_true(f->sess->has_stopped);
	fx_tick(f, 1);
	assert_false(f->sess->has_stopped);
	session_override(f->a);
	assert_string_equal(fx_last(f)->why, "nothing to override");
	assert_int_equal(fx_stored(f), 1);
}

/* UNDO records the compensating event of this user's last item in this
 * case, once; a return is not undone. */
static void
test_undo(void **state)
{
	struct agent_fx *f = *state;
	struct event ev[NEV];

	fx_scan(f, "CASE:C1", 0);
	fx_scan(f, "USER:U1", 0);
	session_undo(f->a);
	assert_int_equal(fx_last(f)->sig, BOARD_STOP);
	assert_string_equal(fx_last(f)->why, "nothing to undo: no item of "
	    "yours in this case in the last 60 s");
	scan_good(f, "LOT1");
	scan_good(f, "LOT2");
	session_undo(f->a);
	assert_int_equal(fx_last(f)->sig, BOARD_OK);
	assert_int_equal(fx_last(f)->stored, 3);
	assert_int_equal(fx_events(f, ev, NEV), 3);
	assert_string_equal(ev[2].kind, "undo");
	assert_int_equal(ev[2].undoes, 2);
	assert_string_equal(ev[2].item.lot, "LOT2");
	assert_string_equal(ev[2].case_id, "C1");
	session_undo(f->a);		/* the one before, then nothing */
	assert_int_equal(fx_events(f, ev, NEV), 4);
	assert_int_equal(ev[3].undoes, 1);
	session_undo(f->a);
	assert_int_equal(fx_last(f)->sig, BOARD_STOP);
	assert_int_equal(fx_stored(f), 4);
	/* Another user's item is not this user's to undo. */
	scan_good(f, "LOT3");
	fx_scan(f, "USER:U2", 0);
	session_undo(f->a);
	assert_int_equal(fx_last(f)->sig, BOARD_STOP);
	assert_int_equal(fx_stored(f), 5);
	/* A return. */
	snprintf(f->sess->kind, sizeof(f->sess->kind), "return");
	scan_good(f, "LOT4");
	session_undo(f->a);
	assert_string_equal(fx_last(f)->why, "a return is not undone: scan "
	    "the item again to use it");
	assert_int_equal(fx_stored(f), 6);
}

/* The action and quantity set apply to the next item only. */
static void
test_action_applies_to_next_item_only(void **state)
{
	struct agent_fx *f = *state;
	struct event ev[NEV];

	fx_scan(f, "CASE:C1", 0);
	snprintf(f->sess->kind, sizeof(f->sess->kind), "waste");
	f->sess->qty = 3;
	scan_good(f, "LOT1");
	assert_string_equal(fx_last(f)->why, "recorded seq 1 waste 3x " FX_DI
	    " lot LOT1");
	scan_good(f, "LOT1");
	assert_int_equal(fx_events(f, ev, NEV), 2);
	assert_string_equal(ev[0].kind, "waste");
	assert_int_equal(ev[0].qty, 3);
	assert_string_equal(ev[1].kind, "use");
	assert_int_equal(ev[1].qty, 1);
}

/* A label in two symbols: the product code waits for its lot and expiry,
 * recorded as one event with both scans' bytes; a half alone is recorded
 * (the product) or refused (the lot) when the window closes. */
static void
test_two_symbol_label(void **state)
{
	struct agent_fx *f = *state;
	static const char pri[] = "]C10100884521123451";
	static const char sec[] = "]C11730123110LOT1";
	struct event ev[NEV];
	char raw[64];

	f->conf->assembly_window_ms = 2000;
	fx_scan(f, "CASE:C1", 0);
	fx_scan(f, pri, 0);
	assert_int_equal(fx_last(f)->sig, BOARD_CONTEXT);
	assert_string_equal(fx_last(f)->why, "waiting for the lot/serial "
	    "barcode of this label");
	assert_int_equal(fx_stored(f), 0);
	assert_int_equal(session_timeout(f->a, f->mono_ms), 2000);
	fx_tick(f, 1000);
	fx_scan(f, sec, 0);
	assert_int_equal(fx_last(f)->sig, BOARD_OK);
	assert_int_equal(fx_last(f)->stored, 1);
	assert_int_equal(fx_events(f, ev, NEV), 1);
	assert_string_equal(ev[0].item.di, FX_DI);
	assert_string_equal(ev[0].item.lot, "LOT1");
	assert_string_equal(ev[0].item.expiry, "2030-12-31");
	snprintf(raw, sizeof(raw), "%s\x1e%s", pri, sec);
	assert_int_equal(ev[0].item.raw_len, strlen(raw));
	assert_memory_equal(ev[0].item.raw, raw, strlen(raw));
	/* The product alone: recorded when the window closes. */
	fx_scan(f, pri, 0);
	fx_tick(f, 1999);
	assert_int_equal(fx_stored(f), 1);
	fx_tick(f, 1);
	assert_int_equal(fx_stored(f), 2);
	assert_int_equal(fx_events(f, ev, NEV), 2);
	assert_string_equal(ev[1].item.lot, "");
	assert_string_equal(ev[1].case_id, "C1");
	/* The lot alone: refused. */
	fx_scan(f, sec, 0);
	assert_string_equal(fx_last(f)->why, "waiting for the product "
	    "barcode of this label");
	fx_tick(f, 2000);
	assert_int_equal(fx_last(f)->sig, BOARD_STOP);
	assert_non_null(strstr(fx_last(f)->why, "without its product code"));
	assert_int_equal(fx_stored(f), 2);
	/* A held product, then a new case: recorded under the old one. */
	fx_scan(f, pri, 0);
	fx_scan(f, "CASE:C2", 0);
	assert_int_equal(fx_events(f, ev, NEV), 3);
	assert_string_equal(ev[2].case_id, "C1");
}

/* A full store: the person is told it is NOT recorded, never "recorded". */
static void
test_full_store_says_not_recorded(void **state)
{
	struct agent_fx *f = *state;
	struct event ev;
	int64_t n;
	int i, rc = 0;

	assert_int_equal(store_set_quota(f->store, 512 * 1024), 0);
	memset(&ev, 0, sizeof(ev));
	snprintf(ev.kind, sizeof(ev.kind), "use");
	ev.qty = 1;
	snprintf(ev.item.di, sizeof(ev.item.di), FX_DI);
	for (i = 0; i < 100000 && (rc = store_append(f->store, &ev)) == 0;
	    i++)
		;
	assert_int_equal(rc, -ENOSPC);
	n = fx_stored(f);
	fx_scan(f, "CASE:C1", 0);
	f->nsig = 0;
	scan_good(f, "LOT1");
	assert_int_equal(f->nsig, 1);		/* that one signal only */
	assert_int_equal(fx_last(f)->sig, BOARD_STOP);
	assert_string_equal(fx_last(f)->why, "NOT RECORDED: storage full, "
	    "write it down and tell IT");
	assert_int_equal(fx_stored(f), n);
	assert_int_equal(f->kicks, 0);
}

/* The context expires after its timeout idle; the user goes with it. */
static void
test_context_times_out(void **state)
{
	struct agent_fx *f = *state;

	assert_int_equal(session_timeout(f->a, f->mono_ms), -1);
	f->conf->context_timeout_s = 90;
	fx_scan(f, "CASE:C1", 0);
	fx_scan(f, "USER:U1", 0);
	assert_int_equal(session_timeout(f->a, f->mono_ms), 60000);
	fx_tick(f, 89999);
	assert_int_equal(session_timeout(f->a, f->mono_ms), 1);
	assert_string_equal(f->sess->case_id, "C1");
	fx_tick(f, 1);
	assert_string_equal(f->sess->case_id, "");
	assert_string_equal(f->sess->user, "");
	assert_int_equal(session_timeout(f->a, f->mono_ms), -1);
	/* An item scan keeps the context alive. */
	fx_scan(f, "CASE:C2", 0);
	fx_tick(f, 80000);
	scan_good(f, "LOT1");
	fx_tick(f, 80000);
	assert_string_equal(f->sess->case_id, "C2");
}

/* The end of a case clears case, patient and action; the user stays. */
static void
test_session_end(void **state)
{
	struct agent_fx *f = *state;

	fx_scan(f, "CASE:C1", 0);
	fx_scan(f, "PAT:M1", 0);
	fx_scan(f, "USER:U1", 0);
	f->sess->qty = 4;
	session_end(f->a, "case ended");
	assert_int_equal(fx_last(f)->sig, BOARD_CONTEXT);
	assert_string_equal(fx_last(f)->why, "case ended");
	assert_string_equal(f->sess->case_id, "");
	assert_string_equal(f->sess->mrn, "");
	assert_int_equal(f->sess->qty, 0);
	assert_string_equal(f->sess->user, "U1");
}

static void
test_scan_text_skips_aim_id(void **state)
{
	struct agent_fx *f = *state;
	struct scan sc;
	const char *p;
	size_t n;

	fx_make_scan(f, "]C0CASE:1", 0, &sc);
	p = scan_text(&sc, &n);
	assert_int_equal(n, 6);
	assert_memory_equal(p, "CASE:1", 6);
	fx_make_scan(f, "CASE:1", 0, &sc);
	p = scan_text(&sc, &n);
	assert_int_equal(n, 6);
	assert_ptr_equal(p, sc.data);
}

int
main(void)
{
#define T(t)	cmocka_unit_test_setup_teardown(t, agent_fx_setup, \
	    agent_fx_teardown)
	const struct CMUnitTest tests[] = {
		T(test_good_code_is_committed_before_feedback),
		T(test_no_case_is_recorded_with_a_warning),
		T(test_bad_code_is_refused_and_not_recorded),
		T(test_context_codes),
		T(test_stopped_item_waits_for_override),
		T(test_stopped_item_is_abandoned),
		T(test_undo),
		T(test_action_applies_to_next_item_only),
		T(test_two_symbol_label),
		T(test_full_store_says_not_recorded),
		T(test_context_times_out),
		T(test_session_end),
		T(test_scan_text_skips_aim_id),
	};
#undef T

	log_init("test_session", 0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}

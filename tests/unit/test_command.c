/*
 * Unit tests for agent/command.c, the POU: command barcodes printed on the
 * cart, on a real store (agent_fx.c): the action and quantity of the next
 * item, OVERRIDE of a stopped item, UNDO, CANCEL and END, each told to the
 * person; an unknown command or a bad quantity is refused with a stop.
 */
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

/* command_scan() alone: 1 when it took the scan. */
static int
command(struct agent_fx *f, const char *text)
{
	struct scan sc;

	fx_make_scan(f, text, 0, &sc);
	return command_scan(f->a, &sc);
}

static void
scan_item(struct agent_fx *f, const char *yymmdd, const char *lot)
{
	char code[64];

	fx_gs1(code, sizeof(code), yymmdd, lot);
	fx_scan(f, code, 0);
}

/* Anything but "POU:" and a word is not a command: left to the session. */
static void
test_other_scans_are_not_commands(void **state)
{
	struct agent_fx *f = *state;
	static const char *other[] = { "CASE:C1", "pou:END", "POU", "]C0POU",
	    "]d20100884521123451", "XPOU:END" };
	size_t i;

	for (i = 0; i < nitems(other); i++)
		assert_int_equal(command(f, other[i]), 0);
	assert_int_equal(f->nsig, 0);
	assert_int_equal(f->sess->last_ms, 0);
}

/* The action and quantity are told, and the next item only carries them. */
static void
test_action_and_quantity_for_next_item(void **state)
{
	struct agent_fx *f = *state;
	struct event ev[NEV];

	fx_scan(f, "CASE:C1", 0);
	assert_int_equal(command(f, "POU:WASTE"), 1);
	assert_int_equal(fx_last(f)->sig, BOARD_CONTEXT);
	assert_string_equal(fx_last(f)->why, "next item: WASTE");
	assert_string_equal(f->sess->kind, "waste");
	f->mono_ms += 5;
	assert_int_equal(command(f, "]C0POU:QTY:12"), 1);	/* an AIM id */
	assert_string_equal(fx_last(f)->why, "next item: quantity 12");
	assert_int_equal(f->sess->qty, 12);
	assert_int_equal(f->sess->last_ms, f->mono_ms);	/* keeps it alive */
	assert_int_equal(fx_stored(f), 0);
	scan_item(f, "301231", "LOT1");
	scan_item(f, "301231", "LOT2");
	assert_int_equal(fx_events(f, ev, NEV), 2);
	assert_string_equal(ev[0].kind, "waste");
	assert_int_equal(ev[0].qty, 12);
	assert_string_equal(ev[1].kind, "use");
	assert_int_equal(ev[1].qty, 1);
}

/* Every kind of the wire, in lower case; USE is the default, "". */
static void
test_every_kind(void **state)
{
	struct agent_fx *f = *state;
	static const char *cmd[][2] = {
		{ "POU:WASTE", "waste" }, { "POU:RETURN", "return" },
		{ "POU:BILLONLY", "billonly" }, { "POU:CONSIGN", "consign" },
		{ "POU:USE", "" },
	};
	size_t i;

	for (i = 0; i < nitems(cmd); i++) {
		assert_int_equal(command(f, cmd[i][0]), 1);
		assert_string_equal(f->sess->kind, cmd[i][1]);
		assert_int_equal(fx_last(f)->sig, BOARD_CONTEXT);
		if (cmd[i][1][0])
			assert_true(event_kind_valid(f->sess->kind));
	}
	assert_int_equal(command(f, "POU:undo"), 1);	/* words are upper */
	assert_int_equal(fx_last(f)->sig, BOARD_STOP);
}

/* A quantity is 1 to 9999 and nothing else; a bad one keeps the last. */
static void
test_bad_quantity_is_refused(void **state)
{
	struct agent_fx *f = *state;
	static const char *bad[] = { "POU:QTY:", "POU:QTY:0", "POU:QTY:-1",
	    "POU:QTY:10000", "POU:QTY:2x", "POU:QTY:99999999999" };
	size_t i;

	assert_int_equal(command(f, "POU:QTY:9999"), 1);
	assert_int_equal(f->sess->qty, 9999);
	for (i = 0; i < nitems(bad); i++) {
		f->nsig = 0;
		assert_int_equal(command(f, bad[i]), 1);
		assert_int_equal(f->nsig, 1);
		assert_int_equal(fx_last(f)->sig, BOARD_STOP);
		assert_string_equal(fx_last(f)->why,
		    "quantity not read: 1 to 9999");
		assert_int_equal(f->sess->qty, 9999);
	}
	assert_int_equal(command(f, "POU:QTY:1"), 1);
	assert_int_equal(f->sess->qty, 1);
}

/* An unknown word is taken (never decoded as an item) and stopped. */
static void
test_unknown_command_is_stopped(void **state)
{
	struct agent_fx *f = *state;

	fx_scan(f, "CASE:C1", 0);
	fx_scan(f, "POU:FOO", 0);
	assert_int_equal(fx_last(f)->sig, BOARD_STOP);
	assert_string_equal(fx_last(f)->why, "unknown command POU:FOO");
	assert_int_equal(command(f, "POU:"), 1);
	assert_string_equal(fx_last(f)->why, "unknown command POU: (no word, "
	    "or one over 31 characters)");
	assert_int_equal(fx_stored(f), 0);
	assert_string_equal(f->sess->case_id, "C1");
}

/* OVERRIDE records the stopped item; any other command gives it up. */
static void
test_override_and_abandon(void **state)
{
	struct agent_fx *f = *state;
	struct event ev[NEV];

	fx_scan(f, "CASE:C1", 0);
	fx_scan(f, "USER:U1", 0);
	assert_int_equal(command(f, "POU:OVERRIDE"), 1);
	assert_string_equal(fx_last(f)->why, "nothing to override");
	scan_item(f, "200131", "OLD1");
	assert_true(f->sess->has_stopped);
	fx_scan(f, "POU:OVERRIDE", 0);
	assert_false(f->sess->has_stopped);
	assert_int_equal(fx_last(f)->stored, 1);
	assert_int_equal(fx_events(f, ev, NEV), 1);
	assert_int_equal(ev[0].flags, EVF_EXPIRED | EVF_OVERRIDE);
	assert_string_equal(ev[0].user, "U1");
	/* Stopped, then POU:QTY:2: given up, and the quantity is set. */
	scan_item(f, "200131", "OLD2");
	assert_true(f->sess->has_stopped);
	assert_int_equal(command(f, "POU:QTY:2"), 1);
	assert_false(f->sess->has_stopped);
	assert_int_equal(f->sess->qty, 2);
	assert_int_equal(command(f, "POU:OVERRIDE"), 1);
	assert_string_equal(fx_last(f)->why, "nothing to override");
	assert_int_equal(fx_stored(f), 1);
}

static void
test_undo_command(void **state)
{
	struct agent_fx *f = *state;
	struct event ev[NEV];

	fx_scan(f, "CASE:C1", 0);
	fx_scan(f, "USER:U1", 0);
	scan_item(f, "301231", "LOT1");
	assert_int_equal(command(f, "POU:UNDO"), 1);
	assert_int_equal(fx_last(f)->sig, BOARD_OK);
	assert_int_equal(fx_events(f, ev, NEV), 2);
	assert_string_equal(ev[1].kind, "undo");
	assert_int_equal(ev[1].undoes, 1);
	assert_int_equal(command(f, "POU:UNDO"), 1);
	assert_int_equal(fx_last(f)->sig, BOARD_STOP);
	assert_int_equal(fx_stored(f), 2);
}

/* CANCEL forgets the next item's action; the case stays. */
static void
test_cancel(void **state)
{
	struct agent_fx *f = *state;

	fx_scan(f, "CASE:C1", 0);
	command(f, "POU:RETURN");
	command(f, "POU:QTY:5");
	assert_int_equal(command(f, "POU:CANCEL"), 1);
	assert_int_equal(fx_last(f)->sig, BOARD_CONTEXT);
	assert_string_equal(fx_last(f)->why, "next item: use, 1");
	assert_string_equal(f->sess->kind, "");
	assert_int_equal(f->sess->qty, 0);
	assert_string_equal(f->sess->case_id, "C1");
}

/* END clears case, patient, encounter and action; the user stays. */
static void
test_end(void **state)
{
	struct agent_fx *f = *state;

	fx_scan(f, "CASE:C1", 0);
	fx_scan(f, "PAT:M1", 0);
	fx_scan(f, "ENC:E1", 0);
	fx_scan(f, "USER:U1", 0);
	command(f, "POU:WASTE");
	assert_int_equal(command(f, "POU:END"), 1);
	assert_int_equal(fx_last(f)->sig, BOARD_CONTEXT);
	assert_string_equal(fx_last(f)->why, "case ended");
	assert_string_equal(f->sess->case_id, "");
	assert_string_equal(f->sess->mrn, "");
	assert_string_equal(f->sess->encounter, "");
	assert_string_equal(f->sess->kind, "");
	assert_string_equal(f->sess->user, "U1");
	assert_int_equal(fx_stored(f), 0);
}

/* A word longer than any command is no command, and still no item:
 * stopped, nothing recorded. */
static void
test_overlong_command_is_not_recorded(void **state)
{
	struct agent_fx *f = *state;
	char cmd[64];

	memset(cmd, 'A', sizeof(cmd) - 1);
	cmd[sizeof(cmd) - 1] = '\0';
	memcpy(cmd, "POU:", 4);
	fx_scan(f, "CASE:C1", 0);
	assert_int_equal(command(f, cmd), 1);
	assert_int_equal(fx_last(f)->sig, BOARD_STOP);
	assert_string_equal(fx_last(f)->why, "unknown command POU: (no word, "
	    "or one over 31 characters)");
	assert_int_equal(fx_stored(f), 0);
}

/*
 * A product half held for its lot when a command is scanned was scanned in
 * the context before it: POU:END records it in case C1, and POU:WASTE
 * applies to the item after, not to the held one.
 */
static void
test_end_settles_a_held_half_in_its_case(void **state)
{
	struct agent_fx *f = *state;
	struct event ev[NEV];

	f->conf->assembly_window_ms = 2000;
	fx_scan(f, "CASE:C1", 0);
	fx_scan(f, "]C10100884521123451", 0);
	fx_scan(f, "POU:WASTE", 0);
	assert_int_equal(fx_events(f, ev, NEV), 1);
	assert_string_equal(ev[0].kind, "use");
	fx_scan(f, "]C10100884521123451", 0);
	fx_scan(f, "POU:END", 0);
	fx_tick(f, 2000);
	assert_int_equal(fx_events(f, ev, NEV), 2);
	assert_string_equal(ev[1].case_id, "C1");
	assert_string_equal(ev[1].kind, "waste");
}

int
main(void)
{
#define T(t)	cmocka_unit_test_setup_teardown(t, agent_fx_setup, \
	    agent_fx_teardown)
	const struct CMUnitTest tests[] = {
		T(test_other_scans_are_not_commands),
		T(test_action_and_quantity_for_next_item),
		T(test_every_kind),
		T(test_bad_quantity_is_refused),
		T(test_unknown_command_is_stopped),
		T(test_override_and_abandon),
		T(test_undo_command),
		T(test_cancel),
		T(test_end),
		T(test_overlong_command_is_not_recorded),
		T(test_end_settles_a_held_half_in_its_case),
	};
#undef T

	log_init("test_command", 0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}

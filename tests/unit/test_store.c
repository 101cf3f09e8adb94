/*
 * Unit tests for agent/store.c on real SQLite files in a temp dir; the
 * store's every step failed in turn (store_fail_nth) on a fresh file.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "log.h"
#include "store.h"
#include "store_int.h"	/* store_fail_nth() */

struct fx {
	char	dir[64];
	char	path[96];
};

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	snprintf(f->dir, sizeof(f->dir), "/tmp/pou-store.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/agent.db", f->dir);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

static void
make_event(struct event *ev, int i)
{
	memset(ev, 0, sizeof(*ev));
	ev->at_ms = 1700000000000LL + i;
	snprintf(ev->boot, sizeof(ev->boot), "boot-1");
	ev->mono_ms = 1000 + i;
	snprintf(ev->kind, sizeof(ev->kind), "use");
	ev->qty = 1;
	snprintf(ev->item.scheme, sizeof(ev->item.scheme), "gs1");
	snprintf(ev->item.di, sizeof(ev->item.di), "00884521123451");
	snprintf(ev->item.lot, sizeof(ev->item.lot), "LOT%d", i);
	memcpy(ev->item.raw, "]d2\x1d" "A", 5);
	ev->item.raw_len = 5;
	snprintf(ev->case_id, sizeof(ev->case_id), "C%d", i);
	snprintf(ev->source, sizeof(ev->source), "sim0");
	ev->flags = EVF_NO_CASE;
}

static void
alarm_seen(void *arg, const char *kind, int64_t at_ms, const char *detail)
{
	(void)at_ms;
	if (strcmp(kind, "store_rolled_back") == 0 &&
	    strstr(detail, "\"mark_seq\":5") != NULL)
		(*(int *)arg)++;
}

static void
append_n(struct store *s, int n)
{
	struct event ev;
	int i;

	for (i = 0; i < n; i++) {
		make_event(&ev, i);
		assert_int_equal(store_append(s, &ev), 0);
	}
}

static void
test_append_assigns_gap_free_seq(void **state)
{
	struct fx *f = *state;
	struct store *s;
	struct event ev, got[10];
	int i;

	assert_int_equal(store_open(f->path, 1, &s), 0);
	assert_int_equal(strlen(store_epoch(s)), 32);
	for (i = 0; i < 10; i++) {
		make_event(&ev, i);
		assert_int_equal(store_append(s, &ev), 0);
		assert_int_equal(ev.seq, i + 1);
	}
	assert_int_equal(store_read(s, 0, got, 10), 10);
	for (i = 0; i < 10; i++) {
		assert_int_equal(got[i].seq, i + 1);
		make_event(&ev, i);
		assert_string_equal(got[i].item.lot, ev.item.lot);
		assert_string_equal(got[i].case_id, ev.case_id);
		assert_int_equal(got[i].item.raw_len, 5);
		assert_memory_equal(got[i].item.raw, "]d2\x1d" "A", 5);
		assert_int_equal(got[i].flags, EVF_NO_CASE);
	}
	store_close(s);
}

static void
test_ack_releases_only_what_it_covers(void **state)
{
	struct fx *f = *state;
	struct store_stats ss;
	struct store *s;
	struct event got[10];

	assert_int_equal(store_open(f->path, 1, &s), 0);
	append_n(s, 10);
	assert_int_equal(store_ack(s, 4, 123), 0);
	assert_int_equal(store_stats(s, &ss), 0);
	assert_int_equal(ss.acked_upto, 4);
	assert_int_equal(ss.unacked, 6);
	assert_int_equal(ss.last_ack_ms, 123);
	assert_int_equal(ss.oldest_unacked_at_ms, 1700000000000LL + 4);
	/* An older ack never moves the mark back. */
	assert_int_equal(store_ack(s, 2, 124), 0);
	assert_int_equal(store_stats(s, &ss), 0);
	assert_int_equal(ss.acked_upto, 4);
	/* An ack beyond what was recorded is refused. */
	assert_int_equal(store_ack(s, 11, 125), -ERANGE);
	assert_int_equal(store_stats(s, &ss), 0);
	assert_int_equal(ss.acked_upto, 4);
	/* Resend: the unacked events are read again, in order, from upto+1. */
	assert_int_equal(store_read(s, ss.acked_upto, got, 10), 6);
	assert_int_equal(got[0].seq, 5);
	assert_int_equal(got[5].seq, 10);
	assert_int_equal(store_ack(s, 10, 126), 0);
	assert_int_equal(store_stats(s, &ss), 0);
	assert_int_equal(ss.unacked, 0);
	assert_int_equal(ss.oldest_unacked_at_ms, 0);
	assert_int_equal(store_read(s, 10, got, 10), 0);
	store_close(s);
}

static void
test_reopen_after_crash_keeps_everything(void **state)
{
	struct fx *f = *state;
	struct store_stats ss;
	struct store *s;
	struct event ev;
	char epoch[33];
	pid_t pid;
	int st;

	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {		/* the crashing agent: no close, SIGKILL */
		if (store_open(f->path, 1, &s) != 0)
			_exit(1);
		append_n(s, 7);
		store_ack(s, 3, 1);
		kill(getpid(), SIGKILL);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFSIGNALED(st));
	assert_int_equal(store_open(f->path, 1, &s), 0);
	assert_int_equal(store_stats(s, &ss), 0);
	assert_int_equal(ss.last_seq, 7);
	assert_int_equal(ss.acked_upto, 3);
	snprintf(epoch, sizeof(epoch), "%s", store_epoch(s));
	make_event(&ev, 8);
	assert_int_equal(store_append(s, &ev), 0);
	assert_int_equal(ev.seq, 8);		/* the sequence goes on */
	store_close(s);
	assert_int_equal(store_open(f->path, 1, &s), 0);
	assert_string_equal(store_epoch(s), epoch);	/* same identity */
	store_close(s);
}

static void
test_read_only_open_for_pouctl(void **state)
{
	struct fx *f = *state;
	struct store_stats ss;
	struct store *s, *ro;
	struct event ev;

	assert_int_equal(store_open(f->path, 0, &s), 0);
	append_n(s, 3);
	assert_int_equal(store_set_uplink(s, "online", 99), 0);
	assert_int_equal(store_open_existing(f->path, 0, &ro), 0);
	assert_int_equal(store_stats(ro, &ss), 0);
	assert_int_equal(ss.last_seq, 3);
	assert_string_equal(ss.uplink, "online");
	assert_int_equal(ss.uplink_since_ms, 99);
	make_event(&ev, 1);
	assert_int_not_equal(store_append(ro, &ev), 0);	/* read-only */
	store_close(ro);
	store_close(s);
}

static void
test_not_a_database_is_refused(void **state)
{
	struct fx *f = *state;
	struct store *s = (struct store *)1;
	FILE *fp = fopen(f->path, "w");

	assert_non_null(fp);
	fputs("this is not SQLite, and is long enough to be read as a header\n",
	    fp);
	fclose(fp);
	assert_int_not_equal(store_open(f->path, 1, &s), 0);
	assert_null(s);
}

/* A rollover from seq 4: 4 and 5 are recorded again as 1 and 2 of a new
 * epoch, unacked 3 keeps its old identity in salvage, acked 1-2 go. */
static void
test_rollover_moves_what_came_after(void **state)
{
	struct fx *f = *state;
	struct store_rollback why = { "bridge", 4, 0, 9 };
	struct store_rollover r;
	struct store_stats ss;
	struct event evs[4];
	char old[33], epoch[64];
	struct store *s;

	assert_int_equal(store_open(f->path, 1, &s), 0);
	append_n(s, 5);
	assert_int_equal(store_ack(s, 2, 1), 0);
	snprintf(old, sizeof(old), "%s", store_epoch(s));
	assert_int_equal(store_rollover(s, &why, &r), 0);
	assert_int_equal(r.moved, 2);
	assert_int_equal(r.resent, 1);
	assert_int_equal(r.last_seq, 5);
	assert_string_not_equal(store_epoch(s), old);
	assert_int_equal(store_stats(s, &ss), 0);
	assert_int_equal(ss.last_seq, 2);
	assert_int_equal(ss.acked_upto, 0);
	assert_int_equal(ss.salvage, 1);
	assert_int_equal(store_read(s, 0, evs, 4), 2);
	assert_int_equal(evs[0].seq, 1);
	assert_string_equal(evs[0].item.lot, "LOT3");	/* was seq 4 */
	assert_string_equal(evs[1].item.lot, "LOT4");
	assert_int_equal(store_salvage_read(s, epoch, sizeof(epoch), evs, 4),
	    1);
	assert_string_equal(epoch, old);
	assert_int_equal(evs[0].seq, 3);
	/* The bridge then holds old 3 with other content: adopted as new 3. */
	assert_int_equal(store_salvage_adopt(s, old, 3), 1);
	assert_int_equal(store_read(s, 2, evs, 4), 1);
	assert_int_equal(evs[0].seq, 3);
	assert_string_equal(evs[0].item.lot, "LOT2");
	assert_int_equal(store_salvage_read(s, epoch, sizeof(epoch), evs, 4),
	    0);
	assert_int_equal(store_stats(s, &ss), 0);
	assert_int_equal(ss.last_seq, 3);
	store_close(s);
}

/* The mark file names seq 5, the store holds up to 3 (its WAL lost): at
 * open a new epoch, with the alarm; nothing recorded since is moved. */
static void
test_mark_ahead_starts_a_new_epoch(void **state)
{
	struct fx *f = *state;
	char old[33], mark[128], buf[64];
	struct store_stats ss;
	struct store *s;
	int found = 0;
	FILE *fp;

	assert_int_equal(store_open(f->path, 1, &s), 0);
	append_n(s, 3);
	snprintf(old, sizeof(old), "%s", store_epoch(s));
	store_close(s);
	snprintf(mark, sizeof(mark), "%s-mark", f->path);
	assert_non_null(fp = fopen(mark, "r+"));
	fprintf(fp, "%s 5\n", old);
	fclose(fp);
	assert_int_equal(store_open(f->path, 1, &s), 0);
	assert_string_not_equal(store_epoch(s), old);
	assert_int_equal(store_stats(s, &ss), 0);
	assert_int_equal(ss.last_seq, 0);
	/* unacked, under the old epoch */
	assert_int_equal(ss.salvage, 3);
	store_alarms(s, alarm_seen, &found);
	assert_int_equal(found, 1);
	/* The mark follows the new epoch. */
	assert_non_null(fp = fopen(mark, "r"));
	assert_non_null(fgets(buf, sizeof(buf), fp));
	fclose(fp);
	assert_int_equal(strncmp(buf, store_epoch(s), 32), 0);
	store_close(s);
}

/* The quota covers database, WAL and reserve: the database may fill what
 * is left, and a full store refuses appends with -ENOSPC. */
static void
test_quota_counts_wal_and_reserve(void **state)
{
	struct fx *f = *state;
	struct store *s;
	struct event ev;
	int i, rc = 0;

	assert_int_equal(store_open(f->path, 1, &s), 0);
	assert_int_equal(store_set_quota(s, 512 * 1024), 0);
	for (i = 0; i < 100000 && (rc = store_append(s, (make_event(&ev, i),
	    &ev))) == 0; i++)
		;
	assert_int_equal(rc, -ENOSPC);
	assert_false(store_room_ok(s));
	assert_true(store_used(s) <= 512 * 1024 + 65536);
	/* Acked and pruned: room again. */
	assert_int_equal(store_ack(s, i, 1), 0);
	assert_true(store_prune(s, INT64_MAX, INT64_MAX) > 0);
	assert_true(store_room_restore(s));
	assert_int_equal(store_append(s, &ev), 0);
	store_close(s);
}

/* The catalog replaced whole, or not at all; the lookups read it. */
static void
test_reference_tables(void **state)
{
	struct fx *f = *state;
	char *row1[] = { "00884521123451", "SCREW", "", "", "", "" };
	char *row2[] = { "00884521123468", "PLATE", "", "", "", "" };
	char *rec[] = { "00884521123451", "LOT9", "", "R-1", "recall" };
	const int cat_flags[] = { -1, -1, 1, 1, 0, 1 };
	const int rec_flags[] = { -1, -1, -1, -1, -1 };
	struct store_item it;
	struct item item;
	char id[16];
	struct store *s;
	int rows;

	assert_int_equal(store_open(f->path, 1, &s), 0);
	assert_int_equal(store_catalog_item(s, row1[0], &it), -ENOENT);
	assert_int_equal(store_ref_begin(s, STORE_REF_CATALOG), 0);
	assert_null(store_ref_row(s, row1, cat_flags));
	assert_int_equal(store_ref_commit(s, "v1", 1, &rows), 0);
	assert_int_equal(rows, 1);
	assert_true(store_ref_current(s, STORE_REF_CATALOG, "v1"));
	assert_int_equal(store_catalog_item(s, row1[0], &it), 1);
	assert_string_equal(it.desc, "SCREW");
	assert_true(it.implant && it.lot_required && !it.serial_required &&
	    it.active);
	assert_int_equal(store_catalog_item(s, row2[0], &it), 0);
	/* A second file with a duplicate row: refused whole, v1 stays. */
	assert_int_equal(store_ref_begin(s, STORE_REF_CATALOG), 0);
	assert_null(store_ref_row(s, row2, cat_flags));
	assert_non_null(store_ref_row(s, row2, cat_flags));
	store_ref_abort(s);
	assert_true(store_ref_current(s, STORE_REF_CATALOG, "v1"));
	assert_int_equal(store_catalog_item(s, row1[0], &it), 1);
	assert_int_equal(store_catalog_item(s, row2[0], &it), 0);
	/* Recalls: a lot, any serial. */
	assert_int_equal(store_ref_begin(s, STORE_REF_RECALLS), 0);
	assert_null(store_ref_row(s, rec, rec_flags));
	assert_int_equal(store_ref_commit(s, "r1", 1, &rows), 0);
	memset(&item, 0, sizeof(item));
	snprintf(item.di, sizeof(item.di), "%s", rec[0]);
	snprintf(item.lot, sizeof(item.lot), "LOT9");
	assert_int_equal(store_recalled(s, &item, id, sizeof(id)), 1);
	assert_string_equal(id, "R-1");
	snprintf(item.lot, sizeof(item.lot), "LOT8");
	assert_int_equal(store_recalled(s, &item, id, sizeof(id)), 0);
	store_close(s);
}

/*
 * Appends, an ack, a state write and a prune with the Nth step of the store
 * failing: each append is whole with its seq or gone with seq 0, seqs stay
 * gap-free, the ack mark is where the calls said, and the store works on
 * once the fault is gone, after a reopen too. Returns the steps taken.
 */
static int
run_failing(const char *path, int nth)
{
	struct store_stats ss;
	struct event ev, got[8];
	struct store *s;
	int64_t kept[4];
	const char *const tails[] = { "", "-wal", "-shm", "-mark", "-reserve" };
	char file[160];
	int i, nkept = 0, acked = 0, steps;

	for (i = 0; i < 5; i++) {
		snprintf(file, sizeof(file), "%s%s", path, tails[i]);
		unlink(file);
	}
	assert_int_equal(store_open(path, 1, &s), 0);
	store_fail_nth(s, nth);
	for (i = 0; i < 3; i++) {
		make_event(&ev, i);
		if (store_append(s, &ev) == 0) {
			assert_int_equal(ev.seq, nkept + 1);
			kept[nkept++] = i;
		} else
			assert_int_equal(ev.seq, 0);
	}
	if (nkept > 0 && store_ack(s, 1, 500) == 0)
		acked = 1;
	store_set_uplink(s, "online", 501);
	store_prune(s, INT64_MAX, 1);
	steps = s->steps;
	store_fail_nth(s, 0);
	make_event(&ev, 3);
	assert_int_equal(store_append(s, &ev), 0);
	assert_int_equal(ev.seq, nkept + 1);
	kept[nkept++] = 3;
	store_close(s);

	assert_int_equal(store_open(path, 1, &s), 0);
	assert_int_equal(store_stats(s, &ss), 0);
	assert_int_equal(ss.last_seq, nkept);
	assert_int_equal(ss.acked_upto, acked);
	assert_int_equal(store_read(s, acked, got, 8), nkept - acked);
	for (i = 0; i < nkept - acked; i++) {
		make_event(&ev, (int)kept[acked + i]);
		assert_int_equal(got[i].seq, acked + i + 1);
		assert_string_equal(got[i].item.lot, ev.item.lot);
	}
	store_close(s);
	return steps;
}

static void
test_every_step_failed_in_turn(void **state)
{
	struct fx *f = *state;
	int nth;

	/* Past the last step no fault lands: the run takes fewer steps. */
	for (nth = 1; run_failing(f->path, nth) >= nth; nth++)
		;
	assert_true(nth > 15);
}

/* A command on trial with one key set; keep (or undo) with the Nth step
 * failing: either both its trial and its executing state stay, or the
 * trial is gone and its terminal state queued as a result, never one
 * without the other. Returns the steps taken. */
static int
run_config_end(const char *path, int undo, int nth)
{
	const char *sec[] = { "mqtt" }, *key[] = { "host" };
	const char *val[] = { "new" };
	struct store_cmd c = { "cfg-1", "config", "", "{}", INT64_MAX, 0 };
	struct store_result r;
	struct store *s;
	int64_t deadline;
	int rc, steps, ended;

	unlink(path);
	assert_int_equal(store_open(path, 1, &s), 0);
	assert_int_equal(store_cmd_add(s, &c), 0);
	assert_int_equal(store_cmd_transition(s, "cfg-1", "executing", "", "",
	    ""), 0);
	while (store_result_next(s, &r) == 1) {	/* received, executing */
		store_result_done(s, r.n);
		store_result_release(&r);
	}
	assert_int_equal(store_config_try(s, "cfg-1", 1, sec, key, val,
	    INT64_MAX), 0);
	store_fail_nth(s, nth);
	rc = undo ? store_config_undo(s, "cfg-1", "uplink_lost", "x") :
	    store_config_keep(s, "cfg-1", "kept");
	steps = s->steps;
	store_fail_nth(s, 0);
	ended = store_config_trial(s, "cfg-1", &deadline) == 0;
	assert_int_equal(ended, rc == 0);
	assert_int_equal(store_result_next(s, &r), ended);
	if (ended) {
		assert_string_equal(r.state, undo ? "failed" : "successful");
		store_result_release(&r);
	}
	assert_int_equal(store_cmd_next(s, &c), !ended);
	if (!ended) {
		assert_string_equal(c.state, "executing");
		store_cmd_release(&c);
	}
	store_close(s);
	return steps;
}

static void
test_config_end_is_one_transaction(void **state)
{
	struct fx *f = *state;
	int nth, undo;

	for (undo = 0; undo < 2; undo++) {
		for (nth = 1; run_config_end(f->path, undo, nth) >= nth; nth++)
			;
		assert_true(nth > 3);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_append_assigns_gap_free_seq, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_ack_releases_only_what_it_covers, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_reopen_after_crash_keeps_everything, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_only_open_for_pouctl,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_rollover_moves_what_came_after, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_mark_ahead_starts_a_new_epoch, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_quota_counts_wal_and_reserve, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reference_tables, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_every_step_failed_in_turn,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_a_database_is_refused,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_config_end_is_one_transaction, setup, teardown),
	};

	log_init("test_store", 0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * Unit tests for delivery (sync/bridge/outbox.c) on a real database, its
 * thread and the file transport (out_file.c) into a temp dir: messages
 * queued are delivered once each, in order; a delivery that fails is
 * retried until it goes through, or is dead after dead_after attempts;
 * and with each of the outbox connection's steps failed in turn
 * (db_fail_nth) no message is lost or delivered twice.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "bridge.h"
#include "db.h"
#include "log.h"
#include "testutil.h"

#define NMSG		3
#define SETTLE_MS	10000	/* how long the thread may take, at most */

/*
 * The outbox opens its own connection. The test links with
 * -Wl,--wrap=db_open (UNIT_LIBS_outbox) and sets fail_next_open: the next
 * connection opened, the outbox's, fails its fail_next_open'th step. It is
 * set before the thread starts, so the thread sees it.
 */
static int fail_next_open;

int	__real_db_open(const char *, int, struct db **);
int	__wrap_db_open(const char *, int, struct db **);

int
__wrap_db_open(const char *path, int flags, struct db **out)
{
	int rc = __real_db_open(path, flags, out);

	if (rc == 0 && fail_next_open > 0) {
		db_fail_nth(*out, fail_next_open);
		fail_next_open = 0;
	}
	return rc;
}

/* The file transport, with each message it delivered noted in order.
 * Written by the outbox thread, read once it has been joined. */
static struct {
	int	tries, n;
	char	name[16][32];
} sent;

static int
log_open(const struct bridge_conf *c, const char *dest, void **ctx)
{
	return transport_file.open(c, dest, ctx);
}

static enum send_result
log_send(void *ctx, struct outmsg *m, char *err, size_t errlen)
{
	enum send_result r = transport_file.send(ctx, m, err, errlen);

	sent.tries++;
	if (r == SEND_OK && sent.n < 16)
		snprintf(sent.name[sent.n++], sizeof(sent.name[0]), "%s",
		    m->name);
	return r;
}

static void
log_close(void *ctx)
{
	transport_file.close(ctx);
}

static const struct transport transport_log = {
	.name = "file",
	.open = log_open,
	.send = log_send,
	.close = log_close,
};

struct fx {
	char			 dir[64];
	char			 drop[80];
	struct bridge_conf	 conf;
	struct db		*d;
	struct outbox		*o;
	struct grab		 g;
};

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	char conf[96];
	FILE *c;

	snprintf(f->dir, sizeof(f->dir), "/tmp/pou-outbox.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->drop, sizeof(f->drop), "%s/drop", f->dir);
	snprintf(conf, sizeof(conf), "%s/bridge.conf", f->dir);
	assert_non_null(c = fopen(conf, "w"));
	fprintf(c, "[store]\npath = %s/bridge.db\nsynchronous_full = no\n"
	    "[billing]\ndir = %s\n[outbox]\nretry_min_ms = 10\n"
	    "retry_max_ms = 40\ndead_after = 0\n", f->dir, f->drop);
	fclose(c);
	assert_int_equal(bridge_conf_load(conf, &f->conf), 0);
	assert_int_equal(db_open(f->conf.db_path, 0, &f->d), 0);
	memset(&sent, 0, sizeof(sent));
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;
	char cmd[128];

	grab_cancel();
	outbox_stop(f->o);
	db_close(f->d);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

static void
start(struct fx *f)
{
	assert_non_null(f->o = outbox_start(&f->conf, "billing",
	    &transport_log));
}

/* Stores event seq and queues its delivery to billing as m<seq>.hl7. */
static void
queue(struct fx *f, int seq)
{
	struct db_delivery m = { "billing", 0, NULL, NULL, NULL, NULL, 0 };
	char name[32], ctrl[32], payload[32], ident[32];
	struct bevent be;

	memset(&be, 0, sizeof(be));
	snprintf(be.device, sizeof(be.device), "cart-1");
	snprintf(be.epoch, sizeof(be.epoch), "e1");
	be.ev.seq = seq;
	be.ev.at_ms = 1764000000000LL + seq;
	snprintf(be.ev.boot, sizeof(be.ev.boot), "b");
	snprintf(be.ev.kind, sizeof(be.ev.kind), "use");
	be.ev.qty = 1;
	snprintf(be.ev.item.di, sizeof(be.ev.item.di), "00884521123451");
	be.time_quality = "ok";
	assert_int_equal(db_insert_event(f->d, &be, be.ev.at_ms), 1);
	snprintf(name, sizeof(name), "m%d.hl7", seq);
	snprintf(ctrl, sizeof(ctrl), "c%d", seq);
	snprintf(payload, sizeof(payload), "MSH|payload %d\r", seq);
	snprintf(ident, sizeof(ident), "cart-1:e1:%d", seq);
	m.event_id = be.id;
	m.name = name;
	m.control_id = ctrl;
	m.payload = payload;
	m.ident = ident;
	assert_int_equal(db_enqueue(f->d, &m), 0);
	if (f->o)
		outbox_kick(f->o);
}

struct delivery {
	char	state[16], answer[64], error[160];
	int	attempts;
};

static void
keep_delivery(void *arg, const char *const *c, int n)
{
	struct delivery *d = arg;

	(void)n;
	snprintf(d->state, sizeof(d->state), "%s", c[1]);
	d->attempts = atoi(c[2]);
	snprintf(d->answer, sizeof(d->answer), "%s", c[5]);
	snprintf(d->error, sizeof(d->error), "%s", c[6]);
}

static void
ignore(void *arg, const char *const *c, int n)
{
	(void)arg;
	(void)c;
	(void)n;
}

/* Event seq's billing delivery as the database has it now. */
static void
delivery(struct fx *f, int seq, struct delivery *d)
{
	struct db_trace t = { ignore, ignore, keep_delivery, d };

	memset(d, 0, sizeof(*d));
	assert_int_equal(db_trace(f->d, "cart-1", "e1", seq, &t), 1);
}

/* Waits (kicking the thread) until event seq's delivery has state and at
 * least attempts attempts. */
static void
wait_for(struct fx *f, int seq, const char *state, int attempts)
{
	struct delivery d;
	int ms;

	for (ms = 0; ms < SETTLE_MS; ms += 5) {
		delivery(f, seq, &d);
		if (strcmp(d.state, state) == 0 && d.attempts >= attempts)
			return;
		outbox_kick(f->o);
		usleep(5000);
	}
	fail_msg("event %d: %s after %d attempts, not %s", seq, d.state,
	    d.attempts, state);
}

/* Waits until billing has nothing pending, then stops the thread. */
static void
settle(struct fx *f)
{
	struct db_outrow r;
	int ms, rc = 1;

	memset(&r, 0, sizeof(r));
	for (ms = 0; ms < SETTLE_MS && rc != 0; ms += 5) {
		outbox_kick(f->o);
		usleep(5000);
		assert_true((rc = db_outbox_next(f->d, "billing", &r)) >= 0);
	}
	buf_free(&r.payload);
	assert_int_equal(rc, 0);
	outbox_stop(f->o);
	f->o = NULL;
}

/* Messages 1..NMSG were delivered once each, in order, each file as
 * queued, each row done. */
static void
delivered_once(struct fx *f)
{
	struct delivery d;
	char path[128], want[32], got[64];
	FILE *fp;
	size_t n;
	int i;

	assert_int_equal(sent.n, NMSG);
	for (i = 1; i <= NMSG; i++) {
		snprintf(want, sizeof(want), "m%d.hl7", i);
		assert_string_equal(sent.name[i - 1], want);
		snprintf(path, sizeof(path), "%s/%s", f->drop, want);
		assert_non_null(fp = fopen(path, "r"));
		n = fread(got, 1, sizeof(got) - 1, fp);
		got[n] = '\0';
		fclose(fp);
		snprintf(want, sizeof(want), "MSH|payload %d\r", i);
		assert_string_equal(got, want);
		delivery(f, i, &d);
		assert_string_equal(d.state, "done");
		assert_string_equal(d.error, "");
	}
}

static void
test_delivered_once_in_order(void **state)
{
	struct fx *f = *state;
	struct delivery d;
	int i;

	for (i = 1; i <= NMSG; i++)
		queue(f, i);
	start(f);
	settle(f);
	delivered_once(f);
	assert_int_equal(sent.tries, NMSG);
	delivery(f, 1, &d);
	assert_int_equal(d.attempts, 1);
	/* Started again, it sends none of them again. */
	start(f);
	queue(f, NMSG + 1);
	settle(f);
	assert_int_equal(sent.n, NMSG + 1);
	assert_string_equal(sent.name[NMSG], "m4.hl7");
}

/* The drop directory gone: the first message fails, is retried (the
 * others wait behind it), and goes through once the directory is back. */
static void
test_failed_retried(void **state)
{
	struct fx *f = *state;
	struct delivery d;
	int i;

	start(f);
	assert_int_equal(rmdir(f->drop), 0);
	grab_start(&f->g);
	for (i = 1; i <= NMSG; i++)
		queue(f, i);
	wait_for(f, 1, "pending", 2);
	delivery(f, 1, &d);
	assert_non_null(strstr(d.error, "drop/m1.hl7"));
	delivery(f, 2, &d);
	assert_int_equal(d.attempts, 0);	/* in order: behind 1 */
	assert_int_equal(mkdir(f->drop, 0750), 0);
	settle(f);
	grab_end(&f->g);
	assert_non_null(strstr(f->g.text, "m1.hl7 not delivered (attempt 1)"));
	delivered_once(f);
	delivery(f, 1, &d);
	assert_true(d.attempts >= 3);
	delivery(f, 2, &d);
	assert_int_equal(d.attempts, 1);
}

/* With dead_after, a message that keeps failing is dead (held for
 * pouctl replay), not sent when the receiver is back. */
static void
test_dead_after(void **state)
{
	struct fx *f = *state;
	struct delivery d;

	f->conf.dead_after = 3;
	start(f);
	assert_int_equal(rmdir(f->drop), 0);
	grab_start(&f->g);
	queue(f, 1);
	wait_for(f, 1, "dead", 3);
	assert_int_equal(mkdir(f->drop, 0750), 0);
	queue(f, 2);
	settle(f);
	grab_end(&f->g);
	assert_non_null(strstr(f->g.text, "m1.hl7 dead after 3 attempts"));
	delivery(f, 1, &d);
	assert_string_equal(d.state, "dead");
	assert_int_equal(d.attempts, 3);
	assert_int_equal(sent.tries, 4);
	assert_int_equal(sent.n, 1);
	assert_string_equal(sent.name[0], "m2.hl7");
	assert_int_equal(chdir(f->drop), 0);
	assert_int_equal(access("m1.hl7", F_OK), -1);
	assert_int_equal(chdir("/"), 0);
}

/*
 * Each step of the outbox's connection failed in turn, on a new database
 * each time: every message still delivered once, in order. A failed
 * update after a delivery leaves the row pending; the ledger then says it
 * was acknowledged, and it is done without being sent again.
 */
static void
test_each_step_failed(void **state)
{
	struct fx *f;
	struct delivery d;
	int n, i, ledger = 0;

	(void)state;
	for (n = 1; n <= 2 * NMSG + 2; n++) {
		assert_int_equal(setup((void **)&f), 0);
		for (i = 1; i <= NMSG; i++)
			queue(f, i);
		grab_start(&f->g);
		fail_next_open = n;
		start(f);
		settle(f);
		grab_end(&f->g);
		if (n <= 2 * NMSG)	/* a next and a set per message */
			assert_non_null(strstr(f->g.text,
			    "a fault a test injected"));
		delivered_once(f);
		assert_int_equal(sent.tries, NMSG);
		for (i = 1; i <= NMSG; i++) {
			delivery(f, i, &d);
			ledger += strcmp(d.answer, "acknowledged before "
			    "(ledger)") == 0;
		}
		assert_int_equal(teardown((void **)&f), 0);
	}
	assert_int_equal(ledger, NMSG);	/* each message's set, failed once */
}

static int
ungrab(void **state)
{
	(void)state;
	grab_cancel();
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_delivered_once_in_order,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_failed_retried, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_dead_after, setup,
		    teardown),
		cmocka_unit_test_teardown(test_each_step_failed, ungrab),
	};

	log_init("test_outbox", 0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * Unit tests for the driver front end (drivers/driver.c) with the real sim
 * driver on a FIFO: every scan reaches the core's sink with its instance
 * name and is counted, the counts are reported once per change, a handler
 * that holds up the loop is timed and counted slow, a closed instance is
 * never called, and instance names find their driver or none.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "driver.h"

struct fx {
	char		 dir[64];
	char		 fifo[96];
	struct driver	*d;
	int		 scans;
	char		 last[64];
	char		 source[DRIVER_NAME_MAX];
	char		 state[96];
	/* each scan holds the handler this long */
	int		 sleep_ms;
};

static void
fx_scan(void *arg, const struct scan *sc)
{
	struct fx *f = arg;
	struct timespec ts;

	f->scans++;
	snprintf(f->last, sizeof(f->last), "%.*s", (int)sc->len, sc->data);
	snprintf(f->source, sizeof(f->source), "%s", sc->source);
	if (f->sleep_ms > 0) {
		ts.tv_sec = f->sleep_ms / 1000;
		ts.tv_nsec = (long)(f->sleep_ms % 1000) * 1000000L;
		nanosleep(&ts, NULL);
	}
}

static void
fx_state(void *arg, const char *instance, const char *state)
{
	struct fx *f = arg;

	snprintf(f->state, sizeof(f->state), "%s %s", instance, state);
}

static int
setup(void **state)
{
	struct driver_sink sink = { fx_scan, fx_state, NULL };
	struct fx *f = calloc(1, sizeof(*f));
	char err[128];

	snprintf(f->dir, sizeof(f->dir), "/tmp/pou-driver.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->fifo, sizeof(f->fifo), "%s/sim.fifo", f->dir);
	assert_non_null(f->d = driver_new("sim3"));
	assert_int_equal(driver_set(f->d, "path", f->fifo, err, sizeof(err)),
	    0);
	sink.arg = f;
	assert_int_equal(driver_open(f->d, &sink), 0);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	driver_free(f->d);
	unlink(f->fifo);
	rmdir(f->dir);
	free(f);
	return 0;
}

/* Writes text into the FIFO and runs the driver's handler once. */
static void
feed(struct fx *f, const char *text)
{
	struct pollfd pfd[DRIVER_FDS_MAX];
	int fd, n;

	assert_true((fd = open(f->fifo, O_WRONLY | O_NONBLOCK)) >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	n = driver_pollfds(f->d, pfd, DRIVER_FDS_MAX);
	assert_int_equal(n, 1);
	assert_int_equal(poll(pfd, (nfds_t)n, 1000), 1);
	driver_handle(f->d, pfd, n, 0);
}

static void
test_scans_counted(void **state)
{
	struct fx *f = *state;
	struct driver_counts c;

	assert_string_equal(f->state, "sim3 open");
	assert_int_equal(driver_counts(f->d, &c), 1);	/* a fresh instance */
	assert_int_equal(c.scans, 0);
	assert_int_equal(driver_counts(f->d, &c), 0);
	feed(f, "]C0FIRST\n]C0SECOND\n");
	assert_int_equal(f->scans, 2);
	assert_string_equal(f->last, "]C0SECOND");
	assert_string_equal(f->source, "sim3");
	assert_int_equal(driver_counts(f->d, &c), 1);
	assert_int_equal(c.scans, 2);
	assert_true(c.last_ms > 0);
	assert_int_equal(c.slow, 0);
	assert_int_equal(driver_counts(f->d, &c), 0);	/* nothing new */
	feed(f, "]C0THIRD\n");
	assert_int_equal(driver_counts(f->d, &c), 1);
	assert_int_equal(c.scans, 3);
}

static void
test_slow_handler(void **state)
{
	struct fx *f = *state;
	struct driver_counts c;

	f->sleep_ms = DRIVER_SLOW_MS + 20;
	feed(f, "]C0SLOW\n");
	assert_int_equal(driver_counts(f->d, &c), 1);
	assert_int_equal(c.scans, 1);
	assert_int_equal(c.slow, 1);
	assert_true(c.handle_max_ms >= DRIVER_SLOW_MS + 20);
	f->sleep_ms = 0;
	feed(f, "]C0QUICK\n");
	assert_int_equal(driver_counts(f->d, &c), 1);
	assert_int_equal(c.slow, 1);	/* the quick one is not slow */
	assert_true(c.handle_max_ms >= DRIVER_SLOW_MS + 20);	/* kept */
}

static void
test_closed_not_called(void **state)
{
	struct fx *f = *state;
	struct driver_counts c;
	struct pollfd pfd = { .fd = -1 };
	int fd;

	driver_counts(f->d, &c);
	assert_true((fd = open(f->fifo, O_WRONLY | O_NONBLOCK)) >= 0);
	assert_int_equal(write(fd, "]C0LOST\n", 8), 8);
	close(fd);
	driver_close(f->d);
	assert_int_equal(driver_pollfds(f->d, &pfd, 1), 0);
	driver_handle(f->d, &pfd, 1, 0);
	assert_int_equal(f->scans, 0);
	assert_int_equal(driver_counts(f->d, &c), 0);
	driver_close(f->d);	/* twice is harmless */
}

static void
test_lookup(void **state)
{
	(void)state;
	assert_ptr_equal(driver_lookup("sim0"), &driver_sim);
	assert_ptr_equal(driver_lookup("hidpos12"), &driver_hidpos);
	assert_ptr_equal(driver_lookup("nfc"), &driver_nfc);
	assert_null(driver_lookup("simx0"));
	assert_null(driver_lookup("0"));
	errno = 0;
	assert_null(driver_new("bogus1"));
	assert_int_equal(errno, ENOENT);
	assert_null(driver_new("sim0123456789012345678901234567890"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_scans_counted, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_slow_handler, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_closed_not_called, setup,
		    teardown),
		cmocka_unit_test(test_lookup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

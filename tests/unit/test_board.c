/*
 * Unit tests for board/: a board file driving LEDs in a fake sysfs tree (a
 * temp directory as led_root, each LED a directory with brightness and
 * max_brightness files, as the kernel's LED class has them). The pattern of
 * each signal is asserted by reading the brightness files as time passes.
 * This machine has no GPIO simulator (no gpio-sim, no configfs): the GPIO
 * output is exercised only as far as libgpiod refusing a missing chip.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "board.h"
#include "log.h"

static char dir[64], conf[96];

static void
put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void
make_led(const char *name, const char *max)
{
	char p[160];

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	assert_int_equal(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/%s/brightness", dir, name);
	put(p, "0");
	snprintf(p, sizeof(p), "%s/%s/max_brightness", dir, name);
	put(p, max);
}

/* The LED's brightness as a number. */
static int
led(const char *name)
{
	char p[160], v[16] = "";
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s/brightness", dir, name);
	assert_non_null(f = fopen(p, "r"));
	assert_non_null(fgets(v, sizeof(v), f));
	fclose(f);
	return atoi(v);
}

static int
setup(void **state)
{
	char text[1024];

	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/pou-board.XXXXXX");
	assert_non_null(mkdtemp(dir));
	make_led("g", "255\n");
	make_led("r", "1\n");
	snprintf(conf, sizeof(conf), "%s/board.conf", dir);
	snprintf(text, sizeof(text), "[board]\nled_root = %s\n"
	    "[output.green]\nled = g\n[output.red]\nled = r\n"
	    "[signal.ok]\noutputs = green\npulses = 1\non_ms = 400\n"
	    "[signal.stop]\noutputs = red\npulses = 3\non_ms = 100\n"
	    "off_ms = 50\n"
	    "[signal.offline]\noutputs = red\n", dir);
	put(conf, text);
	return 0;
}

static int
teardown(void **state)
{
	char cmd[96];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

static void
test_ok_is_one_long_green(void **state)
{
	struct board *b = board_open("hardware", conf);
	int64_t t;

	(void)state;
	assert_non_null(b);
	board_signal(b, BOARD_OK, "recorded");
	board_last(b, &t);
	assert_int_equal(led("g"), 255);	/* max_brightness */
	assert_int_equal(led("r"), 0);
	assert_int_equal(board_timeout(b, t), 400);
	board_tick(b, t + 399);
	assert_int_equal(led("g"), 255);
	board_tick(b, t + 400);
	assert_int_equal(led("g"), 0);
	assert_int_equal(board_timeout(b, t + 400), -1);
	board_close(b);
}

static void
test_stop_is_three_red_pulses(void **state)
{
	struct board *b = board_open("hardware", conf);
	int64_t t, ms;
	int rises = 0, was = 0, on;

	(void)state;
	assert_non_null(b);
	board_signal(b, BOARD_STOP, "not recorded");
	board_last(b, &t);
	for (ms = 0; ms <= 1000; ms += 10) {
		board_tick(b, t + ms);
		on = led("r");
		rises += on && !was;
		was = on;
		if (ms == 120)
			assert_int_equal(on, 0);	/* the first gap */
	}
	assert_int_equal(rises, 3);
	assert_int_equal(led("r"), 0);
	assert_int_equal(led("g"), 0);
	board_close(b);
}

static void
test_a_state_holds_under_events(void **state)
{
	struct board *b = board_open("hardware", conf);
	int64_t t;

	(void)state;
	assert_non_null(b);
	board_state(b, BOARD_OFFLINE, 1);
	assert_int_equal(led("r"), 1);
	board_signal(b, BOARD_OK, "recorded");	/* plays over the state */
	board_last(b, &t);
	assert_int_equal(led("r"), 0);
	assert_int_equal(led("g"), 255);
	board_tick(b, t + 400);
	assert_int_equal(led("r"), 1);		/* back to offline */
	board_state(b, BOARD_OFFLINE, 0);
	assert_int_equal(led("r"), 0);
	board_close(b);
}

static void
test_bad_board_files(void **state)
{
	char bad[128], text[256];
	struct board *b;

	(void)state;
	snprintf(bad, sizeof(bad), "%s/bad.conf", dir);
	snprintf(text, sizeof(text), "[board]\nled_root = %s\n"
	    "[signal.ok]\noutputs = blue\n", dir);
	put(bad, text);
	assert_null(board_open("hardware", bad));	/* an unknown output */
	snprintf(text, sizeof(text), "[board]\nled_root = %s\n"
	    "[output.x]\nled = nosuch\n", dir);
	put(bad, text);
	assert_null(board_open("hardware", bad));	/* no such LED */
	snprintf(text, sizeof(text), "[board]\ngpio_chip = %s/nochip\n"
	    "[output.buzzer]\ngpio = 17\n", dir);
	put(bad, text);
	assert_null(board_open("hardware", bad));	/* libgpiod: no chip */
	assert_null(board_open("hardware", "/nonexistent/board.conf"));
	assert_null(board_open("blinkenlights", ""));
	board_close(b = board_open("null", ""));
	assert_non_null(b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ok_is_one_long_green),
		cmocka_unit_test(test_stop_is_three_red_pulses),
		cmocka_unit_test(test_a_state_holds_under_events),
		cmocka_unit_test(test_bad_board_files),
	};

	log_init("test_board", 0);
	return cmocka_run_group_tests(tests, setup, teardown);
}

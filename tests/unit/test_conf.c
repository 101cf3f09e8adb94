/*
 * Unit tests for the shared config-file helpers (common/conf.c): defaults,
 * each type's parsing and bounds, unknown keys and sections, the hook for
 * sections the table does not name, and every error of a file reported as
 * file:line with the load going on past it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "conf.h"
#include "log.h"
#include "testutil.h"

struct tconf {
	char		name[8];
	long long	n;
	int		on;
	char		other[16];
};

static const struct conf_item tab[] = {
	CONF_S("a", "name", struct tconf, name, "dflt"),
	CONF_I("a", "n", struct tconf, n, "5", 1, 10),
	CONF_B("a", "on", struct tconf, on, "no"),
	CONF_S("b", "other", struct tconf, other, "o"),
	CONF_END
};

struct fx {
	char	dir[64];
	char	path[96];
	struct grab g;
};

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	snprintf(f->dir, sizeof(f->dir), "/tmp/pou-conf.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/t.conf", f->dir);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	unlink(f->path);
	if (rmdir(f->dir) != 0)
		return -1;
	free(f);
	return 0;
}

/* Writes text as the config file and loads it; the errors, with what was
 * logged in f->g.text. */
static int
load(struct fx *f, const char *text, struct tconf *c, conf_extra_fn extra,
    void *arg)
{
	FILE *fp;
	int rc;

	assert_non_null(fp = fopen(f->path, "w"));
	fputs(text, fp);
	fclose(fp);
	memset(c, 0x5a, sizeof(*c));
	grab_start(&f->g);
	rc = conf_load(f->path, tab, c, extra, arg);
	grab_end(&f->g);
	return rc;
}

/* True when the log says "path:line: msg". */
static int
said(struct fx *f, int line, const char *msg)
{
	char want[256];

	snprintf(want, sizeof(want), "%s:%d: %s", f->path, line, msg);
	return strstr(f->g.text, want) != NULL;
}

static void
test_defaults(void **state)
{
	struct tconf c;

	(void)state;
	memset(&c, 0x5a, sizeof(c));
	conf_defaults(tab, &c);
	assert_string_equal(c.name, "dflt");
	assert_int_equal(c.n, 5);
	assert_int_equal(c.on, 0);
	assert_string_equal(c.other, "o");
}

/* Each type parsed, its bounds kept; a bad value leaves the field as it
 * was and says why. */
static void
test_set_values(void **state)
{
	static const char *yes[] = { "1", "yes", "TRUE", "On" };
	static const char *no[] = { "0", "No", "false", "OFF" };
	struct tconf c;
	char err[128];
	size_t i;

	(void)state;
	conf_defaults(tab, &c);
	assert_int_equal(conf_set(tab, &c, "a", "name", "1234567", err,
	    sizeof(err)), 0);
	assert_string_equal(c.name, "1234567");	/* 7 bytes fit in 8 */
	assert_int_equal(conf_set(tab, &c, "a", "name", "12345678", err,
	    sizeof(err)), -1);
	assert_string_equal(err, "name: value longer than 7 bytes");
	assert_string_equal(c.name, "1234567");

	assert_int_equal(conf_set(tab, &c, "a", "n", "1", err, sizeof(err)), 0);
	assert_int_equal(c.n, 1);
	assert_int_equal(conf_set(tab, &c, "a", "n", "10", err, sizeof(err)),
	    0);
	assert_int_equal(c.n, 10);
	assert_int_equal(conf_set(tab, &c, "a", "n", "11", err, sizeof(err)),
	    -1);
	assert_string_equal(err,
	    "n: \"11\" is not a whole number from 1 to 10");
	assert_int_equal(conf_set(tab, &c, "a", "n", "0", err, sizeof(err)),
	    -1);
	assert_int_equal(conf_set(tab, &c, "a", "n", "5x", err, sizeof(err)),
	    -1);
	assert_int_equal(conf_set(tab, &c, "a", "n", "", err, sizeof(err)), -1);
	assert_int_equal(conf_set(tab, &c, "a", "n", "2.5", err, sizeof(err)),
	    -1);
	assert_int_equal(c.n, 10);

	for (i = 0; i < 4; i++) {
		c.on = -1;
		assert_int_equal(conf_set(tab, &c, "a", "on", yes[i], err,
		    sizeof(err)), 0);
		assert_int_equal(c.on, 1);
		assert_int_equal(conf_set(tab, &c, "a", "on", no[i], err,
		    sizeof(err)), 0);
		assert_int_equal(c.on, 0);
	}
	assert_int_equal(conf_set(tab, &c, "a", "on", "maybe", err,
	    sizeof(err)), -1);
	assert_string_equal(err, "on: \"maybe\" is not yes or no");
	assert_int_equal(c.on, 0);
}

/* A key is known only in its own section. */
static void
test_set_unknown_key(void **state)
{
	struct tconf c;
	char err[128];

	(void)state;
	conf_defaults(tab, &c);
	assert_int_equal(conf_set(tab, &c, "a", "bogus", "x", err,
	    sizeof(err)), -1);
	assert_string_equal(err, "unknown key \"bogus\" in [a]");
	assert_int_equal(conf_set(tab, &c, "b", "name", "x", err,
	    sizeof(err)), -1);
	assert_string_equal(err, "unknown key \"name\" in [b]");
	assert_string_equal(c.name, "dflt");
}

/* A good file: comments and blanks skipped, what it names set over the
 * defaults, the rest left at them, nothing said. */
static void
test_load_good(void **state)
{
	struct fx *f = *state;
	struct tconf c;

	assert_int_equal(load(f, "# a comment\n\n[a]\nname = x y\n"
	    "; another\non = yes\n[b]\nother=\"q\"\n", &c, NULL, NULL), 0);
	assert_string_equal(c.name, "x y");
	assert_int_equal(c.n, 5);
	assert_int_equal(c.on, 1);
	assert_string_equal(c.other, "\"q\"");	/* kept as written */
	assert_string_equal(f->g.text, "");
}

/* Every error in one pass, each with its line; the good lines after an
 * error still count. */
static void
test_load_errors_lines(void **state)
{
	struct fx *f = *state;
	struct tconf c;

	assert_int_equal(load(f, "[a]\n"
	    "name = ok\n"
	    "bogus = 1\n"			/* 3 */
	    "\n"
	    "n = 99\n"				/* 5 */
	    "on = perhaps\n"			/* 6 */
	    "[zz]\n"
	    "k = v\n"				/* 8 */
	    "[b]\n"
	    "other = this is far too long\n"	/* 10 */
	    "[a]\n"
	    "n = 7\n", &c, NULL, NULL), 5);
	assert_true(said(f, 3, "unknown key \"bogus\" in [a]"));
	assert_true(said(f, 5, "n: \"99\" is not a whole number from 1 to 10"));
	assert_true(said(f, 6, "on: \"perhaps\" is not yes or no"));
	assert_true(said(f, 8, "unknown section [zz]"));
	assert_true(said(f, 10, "other: value longer than 15 bytes"));
	assert_string_equal(c.name, "ok");
	assert_int_equal(c.n, 7);
	assert_int_equal(c.on, 0);
	assert_string_equal(c.other, "o");
}

/* A line that is no key = value nor [section] is an error with its line. */
static void
test_load_syntax(void **state)
{
	struct fx *f = *state;
	struct tconf c;

	assert_int_equal(load(f, "[a]\nname = x\njust words\nn = 3\n", &c,
	    NULL, NULL), 1);
	assert_true(said(f, 3, "not a key = value line or [section]"));
	assert_string_equal(c.name, "x");
	assert_int_equal(c.n, 3);
	/* A broken header is named; its keys are taken for no section. */
	assert_int_equal(load(f, "[a\nn = 3\n", &c, NULL, NULL), 2);
	assert_true(said(f, 1, "a [section] without its ]"));
	assert_true(said(f, 2, "unknown section []"));
	assert_int_equal(c.n, 5);
}

/* Every line that is no key = value is named, not only the first (libinih
 * returns the first one's line). */
static void
test_load_syntax_every(void **state)
{
	struct fx *f = *state;
	struct tconf c;

	assert_int_equal(load(f, "[a]\nx\ny\nn = 3\n", &c, NULL, NULL), 2);
	assert_true(said(f, 2, "not a key = value line or [section]"));
	assert_true(said(f, 3, "not a key = value line or [section]"));
}

struct seen {
	int	calls;
	char	last[96];
};

static int
extra(void *arg, const char *section, const char *key, const char *value,
    char *err, size_t errlen)
{
	struct seen *s = arg;

	s->calls++;
	snprintf(s->last, sizeof(s->last), "%s.%s=%s", section, key, value);
	if (strcmp(key, "bad") == 0) {
		snprintf(err, errlen, "%s: no good", key);
		return -1;
	}
	return 0;
}

/* A section the table does not name goes to the hook, its error reported
 * at its line; a named section never does. */
static void
test_load_extra(void **state)
{
	struct fx *f = *state;
	struct seen s = { 0, "" };
	struct tconf c;

	assert_int_equal(load(f, "[a]\nn = 2\n[driver.sim0]\nrate = 5\n"
	    "bad = 1\n[a]\nbogus = 1\n", &c, extra, &s), 2);
	assert_int_equal(s.calls, 2);
	assert_string_equal(s.last, "driver.sim0.bad=1");
	assert_true(said(f, 5, "bad: no good"));
	assert_true(said(f, 7, "unknown key \"bogus\" in [a]"));
	assert_int_equal(c.n, 2);
}

/* A file that cannot be read is an error, named; the defaults are set. */
static void
test_load_missing(void **state)
{
	struct fx *f = *state;
	struct tconf c;
	int rc;

	memset(&c, 0x5a, sizeof(c));
	grab_start(&f->g);
	rc = conf_load("/nonexistent/pou.conf", tab, &c, NULL, NULL);
	grab_end(&f->g);
	assert_true(rc > 0);
	assert_non_null(strstr(f->g.text, "/nonexistent/pou.conf"));
	assert_string_equal(c.name, "dflt");
	assert_int_equal(c.n, 5);
}

/* A line longer than libinih's 200-byte buffer is still one line: a
 * comment is no error, a key = value that long is one, named, and the
 * errors after it carry their own line numbers. An indented key is a key,
 * not the value before it continued. */
static void
test_load_long_line(void **state)
{
	struct fx *f = *state;
	char text[600];
	struct tconf c;

	snprintf(text, sizeof(text), "[b]\n# %0300d\n[a]\nbogus = 1\n", 0);
	assert_int_equal(load(f, text, &c, NULL, NULL), 1);
	assert_true(said(f, 4, "unknown key \"bogus\" in [a]"));
	snprintf(text, sizeof(text), "[a]\nname = %0250d\nbogus = 1\n", 0);
	assert_int_equal(load(f, text, &c, NULL, NULL), 2);
	assert_true(said(f, 2, "a line longer than libinih reads"));
	assert_true(said(f, 3, "unknown key \"bogus\" in [a]"));
	assert_int_equal(load(f, "[a]\nname = x\n   n = 7\n", &c, NULL, NULL),
	    0);
	assert_int_equal(c.n, 7);
	assert_string_equal(c.name, "x");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_set_values),
		cmocka_unit_test(test_set_unknown_key),
		cmocka_unit_test_setup_teardown(test_load_good, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_load_errors_lines, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_load_syntax, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_load_extra, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_load_missing, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_load_syntax_every, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_load_long_line, setup,
		    teardown),
	};

	log_init("test_conf", 0);
	log_plain();
	return cmocka_run_group_tests(tests, NULL, NULL);
}

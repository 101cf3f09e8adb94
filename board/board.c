/*
 * Feedback to the person at the cart. Every signal is logged; the hardware
 * backend also plays it on the outputs of a board file: an event (ok, warn,
 * stop, context) is `pulses` pulses of on_ms on, off_ms off on its outputs,
 * the latest event replacing the one playing; a state (busy, offline) keeps
 * its outputs on while it lasts and no event plays. The first pulse starts
 * inside board_signal(), so feedback follows the commit at once.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "board.h"
#include "conf.h"
#include "log.h"
#include "output.h"
#include "util.h"

#define BOARD_OUTPUTS	8

static const char *const signal_names[BOARD_NSIGNALS] = {
	"ok", "warn", "stop", "context", "busy", "offline",
};

struct pattern {
	unsigned	outputs;	/* bit i: out[i] */
	int		pulses, on_ms, off_ms;
};

struct board {
	int		hardware, quiet;
	char		led_root[256], gpio_chip[256];
	struct output	out[BOARD_OUTPUTS];
	int		nout;
	struct pattern	pat[BOARD_NSIGNALS];
	unsigned	states;		/* bit s: state s is on */
	/* The event playing: pulses left, phase, when the phase ends. */
	int		playing, left, phase_on;
	int64_t		phase_end;
	const struct pattern *cur;
	char		last[160];
	int64_t		last_ms;
};

const char *
board_signal_name(enum board_signal s)
{
	return signal_names[s];
}

int
board_backend_valid(const char *backend)
{
	return strcmp(backend, "console") == 0 ||
	    strcmp(backend, "null") == 0 || strcmp(backend, "hardware") == 0;
}

static int
board_find_output(struct board *b, const char *name)
{
	int i;

	for (i = 0; i < b->nout; i++)
		if (strcmp(b->out[i].name, name) == 0)
			return i;
	return -1;
}

static int
board_find_signal(const char *name)
{
	int i;

	for (i = 0; i < BOARD_NSIGNALS; i++)
		if (strcmp(signal_names[i], name) == 0)
			return i;
	return -1;
}

static const char *
board_output(struct board *b, const char *name, const char *type,
    const char *spec)
{
	const struct output_ops *ops = output_ops_lookup(type);
	struct output *o;
	int rc;

	if (ops == NULL)
		return "an output is led = <name> or gpio = <line offset>";
	if (board_find_output(b, name) >= 0)
		return "this output is described twice";
	if (b->nout == BOARD_OUTPUTS || strlen(name) >= OUTPUT_NAME_MAX)
		return "too many outputs, or a name too long";
	o = &b->out[b->nout];
	memset(o, 0, sizeof(*o));
	snprintf(o->name, sizeof(o->name), "%s", name);
	o->ops = ops;
	o->led_root = b->led_root;
	o->gpio_chip = b->gpio_chip;
	if ((rc = ops->open(o, spec)) != 0) {
		log_warnx("board: %s %s \"%s\": %s", type, name, spec,
		    strerror(-rc));
		return "the output cannot be opened";
	}
	b->nout++;
	return NULL;
}

static const char *
board_outputs(struct board *b, struct pattern *p, char *list)
{
	char *w, *save = NULL;
	int i;

	for (w = strtok_r(list, " ,", &save); w; w = strtok_r(NULL, " ,",
	    &save)) {
		if ((i = board_find_output(b, w)) < 0)
			return "names an output not described above it";
		p->outputs |= 1u << i;
	}
	return NULL;
}

static const char *
board_signal_key(struct board *b, struct pattern *p, const char *key,
    const char *val)
{
	long long v;
	char list[256];

	if (strcmp(key, "outputs") == 0) {
		snprintf(list, sizeof(list), "%s", val);
		return board_outputs(b, p, list);
	}
	if (parse_int(val, 0, 60000, &v) != 0)
		return "expected a number, 0 to 60000";
	if (strcmp(key, "pulses") == 0)
		p->pulses = (int)v;
	else if (strcmp(key, "on_ms") == 0)
		p->on_ms = (int)v;
	else if (strcmp(key, "off_ms") == 0)
		p->off_ms = (int)v;
	else
		return "a signal has outputs, pulses, on_ms, off_ms";
	return NULL;
}

/* One key of the board file; conf_load() reports errors as file:line. */
static int
board_key(void *arg, const char *sec, const char *key, const char *val,
    char *errbuf, size_t errlen)
{
	struct board *b = arg;
	const char *err = NULL;
	int s;

	if (strcmp(sec, "board") == 0 && strcmp(key, "led_root") == 0)
		snprintf(b->led_root, sizeof(b->led_root), "%s", val);
	else if (strcmp(sec, "board") == 0 && strcmp(key, "gpio_chip") == 0)
		snprintf(b->gpio_chip, sizeof(b->gpio_chip), "%s", val);
	else if (strcmp(sec, "board") == 0 && strcmp(key, "name") == 0)
		;
	else if (strncmp(sec, "output.", 7) == 0)
		err = board_output(b, sec + 7, key, val);
	else if (strncmp(sec, "signal.", 7) == 0 &&
	    (s = board_find_signal(sec + 7)) >= 0)
		err = board_signal_key(b, &b->pat[s], key, val);
	else
		err = "unknown section or key";
	if (err == NULL)
		return 0;
	snprintf(errbuf, errlen, "[%s] %s: %s", sec, key, err);
	return -1;
}

struct board *
board_open(const char *backend, const char *desc)
{
	static const struct conf_item no_table[] = { CONF_END };
	struct board *b;

	if (!board_backend_valid(backend) || (b = calloc(1, sizeof(*b))) ==
	    NULL)
		return NULL;
	b->quiet = strcmp(backend, "null") == 0;
	if (strcmp(backend, "hardware") != 0)
		return b;
	b->hardware = 1;
	snprintf(b->led_root, sizeof(b->led_root), "/sys/class/leds");
	snprintf(b->gpio_chip, sizeof(b->gpio_chip), "/dev/gpiochip0");
	if (conf_load(desc, no_table, NULL, board_key, b) != 0) {
		board_close(b);
		return NULL;
	}
	return b;
}

void
board_close(struct board *b)
{
	int i;

	if (b == NULL)
		return;
	for (i = 0; i < b->nout; i++) {
		b->out[i].ops->set(&b->out[i], 0);
		b->out[i].ops->close(&b->out[i]);
	}
	free(b);
}

/* Sets every output: the event's phase over the states' steady ones. */
static void
board_apply(struct board *b)
{
	unsigned want = 0;
	int i;

	if (b->playing) {
		if (b->phase_on)
			want = b->cur->outputs;
	} else
		for (i = 0; i < BOARD_NSIGNALS; i++)
			if (b->states & (1u << i))
				want |= b->pat[i].outputs;
	for (i = 0; i < b->nout; i++) {
		int on = (want >> i) & 1;

		if (on != b->out[i].on) {
			b->out[i].ops->set(&b->out[i], on);
			b->out[i].on = on;
		}
	}
}

void
board_signal(struct board *b, enum board_signal s, const char *why)
{
	if (!b->quiet)
		log_info("board: %s %s", s == BOARD_CONTEXT ? "CONTEXT" :
		    s == BOARD_OK ? "OK" : s == BOARD_WARN ? "WARN" : "STOP",
		    why);
	snprintf(b->last, sizeof(b->last), "%s: %s", signal_names[s], why);
	b->last_ms = now_mono_ms();
	if (!b->hardware || b->pat[s].pulses == 0 || b->pat[s].outputs == 0)
		return;
	b->cur = &b->pat[s];
	b->playing = 1;
	b->left = b->cur->pulses;
	b->phase_on = 1;
	b->phase_end = b->last_ms + b->cur->on_ms;
	board_apply(b);
}

void
board_state(struct board *b, enum board_signal s, int on)
{
	unsigned bit = 1u << s;

	if (!!(b->states & bit) == !!on)
		return;
	b->states = on ? b->states | bit : b->states & ~bit;
	if (b->hardware)
		board_apply(b);
}

int
board_timeout(const struct board *b, int64_t now)
{
	if (!b->playing)
		return -1;
	return b->phase_end <= now ? 0 : (int)(b->phase_end - now);
}

void
board_tick(struct board *b, int64_t now)
{
	while (b->playing && now >= b->phase_end) {
		if (b->phase_on) {
			b->phase_on = 0;
			b->phase_end += b->cur->off_ms;
			if (--b->left == 0)
				b->playing = 0;
		} else {
			b->phase_on = 1;
			b->phase_end += b->cur->on_ms;
		}
	}
	board_apply(b);
}

const char *
board_last(const struct board *b, int64_t *at_ms)
{
	if (at_ms)
		*at_ms = b->last_ms;
	return b->last;
}

/*
 * The wedge driver: a scanner left in keyboard mode, read from its evdev
 * node and grabbed (EVIOCGRAB) so its keystrokes reach no other program.
 * Keys become bytes through a keymap (US built in, others from a file);
 * GS (0x1D), which has no key, arrives as Ctrl+], as Alt+0029 on the
 * keypad, or as a configured substitute character: all three become 0x1D.
 * A scan ends with the suffix key (Enter by default) or an inter-key gap.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/input.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "driver.h"
#include "log.h"
#include "util.h"

#define KEYS		256
#define REOPEN_MS	2000

struct wedge_conf {
	char		path[256];	/* /dev/input/by-id/...-event-kbd */
	char		keymap_file[256];	/* "": US */
	/* a character standing for GS */
	char		gs_substitute[8];
	char		suffix_key[16];	/* enter, tab or none */
	long long	gap_ms;		/* 0: the suffix key only */
};

static const struct conf_item wedge_conf_items[] = {
	CONF_S("driver", "path", struct wedge_conf, path, "/dev/input/event0"),
	CONF_S("driver", "keymap_file", struct wedge_conf, keymap_file, ""),
	CONF_S("driver", "gs_substitute", struct wedge_conf, gs_substitute, ""),
	CONF_S("driver", "suffix_key", struct wedge_conf, suffix_key, "enter"),
	CONF_I("driver", "gap_ms", struct wedge_conf, gap_ms, "0", 0, 5000),
	CONF_END
};

/* The US layout: unshifted and shifted character of each key code. */
static const struct { unsigned short code; char plain, shift; } us_keys[] = {
	{ KEY_1, '1', '!' }, { KEY_2, '2', '@' }, { KEY_3, '3', '#' },
	{ KEY_4, '4', '$' }, { KEY_5, '5', '%' }, { KEY_6, '6', '^' },
	{ KEY_7, '7', '&' }, { KEY_8, '8', '*' }, { KEY_9, '9', '(' },
	{ KEY_0, '0', ')' }, { KEY_MINUS, '-', '_' }, { KEY_EQUAL, '=', '+' },
	{ KEY_Q, 'q', 'Q' }, { KEY_W, 'w', 'W' }, { KEY_E, 'e', 'E' },
	{ KEY_R, 'r', 'R' }, { KEY_T, 't', 'T' }, { KEY_Y, 'y', 'Y' },
	{ KEY_U, 'u', 'U' }, { KEY_I, 'i', 'I' }, { KEY_O, 'o', 'O' },
	{ KEY_P, 'p', 'P' }, { KEY_LEFTBRACE, '[', '{' },
	{ KEY_RIGHTBRACE, ']', '}' }, { KEY_A, 'a', 'A' }, { KEY_S, 's', 'S' },
	{ KEY_D, 'd', 'D' }, { KEY_F, 'f', 'F' }, { KEY_G, 'g', 'G' },
	{ KEY_H, 'h', 'H' }, { KEY_J, 'j', 'J' }, { KEY_K, 'k', 'K' },
	{ KEY_L, 'l', 'L' }, { KEY_SEMICOLON, ';', ':' },
	{ KEY_APOSTROPHE, '\'', '"' }, { KEY_GRAVE, '`', '~' },
	{ KEY_BACKSLASH, '\\', '|' }, { KEY_Z, 'z', 'Z' }, { KEY_X, 'x', 'X' },
	{ KEY_C, 'c', 'C' }, { KEY_V, 'v', 'V' }, { KEY_B, 'b', 'B' },
	{ KEY_N, 'n', 'N' }, { KEY_M, 'm', 'M' }, { KEY_COMMA, ',', '<' },
	{ KEY_DOT, '.', '>' }, { KEY_SLASH, '/', '?' }, { KEY_SPACE, ' ', ' ' },
	{ KEY_KPASTERISK, '*', '*' }, { KEY_KPMINUS, '-', '-' },
	{ KEY_KPPLUS, '+', '+' }, { KEY_KPDOT, '.', '.' },
	{ KEY_KPSLASH, '/', '/' },
};

/* Keypad digits, for Alt+decimal code. */
static const unsigned short kp_digits[10] = { KEY_KP0, KEY_KP1, KEY_KP2,
	KEY_KP3, KEY_KP4, KEY_KP5, KEY_KP6, KEY_KP7, KEY_KP8, KEY_KP9 };

struct wedge {
	const char		*name;
	struct driver_sink	 sink;
	struct wedge_conf	 c;
	char			 plain[KEYS], shift[KEYS];
	int			 suffix_code;	/* -1: none */
	int			 fd;
	int64_t			 next_open_ms;
	int			 said_missing;
	int			 shifts, ctrls, alts;	/* keys held */
	/* Alt+keypad digits so far, -1 none */
	int			 alt_code;
	unsigned char		 buf[ITEM_RAW_MAX];
	size_t			 len;
	int			 overlong;
	int64_t			 last_key_ms;
};

/* "KEY_CODE plain shifted" lines override the US layout. */
static int
wedge_keymap_file(struct wedge *w, const char *path)
{
	char line[128], plain, shift;
	unsigned code;
	int lineno = 0;
	FILE *f;

	if ((f = fopen(path, "re")) == NULL)
		return -errno;
	while (fgets(line, sizeof(line), f) != NULL) {
		lineno++;
		if (line[0] == '#' || line[0] == '\n')
			continue;
		if (sscanf(line, "%u %c %c", &code, &plain, &shift) != 3 ||
		    code >= KEYS) {
			log_warnx("%s:%d: expected \"keycode plain shifted\"",
			    path, lineno);
			fclose(f);
			return -EINVAL;
		}
		w->plain[code] = plain;
		w->shift[code] = shift;
	}
	fclose(f);
	return 0;
}

static int
wedge_setup(struct wedge *w)
{
	size_t i;

	for (i = 0; i < sizeof(us_keys) / sizeof(us_keys[0]); i++) {
		w->plain[us_keys[i].code] = us_keys[i].plain;
		w->shift[us_keys[i].code] = us_keys[i].shift;
	}
	if (w->c.keymap_file[0] && wedge_keymap_file(w, w->c.keymap_file) != 0)
		return -EINVAL;
	if (strcmp(w->c.suffix_key, "enter") == 0)
		w->suffix_code = KEY_ENTER;
	else if (strcmp(w->c.suffix_key, "tab") == 0)
		w->suffix_code = KEY_TAB;
	else if (strcmp(w->c.suffix_key, "none") == 0 && w->c.gap_ms > 0)
		w->suffix_code = -1;
	else
		return -EINVAL;	/* no way to tell where a scan ends */
	return strlen(w->c.gs_substitute) > 1 ? -EINVAL : 0;
}

static int
wedge_open(const void *conf, const char *name, const struct driver_sink *sink,
    void **ctx)
{
	struct wedge *w;

	*ctx = NULL;
	if ((w = calloc(1, sizeof(*w))) == NULL)
		return -ENOMEM;
	w->name = name;
	w->sink = *sink;
	w->c = *(const struct wedge_conf *)conf;
	w->fd = -1;
	w->alt_code = -1;
	if (wedge_setup(w) != 0) {
		free(w);
		return -EINVAL;
	}
	*ctx = w;
	return 0;
}

static void
wedge_try_open(struct wedge *w, int64_t now)
{
	w->fd = open(w->c.path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (w->fd >= 0) {
		/* Keep the scanner's keystrokes from every other program. */
		if (ioctl(w->fd, EVIOCGRAB, 1) != 0)
			log_warn("%s: cannot grab %s", w->name, w->c.path);
		log_info("%s: %s open and grabbed", w->name, w->c.path);
		driver_state(&w->sink, w->name, "open");
		w->said_missing = 0;
		w->len = 0;
		return;
	}
	if (!w->said_missing++) {
		log_warn("%s: cannot open %s; trying again", w->name,
		    w->c.path);
		driver_state(&w->sink, w->name, "missing");
	}
	w->next_open_ms = now + REOPEN_MS;
}

static void
wedge_emit(struct wedge *w, int64_t now)
{
	if (w->len > 0 && !w->overlong)
		driver_emit(&w->sink, w->name, w->buf, w->len, now);
	w->len = 0;
	w->overlong = 0;
}

static void
wedge_byte(struct wedge *w, unsigned char b)
{
	if ((char)b == w->c.gs_substitute[0] && b != 0)
		b = 0x1d;
	if (w->len == sizeof(w->buf)) {
		if (!w->overlong++)
			log_warnx("%s: a scan longer than %d keys; dropped",
			    w->name, ITEM_RAW_MAX);
		return;
	}
	w->buf[w->len++] = b;
}

static int
kp_digit(unsigned short code)
{
	int i;

	for (i = 0; i < 10; i++)
		if (kp_digits[i] == code)
			return i;
	return -1;
}

static void
wedge_modifier(struct wedge *w, unsigned short code, int down)
{
	int *held = code == KEY_LEFTSHIFT || code == KEY_RIGHTSHIFT ?
	    &w->shifts : code == KEY_LEFTCTRL || code == KEY_RIGHTCTRL ?
	    &w->ctrls : &w->alts;

	*held += down ? 1 : -1;
	if (*held < 0)
		*held = 0;
	if (held == &w->alts && !down && w->alts == 0 && w->alt_code >= 0) {
		wedge_byte(w, (unsigned char)w->alt_code);	/* Alt+0029 */
		w->alt_code = -1;
	}
}

static void
wedge_key(struct wedge *w, unsigned short code, int value, int64_t now)
{
	int d;

	if (code == KEY_LEFTSHIFT || code == KEY_RIGHTSHIFT ||
	    code == KEY_LEFTCTRL || code == KEY_RIGHTCTRL ||
	    code == KEY_LEFTALT || code == KEY_RIGHTALT) {
		if (value != 2)
			wedge_modifier(w, code, value == 1);
		return;
	}
	if (value != 1)		/* key up and autorepeat carry nothing */
		return;
	w->last_key_ms = now;
	if (w->suffix_code >= 0 && code == w->suffix_code) {
		wedge_emit(w, now);
		return;
	}
	if (w->alts > 0 && (d = kp_digit(code)) >= 0) {
		w->alt_code = ((w->alt_code < 0 ? 0 : w->alt_code) * 10 + d) %
		    256;
		return;
	}
	if (w->ctrls > 0 && code == KEY_RIGHTBRACE) {
		wedge_byte(w, 0x1d);	/* Ctrl+] is GS */
		return;
	}
	if (code < KEYS && w->plain[code])
		wedge_byte(w, (unsigned char)(w->shifts ? w->shift[code] :
		    w->plain[code]));
}

static void
wedge_handle(void *ctx, const struct pollfd *pfd, int n, int64_t now)
{
	struct wedge *w = ctx;
	struct input_event ev[64];
	ssize_t r, i;

	if (w->fd < 0) {
		if (now >= w->next_open_ms)
			wedge_try_open(w, now);
		return;
	}
	if (n > 0 && (pfd->revents & (POLLIN | POLLHUP | POLLERR))) {
		while ((r = read(w->fd, ev, sizeof(ev))) > 0)
			for (i = 0; i < r / (ssize_t)sizeof(ev[0]); i++)
				if (ev[i].type == EV_KEY)
					wedge_key(w, ev[i].code, ev[i].value,
					    now);
		if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)) {
			log_warnx("%s: %s gone (%s); reopening", w->name,
			    w->c.path,
			    r == 0 ? "end of file" : strerror(errno));
			close(w->fd);
			w->fd = -1;
			w->said_missing = 1;
			driver_state(&w->sink, w->name, "gone");
			w->next_open_ms = now + REOPEN_MS;
			return;
		}
	}
	if (w->c.gap_ms > 0 && w->len > 0 &&
	    now - w->last_key_ms >= w->c.gap_ms)
		wedge_emit(w, now);
}

static int
wedge_pollfds(void *ctx, struct pollfd *pfd, int max)
{
	struct wedge *w = ctx;

	return driver_pollfd(w->fd, pfd, max);
}

static int
wedge_timeout(void *ctx, int64_t now)
{
	struct wedge *w = ctx;
	int64_t t;

	if (w->fd < 0)
		t = w->next_open_ms - now;
	else if (w->c.gap_ms > 0 && w->len > 0)
		t = w->last_key_ms + w->c.gap_ms - now;
	else
		return -1;
	return t < 0 ? 0 : (int)t;
}

static void
wedge_close(void *ctx)
{
	struct wedge *w = ctx;

	if (w->fd >= 0) {
		ioctl(w->fd, EVIOCGRAB, 0);
		close(w->fd);
	}
	free(w);
}

const struct driver_ops driver_wedge = {
	.name = "wedge",
	.conf = wedge_conf_items,
	.conf_size = sizeof(struct wedge_conf),
	.open = wedge_open,
	.pollfds = wedge_pollfds,
	.timeout = wedge_timeout,
	.handle = wedge_handle,
	.close = wedge_close,
};

/*
 * A board's outputs. An LED is driven through the kernel's LED class:
 * <led_root>/<name>/brightness gets max_brightness or 0 (led_root is
 * /sys/class/leds, or a directory tree in tests). A buzzer, lock or lamp on
 * a GPIO line goes through the character device with libgpiod: the v1 API
 * (Debian 12, 1.6) or the v2 API (Debian 13, 2.2). libgpiod has no version
 * macro; v1's gpiod.h defines GPIOD_LINE_BULK_MAX_LINES, v2 dropped the
 * line bulks with it.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gpiod.h>

#include "log.h"
#include "output.h"
#include "util.h"

static int
led_open(struct output *o, const char *spec)
{
	char path[PATH_MAX];
	ssize_t n;
	int fd;

	if (strchr(spec, '/') != NULL || spec[0] == '.' || spec[0] == '\0')
		return -EINVAL;
	snprintf(path, sizeof(path), "%s/%s/max_brightness", o->led_root, spec);
	snprintf(o->max, sizeof(o->max), "1");
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) >= 0) {
		if ((n = read(fd, o->max, sizeof(o->max) - 1)) > 0)
			o->max[strcspn(o->max, "\n")] = '\0';
		close(fd);
	}
	snprintf(o->path, sizeof(o->path), "%s/%s/brightness", o->led_root,
	    spec);
	if ((fd = open(o->path, O_WRONLY | O_CLOEXEC)) < 0)
		return -errno;
	close(fd);
	return 0;
}

/* As `echo 1 > brightness`: sysfs takes each write whole; O_TRUNC keeps a
 * plain file (a test's tree) the same. */
static void
led_set(struct output *o, int on)
{
	const char *v = on ? o->max : "0";
	int fd = open(o->path, O_WRONLY | O_TRUNC | O_CLOEXEC);

	if (fd < 0 || write(fd, v, strlen(v)) < 0)
		log_warn("board: LED %s", o->name);
	if (fd >= 0)
		close(fd);
}

static void
led_close(struct output *o)
{
	(void)o;
}

#ifdef GPIOD_LINE_BULK_MAX_LINES
#define POU_GPIOD_V1 1
#endif

#ifdef POU_GPIOD_V1
static int
gpio_open(struct output *o, const char *spec)
{
	struct gpiod_chip *chip;
	struct gpiod_line *line;
	long long offset;

	if (parse_int(spec, 0, 1023, &offset) != 0)
		return -EINVAL;
	if ((chip = gpiod_chip_open(o->gpio_chip)) == NULL)
		return -errno;
	if ((line = gpiod_chip_get_line(chip, (unsigned)offset)) == NULL ||
	    gpiod_line_request_output(line, "pou-agent", 0) != 0) {
		int e = errno;

		gpiod_chip_close(chip);
		return -e;
	}
	o->chip = chip;
	o->line = line;
	return 0;
}

static void
gpio_set(struct output *o, int on)
{
	if (gpiod_line_set_value(o->line, on) != 0)
		log_warn("board: GPIO %s", o->name);
}

static void
gpio_close(struct output *o)
{
	if (o->line)
		gpiod_line_release(o->line);
	if (o->chip)
		gpiod_chip_close(o->chip);
	o->line = o->chip = NULL;
}
#else
/* v2: the line is requested as output, inactive, with a line config; the
 * request (o->line) holds the line until released. */
static int
gpio_open(struct output *o, const char *spec)
{
	struct gpiod_chip *chip;
	struct gpiod_line_settings *ls = NULL;
	struct gpiod_line_config *lc = NULL;
	struct gpiod_request_config *rc = NULL;
	struct gpiod_line_request *req = NULL;
	unsigned int off;
	long long offset;
	int e = 0;

	if (parse_int(spec, 0, 1023, &offset) != 0)
		return -EINVAL;
	off = (unsigned int)offset;
	if ((chip = gpiod_chip_open(o->gpio_chip)) == NULL)
		return -errno;
	errno = 0;
	if ((ls = gpiod_line_settings_new()) == NULL ||
	    gpiod_line_settings_set_direction(ls,
	    GPIOD_LINE_DIRECTION_OUTPUT) != 0 ||
	    gpiod_line_settings_set_output_value(ls,
	    GPIOD_LINE_VALUE_INACTIVE) != 0 ||
	    (lc = gpiod_line_config_new()) == NULL ||
	    gpiod_line_config_add_line_settings(lc, &off, 1, ls) != 0 ||
	    (rc = gpiod_request_config_new()) == NULL)
		e = errno ? errno : ENOMEM;
	else {
		gpiod_request_config_set_consumer(rc, "pou-agent");
		if ((req = gpiod_chip_request_lines(chip, rc, lc)) == NULL)
			e = errno;
	}
	if (rc != NULL)
		gpiod_request_config_free(rc);
	if (lc != NULL)
		gpiod_line_config_free(lc);
	if (ls != NULL)
		gpiod_line_settings_free(ls);
	if (req == NULL) {
		gpiod_chip_close(chip);
		return -(e ? e : EIO);
	}
	o->chip = chip;
	o->line = req;
	return 0;
}

static void
gpio_set(struct output *o, int on)
{
	enum gpiod_line_value v = on ? GPIOD_LINE_VALUE_ACTIVE :
	    GPIOD_LINE_VALUE_INACTIVE;

	/* The request holds the one line, so its values are that line's. */
	if (gpiod_line_request_set_values(o->line, &v) != 0)
		log_warn("board: GPIO %s", o->name);
}

static void
gpio_close(struct output *o)
{
	if (o->line)
		gpiod_line_request_release(o->line);
	if (o->chip)
		gpiod_chip_close(o->chip);
	o->line = o->chip = NULL;
}
#endif

static const struct output_ops output_types[] = {
	{ "led", led_open, led_set, led_close },
	{ "gpio", gpio_open, gpio_set, gpio_close },
};

const struct output_ops *
output_ops_lookup(const char *type)
{
	size_t i;

	for (i = 0; i < nitems(output_types); i++)
		if (strcmp(output_types[i].type, type) == 0)
			return &output_types[i];
	return NULL;
}

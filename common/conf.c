/* Table-driven INI configuration over libinih; every error as file:line. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <ini.h>

#include "conf.h"
#include "log.h"
#include "util.h"

struct conf_ctx {
	const char		*path;
	FILE			*f;
	int			 line;	/* line most recently read */
	const struct conf_item	*tab;
	void			*base;
	conf_extra_fn		 extra;
	void			*arg;
	int			 errors;
	char			*buf;	/* the whole line, however long */
	size_t			 size;
};

static int
conf_bool(const char *v, int *out)
{
	static const char *yes[] = { "1", "yes", "true", "on" };
	static const char *no[] = { "0", "no", "false", "off" };
	size_t i;

	for (i = 0; i < nitems(yes); i++) {
		if (strcasecmp(v, yes[i]) == 0)
			return *out = 1, 0;
		if (strcasecmp(v, no[i]) == 0)
			return *out = 0, 0;
	}
	return -1;
}

static int
conf_apply(const struct conf_item *it, void *base, const char *value,
    char *err, size_t errlen)
{
	char *p = (char *)base + it->off;

	switch (it->type) {
	case CONF_STR:
		if (strlen(value) >= it->size) {
			snprintf(err, errlen, "%s: value longer than %zu bytes",
			    it->key, it->size - 1);
			return -1;
		}
		memcpy(p, value, strlen(value) + 1);
		return 0;
	case CONF_INT:
		if (parse_int(value, it->min, it->max, (long long *)p) != 0) {
			snprintf(err, errlen, "%s: \"%s\" is not a whole "
			    "number from %lld to %lld", it->key, value,
			    it->min, it->max);
			return -1;
		}
		return 0;
	case CONF_BOOL:
		if (conf_bool(value, (int *)p) != 0) {
			snprintf(err, errlen, "%s: \"%s\" is not yes or no",
			    it->key, value);
			return -1;
		}
		return 0;
	}
	return -1;
}

void
conf_defaults(const struct conf_item *tab, void *base)
{
	char err[128];

	for (; tab->key != NULL; tab++)
		if (conf_apply(tab, base, tab->def, err, sizeof(err)) != 0)
			fatalx("built-in default: %s", err);
}

static int
conf_has_section(const struct conf_item *tab, const char *section)
{
	for (; tab->key != NULL; tab++)
		if (strcmp(tab->section, section) == 0)
			return 1;
	return 0;
}

int
conf_set(const struct conf_item *tab, void *base, const char *section,
    const char *key, const char *value, char *err, size_t errlen)
{
	for (; tab->key != NULL; tab++)
		if (strcmp(tab->section, section) == 0 &&
		    strcmp(tab->key, key) == 0)
			return conf_apply(tab, base, value, err, errlen);
	snprintf(err, errlen, "unknown key \"%s\" in [%s]", key, section);
	return -1;
}

static int
conf_handler(void *user, const char *section, const char *key,
    const char *value)
{
	struct conf_ctx *c = user;
	char err[256];
	int rc;

	if (key == NULL)	/* a new section with no key yet */
		return 1;
	if (conf_has_section(c->tab, section))
		rc = conf_set(c->tab, c->base, section, key, value, err,
		    sizeof(err));
	else if (c->extra != NULL)
		rc = c->extra(c->arg, section, key, value, err, sizeof(err));
	else {
		snprintf(err, sizeof(err), "unknown section [%s]", section);
		rc = -1;
	}
	if (rc != 0) {
		log_warnx("%s:%d: %s", c->path, c->line, err);
		c->errors++;
	}
	return 1;	/* go on: report every error before giving up */
}

/*
 * Why line (its leading blanks skipped) is none of a comment, a [section]
 * or a key = value that fits libinih's buffer of num bytes; NULL if fine.
 */
static const char *
conf_line_error(const char *line, int num)
{
	if (line[0] == '\0' || line[0] == '#' || line[0] == ';')
		return NULL;
	if (line[0] == '[')
		return strchr(line, ']') ? NULL : "a [section] without its ]";
	if (strchr(line, '=') == NULL)
		return "not a key = value line or [section]";
	if (strlen(line) >= (size_t)num - 1)
		return "a line longer than libinih reads (199 bytes)";
	return NULL;
}

/*
 * libinih's line reader. Each physical line is read whole and checked
 * here, so every bad line is named at its own number (libinih names only
 * the first) and a long one is one line; libinih is handed the line
 * without its leading blanks (an indented line would continue the value
 * before it), or an empty one in place of an error or a comment.
 */
static char *
conf_reader(char *str, int num, void *stream)
{
	struct conf_ctx *c = stream;
	const char *line, *err;
	ssize_t n;

	if ((n = getline(&c->buf, &c->size, c->f)) < 0)
		return NULL;
	c->line++;
	c->buf[strcspn(c->buf, "\r\n")] = '\0';
	line = c->buf + strspn(c->buf, " \t");
	if ((err = conf_line_error(line, num)) != NULL) {
		log_warnx("%s:%d: %s", c->path, c->line, err);
		c->errors++;
	}
	snprintf(str, (size_t)num, "%s\n", err || line[0] == '#' ||
	    line[0] == ';' ? "" : line);
	return str;
}

int
conf_load(const char *path, const struct conf_item *tab, void *base,
    conf_extra_fn extra, void *arg)
{
	struct conf_ctx c = { path, NULL, 0, tab, base, extra, arg, 0, NULL,
		0 };
	int rc;

	conf_defaults(tab, base);
	if ((c.f = fopen(path, "re")) == NULL) {
		log_warn("%s", path);
		return 1;
	}
	rc = ini_parse_stream(conf_reader, &c, conf_handler, &c);
	fclose(c.f);
	free(c.buf);
	if (rc > 0) {
		log_warnx("%s:%d: not a key = value line or [section]", path,
		    rc);
		c.errors++;
	}
	return c.errors;
}

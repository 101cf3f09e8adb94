/* Reference files in CSV: one reader, every error as file:line. */
#include <stdio.h>
#include <string.h>

#include "csv.h"
#include "log.h"

int
csv_split(char *s, char **f, int max)
{
	int n = 0;
	char *w;

	while (n < max) {
		f[n++] = w = s;
		if (*s == '"') {
			for (s++; *s && !(*s == '"' && s[1] != '"'); s++)
				*w++ = *s == '"' ? *++s : *s;
			if (*s != '"')
				return -1;
			s++;
		} else
			while (*s && *s != ',')
				*w++ = *s++;
		if (*s != ',' && *s != '\0')
			return -1;
		if (*s == '\0') {
			*w = '\0';
			return n;
		}
		*w = '\0';
		s++;
	}
	return -1;
}

#define CSV_FIELDS_MAX	16

/* Whether field f is the next of the header's comma-separated names at *h;
 * *h moves past it. */
static int
csv_name(const char *f, const char **h)
{
	size_t k = strcspn(*h, ",");
	int same = strlen(f) == k && strncmp(f, *h, k) == 0;

	*h += k + ((*h)[k] == ',');
	return same;
}

/*
 * A first line whose first field is the header's first is a header (1),
 * and must be the header, else msg says so: columns in another order would
 * load misread.
 */
static int
csv_header(char **f, int n, const char *header, char *msg, size_t len)
{
	const char *h = header;
	int i;

	if (!csv_name(f[0], &h))
		return 0;
	for (i = 1; i < n && csv_name(f[i], &h); i++)
		;
	if (i < n || *h != '\0')
		snprintf(msg, len, "the header must be \"%s\" (the columns "
		    "in this order)", header);
	return 1;
}

static int
csv_line(char *line, int lineno, int nfields, const char *header,
    csv_row_fn fn, void *arg, const char *path)
{
	char *f[CSV_FIELDS_MAX], msg[256];
	const char *err = msg;

	line[strcspn(line, "\r\n")] = '\0';
	if (line[0] == '\0' || line[0] == '#')
		return 0;
	msg[0] = '\0';
	if (csv_split(line, f, nfields) != nfields)
		snprintf(msg, sizeof(msg), "expected %d fields (quote a field "
		    "holding a comma)", nfields);
	else if (lineno == 1 && csv_header(f, nfields, header, msg,
	    sizeof(msg)) && msg[0] == '\0')
		return 0;
	else if (msg[0] == '\0' && (err = fn(arg, f)) == NULL)
		return 0;
	log_warnx("%s:%d: %s", path, lineno, err);
	return 1;
}

int
csv_load(const char *path, int nfields, const char *header, csv_row_fn fn,
    void *arg)
{
	char line[CSV_LINE_MAX];
	int lineno = 0, errors = 0;
	FILE *f;

	if (nfields > CSV_FIELDS_MAX || (f = fopen(path, "re")) == NULL) {
		log_warn("%s", path);
		return -1;
	}
	while (fgets(line, sizeof(line), f) != NULL)
		errors += csv_line(line, ++lineno, nfields, header, fn, arg,
		    path);
	fclose(f);
	return errors;
}

int
csv_bool(const char *s)
{
	if (strcmp(s, "yes") == 0 || strcmp(s, "1") == 0)
		return 1;
	if (strcmp(s, "no") == 0 || strcmp(s, "0") == 0 || s[0] == '\0')
		return 0;
	return -1;
}

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

static int
csv_line(char *line, int lineno, int nfields, const char *header,
    csv_row_fn fn, void *arg, const char *path)
{
	char *f[CSV_FIELDS_MAX], msg[80];
	const char *err = msg;

	line[strcspn(line, "\r\n")] = '\0';
	if (line[0] == '\0' || line[0] == '#')
		return 0;
	if (csv_split(line, f, nfields) != nfields)
		snprintf(msg, sizeof(msg), "expected %d fields (quote a field "
		    "holding a comma)", nfields);
	else if (lineno == 1 && strcmp(f[0], header) == 0)
		return 0;
	else if ((err = fn(arg, f)) == NULL)
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

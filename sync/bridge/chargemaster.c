/*
 * The chargemaster: DI -> charge code, description, price, revenue code,
 * from a CSV with the header di,charge_code,description,price,revenue_code.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bridge.h"
#include "csv.h"
#include "log.h"

#define CM_FIELDS	5

struct cm_entry {
	char		di[32];
	struct charge	charge;
};

struct chargemaster {
	struct cm_entry	*e;
	size_t		 n, cap;
};

/* "123.45" or "123" into cents. */
static int
parse_price(const char *s, long long *cents)
{
	long long whole = 0, frac = 0;
	int digits = 0, nd = 0;

	for (; isdigit((unsigned char)*s) && nd < 9; s++, nd++)
		whole = whole * 10 + (*s - '0');
	if (nd == 0)
		return -1;
	if (*s == '.')
		for (s++; isdigit((unsigned char)*s) && digits < 2; s++, digits++)
			frac = frac * 10 + (*s - '0');
	if (*s != '\0')
		return -1;
	while (digits++ < 2)
		frac *= 10;
	*cents = whole * 100 + frac;
	return 0;
}

static int
cm_cmp(const void *a, const void *b)
{
	return strcmp(((const struct cm_entry *)a)->di,
	    ((const struct cm_entry *)b)->di);
}

static const char *
cm_fill(struct cm_entry *e, char **f)
{
	if (snprintf(e->di, sizeof(e->di), "%s", f[0]) >= (int)sizeof(e->di) ||
	    f[0][0] == '\0')
		return "di is empty or too long";
	if (snprintf(e->charge.code, sizeof(e->charge.code), "%s", f[1]) >=
	    (int)sizeof(e->charge.code) || f[1][0] == '\0')
		return "charge_code is empty or too long";
	if (snprintf(e->charge.desc, sizeof(e->charge.desc), "%s", f[2]) >=
	    (int)sizeof(e->charge.desc))
		return "description longer than 95 bytes";
	if (parse_price(f[3], &e->charge.price_cents) != 0)
		return "price is not an amount like 123.45";
	if (snprintf(e->charge.revenue, sizeof(e->charge.revenue), "%s",
	    f[4]) >= (int)sizeof(e->charge.revenue))
		return "revenue_code longer than 7 bytes";
	return NULL;
}

/* One row of the file, or what is wrong with it. */
static const char *
cm_row(void *arg, char **f)
{
	struct chargemaster *cm = arg;
	struct cm_entry *ne;
	const char *err;

	if (cm->n == cm->cap) {
		size_t cap = cm->cap ? cm->cap * 2 : 64;

		if ((ne = realloc(cm->e, cap * sizeof(*ne))) == NULL)
			return "out of memory";
		cm->e = ne;
		cm->cap = cap;
	}
	memset(&cm->e[cm->n], 0, sizeof(cm->e[cm->n]));
	if ((err = cm_fill(&cm->e[cm->n], f)) != NULL)
		return err;
	cm->n++;
	return NULL;
}

static int
cm_dups(struct chargemaster *cm, const char *path)
{
	int errors = 0;
	size_t i;

	qsort(cm->e, cm->n, sizeof(*cm->e), cm_cmp);
	for (i = 1; i < cm->n; i++)
		if (strcmp(cm->e[i].di, cm->e[i - 1].di) == 0) {
			log_warnx("%s: di %s appears more than once", path,
			    cm->e[i].di);
			errors++;
		}
	return errors;
}

struct chargemaster *
chargemaster_load(const char *path)
{
	struct chargemaster *cm;
	int errors;

	if ((cm = calloc(1, sizeof(*cm))) == NULL)
		return NULL;
	errors = csv_load(path, CM_FIELDS, "di", cm_row, cm);
	if (errors != 0 || cm_dups(cm, path) != 0) {
		chargemaster_free(cm);
		return NULL;
	}
	return cm;
}

void
chargemaster_free(struct chargemaster *cm)
{
	if (cm == NULL)
		return;
	free(cm->e);
	free(cm);
}

const struct charge *
chargemaster_find(const struct chargemaster *cm, const char *di)
{
	struct cm_entry key, *e;

	snprintf(key.di, sizeof(key.di), "%s", di);
	e = bsearch(&key, cm->e, cm->n, sizeof(*cm->e), cm_cmp);
	return e ? &e->charge : NULL;
}

size_t
chargemaster_count(const struct chargemaster *cm)
{
	return cm->n;
}

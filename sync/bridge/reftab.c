/*
 * A reference table: rows of one size, each starting with a string key,
 * kept sorted and found by bsearch. Rows are added by filling the slot at
 * the end and keeping it; sealing sorts and names every duplicate key.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "reftab.h"

void
reftab_init(struct reftab *t, size_t size)
{
	memset(t, 0, sizeof(*t));
	t->size = size;
}

void *
reftab_slot(struct reftab *t)
{
	char *nr;

	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;

		if ((nr = realloc(t->rows, cap * t->size)) == NULL)
			return NULL;
		t->rows = nr;
		t->cap = cap;
	}
	return memset(t->rows + t->n * t->size, 0, t->size);
}

void
reftab_keep(struct reftab *t)
{
	t->n++;
}

static int
reftab_cmp(const void *a, const void *b)
{
	return strcmp(a, b);	/* each row starts with its key */
}

int
reftab_seal(struct reftab *t, const char *path)
{
	int errors = 0;
	size_t i;

	if (t->n > 0)
		qsort(t->rows, t->n, t->size, reftab_cmp);
	for (i = 1; i < t->n; i++)
		if (strcmp(t->rows + i * t->size, t->rows + (i - 1) *
		    t->size) == 0) {
			log_warnx("%s: %s appears more than once", path,
			    t->rows + i * t->size);
			errors++;
		}
	return errors;
}

const void *
reftab_find(const struct reftab *t, const char *key)
{
	char k[REF_KEY_MAX];

	if (t->n == 0 || snprintf(k, sizeof(k), "%s", key) >= (int)sizeof(k))
		return NULL;
	return bsearch(k, t->rows, t->n, t->size, reftab_cmp);
}

void
reftab_free(struct reftab *t)
{
	free(t->rows);
	t->rows = NULL;
	t->n = t->cap = 0;
}

int
reftab_copy(char *dst, size_t len, const char *src)
{
	return snprintf(dst, len, "%s", src) >= (int)len ? -1 : 0;
}

int
reftab_key(char key[REF_KEY_MAX], const char *a, const char *b, const char *c)
{
	return snprintf(key, REF_KEY_MAX, "%s|%s%s%s", a, b, c ? "|" : "",
	    c ? c : "") >= REF_KEY_MAX ? -1 : 0;
}

int
reftab_amount(const char *s, long long *cents)
{
	long long whole = 0, frac = 0;
	int digits = 0, nd = 0;

	for (; isdigit((unsigned char)*s) && nd < 9; s++, nd++)
		whole = whole * 10 + (*s - '0');
	if (nd == 0)
		return -1;
	if (*s == '.')
		for (s++; isdigit((unsigned char)*s) && digits < 2;
		    s++, digits++)
			frac = frac * 10 + (*s - '0');
	if (*s != '\0')
		return -1;
	while (digits++ < 2)
		frac *= 10;
	*cents = whole * 100 + frac;
	return 0;
}

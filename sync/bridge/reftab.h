/* Sorted reference tables keyed by a string (reftab.c). */
#ifndef POU_REFTAB_H
#define POU_REFTAB_H

#include <stddef.h>

#define REF_KEY_MAX	160

/* Rows of size bytes, each starting with char key[REF_KEY_MAX]. */
struct reftab {
	char	*rows;
	size_t	 n, cap, size;
};

void	reftab_init(struct reftab *, size_t size);
/*
 * A zeroed row past the end, not counted until kept; NULL when out of memory.
 */
void	*reftab_slot(struct reftab *);
void	reftab_keep(struct reftab *);
/* Sorts; logs each duplicate key as path: key; returns how many. */
int	reftab_seal(struct reftab *, const char *path);
/* Borrowed row with that key, or NULL. */
const void *reftab_find(const struct reftab *, const char *key);
void	reftab_free(struct reftab *);

/* snprintf that says -1 when src does not fit. */
int	reftab_copy(char *dst, size_t len, const char *src);
/* "a|b" or "a|b|c" into key; -1 when too long. */
int	reftab_key(char key[REF_KEY_MAX], const char *a, const char *b,
	    const char *c);
/* "123.45" or "123" into cents; -1 otherwise. */
int	reftab_amount(const char *s, long long *cents);

#endif

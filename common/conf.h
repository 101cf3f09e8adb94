/* Table-driven INI configuration over libinih; every error as file:line. */
#ifndef POU_CONF_H
#define POU_CONF_H

#include <stddef.h>

enum conf_type { CONF_STR, CONF_INT, CONF_BOOL };

struct conf_item {
	const char	*section;
	const char	*key;
	enum conf_type	 type;
	size_t		 off;	/* offset of the field in the target struct */
	size_t		 size;	/* CONF_STR: size of the char array */
	/* default, as it would be written in the file */
	const char	*def;
	long long	 min, max;	/* CONF_INT bounds */
};

#define CONF_S(sec, key, st, f, def) \
	{ sec, key, CONF_STR, offsetof(st, f), sizeof(((st *)0)->f), def, 0, 0 }
#define CONF_I(sec, key, st, f, def, lo, hi) \
	{ sec, key, CONF_INT, offsetof(st, f), sizeof(long long), def, lo, hi }
#define CONF_B(sec, key, st, f, def) \
	{ sec, key, CONF_BOOL, offsetof(st, f), sizeof(int), def, 0, 1 }
#define CONF_END { NULL, NULL, CONF_STR, 0, 0, NULL, 0, 0 }

/*
 * A section the table does not name is offered to this hook (e.g. the
 * agent's "driver.sim0"). It returns 0, or -1 with a message in err.
 */
typedef int (*conf_extra_fn)(void *arg, const char *section, const char *key,
    const char *value, char *err, size_t errlen);

/* Sets every field of tab in base to its default. */
void	conf_defaults(const struct conf_item *tab, void *base);
/* Sets one key; 0, or -1 with a message in err (unknown key, bad value). */
int	conf_set(const struct conf_item *tab, void *base, const char *section,
	    const char *key, const char *value, char *err, size_t errlen);
/*
 * Loads path over the defaults. Prints every error as "path:line: message"
 * and returns the number of errors (0 when the file is good).
 */
int	conf_load(const char *path, const struct conf_item *tab, void *base,
	    conf_extra_fn extra, void *arg);

#endif

/*
 * ISBT 128 (ICCBBA) for tissue and other MPHO implants: the data
 * structures a UDI uses, one after another as a DataMatrix or a
 * concatenating scanner (]C4) sends them. UDI mapping per ICCBBA: DI =
 * PPIC [034]; expiry [004]; production date [008]; serial = product
 * divisions [032]; lot = MPHO lot [035]; the DIN [001] is kept too.
 */
#include <stdio.h>
#include <string.h>

#include "codes_int.h"

enum isbt_kind { IS_DIN, IS_PRODUCT, IS_EXP, IS_EXPTIME, IS_PROD, IS_PRODTIME,
	IS_COLL, IS_COLLTIME, IS_DIVISIONS, IS_PPIC, IS_LOT, IS_SUPPL,
	IS_COMPOUND };

static const struct {
	const char	*di;
	/* data characters after the identifier */
	size_t		 len;
	enum isbt_kind	 kind;
	const char	*name;
} isbt_structs[] = {
	{ "=<", 8, IS_PRODUCT, "product code [003]" },
	{ "=>", 6, IS_EXP, "expiration date [004]" },
	{ "&>", 10, IS_EXPTIME, "expiration date and time [005]" },
	{ "=*", 6, IS_COLL, "collection date [006]" },
	{ "&*", 10, IS_COLLTIME, "collection date and time [007]" },
	{ "=}", 6, IS_PROD, "production date [008]" },
	{ "&}", 10, IS_PRODTIME, "production date and time [009]" },
	{ "=,", 6, IS_DIVISIONS, "product divisions [032]" },
	{ "=/", 14, IS_PPIC, "PPIC [034]" },
	{ "&,1", 18, IS_LOT, "MPHO lot number [035]" },
	{ "&,2", 18, IS_SUPPL, "MPHO supplemental ID [036]" },
	{ "=+", 5, IS_COMPOUND, "compound message [023]" },
};

/* cyyjjj: century digit (0 = 2000s), year, day of year. */
static int
isbt_date(const char *v, char out[11], struct code_result *r, const char *what)
{
	int y = 2000 + 100 * (v[0] - '0') + (int)codes_num(v + 1, 2);
	int j = (int)codes_num(v + 3, 3), m = 1;

	if (j < 1 || j > 337 + codes_days_in_month(y, 2))
		return codes_fail(r, CODE_BAD_DATE, "ISBT 128 %s: day %03d of "
		    "%d does not exist", what, j, y), -1;
	while (j > codes_days_in_month(y, m))
		j -= codes_days_in_month(y, m++);
	snprintf(out, 11, "%04u-%02u-%02u", (unsigned)y % 10000,
	    (unsigned)m % 100, (unsigned)j % 100);
	return 0;
}

static int
isbt_copy(char *dst, size_t size, const char *v, size_t n)
{
	if (n >= size)
		return -1;
	memcpy(dst, v, n);
	dst[n] = '\0';
	return 0;
}

static int
isbt_store(int k, const char *v, size_t n, struct code_result *r)
{
	struct item *it = &r->item;
	char d[11];

	switch (isbt_structs[k].kind) {
	case IS_PPIC: return isbt_copy(it->di, sizeof(it->di), v, n);
	case IS_PRODUCT: return isbt_copy(r->isbt.product,
	    sizeof(r->isbt.product), v, n);
	case IS_DIVISIONS: return isbt_copy(it->serial, sizeof(it->serial), v,
	    n);
	case IS_LOT: return isbt_copy(it->lot, sizeof(it->lot), v, n);
	case IS_EXP:
	case IS_EXPTIME:
		return isbt_date(v, it->expiry, r, isbt_structs[k].name);
	case IS_PROD:
	case IS_PRODTIME:
		return isbt_date(v, it->mfg, r, isbt_structs[k].name);
	case IS_COLL:
	case IS_COLLTIME:
		return isbt_date(v, d, r, isbt_structs[k].name);
	default:
		return 0;
	}
}

/* DIN [001]: "=" + facility (5) + year (2) + sequence (6) + flags (2). */
static int
isbt_din(const char *s, size_t left, struct code_result *r)
{
	if (left < 16 || !codes_alnum(s + 1, 15) || s[1] == 'O' || s[1] == '0')
		return codes_fail(r, CODE_WRONG_LENGTH, "ISBT 128 donation "
		    "number must be = and 15 letters and digits"), -1;
	memcpy(r->isbt.din, s + 1, 13);
	r->isbt.din[13] = '\0';
	return 16;
}

/* Parses the structure at s; returns the bytes used, or -1. */
static int
isbt_one(const char *s, size_t left, struct code_result *r)
{
	size_t k, dl;

	for (k = 0; k < sizeof(isbt_structs) / sizeof(isbt_structs[0]); k++) {
		dl = strlen(isbt_structs[k].di);
		if (left < dl || memcmp(s, isbt_structs[k].di, dl) != 0)
			continue;
		if (left < dl + isbt_structs[k].len ||
		    !codes_alnum(s + dl, isbt_structs[k].len))
			return codes_fail(r, CODE_WRONG_LENGTH,
			    "ISBT 128 %s needs %zu letters and digits",
			    isbt_structs[k].name, isbt_structs[k].len), -1;
		if (isbt_store((int)k, s + dl, isbt_structs[k].len, r) != 0)
			return r->err ? -1 : (codes_fail(r, CODE_WRONG_LENGTH,
			    "ISBT 128 %s too long", isbt_structs[k].name), -1);
		return (int)(dl + isbt_structs[k].len);
	}
	if (s[0] == '=' && left > 1 && s[1] >= '1' && s[1] <= 'Z')
		return isbt_din(s, left, r);
	return codes_fail(r, CODE_SYNTAX, "ISBT 128: \"%.3s\" is not a data "
	    "identifier pou reads", s), -1;
}

enum code_err
isbt_decode(const char *s, size_t len, const struct codes_opts *o,
    struct code_result *r)
{
	const char *end = s + len;
	int n;

	(void)o;
	snprintf(r->item.scheme, sizeof(r->item.scheme), "isbt128");
	while (s < end) {
		if (*s != '=' && *s != '&')
			return codes_fail(r, CODE_SYNTAX,
			    "ISBT 128: expected a data identifier (= or &) at "
			    "\"%.4s\"", s);
		if ((n = isbt_one(s, (size_t)(end - s), r)) < 0)
			return r->err;
		s += n;
	}
	/* one linear structure of many */
	r->partial = r->item.di[0] == '\0';
	return r->err = CODE_OK;
}

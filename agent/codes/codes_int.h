/* agent/codes' private header: the AI table, linters and parsers. */
#ifndef POU_CODES_INT_H
#define POU_CODES_INT_H

#include "codes.h"

#define GS		0x1d
#define GS1_FIXED	0x01	/* pre-defined length: no FNC1 after it */
#define GS1_DLATTR	0x02	/* may be a Digital Link data attribute */

struct gs1_ai {
	const char	*lo, *hi;	/* the AI, or a range of them */
	unsigned	 flags;
	const char	*spec;		/* "N14,csum,gcppos2", "X..20", ... */
	/* "01,02,8006" or "01+21,03+21"; NULL */
	const char	*req;
	const char	*ex;		/* "255,37", "310n"; NULL */
	const char	*dl;		/* DL key qualifiers; NULL: not a key */
	const char	*title;
};

/* codes.c */
int	codes_digits(const char *s, size_t n);	/* all of s[0..n) 0-9 */
int	codes_alnum(const char *s, size_t n);	/* all 0-9 or A-Z */
long long codes_num(const char *s, size_t n);	/* n digits, n <= 18 */
int	codes_days_in_month(int y, int m);	/* m in 1..12 */
enum code_err codes_fail(struct code_result *, enum code_err, const char *,
	    ...) __attribute__((format(printf, 3, 4)));

/* gs1_ai.c */
size_t	gs1_ai_count(void);
const struct gs1_ai *gs1_ai_find(const char *s, size_t n);
const struct gs1_ai *gs1_ai_prefix(const char *s, size_t len, size_t *ailen);

/* gs1_lint.c */
/* Checks the value of one AI against its spec; err and msg on failure. */
enum code_err gs1_check(const struct gs1_ai *, const char *ai, const char *v,
	    size_t n, int year_now, struct code_result *);
/* YYMMDD (day 00 allowed when d0) to ISO; 0, or -1 when not a date. */
int	gs1_date_iso(const char *yymmdd, int d0, int year_now, char out[11]);
int	gs1_cset82(int c);

/* gs1.c */
enum code_err gs1_element(const char *s, size_t len, const struct codes_opts *,
	    struct code_result *);
enum code_err gs1_bracketed(const char *s, const struct codes_opts *,
	    struct code_result *);
enum code_err gs1_digital_link(const char *s, size_t len,
	    const struct codes_opts *, struct code_result *);
/* Associations (repeats, exclusions, requirements) and the item fields. */
enum code_err gs1_finish(const struct codes_opts *, struct code_result *);
int	gs1_is_dl(const char *s, size_t len);
/* Adds the AIs of sec to r (repeats must agree), then gs1_finish(). */
enum code_err gs1_merge(struct code_result *r, const struct code_result *sec,
	    const struct codes_opts *);

/* isbt.c */
enum code_err isbt_decode(const char *s, size_t len, const struct codes_opts *,
	    struct code_result *);

/* hibc.c */
enum code_err hibc_decode(const char *s, size_t len, const struct codes_opts *,
	    struct code_result *);
enum code_err hibc_assemble(const struct code_result *pri,
	    const struct code_result *sec, struct code_result *out);

#endif

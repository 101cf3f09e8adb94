/*
 * GS1 data in its three spellings: element strings as scanners send them
 * (FNC1 as GS), the bracketed human form, and Digital Link URIs; then the
 * associations between AIs and the item fields.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "codes_int.h"

/* Adds one AI as decoded; a repeat must carry the same value. */
static enum code_err
gs1_add(struct code_result *r, const char *ai, const char *v, size_t n)
{
	int i;

	for (i = 0; i < r->nais; i++)
		if (strcmp(r->ais[i].ai, ai) == 0 &&
		    (strlen(r->ais[i].val) != n ||
		    memcmp(r->ais[i].val, v, n) != 0))
			return codes_fail(r, CODE_REPEATED_AI, "(%s) appears "
			    "twice with different values: \"%s\" and \"%.*s\"",
			    ai, r->ais[i].val, (int)n, v);
	if (r->nais == CODES_AIS_MAX)
		return codes_fail(r, CODE_SYNTAX, "more than %d AIs",
		    CODES_AIS_MAX);
	snprintf(r->ais[r->nais].ai, sizeof(r->ais[0].ai), "%s", ai);
	memcpy(r->ais[r->nais].val, v, n);
	r->ais[r->nais].val[n] = '\0';
	r->nais++;
	return CODE_OK;
}

/* Checks and adds the value v (n bytes) of the AI a spelled ai. */
static enum code_err
gs1_value(const struct gs1_ai *a, const char *ai, const char *v, size_t n,
    const struct codes_opts *o, struct code_result *r)
{
	if (n > CODES_AI_VAL_MAX)
		return codes_fail(r, CODE_WRONG_LENGTH, "%s (%s) is too long: "
		    "%zu characters", a->title, ai, n);
	if (gs1_check(a, ai, v, n, o->year_now, r) != CODE_OK)
		return r->err;
	return gs1_add(r, ai, v, n);
}

/* The fixed length of a pre-defined-length AI's value. */
static size_t
fixed_len(const struct gs1_ai *a)
{
	return (size_t)strtoul(a->spec + 1, NULL, 10);
}

static enum code_err
gs1_one(const char **sp, const char *end, const struct codes_opts *o,
    struct code_result *r)
{
	const char *s = *sp, *v, *gs;
	const struct gs1_ai *a;
	char ai[5];
	size_t ailen, n;

	if ((a = gs1_ai_prefix(s, (size_t)(end - s), &ailen)) == NULL)
		return codes_fail(r, CODE_UNKNOWN_AI, "no AI starts \"%.4s\"",
		    s);
	memcpy(ai, s, ailen);
	ai[ailen] = '\0';
	v = s + ailen;
	gs = memchr(v, GS, (size_t)(end - v));
	n = (size_t)((gs ? gs : end) - v);
	if ((a->flags & GS1_FIXED) && n > fixed_len(a))
		n = fixed_len(a);	/* the next AI follows with no GS */
	else if ((a->flags & GS1_FIXED) && n < fixed_len(a))
		return codes_fail(r, CODE_WRONG_LENGTH,
		    "%s (%s) has %zu of its %zu digits", a->title, ai, n,
		    fixed_len(a));
	if (gs1_value(a, ai, v, n, o, r) != CODE_OK)
		return r->err;
	s = v + n;
	if (s < end && *s == GS && ++s < end && *s == GS)
		return codes_fail(r, CODE_SYNTAX, "two separators in a row");
	*sp = s;
	return CODE_OK;
}

static int
scan_chars(const char *s, size_t len, struct code_result *r)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (s[i] != GS && s[i] != '#' && !gs1_cset82(s[i]))
			return codes_fail(r, CODE_INVALID_CHAR,
			    "'%c' cannot be in GS1 data", s[i]), -1;
	return 0;
}

/*
 * A scanner that drops GS (a keyboard wedge) makes the last variable-length
 * value swallow the AIs after it: "10LOT4711" + "17270630" arrives as the
 * lot "LOT471117270630". Detectable when the swallowed tail starts with a
 * date AI holding a valid date and all of it parses as GS1 data.
 */
static enum code_err
gs1_absorbed(const struct codes_opts *o, struct code_result *r)
{
	const struct code_ai *last = &r->ais[r->nais - 1];
	const struct gs1_ai *a = gs1_ai_find(last->ai, strlen(last->ai));
	struct code_result tail;
	size_t n = strlen(last->val), p;

	if (a->flags & GS1_FIXED)
		return CODE_OK;
	for (p = 1; p + 8 <= n; p++) {
		if (last->val[p] != '1' || strchr("13567", last->val[p + 1]) ==
		    NULL)
			continue;
		memset(&tail, 0, sizeof(tail));
		if (gs1_element(last->val + p, n - p, o, &tail) == CODE_OK)
			return codes_fail(r, CODE_ABSORBED,
			    "%s (%s) \"%s\" seems to hold (%s) %s: the scanner "
			    "drops GS separators; set it to send them and scan "
			    "again", a->title,
			    last->ai, last->val, tail.ais[0].ai,
			    tail.ais[0].val);
	}
	return CODE_OK;
}

enum code_err
gs1_element(const char *s, size_t len, const struct codes_opts *o,
    struct code_result *r)
{
	const char *end = s + len;
	int no_gs = memchr(s, GS, len) == NULL;

	if (len == 0)
		return codes_fail(r, CODE_SYNTAX, "the GS1 data is empty");
	if (scan_chars(s, len, r) != 0)
		return r->err;
	if (*s == GS)
		return codes_fail(r, CODE_SYNTAX,
		    "a separator before the first AI");
	while (s < end)
		if (gs1_one(&s, end, o, r) != CODE_OK)
			return r->err;
	if (no_gs && r->nais > 1 && gs1_absorbed(o, r) != CODE_OK)
		return r->err;
	return gs1_finish(o, r);
}

/* Reads "(ai)value" at s; value up to the next unescaped "(". */
static enum code_err
gs1_bracket_one(const char **sp, const struct codes_opts *o,
    struct code_result *r)
{
	char ai[8], v[CODES_AI_VAL_MAX + 2];
	const struct gs1_ai *a;
	const char *s = *sp + 1, *close = strchr(s, ')');
	size_t n = 0, ailen;

	if (**sp != '(' || close == NULL)
		return codes_fail(r, CODE_SYNTAX, "expected (AI) at \"%.8s\"",
		    *sp);
	ailen = (size_t)(close - s);
	snprintf(ai, sizeof(ai), "%.*s", (int)(ailen < 7 ? ailen : 7), s);
	if (ailen < 2 || ailen > 4 || (a = gs1_ai_find(s, ailen)) == NULL)
		return codes_fail(r, CODE_UNKNOWN_AI, "(%s) is not an AI", ai);
	for (s = close + 1; *s && *s != '('; s++) {
		if (*s == '\\' && s[1] == '(')
			s++;
		if (n <= CODES_AI_VAL_MAX)
			v[n] = *s;
		n++;
	}
	if (n == 0 && *s == '\0')
		return codes_fail(r, CODE_SYNTAX, "(%s) has no value", ai);
	if (n > CODES_AI_VAL_MAX)
		return codes_fail(r, CODE_WRONG_LENGTH, "%s (%s) is too long",
		    a->title, ai);
	*sp = s;
	return gs1_value(a, ai, v, n, o, r);
}

enum code_err
gs1_bracketed(const char *s, const struct codes_opts *o, struct code_result *r)
{
	if (*s == '\0')
		return codes_fail(r, CODE_SYNTAX, "the GS1 data is empty");
	while (*s)
		if (gs1_bracket_one(&s, o, r) != CODE_OK)
			return r->err;
	return gs1_finish(o, r);
}

int
gs1_is_dl(const char *s, size_t len)
{
	return (len > 8 && strncasecmp(s, "https://", 8) == 0) ||
	    (len > 7 && strncasecmp(s, "http://", 7) == 0);
}

static int
hexv(int c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ?
	    c - 'A' + 10 : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Percent-decodes s (n bytes) into out; its length, or -1. */
static int
pct_decode(const char *s, size_t n, char *out, size_t outlen)
{
	size_t i, o = 0;

	for (i = 0; i < n; i++, o++) {
		if (o >= outlen)
			return -1;
		if (s[i] != '%') {
			out[o] = s[i];
			continue;
		}
		if (i + 2 >= n || hexv(s[i + 1]) < 0 || hexv(s[i + 2]) < 0)
			return -1;
		out[o] = (char)(hexv(s[i + 1]) << 4 | hexv(s[i + 2]));
		i += 2;
	}
	return (int)o;
}

#define DL_SEGS	40

struct dl_seg {
	const char	*p;
	size_t		 n;
};

static const struct gs1_ai *
dl_ai(const struct dl_seg *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (s->p[i] < '0' || s->p[i] > '9')
			return NULL;
	return gs1_ai_find(s->p, s->n);
}

static enum code_err
dl_pair(const struct dl_seg *k, const char *v, size_t vn,
    const struct codes_opts *o, struct code_result *r)
{
	char ai[5], val[CODES_AI_VAL_MAX + 1];
	const struct gs1_ai *a = dl_ai(k);
	int n;

	if (a == NULL || k->n > 4)
		return codes_fail(r, CODE_UNKNOWN_AI,
		    "Digital Link: \"%.*s\" is not an AI",
		    (int)(k->n < 8 ? k->n : 8), k->p);
	snprintf(ai, sizeof(ai), "%.*s", (int)k->n, k->p);
	if ((n = pct_decode(v, vn, val, sizeof(val))) < 0)
		return codes_fail(r, CODE_SYNTAX, "Digital Link: bad value for "
		    "(%s)", ai);
	return gs1_value(a, ai, val, (size_t)n, o, r);
}

/* Splits the path into segments; the query starts at *q (or NULL). */
static int
dl_split(const char *s, const char *end, struct dl_seg *seg, const char **q)
{
	const char *p = s;
	int n = 0;

	*q = NULL;
	while (p < end && *p != '?' && *p != '#') {
		const char *e = p + 1;

		while (e < end && *e != '/' && *e != '?' && *e != '#')
			e++;
		if (n == DL_SEGS)
			return -1;
		seg[n].p = p + 1;
		seg[n++].n = (size_t)(e - p - 1);
		p = e;
	}
	if (p < end && *p == '?')
		*q = p + 1;
	return n;
}

static enum code_err
dl_query(const char *q, const char *end, const struct codes_opts *o,
    struct code_result *r)
{
	const char *amp, *eq;
	struct dl_seg k;

	while (q != NULL && q < end && *q != '#') {
		for (amp = q; amp < end && *amp != '&' && *amp != '#'; amp++)
			;
		eq = memchr(q, '=', (size_t)(amp - q));
		k.p = q;
		k.n = eq ? (size_t)(eq - q) : 0;
		/*
		 * Only numeric keys are AIs; others (linkType...) are not data.
		 */
		if (eq != NULL && dl_ai(&k) != NULL && dl_pair(&k, eq + 1,
		    (size_t)(amp - eq - 1), o, r) != CODE_OK)
			return r->err;
		q = amp < end && *amp == '&' ? amp + 1 : end;
	}
	return CODE_OK;
}

enum code_err
gs1_digital_link(const char *s, size_t len, const struct codes_opts *o,
    struct code_result *r)
{
	const char *end = s + len, *p = strstr(s, "://") + 3, *q;
	struct dl_seg seg[DL_SEGS];
	const struct gs1_ai *a;
	int n, i, k;

	while (p < end && *p != '/' && *p != '?' && *p != '#')
		p++;
	if ((n = dl_split(p, end, seg, &q)) < 0)
		return codes_fail(r, CODE_SYNTAX, "Digital Link path too long");
	/* The AI path may follow any prefix: find its primary key. */
	for (i = 0; i + 1 < n; i++)
		if ((n - i) % 2 == 0 && (a = dl_ai(&seg[i])) != NULL &&
		    a->dl != NULL)
			break;
	if (i + 1 >= n)
		return codes_fail(r, CODE_NOT_GS1, "a web address, not a GS1 "
		    "Digital Link (no GTIN or other key in its path)");
	for (k = i; k < n; k += 2)
		if (dl_pair(&seg[k], seg[k + 1].p, seg[k + 1].n, o, r) !=
		    CODE_OK)
			return r->err;
	if (dl_query(q, end, o, r) != CODE_OK)
		return r->err;
	return gs1_finish(o, r);
}

/* Does the AI match pattern p ("31nn": n is any digit)? */
static int
pat_match(const char *p, size_t pn, const char *ai)
{
	size_t i;

	if (strlen(ai) != pn)
		return 0;
	for (i = 0; i < pn; i++)
		if (p[i] != ai[i] && !(p[i] == 'n' && ai[i] >= '0' &&
		    ai[i] <= '9'))
			return 0;
	return 1;
}

/* Index of an AI other than except matching p, or -1. */
static int
find_pat(const struct code_result *r, const char *p, size_t pn,
    const char *except)
{
	int i;

	for (i = 0; i < r->nais; i++)
		if ((except == NULL || strcmp(r->ais[i].ai, except) != 0) &&
		    pat_match(p, pn, r->ais[i].ai))
			return i;
	return -1;
}

static enum code_err
gs1_exclusive(struct code_result *r, int i, const char *ex)
{
	const char *p = ex;
	size_t pn;
	int j;

	while (*p) {
		pn = strcspn(p, ",");
		if ((j = find_pat(r, p, pn, r->ais[i].ai)) >= 0)
			return codes_fail(r, CODE_EXCLUSIVE,
			    "(%s) and (%s) must not be on the same item",
			    r->ais[i].ai, r->ais[j].ai);
		p += pn + (p[pn] == ',');
	}
	return CODE_OK;
}

/* Is one of the groups of req ("01+21,03+21") all present? */
static int
gs1_req_met(const struct code_result *r, const char *req)
{
	const char *p = req, *g;
	size_t gn, pn;
	int all;

	while (*p) {
		gn = strcspn(p, ",");
		for (g = p, all = 1; g < p + gn && all; g += pn + 1) {
			pn = strcspn(g, "+,");
			if (pn > (size_t)(p + gn - g))
				pn = (size_t)(p + gn - g);
			all = find_pat(r, g, pn, NULL) >= 0;
		}
		if (all)
			return 1;
		p += gn + (p[gn] == ',');
	}
	return 0;
}

/* A digital signature (8030) must sign a key that carries its serial. */
static enum code_err
gs1_digsig(struct code_result *r)
{
	static const struct { const char *ai; size_t keylen; } keys[] = {
		{ "253", 13 }, { "255", 13 }, { "8003", 14 },
	};
	size_t k;
	int i;

	if (find_pat(r, "8030", 4, NULL) < 0)
		return CODE_OK;
	for (k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
		if ((i = find_pat(r, keys[k].ai, strlen(keys[k].ai),
		    NULL)) >= 0 && strlen(r->ais[i].val) <= keys[k].keylen)
			return codes_fail(r, CODE_CONTENT,
			    "(%s) needs its serial part when signed by (8030)",
			    keys[k].ai);
	return CODE_OK;
}

static const char *
ai_val(const struct code_result *r, const char *ai)
{
	int i = find_pat(r, ai, strlen(ai), NULL);

	return i >= 0 ? r->ais[i].val : "";
}

/* The canonical item fields from the AIs. */
static void
gs1_item(const struct codes_opts *o, struct code_result *r)
{
	struct item *it = &r->item;
	const struct gs1_ai *a;
	int i;

	snprintf(it->scheme, sizeof(it->scheme), "gs1");
	snprintf(it->di, sizeof(it->di), "%s", ai_val(r, "01"));
	snprintf(it->lot, sizeof(it->lot), "%s", ai_val(r, "10"));
	snprintf(it->serial, sizeof(it->serial), "%s", ai_val(r, "21"));
	it->expiry[0] = it->mfg[0] = '\0';
	if (*ai_val(r, "17"))
		gs1_date_iso(ai_val(r, "17"), 1, o->year_now, it->expiry);
	if (*ai_val(r, "11"))
		gs1_date_iso(ai_val(r, "11"), 1, o->year_now, it->mfg);
	r->qty = strtol(ai_val(r, "30"), NULL, 10);
	r->partial = 0;
	for (i = 0; it->di[0] == '\0' && i < r->nais; i++)
		if ((a = gs1_ai_find(r->ais[i].ai, strlen(r->ais[i].ai))) &&
		    a->req != NULL && strstr(a->req, "01") != NULL)
			r->partial = 1;	/* item data without its GTIN */
}

enum code_err
gs1_finish(const struct codes_opts *o, struct code_result *r)
{
	const struct gs1_ai *a;
	int i;

	for (i = 0; i < r->nais; i++) {
		a = gs1_ai_find(r->ais[i].ai, strlen(r->ais[i].ai));
		if (a->ex != NULL && gs1_exclusive(r, i, a->ex) != CODE_OK)
			return r->err;
	}
	if (gs1_digsig(r) != CODE_OK)
		return r->err;
	for (i = 0; o->strict && i < r->nais; i++) {
		a = gs1_ai_find(r->ais[i].ai, strlen(r->ais[i].ai));
		if (a->req != NULL && !gs1_req_met(r, a->req))
			return codes_fail(r, CODE_MISSING_REQ, "%s (%s) needs "
			    "one of (%s) on the same item", a->title,
			    r->ais[i].ai, a->req);
	}
	gs1_item(o, r);
	r->err = CODE_OK;
	r->msg[0] = '\0';
	return CODE_OK;
}

enum code_err
gs1_merge(struct code_result *r, const struct code_result *sec,
    const struct codes_opts *o)
{
	int i;

	for (i = 0; i < sec->nais; i++)
		if (gs1_add(r, sec->ais[i].ai, sec->ais[i].val,
		    strlen(sec->ais[i].val)) != CODE_OK)
			return r->err;
	return gs1_finish(o, r);
}

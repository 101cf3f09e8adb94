/*
 * Fleet commands: the claims of a signed command checked, and built for
 * pouctl. Each op names the args it takes; an args object with a key the
 * op does not know, or a value of the wrong shape, is refused whole.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "fleetcmd.h"
#include "util.h"

static const char *const err_names[FLEET_ERR_COUNT] = {
	[FLEET_OK] = "ok",
	[FLEET_TOO_BIG] = "too_big",
	[FLEET_MALFORMED] = "malformed",
	[FLEET_BAD_ALG] = "bad_alg",
	[FLEET_UNKNOWN_KEY] = "unknown_key",
	[FLEET_BAD_SIGNATURE] = "bad_signature",
	[FLEET_BAD_CLAIMS] = "bad_claims",
	[FLEET_EXPIRED] = "expired",
	[FLEET_NOT_YET_VALID] = "not_yet_valid",
	[FLEET_TOO_LONG_LIVED] = "too_long_lived",
	[FLEET_WRONG_AUDIENCE] = "wrong_audience",
	[FLEET_UNKNOWN_OP] = "unknown_op",
	[FLEET_BAD_ARGS] = "bad_args",
	[FLEET_REPLAYED] = "replayed",
};

const char *
fleet_err_name(enum fleet_err e)
{
	return e < FLEET_ERR_COUNT ? err_names[e] : "?";
}

/* An args check: NULL when args suit the op, else why not. */
typedef const char *(*args_fn)(json_t *args);

static const char *
args_none(json_t *args)
{
	return json_object_size(args) == 0 ? NULL : "this op takes no args";
}

/* {"set": {"section.key": "value", ...}}, at least one key. */
static const char *
args_config(json_t *args)
{
	json_t *set = json_object_get(args, "set"), *v;
	const char *k;

	if (json_object_size(args) != 1 || !json_is_object(set) ||
	    json_object_size(set) == 0)
		return "config takes {\"set\": {\"section.key\": \"value\"}}";
	if (json_object_size(set) > FLEET_CONFIG_KEYS)
		return "config sets at most 16 keys";
	json_object_foreach(set, k, v)
		if (strchr(k, '.') == NULL || strlen(k) >=
		    FLEET_CONFIG_KEY || !json_is_string(v) ||
		    json_string_length(v) >= 256)
			return "each key is section.key (under 64 bytes) "
			    "with a string value (under 256)";
	return NULL;
}

static int
is_hex64(const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++)
		if (!isxdigit((unsigned char)s[i]))
			return 0;
	return i == 64;
}

/* A part of a reference set: {"version": sha256 hex of the whole set,
 * "part": i, "parts": n (1 <= i <= n), "rows": [[field, ...], ...]}. */
static const char *
args_refset(json_t *args)
{
	json_t *ver = json_object_get(args, "version"), *rows, *row, *f;
	json_int_t part, parts;
	size_t i, j;

	rows = json_object_get(args, "rows");
	part = json_integer_value(json_object_get(args, "part"));
	parts = json_integer_value(json_object_get(args, "parts"));
	if (json_object_size(args) != 4 || !json_is_string(ver) ||
	    !is_hex64(json_string_value(ver)) || parts < 1 ||
	    parts > FLEET_PARTS_MAX || part < 1 || part > parts ||
	    !json_is_array(rows))
		return "a set's part takes version (64 hex), part, parts, rows";
	json_array_foreach(rows, i, row) {
		if (!json_is_array(row))
			return "each row is an array of strings";
		json_array_foreach(row, j, f)
			if (!json_is_string(f))
				return "each row is an array of strings";
	}
	return NULL;
}

static const struct fleet_op {
	const char	*name;
	args_fn		 check;
} ops[] = {
	{ "recalls", args_refset },
	{ "catalog", args_refset },
	{ "schedule", args_refset },
	{ "config", args_config },
	{ "diagnose", args_none },
	{ "clock", args_none },
	{ "restart", args_none },
};

int
fleet_op(const char *name)
{
	size_t i;

	for (i = 0; i < nitems(ops); i++)
		if (strcmp(ops[i].name, name) == 0)
			return (int)i;
	return -1;
}

const char *
fleet_op_name(int op)
{
	return op >= 0 && op < (int)nitems(ops) ? ops[op].name : "?";
}

int
fleet_op_count(void)
{
	return (int)nitems(ops);
}

static int
good_id(const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++)
		if (!isalnum((unsigned char)s[i]) && strchr("._:-", s[i]) ==
		    NULL)
			return 0;
	return i >= 1 && i <= FLEET_ID_MAX;
}

/* "*", the site, or "site/device" names this device. */
static int
aud_names(json_t *aud, const char *site, const char *device)
{
	char me[160];
	json_t *t;
	size_t i;

	snprintf(me, sizeof(me), "%s/%s", site, device);
	json_array_foreach(aud, i, t)
		if (strcmp(json_string_value(t), "*") == 0 ||
		    strcmp(json_string_value(t), site) == 0 ||
		    strcmp(json_string_value(t), me) == 0)
			return 1;
	return 0;
}

static int
aud_ok(json_t *aud)
{
	json_t *t;
	size_t i;

	if (!json_is_array(aud) || json_array_size(aud) == 0)
		return 0;
	json_array_foreach(aud, i, t)
		if (!json_is_string(t) || json_string_length(t) == 0)
			return 0;
	return 1;
}

/*
 * A schedule holds MRNs: it names its carts (site/device, never a site's
 * "all"), as a site's all/cmd topic is readable by every cart under the
 * shipped ACL. NULL, or why not.
 */
static const char *
aud_for(const char *op, json_t *aud)
{
	const char *t, *slash;
	json_t *v;
	size_t i;

	if (strcmp(op, "schedule") != 0)
		return NULL;
	json_array_foreach(aud, i, v) {
		t = json_string_value(v);
		if ((slash = strchr(t, '/')) == NULL || strcmp(slash + 1,
		    "all") == 0)
			return "a schedule holds MRNs: name its carts (--aud "
			    "site/device), not a site or *";
	}
	return NULL;
}

/* why is ours or jansson's, which may quote the bytes it could not
 * read: each byte above ASCII goes as '?', so the result can be sent. */
static enum fleet_err
refuse(struct fleet_cmd *c, enum fleet_err e, const char *why)
{
	snprintf(c->why, sizeof(c->why), "%s", why);
	ascii_only(c->why);
	return e;
}

/* The claims' shapes: every one present, of its type. */
static enum fleet_err
claims_shape(json_t *j, struct fleet_cmd *c)
{
	json_t *id = json_object_get(j, "id"), *op = json_object_get(j, "op");

	if (json_is_string(id) && good_id(json_string_value(id)))
		snprintf(c->id, sizeof(c->id), "%s", json_string_value(id));
	if (c->id[0] == '\0')
		return refuse(c, FLEET_BAD_CLAIMS, "id: 1 to 64 of "
		    "A-Z a-z 0-9 . _ : -");
	if (!json_is_integer(json_object_get(j, "iat")) ||
	    !json_is_integer(json_object_get(j, "exp")))
		return refuse(c, FLEET_BAD_CLAIMS, "iat and exp: seconds");
	if (!aud_ok(json_object_get(j, "aud")))
		return refuse(c, FLEET_BAD_CLAIMS, "aud: an array of targets");
	if (!json_is_string(op) || json_string_length(op) >= sizeof(c->op))
		return refuse(c, FLEET_BAD_CLAIMS, "op: a name");
	if (!json_is_object(json_object_get(j, "args")))
		return refuse(c, FLEET_BAD_CLAIMS, "args: an object");
	c->iat = json_integer_value(json_object_get(j, "iat"));
	c->exp = json_integer_value(json_object_get(j, "exp"));
	snprintf(c->op, sizeof(c->op), "%s", json_string_value(op));
	return FLEET_OK;
}

static enum fleet_err
claims_check(json_t *j, const char *site, const char *device, int64_t now,
    struct fleet_cmd *c)
{
	enum fleet_err e;
	const char *why;
	int op;

	if ((e = claims_shape(j, c)) != FLEET_OK)
		return e;
	if (c->exp <= now)
		return refuse(c, FLEET_EXPIRED, "exp is past");
	if (c->iat > now + FLEET_SKEW_S)
		return refuse(c, FLEET_NOT_YET_VALID, "iat is ahead of this "
		    "device's clock");
	if (c->iat < 0 || c->exp < c->iat ||
	    c->exp - c->iat > FLEET_LIFETIME_MAX_S)
		return refuse(c, FLEET_TOO_LONG_LIVED,
		    "exp - iat over 90 days");
	if (!aud_names(json_object_get(j, "aud"), site, device))
		return refuse(c, FLEET_WRONG_AUDIENCE, "aud does not name this "
		    "device");
	if ((op = fleet_op(c->op)) < 0)
		return refuse(c, FLEET_UNKNOWN_OP, c->op);
	if ((why = ops[op].check(json_object_get(j, "args"))) != NULL ||
	    (why = aud_for(c->op, json_object_get(j, "aud"))) != NULL)
		return refuse(c, FLEET_BAD_ARGS, why);
	if ((c->args = json_dumps(json_object_get(j, "args"),
	    JSON_COMPACT)) == NULL)
		return refuse(c, FLEET_BAD_ARGS, "args cannot be kept");
	return FLEET_OK;
}

enum fleet_err
fleet_cmd_check(const struct jws_keys *keys, const char *msg, size_t len,
    const char *site, const char *device, int64_t now_s,
    struct fleet_cmd *c)
{
	static const enum fleet_err from_jws[JWS_ERR_COUNT] = {
		[JWS_OK] = FLEET_OK, [JWS_TOO_BIG] = FLEET_TOO_BIG,
		[JWS_MALFORMED] = FLEET_MALFORMED,
		[JWS_BAD_ALG] = FLEET_BAD_ALG,
		[JWS_UNKNOWN_KEY] = FLEET_UNKNOWN_KEY,
		[JWS_BAD_SIGNATURE] = FLEET_BAD_SIGNATURE,
	};
	enum jws_err je;
	enum fleet_err e;
	char *payload;
	size_t plen;
	json_t *j;

	memset(c, 0, sizeof(*c));
	if ((je = jws_verify(keys, msg, len, &payload, &plen)) != JWS_OK)
		return refuse(c, from_jws[je], "the signature does not hold");
	j = json_loadb(payload, plen, JSON_REJECT_DUPLICATES, NULL);
	free(payload);
	if (!json_is_object(j))
		e = refuse(c, FLEET_BAD_CLAIMS,
		    "the payload is no JSON object");
	else
		e = claims_check(j, site, device, now_s, c);
	json_decref(j);
	if (e != FLEET_OK) {
		free(c->args);
		c->args = NULL;
	}
	return e;
}

void
fleet_cmd_free(struct fleet_cmd *c)
{
	free(c->args);
	c->args = NULL;
}

char *
fleet_cmd_payload(const char *id, int64_t now_s, int64_t ttl_s,
    const char *aud_json, const char *op, const char *args_json, char *why,
    size_t len)
{
	json_t *aud = json_loads(aud_json, 0, NULL);
	json_t *args = json_loads(args_json, 0, NULL), *j = NULL;
	const char *err = NULL;
	char *out = NULL;
	int o = fleet_op(op);

	if (!good_id(id))
		err = "an id is 1 to 64 of A-Z a-z 0-9 . _ : -";
	else if (ttl_s < 1 || ttl_s > FLEET_LIFETIME_MAX_S)
		err = "a lifetime is 1 s to 90 days";
	else if (!aud_ok(aud))
		err = "aud is a JSON array of \"*\", sites or site/device";
	else if (o < 0)
		err = "no such op";
	else if (!json_is_object(args))
		err = "args is a JSON object";
	else if ((err = ops[o].check(args)) == NULL)
		err = aud_for(op, aud);
	if (err == NULL && (j = json_pack("{s:s, s:I, s:I, s:O, s:s, s:O}",
	    "id", id, "iat", (json_int_t)now_s, "exp",
	    (json_int_t)(now_s + ttl_s), "aud", aud, "op", op, "args",
	    args)) != NULL)
		out = json_dumps(j, JSON_COMPACT);
	snprintf(why, len, "%s", err ? err : out ? "" : "out of memory");
	json_decref(j);
	json_decref(aud);
	json_decref(args);
	return out;
}

int
fleet_aud_names(const char *aud_json, const char *site, const char *device)
{
	json_t *aud = json_loads(aud_json, 0, NULL);
	int yes = aud_ok(aud) && aud_names(aud, site, device);

	json_decref(aud);
	return yes;
}

enum fleet_err
fleet_cmd_peek(const char *msg, size_t len, struct fleet_cmd *c,
    char **aud_json)
{
	char *payload;
	size_t plen;
	json_t *j;
	enum fleet_err e;

	memset(c, 0, sizeof(*c));
	*aud_json = NULL;
	if ((payload = jws_payload_unverified(msg, len, &plen)) == NULL)
		return refuse(c, FLEET_MALFORMED, "not a JWS");
	j = json_loadb(payload, plen, JSON_REJECT_DUPLICATES, NULL);
	free(payload);
	if (!json_is_object(j))
		e = refuse(c, FLEET_BAD_CLAIMS, "the payload is no JSON "
		    "object");
	else if ((e = claims_shape(j, c)) == FLEET_OK &&
	    (*aud_json = json_dumps(json_object_get(j, "aud"),
	    JSON_COMPACT)) == NULL)
		e = refuse(c, FLEET_BAD_CLAIMS, "out of memory");
	json_decref(j);
	return e;
}

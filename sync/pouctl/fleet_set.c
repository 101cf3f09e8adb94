/*
 * pouctl fleet sign-set: a recall list or catalog file as the commands that
 * push it, one JWS per line, each a part small enough for one MQTT message.
 * The file is checked as a cart reads it (its header, its field count)
 * before anything is signed; the set's version is the file's SHA-256, the
 * same a cart reading that file would record; the parts' ids come from it
 * and from the audience, so signing the same file again for the same carts
 * gives commands the carts that have it refuse as replays, and for other
 * carts commands of their own.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "csv.h"
#include "fleetcmd.h"
#include "hash.h"
#include "pouctl.h"
#include "refdata.h"
#include "store.h"
#include "util.h"

#define SET_ROWS_DEFAULT	200	/* rows per part */

struct set_opts {
	const char	*key, *kind, *file;
	json_t		*aud;
	long long	 ttl, rows;
};

static const char *
set_row(void *arg, char **f)
{
	json_t *row = json_array();
	int i, n = (int)json_integer_value(json_object_get(arg, "n"));

	for (i = 0; i < n; i++)
		if (json_array_append_new(row, json_string(f[i])) != 0) {
			json_decref(row);
			return "a field is not UTF-8 text";
		}
	json_array_append_new(json_object_get(arg, "rows"), row);
	return NULL;
}

/* The file's rows as a JSON array of arrays; NULL (said) on an error. */
static json_t *
set_read(const char *file, int kind)
{
	json_t *acc, *rows;
	const char *header;
	int n, errors;

	if ((header = refdata_header(kind, &n)) == NULL)
		return NULL;
	acc = json_pack("{s:i, s:[]}", "n", n, "rows");
	errors = csv_load(file, n, header, set_row, acc);
	if (errors != 0) {
		fprintf(stderr, "pouctl: fleet sign-set: %s: %s; nothing "
		    "signed\n", file, errors < 0 ? "cannot be read" :
		    "has errors");
		json_decref(acc);
		return NULL;
	}
	rows = json_incref(json_object_get(acc, "rows"));
	json_decref(acc);
	return rows;
}

/* Signs part i (1-based) of n: rows [from, from + count) of all. */
static char *
set_part(const struct set_opts *o, struct jws_key *k, const char *version,
    json_t *all, size_t from, size_t count, int i, int n)
{
	char id[FLEET_ID_MAX + 1], why[128], tag[HASH_HEX], *aud, *args, *p;
	char *m = NULL;
	json_t *rows = json_array(), *a;
	size_t r;

	for (r = from; r < from + count; r++)
		json_array_append(rows, json_array_get(all, r));
	a = json_pack("{s:s, s:i, s:i, s:o}", "version", version, "part", i,
	    "parts", n, "rows", rows);
	args = a ? json_dumps(a, JSON_COMPACT) : NULL;
	json_decref(a);
	aud = json_dumps(o->aud, JSON_COMPACT);
	sha256_hex(aud ? aud : "", aud ? strlen(aud) : 0, tag);
	snprintf(id, sizeof(id), "%s-%.16s-%.8s-%d-%d", o->kind, version, tag,
	    i, n);
	if ((p = fleet_cmd_payload(id, now_wall_ms() / 1000, o->ttl, aud,
	    o->kind, args ? args : "", why, sizeof(why))) == NULL)
		fprintf(stderr, "pouctl: fleet sign-set: %s\n", why);
	else if ((m = jws_sign(k, p, strlen(p))) != NULL &&
	    strlen(m) > JWS_MAX) {
		fprintf(stderr, "pouctl: fleet sign-set: part %d is over %d "
		    "bytes: try --rows %lld\n", i, JWS_MAX, o->rows / 2);
		free(m);
		m = NULL;
	}
	free(p);
	free(aud);
	free(args);
	return m;
}

static int
set_parse(int argc, char *argv[], struct set_opts *o)
{
	static const struct option opts[] = {
		{ "key", required_argument, NULL, 'k' },
		{ "aud", required_argument, NULL, 'a' },
		{ "ttl", required_argument, NULL, 't' },
		{ "rows", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1)
		switch (ch) {
		case 'k': o->key = optarg; break;
		case 'a': json_array_append_new(o->aud, json_string(optarg));
			break;
		case 't': o->ttl = fleet_parse_ttl(optarg); break;
		case 'r': o->rows = strtoll(optarg, NULL, 10); break;
		default:
			fprintf(stderr, "pouctl: fleet sign-set: unknown "
			    "option %s\n", argv[optind - 1]);
			return -1;
		}
	if (optind + 2 != argc || o->key == NULL ||
	    json_array_size(o->aud) == 0 || o->ttl < 1 || o->rows < 1) {
		fprintf(stderr, "usage: pouctl fleet sign-set --key KEY --aud "
		    "TARGET [--aud ...] [--ttl 7d] [--rows %d] recalls|catalog|"
		    "schedule "
		    "FILE\n", SET_ROWS_DEFAULT);
		return -1;
	}
	o->kind = argv[optind];
	o->file = argv[optind + 1];
	return 0;
}

int
fleet_sign_set(int argc, char *argv[])
{
	struct set_opts o = { NULL, NULL, NULL, json_array(), 7 * 86400,
	    SET_ROWS_DEFAULT };
	char version[HASH_HEX], *m;
	struct jws_key *k = NULL;
	json_t *rows = NULL;
	size_t nrows, from, per;
	int kind, n, i, rc = 1;

	if (set_parse(argc, argv, &o) != 0) {
		json_decref(o.aud);
		return 2;
	}
	kind = strcmp(o.kind, "recalls") == 0 ? STORE_REF_RECALLS :
	    strcmp(o.kind, "catalog") == 0 ? STORE_REF_CATALOG :
	    strcmp(o.kind, "schedule") == 0 ? STORE_REF_SCHEDULE : -1;
	if (kind < 0)
		fprintf(stderr, "pouctl: fleet sign-set: %s: recalls, catalog "
		    "or schedule\n", o.kind);
	else if ((k = jws_key_load(o.key)) == NULL || !jws_key_private(k))
		fprintf(stderr, "pouctl: fleet sign-set: %s: not a private "
		    "fleet key\n", o.key);
	else if ((rows = set_read(o.file, kind)) != NULL &&
	    sha256_file(o.file, version) == 0) {
		nrows = json_array_size(rows);
		per = (size_t)o.rows;
		n = nrows == 0 ? 1 : (int)((nrows + (size_t)o.rows - 1) /
		    (size_t)o.rows);
		for (rc = 0, i = 1, from = 0; rc == 0 && i <= n; i++,
		    from += per) {
			m = set_part(&o, k, version, rows, from, nrows - from <
			    per ? nrows - from : per, i, n);
			if (m == NULL)
				rc = 1;
			else
				printf("%s\n", m);
			free(m);
		}
	}
	json_decref(rows);
	json_decref(o.aud);
	jws_key_free(k);
	return rc;
}

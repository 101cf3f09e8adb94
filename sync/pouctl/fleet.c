/*
 * pouctl fleet: IT's signing key and the commands it signs (docs/fleet.md).
 * keygen makes a key pair; sign builds a command and prints it as a JWS;
 * verify checks one as a given device would, so a refusal can be
 * understood before anything is sent.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "fleetcmd.h"
#include "pouctl.h"
#include "util.h"

#define FLEET_TTL_DEFAULT	86400	/* a day */
#define FLEET_READ_MAX		(JWS_MAX + 1)

static int
fleet_usage(void)
{
	fprintf(stderr, "usage: pouctl fleet keygen DIR\n"
	    "       pouctl fleet sign --key KEY --aud TARGET [--aud ...] "
	    "--op OP\n"
	    "                  [--args JSON] [--ttl 30m|12h|7d] [--id ID]\n"
	    "       pouctl fleet sign-set --key KEY --aud TARGET [--aud ...] "
	    "[--ttl 7d]\n"
	    "                  [--rows N] recalls|catalog|schedule FILE\n"
	    "       pouctl fleet send [FILE] [--by NAME]   (--bridge-db)\n"
	    "       pouctl fleet ls [--site SITE] [--offline] [--behind]\n"
	    "       pouctl fleet show DEVICE | fleet status COMMAND-ID\n"
	    "       pouctl fleet verify --key PUB [--key PUB...] --site SITE "
	    "--device ID\n"
	    "                  < command\n"
	    "TARGET: * (every cart), a site, or site/device\n");
	return 2;
}

long long
fleet_parse_ttl(const char *s)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || end == s || v < 1)
		return -1;
	if (*end == '\0' || strcmp(end, "s") == 0)
		return v;
	if (strcmp(end, "m") == 0)
		return v * 60;
	if (strcmp(end, "h") == 0)
		return v * 3600;
	if (strcmp(end, "d") == 0)
		return v * 86400;
	return -1;
}

static int
fleet_keygen(int argc, char *argv[])
{
	char priv[512], pub[512];
	struct jws_key *k;
	int rc;

	if (argc != 2)
		return fleet_usage();
	if ((k = jws_key_generate()) == NULL) {
		fprintf(stderr, "pouctl: fleet keygen: cannot make a key\n");
		return 1;
	}
	snprintf(priv, sizeof(priv), "%s/fleet-%s.key", argv[1],
	    jws_key_kid(k));
	snprintf(pub, sizeof(pub), "%s/fleet-%s.pub", argv[1], jws_key_kid(k));
	if ((rc = jws_key_save(k, priv, 1)) != 0 ||
	    (rc = jws_key_save(k, pub, 0)) != 0) {
		fprintf(stderr, "pouctl: fleet keygen: %s: %s\n",
		    access(priv, F_OK) == 0 ? pub : priv, strerror(-rc));
		jws_key_free(k);
		return 1;
	}
	printf("kid %s\nprivate %s (keep it off the carts)\npublic  %s "
	    "(for [fleet] keys on every cart)\n", jws_key_kid(k), priv, pub);
	jws_key_free(k);
	return 0;
}

/* A new command's id: the op, the time, and 32 random bits. */
static void
fleet_new_id(const char *op, char *id, size_t len)
{
	unsigned int r = 0;
	FILE *f = fopen("/dev/urandom", "re");

	if (f == NULL || fread(&r, sizeof(r), 1, f) != 1)
		r = (unsigned int)getpid();
	if (f != NULL)
		fclose(f);
	snprintf(id, len, "%s-%lld-%08x", op, (long long)(now_wall_ms() /
	    1000), r);
}

struct sign_opts {
	const char	*key, *op, *args, *id;
	json_t		*aud;
	long long	 ttl;
};

static int
sign_parse(int argc, char *argv[], struct sign_opts *o)
{
	static const struct option opts[] = {
		{ "key", required_argument, NULL, 'k' },
		{ "aud", required_argument, NULL, 'a' },
		{ "op", required_argument, NULL, 'o' },
		{ "args", required_argument, NULL, 'A' },
		{ "ttl", required_argument, NULL, 't' },
		{ "id", required_argument, NULL, 'i' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1)
		switch (ch) {
		case 'k': o->key = optarg; break;
		case 'a': json_array_append_new(o->aud, json_string(optarg));
			break;
		case 'o': o->op = optarg; break;
		case 'A': o->args = optarg; break;
		case 'i': o->id = optarg; break;
		case 't':
			if ((o->ttl = fleet_parse_ttl(optarg)) < 0) {
				fprintf(stderr, "pouctl: fleet sign: --ttl %s: "
				    "seconds, or 30m, 12h, 7d\n", optarg);
				return -1;
			}
			break;
		default:
			fprintf(stderr, "pouctl: fleet sign: unknown option "
			    "%s\n", argv[optind - 1]);
			return -1;
		}
	if (o->key && o->op && json_array_size(o->aud) > 0 && optind == argc)
		return 0;
	fleet_usage();
	return -1;
}

static int
fleet_sign(int argc, char *argv[])
{
	struct sign_opts o = { NULL, NULL, "{}", NULL, json_array(),
	    FLEET_TTL_DEFAULT };
	char id[FLEET_ID_MAX + 1], why[128], *aud = NULL, *p = NULL, *m = NULL;
	struct jws_key *k = NULL;
	int rc = 1;

	if (sign_parse(argc, argv, &o) != 0) {
		json_decref(o.aud);
		return 2;
	}
	if (o.id == NULL)
		fleet_new_id(o.op, id, sizeof(id));
	aud = json_dumps(o.aud, JSON_COMPACT);
	if ((p = fleet_cmd_payload(o.id ? o.id : id, now_wall_ms() / 1000,
	    o.ttl, aud, o.op, o.args, why, sizeof(why))) == NULL)
		fprintf(stderr, "pouctl: fleet sign: %s\n", why);
	else if ((k = jws_key_load(o.key)) == NULL || !jws_key_private(k))
		fprintf(stderr, "pouctl: fleet sign: %s: not a private fleet "
		    "key\n", o.key);
	else if ((m = jws_sign(k, p, strlen(p))) != NULL) {
		printf("%s\n", m);
		rc = 0;
	}
	free(m);
	free(p);
	free(aud);
	jws_key_free(k);
	json_decref(o.aud);
	return rc;
}

/* Reads the command from stdin, its trailing newline taken off. */
static char *
read_command(size_t *len)
{
	char *buf = malloc(FLEET_READ_MAX + 1);

	if (buf == NULL)
		return NULL;
	*len = fread(buf, 1, FLEET_READ_MAX, stdin);
	while (*len > 0 && (buf[*len - 1] == '\n' || buf[*len - 1] == '\r'))
		(*len)--;
	buf[*len] = '\0';
	return buf;
}

static int
verify_parse(int argc, char *argv[], struct jws_keys *ks, const char **site,
    const char **device)
{
	static const struct option opts[] = {
		{ "key", required_argument, NULL, 'k' },
		{ "site", required_argument, NULL, 's' },
		{ "device", required_argument, NULL, 'd' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1)
		switch (ch) {
		case 'k':
			if (ks->n == JWS_KEYS_MAX || (ks->k[ks->n] =
			    jws_key_load(optarg)) == NULL) {
				fprintf(stderr, "pouctl: fleet verify: %s: not "
				    "a fleet key (or over %d)\n", optarg,
				    JWS_KEYS_MAX);
				return -1;
			}
			ks->n++;
			break;
		case 's': *site = optarg; break;
		case 'd': *device = optarg; break;
		default:
			fprintf(stderr, "pouctl: fleet verify: unknown option "
			    "%s\n", argv[optind - 1]);
			return -1;
		}
	if (ks->n > 0 && *site && *device && optind == argc)
		return 0;
	fleet_usage();
	return -1;
}

/* Prints what the device would report: its result, the command's op and
 * args when obeyed. 0 when it would obey, 1 when it would refuse. */
static int
fleet_verify(int argc, char *argv[])
{
	struct jws_keys ks = { { NULL }, 0 };
	const char *site = NULL, *device = NULL;
	struct fleet_cmd c;
	enum fleet_err e;
	char *msg;
	size_t len;

	if (verify_parse(argc, argv, &ks, &site, &device) != 0) {
		jws_keys_free(&ks);
		return 2;
	}
	if ((msg = read_command(&len)) == NULL) {
		jws_keys_free(&ks);
		return 1;
	}
	e = fleet_cmd_check(&ks, msg, len, site, device, now_wall_ms() / 1000,
	    &c);
	if (e == FLEET_OK)
		printf("ok id %s op %s args %s\n", c.id, c.op, c.args);
	else if (c.id[0] != '\0')
		printf("refused %s: %s (id %s)\n", fleet_err_name(e), c.why,
		    c.id);
	else
		printf("refused %s: %s\n", fleet_err_name(e), c.why);
	fleet_cmd_free(&c);
	free(msg);
	jws_keys_free(&ks);
	return e == FLEET_OK ? 0 : 1;
}

int
ctl_fleet(const char *bridge_db, int argc, char *argv[])
{
	static const char *const central[] = { "send", "ls", "show",
	    "status" };
	size_t i;

	for (i = 0; argc >= 2 && i < nitems(central); i++)
		if (strcmp(argv[1], central[i]) == 0)
			return fleet_central(bridge_db, argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "keygen") == 0)
		return fleet_keygen(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "sign") == 0)
		return fleet_sign(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "verify") == 0)
		return fleet_verify(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "sign-set") == 0)
		return fleet_sign_set(argc - 1, argv + 1);
	return fleet_usage();
}

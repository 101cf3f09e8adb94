/*
 * Fleet commands (docs/fleet.md): a JWS (jws.h) whose payload is
 * {"id","iat","exp","aud","op","args"}. Built and signed by pouctl,
 * checked here for the agent: signature, lifetime, audience, op and its
 * args. Whether the id was seen before is the store's to say.
 */
#ifndef POU_FLEETCMD_H
#define POU_FLEETCMD_H

#include <stdint.h>

#include "jws.h"

#define FLEET_ID_MAX		64	/* [A-Za-z0-9._:-], 1 to 64 */
#define FLEET_SKEW_S		300	/* an iat this far ahead is a clock's */
#define FLEET_LIFETIME_MAX_S	(90 * 86400)	/* exp - iat at most */
#define FLEET_CONFIG_KEYS	16	/* keys one config command sets */
#define FLEET_CONFIG_KEY	64	/* "section.key" and its NUL */
#define FLEET_PARTS_MAX		10000	/* parts of one reference set */

/* Why a command is refused, as its result's "error" says (fleet_err_name). */
enum fleet_err {
	FLEET_OK,
	FLEET_TOO_BIG,
	FLEET_MALFORMED,
	FLEET_BAD_ALG,
	FLEET_UNKNOWN_KEY,
	FLEET_BAD_SIGNATURE,
	/* id, iat, exp, aud, op or args missing or bad */
	FLEET_BAD_CLAIMS,
	FLEET_EXPIRED,
	FLEET_NOT_YET_VALID,	/* iat ahead of this clock by over the skew */
	FLEET_TOO_LONG_LIVED,
	FLEET_WRONG_AUDIENCE,
	FLEET_UNKNOWN_OP,
	FLEET_BAD_ARGS,
	FLEET_REPLAYED,		/* the store has seen the id */
	FLEET_ERR_COUNT
};

const char *fleet_err_name(enum fleet_err);

/* One checked command. */
struct fleet_cmd {
	char	 id[FLEET_ID_MAX + 1];
	int64_t	 iat, exp;	/* seconds since the epoch */
	char	 op[16];
	char	*args;		/* the args object as JSON; owned */
	char	 why[160];	/* the refusal's detail for the result */
};

/* The ops a cart obeys, by name; -1 for none. */
int	fleet_op(const char *name);
const char *fleet_op_name(int op);
int	fleet_op_count(void);

/*
 * Checks msg for the device site/device at now_s: signed by one of keys,
 * live, addressed to it ("*", its site, or "site/device"), a known op
 * with good args. On FLEET_OK c holds the command (fleet_cmd_free() it);
 * otherwise c->why says why, and c->id is filled when the payload named
 * one, so a refusal can be reported against it.
 */
enum fleet_err fleet_cmd_check(const struct jws_keys *keys, const char *msg,
	    size_t len, const char *site, const char *device, int64_t now_s,
	    struct fleet_cmd *c);
void	fleet_cmd_free(struct fleet_cmd *);

/* Whether aud (a JSON array of targets) names site/device. */
int	fleet_aud_names(const char *aud_json, const char *site,
	    const char *device);
/* A command's claims read WITHOUT its signature checked (for routing
 * only): c's id, op, iat, exp, and *aud_json (the caller frees it). */
enum fleet_err fleet_cmd_peek(const char *msg, size_t len,
	    struct fleet_cmd *c, char **aud_json);

/* The payload for a new command: id, now, now + ttl_s, aud (a JSON array
 * of targets), op, args (a JSON object); NULL when one is bad, with why. */
char	*fleet_cmd_payload(const char *id, int64_t now_s, int64_t ttl_s,
	    const char *aud_json, const char *op, const char *args_json,
	    char *why, size_t len);

#endif

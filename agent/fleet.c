/*
 * Fleet commands at the cart (docs/fleet.md). A command off the cmd topics
 * is checked (fleetcmd.c) and taken into the store as received, or refused;
 * the loop then runs one waiting command at a time (received -> executing
 * -> successful | failed, each a durable transition with its result) and
 * sends one result at a time, dropped from the store's queue only once the
 * broker has it. Nothing here waits on the network, and scanning never
 * waits on a command for longer than one op's step.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "fleetcmd.h"
#include "log.h"
#include "util.h"
#include "wire.h"

#define FLEET_IDLE_MS	1000	/* a look at the queues with nothing known */
#define FLEET_PRUNE_S	86400	/* ids kept a day past their exp */
#define FLEET_PRUNE_MS	3600000	/* looked for hourly */

int
fleet_load_keys(struct agent *a)
{
	char list[sizeof(a->conf.fleet_keys)], *path, *save = NULL;
	struct jws_keys *ks = &a->fleet.keys;
	int bad = 0;

	jws_keys_free(ks);
	snprintf(list, sizeof(list), "%s", a->conf.fleet_keys);
	for (path = strtok_r(list, " \t", &save); path != NULL;
	    path = strtok_r(NULL, " \t", &save)) {
		if (ks->n == JWS_KEYS_MAX) {
			log_warnx("fleet: %s: over %d keys; left out", path,
			    JWS_KEYS_MAX);
			bad++;
		} else if ((ks->k[ks->n] = jws_key_load(path)) == NULL)
			bad++;		/* said by jws_key_load */
		else
			log_info("fleet: key %s from %s", jws_key_kid(
			    ks->k[ks->n++]), path);
	}
	return bad;
}

/* A result now, outside the store's queue: a refusal with no id to keep. */
static void
fleet_say(struct agent *a, const char *id, const char *error,
    const char *detail)
{
	struct wire_result r = { id, "failed", error, detail, "",
		now_wall_ms() };
	char *p = wire_result_encode(&r);

	if (p != NULL)
		uplink_result_send(a->uplink, 0, p);
	free(p);
}

#define FLEET_DROP_WARN_MS	60000

static void	fleet_check(struct agent *, const char *payload, size_t len);

/*
 * Off the wire, a command is only kept (copied): checking a signature and
 * committing its state wait for the loop's next turns, one per turn, so a
 * burst of commands never holds a scan for more than one of them.
 */
static void
fleet_message(void *arg, const char *payload, size_t len)
{
	struct agent *a = arg;
	struct fleet *f = &a->fleet;
	int i;

	f->work = 1;
	if (len > JWS_MAX) {		/* refused unread, never kept */
		fleet_check(a, payload, len);
		return;
	}
	if (f->in_n == FLEET_INBOX) {
		f->dropped++;
		if (now_mono_ms() - f->dropped_warned_ms >=
		    FLEET_DROP_WARN_MS) {
			f->dropped_warned_ms = now_mono_ms();
			log_warnx("fleet: commands arrive faster than they are "
			    "read: %lu dropped so far (the bridge sends a "
			    "cart's commands again when it comes online)",
			    f->dropped);
		}
		return;
	}
	i = (f->in_head + f->in_n) % FLEET_INBOX;
	if ((f->inbox[i].p = malloc(len + 1)) == NULL)
		return;
	memcpy(f->inbox[i].p, payload, len);
	f->inbox[i].p[len] = '\0';
	f->inbox[i].len = len;
	f->in_n++;
}

/* The oldest command off the wire, checked and taken or refused: 1, or 0
 * when there was none. */
static int
fleet_read_one(struct agent *a)
{
	struct fleet *f = &a->fleet;
	int i = f->in_head;

	if (f->in_n == 0)
		return 0;
	fleet_check(a, f->inbox[i].p, f->inbox[i].len);
	free(f->inbox[i].p);
	f->inbox[i].p = NULL;
	f->in_head = (i + 1) % FLEET_INBOX;
	f->in_n--;
	return 1;
}

static void
fleet_check(struct agent *a, const char *payload, size_t len)
{
	struct fleet_cmd c;
	struct store_cmd sc;
	enum fleet_err e;
	int rc;

	e = fleet_cmd_check(&a->fleet.keys, payload, len, a->conf.site,
	    a->conf.device, now_wall_ms() / 1000, &c);
	memset(&sc, 0, sizeof(sc));
	snprintf(sc.id, sizeof(sc.id), "%s", c.id);
	snprintf(sc.op, sizeof(sc.op), "%s", c.op);
	sc.args = c.args;
	sc.exp = c.exp;
	if (e != FLEET_OK) {
		log_warnx("fleet: command %s refused: %s: %s", c.id[0] ? c.id :
		    "(no id)", fleet_err_name(e), c.why);
		/* A signed id is spent: a resend is a replay. */
		rc = c.id[0] ? store_cmd_refused(a->store, &sc,
		    fleet_err_name(e), c.why) : -EINVAL;
		if (rc != 0)
			fleet_say(a, c.id, rc == -EEXIST ? "replayed" :
			    fleet_err_name(e), rc == -EEXIST ? "this id was "
			    "seen before" : c.why);
	} else if ((rc = store_cmd_add(a->store, &sc)) == -EEXIST) {
		log_warnx("fleet: command %s refused: replayed", c.id);
		fleet_say(a, c.id, "replayed", "this id was seen before");
	} else if (rc != 0)
		log_warnx("fleet: command %s not taken: %s; the bridge sends "
		    "it again", c.id, strerror(-rc));
	else
		log_info("fleet: command %s %s received", c.id, c.op);
	fleet_cmd_free(&c);
}

int
fleet_start(struct agent *a)
{
	int bad = fleet_load_keys(a);

	if (a->fleet.keys.n == 0) {
		log_info("fleet: no [fleet] keys; commands are not taken");
		uplink_on_command(a->uplink, NULL, NULL);
	} else
		uplink_on_command(a->uplink, fleet_message, a);
	a->fleet.work = 1;
	return bad;
}

void
fleet_stop(struct agent *a)
{
	jws_keys_free(&a->fleet.keys);
	while (a->fleet.in_n > 0) {
		free(a->fleet.inbox[a->fleet.in_head].p);
		a->fleet.in_head = (a->fleet.in_head + 1) % FLEET_INBOX;
		a->fleet.in_n--;
	}
}

int
fleet_timeout(struct agent *a, int64_t now)
{
	if (a->fleet.work)
		return 0;
	return a->fleet.next_ms > now ? (int)(a->fleet.next_ms - now) : 0;
}

static void
fleet_logged(const char *id, const char *state, const char *error)
{
	log_info("fleet: command %s %s%s%s", id, state, error[0] ? ": " : "",
	    error);
}

/* 0, or -1 when the store cannot take it (it is tried again later). */
static int
fleet_transition(struct agent *a, const char *id, const char *state,
    const char *error, const char *detail, const char *data)
{
	int rc = store_cmd_transition(a->store, id, state, error, detail,
	    data);

	if (rc != 0) {
		log_warnx("fleet: command %s: cannot record %s (%s); tried "
		    "again", id, state, strerror(-rc));
		return -1;
	}
	fleet_logged(id, state, error);
	return 0;
}

/* Runs c (executing) to its end: successful or failed (0), or 1 while
 * it still runs (a restart, a configuration on trial); -1: not recorded. */
static int
fleet_exec(struct agent *a, const struct store_cmd *c)
{
	char error[24], detail[160], *data = NULL;
	int rc = fleet_run(a, c, error, sizeof(error), detail, sizeof(detail),
	    &data);

	utf8_clip(detail);	/* a row's text cut at 159 bytes */
	if (rc == FLEET_RECORDED) {
		fleet_logged(c->id, error[0] ? "failed" : "successful", error);
		rc = 0;
	} else if (rc <= 0)
		rc = fleet_transition(a, c->id, rc == 0 ? "successful" :
		    "failed", error, detail, data ? data : "");
	free(data);
	return rc;
}

/*
 * The oldest waiting command, in one step: 1 when there may be more. One
 * found executing was cut short (kill -9, a power cut) or is the restart
 * that stopped the agent: the restart is done; every other op is run
 * again, as each applies whole or not at all.
 */
static int
fleet_step(struct agent *a)
{
	struct store_cmd c;
	int rc;

	if ((rc = store_cmd_next(a->store, &c)) <= 0)
		return rc;
	if (strcmp(c.state, "executing") == 0 && strcmp(c.op, "restart") == 0)
		rc = fleet_transition(a, c.id, "successful", "", "restarted",
		    "");
	else if (strcmp(c.state, "executing") == 0)
		rc = fleet_exec(a, &c);
	else if (c.exp <= now_wall_ms() / 1000)
		rc = fleet_transition(a, c.id, "failed", "expired", "its exp "
		    "passed before it ran", "");
	else if ((rc = fleet_transition(a, c.id, "executing", "", "",
	    "")) == 0)
		rc = fleet_exec(a, &c);
	store_cmd_release(&c);
	/* A store that cannot take it, or an op that waits: not again at
	 * once, but after a while. */
	return rc != 0 || a->fleet.restart ? 0 : 1;
}

/* The oldest result still to send, unless one is in flight. */
static void
fleet_report(struct agent *a)
{
	struct store_result r;
	struct wire_result w;
	char *p;
	int rc;

	if (!uplink_online(a->uplink) || (rc = store_result_next(a->store,
	    &r)) <= 0)
		return;
	w = (struct wire_result){ r.id, r.state, r.error, r.detail, r.data,
		r.at_ms };
	if ((p = wire_result_encode(&w)) == NULL) {
		log_warnx("fleet: result %lld of %s cannot be encoded; "
		    "dropped", (long long)r.n, r.id);
		store_result_done(a->store, r.n);
	} else
		uplink_result_send(a->uplink, r.n, p);	/* -EBUSY: later */
	free(p);
	store_result_release(&r);
}

void
fleet_tick(struct agent *a, int64_t now)
{
	int64_t n;

	/* The broker has the result in flight: drop it, send the next. */
	if ((n = uplink_result_done(a->uplink)) != 0) {
		store_result_done(a->store, n);
		a->fleet.work = 1;
	}
	if (!a->fleet.work && now < a->fleet.next_ms)
		return;
	/* One thing per turn: a command read, else a step of one run. */
	if (fleet_read_one(a))
		a->fleet.work = 1;
	else
		a->fleet.work = fleet_step(a) > 0;
	fleet_report(a);
	a->fleet.next_ms = now + FLEET_IDLE_MS;
	if (now >= a->fleet.prune_ms) {
		store_cmd_prune(a->store, now_wall_ms() / 1000 - FLEET_PRUNE_S);
		a->fleet.prune_ms = now + FLEET_PRUNE_MS;
	}
}

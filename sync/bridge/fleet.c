/*
 * The fleet at the bridge: the registry of carts kept from their retained
 * status and their telemetry; each cart's command results stored once per
 * state; the commands pouctl fleet send put in the database published to
 * the carts they name; and, when a cart comes online, every live command
 * naming it that it has not finished sent to it again (a cart refuses what
 * it has seen by id, so a resend is harmless). The bridge never verifies
 * or signs: only carts obey, and only what IT signed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <mosquitto.h>

#include "bridge.h"
#include "db.h"
#include "fleetcmd.h"
#include "log.h"
#include "mqttc.h"
#include "util.h"
#include "wire.h"

struct fleet_send {
	struct db	*db;
	struct mqttc	*mq;
	const char	*site, *device;	/* a cart's resend; NULL: all named */
	int		 sent, failed;
};

static void
publish(struct fleet_send *f, const char *site, const char *device,
    const char *jws)
{
	char topic[160];

	if (wire_topic(topic, sizeof(topic), site, device, "cmd") == 0 &&
	    mqttc_publish(f->mq, topic, jws, strlen(jws), 1, false, NULL) == 0)
		f->sent++;
	else
		f->failed++;
}

/* The sites the registry knows, for a command to "*". */
static void
each_site(void *arg, const char *const *col, int n)
{
	struct fleet_send *f = arg;

	(void)n;
	publish(f, col[0], "all", f->device);
}

/* One of aud's targets: "*" every known site's all/cmd, a site its
 * all/cmd, site/device the cart's cmd. */
static void
publish_target(struct fleet_send *f, const char *t, const char *jws)
{
	char site[WIRE_ID_MAX];
	const char *slash = strchr(t, '/');

	if (strcmp(t, "*") == 0) {
		f->device = jws;	/* each_site's payload */
		db_rows_sites(f->db, each_site, f);
		f->device = NULL;
	} else if (slash == NULL)
		publish(f, t, "all", jws);
	else if ((size_t)(slash - t) < sizeof(site)) {
		snprintf(site, sizeof(site), "%.*s", (int)(slash - t), t);
		publish(f, site, slash + 1, jws);
	}
}

/* A command not yet published: to every target of its aud. */
static void
send_unsent(void *arg, const char *const *col, int n)
{
	struct fleet_send *f = arg;
	json_t *aud = json_loads(col[1], 0, NULL), *t;
	size_t i;

	(void)n;
	f->failed = 0;
	json_array_foreach(aud, i, t)
		if (json_is_string(t))
			publish_target(f, json_string_value(t), col[2]);
	json_decref(aud);
	/* A publish that failed: the whole command again in a second. */
	if (f->failed == 0) {
		db_fleet_sent(f->db, col[0], now_wall_ms());
		log_info("fleet: command %s published", col[0]);
	}
}

void
fleet_publish_new(struct db *db, struct mqttc *mq)
{
	struct fleet_send f = { db, mq, NULL, NULL, 0, 0 };

	if (mqttc_online(mq))
		db_fleet_unsent(db, send_unsent, &f);
}

static void
resend_one(void *arg, const char *const *col, int n)
{
	struct fleet_send *f = arg;

	(void)n;
	if (fleet_aud_names(col[1], f->site, f->device))
		publish(f, f->site, f->device, col[2]);
}

void
fleet_cart_online(struct db *db, struct mqttc *mq, const char *site,
    const char *device)
{
	struct fleet_send f = { db, mq, site, device, 0, 0 };

	db_fleet_pending(db, device, now_wall_ms() / 1000, resend_one, &f);
	if (f.sent > 0)
		log_info("fleet: %s/%s online: %d commands sent again", site,
		    device, f.sent);
}

void
fleet_status(struct db *db, const struct wire_topic *t,
    const struct wire_status *ws)
{
	db_device_status(db, t->device, t->site, ws->state, ws->epoch,
	    ws->version, now_wall_ms());
}

void
fleet_telemetry(struct db *db, const struct wire_topic *t,
    const struct mosquitto_message *msg)
{
	char *p;

	/* Kept as sent, if it is a JSON object (pouctl fleet reads it). */
	if ((p = wire_object_text(msg->payload, (size_t)msg->payloadlen)) ==
	    NULL) {
		log_warnx("fleet: %s/%s: telemetry that is no JSON object "
		    "ignored", t->site, t->device);
		return;
	}
	db_device_telemetry(db, t->device, t->site, p, now_wall_ms());
	free(p);
}

/* The cart's retained alarm message: its "alarms" array, kept whole. */
void
fleet_alarms(struct db *db, const struct wire_topic *t,
    const struct mosquitto_message *msg)
{
	json_t *j = json_loadb(msg->payload, (size_t)msg->payloadlen, 0, NULL);
	json_t *list = json_object_get(j, "alarms");
	char *p = json_is_array(list) ? json_dumps(list, JSON_COMPACT) :
	    msg->payloadlen == 0 ? strdup("[]") : NULL;	/* cleared */

	if (p == NULL)
		log_warnx("fleet: %s/%s: an alarm message with no alarms "
		    "list ignored", t->site, t->device);
	else
		db_device_alarms(db, t->device, t->site, p, now_wall_ms());
	free(p);
	json_decref(j);
}

void
fleet_result(struct db *db, const struct wire_topic *t,
    const struct mosquitto_message *msg)
{
	struct wire_result_in r;
	char err[160];

	if (wire_result_decode(msg->payload, (size_t)msg->payloadlen, &r, err,
	    sizeof(err)) != 0) {
		log_warnx("fleet: %s/%s: bad result ignored: %s", t->site,
		    t->device, err);
		return;
	}
	/* A replay's refusal says nothing new of the command it repeats. */
	if (r.id[0] != '\0' && strcmp(r.error, "replayed") != 0)
		db_fleet_result(db, t->device, r.id, r.state, r.error,
		    r.detail, r.data, r.at_ms, now_wall_ms());
	else if (r.id[0] == '\0')
		log_warnx("fleet: %s/%s refused a command: %s: %s", t->site,
		    t->device, r.error, r.detail);
	free(r.data);
}

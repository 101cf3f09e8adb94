/*
 * The agent's uplink: unacked events from the store, in seq order, in
 * batches over MQTT; released only by the bridge's end-to-end ack, never by
 * a PUBACK. A bounded window of events is in flight; no ack progress for
 * ack_timeout_ms means resend from the last ack. Acks also show when either
 * side went back in time: a bridge mark past the store's counter (the
 * store rolled back: a new epoch), or an ack below what was acked before
 * (the bridge lost events: they are sent again from the store, and what
 * the store no longer holds is named gone).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <mosquitto.h>

#include "log.h"
#include "mqttc.h"
#include "store.h"
#include "uplink.h"
#include "util.h"
#include "wire.h"

struct uplink {
	struct uplink_conf	 c;
	struct store		*store;
	struct mqttc		*mq;
	int64_t			 acked_upto;	/* what we send after */
	int64_t			 acked_mark;	/* the highest ever acked */
	int64_t			 sent_upto;
	int64_t			 gone;		/* seqs named gone this run */
	struct store_rollback	 back;		/* a rollover still to make */
	int			 back_pending;
	int64_t			 back_retry_ms;
	int64_t			 back_warned_ms;	/* a failed ack mark */
	/* 0: nothing outstanding */
	int64_t			 ack_deadline_ms;
	/* the last replay the bridge asked */
	int64_t			 replay_from;
	int64_t			 replay_ms;	/* when */
	struct event		*batch;
	int64_t			 started_ms;
	/* 0: as soon as online */
	int64_t			 next_telemetry_ms;
	char			 sal_epoch[WIRE_ID_MAX];
	/* salvage batch in flight; 0: none */
	int64_t			 sal_upto;
	int64_t			 sal_deadline_ms;
	char			*alarms_sent;	/* the retained alarm payload */
	char			 boot[40];
	char			 t_events[160], t_ack[160], t_status[160];
	char			 t_telemetry[160], t_alarm[160];
	char			 t_cmd[160], t_site_cmd[160], t_result[160];
	uplink_command_fn	 cmd_fn;	/* NULL: no commands taken */
	void			*cmd_arg;
	/* the result in flight; 0: none */
	int64_t			 res_n;
	int			 res_mid;
	/* its PUBACK came: for the caller */
	int64_t			 res_done;
};

static void	uplink_alarms(struct uplink *, int force);
static int	uplink_roll(struct uplink *);

/* A batch stamped with this device's clocks, so the bridge can check them,
 * and (mark non-NULL) with what it was acked and no longer holds. */
static char *
uplink_encode(struct uplink *u, const char *epoch, int n,
    const struct wire_mark *mark)
{
	struct wire_clock c = { now_wall_ms(), "", now_boot_ms() };

	memcpy(c.boot, u->boot, sizeof(c.boot));
	return wire_batch_encode(epoch, u->batch, n, &c, mark);
}

/*
 * Rows salvaged from a damaged store go up first, one batch at a time,
 * under their old epoch; the bridge stores what it lacks and its ack
 * (stored = the batch's last seq, even past a hole it can never fill)
 * releases them.
 */
static void
uplink_salvage_kick(struct uplink *u)
{
	int n, rc;
	char *p;

	if (u->sal_upto > 0)
		return;
	if ((n = store_salvage_read(u->store, u->sal_epoch,
	    sizeof(u->sal_epoch), u->batch, (int)u->c.batch_max)) <= 0)
		return;
	if ((p = uplink_encode(u, u->sal_epoch, n, NULL)) == NULL)
		return;
	rc = mqttc_publish(u->mq, u->t_events, p, strlen(p), 1, false, NULL);
	free(p);
	if (rc == 0) {
		log_info("uplink: salvaged %s:%lld..%lld sent", u->sal_epoch,
		    (long long)u->batch[0].seq, (long long)u->batch[n - 1].seq);
		u->sal_upto = u->batch[n - 1].seq;
		u->sal_deadline_ms = now_mono_ms() + u->c.ack_timeout_ms;
	}
}

static void
uplink_salvage_acked(struct uplink *u, const struct wire_ack *a)
{
	int64_t upto = a->stored == u->sal_upto && a->upto < a->stored ?
	    a->stored : a->upto;

	/* Only what this batch carried: rows after it were not sent yet,
	 * though the bridge's prefix may cover their seqs. */
	if (upto > u->sal_upto)
		upto = u->sal_upto;
	/* Other content under those seqs: they were recorded after the
	 * store went back; they go up again under this epoch (kept, and
	 * sent again, until that works). */
	if (a->conflict > 0 && store_salvage_adopt(u->store, a->epoch,
	    a->conflict) < 0)
		return;
	if (store_salvage_release(u->store, a->epoch, upto) != 0)
		return;
	if (upto >= u->sal_upto) {
		u->sal_upto = 0;
		uplink_kick(u);
	}
}

/*
 * Below the mark (the bridge lost what it had acked) the store may no
 * longer hold every seq: the range it lacks goes up as gone, once.
 */
static void
uplink_gone(struct uplink *u, int n, struct wire_mark *m)
{
	int64_t next = u->sent_upto + 1;

	m->acked = u->acked_mark;
	m->gone_from = m->gone_to = 0;
	if (next > u->acked_mark || (n > 0 && u->batch[0].seq == next))
		return;
	m->gone_from = next;
	m->gone_to = n > 0 ? u->batch[0].seq - 1 : u->acked_mark;
}

static void
uplink_gone_noted(struct uplink *u, const struct wire_mark *m)
{
	char detail[160];

	if (m->gone_from == 0)
		return;
	u->gone += m->gone_to - m->gone_from + 1;
	log_warnx("uplink: alarm: seqs %lld..%lld, which the bridge lost, are "
	    "no longer in this store either: named gone", (long long)
	    m->gone_from, (long long)m->gone_to);
	snprintf(detail, sizeof(detail), "{\"epoch\":\"%s\",\"acked\":%lld,"
	    "\"gone\":%lld}", store_epoch(u->store), (long long)u->acked_mark,
	    (long long)u->gone);
	store_alarm_set(u->store, "bridge_lost", detail, now_wall_ms());
	uplink_alarms(u, 0);
}

/* One batch from sent_upto on; 0 when sent, -1 when nothing (more) went. */
static int
uplink_send_one(struct uplink *u, int max)
{
	struct wire_mark m;
	int n, rc;
	char *p;

	if ((n = store_read(u->store, u->sent_upto, u->batch, max)) < 0)
		return -1;
	uplink_gone(u, n, &m);
	if (n == 0 && m.gone_from == 0)
		return -1;
	if ((p = uplink_encode(u, store_epoch(u->store), n, &m)) == NULL)
		return -1;
	rc = mqttc_publish(u->mq, u->t_events, p, strlen(p), 1, false, NULL);
	free(p);
	if (rc != 0)
		return -1;
	uplink_gone_noted(u, &m);
	u->sent_upto = n > 0 ? u->batch[n - 1].seq : m.gone_to;
	log_debug("uplink: sent ..%lld", (long long)u->sent_upto);
	if (u->ack_deadline_ms == 0)
		u->ack_deadline_ms = now_mono_ms() + u->c.ack_timeout_ms;
	return 0;
}

void
uplink_kick(struct uplink *u)
{
	int max;

	if (!mqttc_online(u->mq))
		return;
	uplink_salvage_kick(u);		/* beside new events, not before */
	if (u->back_pending && (now_mono_ms() < u->back_retry_ms ||
	    uplink_roll(u) != 0))
		return;
	while (mqttc_online(u->mq) && u->sent_upto - u->acked_upto <
	    u->c.window) {
		max = (int)(u->c.window - (u->sent_upto - u->acked_upto));
		if (max > u->c.batch_max)
			max = (int)u->c.batch_max;
		if (uplink_send_one(u, max) != 0)
			return;
	}
}

/*
 * The bridge lacks replay and what follows: resend from there, once per
 * ack timeout for the same seq (its acks keep asking until it is filled).
 */
static void
uplink_replay(struct uplink *u, int64_t replay)
{
	int64_t now = now_mono_ms();

	if (replay > u->sent_upto || (replay == u->replay_from &&
	    now - u->replay_ms < u->c.ack_timeout_ms))
		return;
	log_info("uplink: the bridge asks for a replay from seq %lld",
	    (long long)replay);
	u->replay_from = replay;
	u->replay_ms = now;
	u->sent_upto = replay - 1 < u->acked_upto ? u->acked_upto : replay - 1;
}

/* Whatever was in flight is unknown now: resend from the last ack. */
static void
uplink_restart(struct uplink *u)
{
	u->sent_upto = u->acked_upto;
	u->ack_deadline_ms = 0;
}

static void
uplink_birth(struct uplink *u)
{
	char *p;

	if ((p = wire_status_encode("online", store_epoch(u->store),
	    POU_VERSION)) != NULL)
		mqttc_publish(u->mq, u->t_status, p, strlen(p), 1, true, NULL);
	free(p);
}

#define BACK_RETRY_MS	1000	/* a rollover that failed is tried again */

/* The new epoch; 0, or -1 while it cannot be made (nothing more of the
 * old epoch is sent meanwhile, and it is tried again). */
static int
uplink_roll(struct uplink *u)
{
	struct store_rollover r;

	if (store_rollover(u->store, &u->back, &r) != 0) {
		u->back_pending = 1;
		u->back_retry_ms = now_mono_ms() + BACK_RETRY_MS;
		return -1;
	}
	u->back_pending = 0;
	u->acked_upto = u->acked_mark = 0;
	uplink_restart(u);
	/* the old epoch's unacked ones are salvage now */
	u->sal_upto = 0;
	uplink_birth(u);
	uplink_alarms(u, 0);
	uplink_kick(u);
	return 0;
}

/*
 * The bridge holds seqs of this epoch past the store's own counter, or
 * other content under a seq it sent: the store went back in time. From
 * the conflict on, its events were recorded after that: a new epoch.
 */
static int
uplink_store_back(struct uplink *u, const struct wire_ack *a,
    int64_t last_seq)
{
	struct store_rollback why = { "bridge", a->conflict ? a->conflict :
		last_seq + 1, 0, a->held > a->upto ? a->held : a->upto };

	if (u->back_pending)
		return 1;
	if (a->conflict == 0 && why.bridge_held <= last_seq)
		return 0;
	u->back = why;
	uplink_roll(u);
	return 1;
}

/* An ack below what was acked before: the bridge lost events. */
static void
uplink_bridge_back(struct uplink *u, const struct wire_ack *a)
{
	char detail[160];

	log_warnx("uplink: alarm: the bridge acks up to %lld but had acked "
	    "%lld: it lost events; sending them again from this store",
	    (long long)a->upto, (long long)u->acked_upto);
	snprintf(detail, sizeof(detail), "{\"epoch\":\"%s\",\"acked\":%lld,"
	    "\"bridge_upto\":%lld,\"gone\":%lld}", a->epoch,
	    (long long)u->acked_mark, (long long)a->upto, (long long)u->gone);
	store_alarm_set(u->store, "bridge_lost", detail, now_wall_ms());
	uplink_alarms(u, 0);
	u->acked_upto = a->upto;
	uplink_restart(u);
}

/* The store keeps the mark; when it cannot (a full disk), memory does:
 * a lost mark only means a resend, which the bridge dedups. */
static void
uplink_acked(struct uplink *u, int64_t upto)
{
	int rc;

	if ((rc = store_ack(u->store, upto, now_wall_ms())) != 0 &&
	    now_mono_ms() - u->back_warned_ms >= 60000) {
		u->back_warned_ms = now_mono_ms();
		log_warnx("uplink: the ack up to %lld is not written to the "
		    "store (%s); it holds in memory", (long long)upto,
		    strerror(-rc));
	}
	u->acked_upto = upto;
	if (upto > u->acked_mark)
		u->acked_mark = upto;
	if (u->sent_upto < upto)
		u->sent_upto = upto;
	u->ack_deadline_ms = u->sent_upto > u->acked_upto ?
	    now_mono_ms() + u->c.ack_timeout_ms : 0;
}

static void
uplink_on_ack(struct uplink *u, const struct wire_ack *a)
{
	struct store_stats ss;
	int64_t upto = a->upto;

	if (store_stats(u->store, &ss) != 0 ||
	    uplink_store_back(u, a, ss.last_seq))
		return;
	if (a->upto < u->acked_upto)
		uplink_bridge_back(u, a);
	if (a->replay > 0)
		uplink_replay(u, a->replay);
	/* Never past the batch the bridge just judged (stored; none for the
	 * answer to a birth) nor what this run sent: a seq not judged is not
	 * known to be the same at the bridge, whatever its prefix says. */
	if (upto > a->stored)
		upto = a->stored;
	if (upto > u->sent_upto)
		upto = u->sent_upto;
	if (upto > u->acked_upto)
		uplink_acked(u, upto);
	uplink_kick(u);
}

static void
uplink_on_message(void *arg, const struct mosquitto_message *msg)
{
	struct uplink *u = arg;
	struct wire_ack a;
	char err[160];

	if (strcmp(msg->topic, u->t_ack) != 0) {
		if (u->cmd_fn != NULL && (strcmp(msg->topic, u->t_cmd) == 0 ||
		    strcmp(msg->topic, u->t_site_cmd) == 0))
			u->cmd_fn(u->cmd_arg, msg->payload,
			    (size_t)msg->payloadlen);
		return;
	}
	if (wire_ack_decode(msg->payload, (size_t)msg->payloadlen, &a, err,
	    sizeof(err)) != 0) {
		log_warnx("uplink: bad ack ignored: %s", err);
		return;
	}
	if (u->sal_upto > 0 && strcmp(a.epoch, u->sal_epoch) == 0) {
		uplink_salvage_acked(u, &a);
		return;
	}
	if (strcmp(a.epoch, store_epoch(u->store)) != 0) {
		log_warnx("uplink: ack for epoch %s ignored (this store is %s)",
		    a.epoch, store_epoch(u->store));
		return;
	}
	uplink_on_ack(u, &a);
}

static void
uplink_alarm_add(void *arg, const char *kind, int64_t at_ms,
    const char *detail)
{
	json_t *o = json_loads(detail, 0, NULL);

	if (o == NULL || !json_is_object(o))
		o = json_pack("{s:s}", "text", detail);
	json_object_set_new(o, "kind", json_string(kind));
	json_object_set_new(o, "at", json_integer(at_ms));
	json_array_append_new(arg, o);
}

/* The alarms as one retained message, republished when they change. */
static void
uplink_alarms(struct uplink *u, int force)
{
	json_t *list = json_array(), *msg = json_object();
	char *p = NULL;

	if (list && msg &&
	    store_alarms(u->store, uplink_alarm_add, list) == 0) {
		json_object_set_new(msg, "v", json_integer(WIRE_VERSION));
		json_object_set(msg, "alarms", list);
		p = json_dumps(msg, JSON_COMPACT);
	}
	json_decref(list);
	json_decref(msg);
	if (p == NULL || (!force && u->alarms_sent &&
	    strcmp(p, u->alarms_sent) == 0) ||
	    mqttc_publish(u->mq, u->t_alarm, p, strlen(p), 1, true,
	    NULL) != 0) {
		free(p);
		return;
	}
	free(u->alarms_sent);
	u->alarms_sent = p;
}

static void
uplink_telemetry_driver(void *arg, const struct store_driver *d)
{
	struct telemetry *t = arg;

	if (t->ndrivers == TELEMETRY_DRIVERS)
		return;
	snprintf(t->drivers[t->ndrivers].name, sizeof(t->drivers[0].name), "%s",
	    d->name);
	snprintf(t->drivers[t->ndrivers].state, sizeof(t->drivers[0].state),
	    "%s", d->state);
	t->drivers[t->ndrivers].since_ms = d->since_ms;
	t->drivers[t->ndrivers].scans = d->scans;
	t->ndrivers++;
}

static void
uplink_telemetry(struct uplink *u, int64_t now)
{
	struct store_stats ss;
	struct telemetry t;
	char *p;

	memset(&t, 0, sizeof(t));
	if (store_stats(u->store, &ss) != 0)
		return;
	t.at_ms = now_wall_ms();
	t.uptime_s = (now - u->started_ms) / 1000;
	t.backlog = ss.unacked + ss.salvage;
	t.oldest_unacked_age_ms = ss.oldest_unacked_at_ms ?
	    t.at_ms - ss.oldest_unacked_at_ms : 0;
	t.last_acked_seq = ss.acked_upto;
	store_space(u->store, &t.store_bytes, &t.disk_free_bytes);
	t.clock_synced = clock_synced();
	memcpy(t.boot, u->boot, sizeof(t.boot));
	t.store_used_bytes = store_used(u->store);
	t.store_quota_bytes = u->c.quota_bytes;
	store_drivers(u->store, uplink_telemetry_driver, &t);
	store_ref_version(u->store, STORE_REF_CATALOG, t.catalog,
	    sizeof(t.catalog));
	store_ref_version(u->store, STORE_REF_RECALLS, t.recalls,
	    sizeof(t.recalls));
	if ((p = wire_telemetry_encode(&t)) != NULL)
		mqttc_publish(u->mq, u->t_telemetry, p, strlen(p), 0, false,
		    NULL);
	free(p);
	uplink_alarms(u, 0);
	u->next_telemetry_ms = now + u->c.telemetry_s * 1000;
}

void
uplink_telemetry_soon(struct uplink *u)
{
	u->next_telemetry_ms = 1;	/* due at once */
}

static void
uplink_on_online(void *arg)
{
	struct uplink *u = arg;

	mqttc_subscribe(u->mq, u->t_ack, 1);
	if (u->cmd_fn != NULL) {
		mqttc_subscribe(u->mq, u->t_cmd, 1);
		mqttc_subscribe(u->mq, u->t_site_cmd, 1);
	}
	u->res_n = 0;		/* what was in flight goes again */
	uplink_birth(u);
	uplink_alarms(u, 1);
	uplink_restart(u);
	u->sal_upto = 0;
	uplink_telemetry_soon(u);
	uplink_kick(u);
}

static void
uplink_on_state(void *arg, const char *state)
{
	struct uplink *u = arg;

	store_set_uplink(u->store, state, now_wall_ms());
}

static void
uplink_on_published(void *arg, int mid)
{
	struct uplink *u = arg;

	if (u->res_n != 0 && mid == u->res_mid) {
		u->res_done = u->res_n;
		u->res_n = 0;
	}
}

static int
uplink_connect_setup(struct uplink *u)
{
	char id[96], *will;
	struct mqttc_conf mc = {
		.host = u->c.host, .port = (int)u->c.port,
		.keepalive_s = (int)u->c.keepalive_s,
		.backoff_min_ms = u->c.backoff_min_ms,
		.backoff_max_ms = u->c.backoff_max_ms,
		.client_id = id, .will_topic = u->t_status,
		.cafile = u->c.cafile, .certfile = u->c.certfile,
		.keyfile = u->c.keyfile,
	};
	struct mqttc_cbs cb = { uplink_on_online, uplink_on_state,
		uplink_on_message, uplink_on_published, u };

	snprintf(id, sizeof(id), "pou-agent-%s", u->c.device);
	if ((will = wire_status_encode("offline", NULL, NULL)) == NULL)
		return -1;
	mc.will_payload = will;
	u->mq = mqttc_new(&mc, &cb);
	free(will);
	return u->mq ? 0 : -1;
}

struct uplink *
uplink_new(const struct uplink_conf *c, struct store *store)
{
	struct store_stats ss;
	struct uplink *u;

	if ((u = calloc(1, sizeof(*u))) == NULL)
		return NULL;
	u->c = *c;
	u->store = store;
	if ((u->batch = calloc((size_t)c->batch_max,
	    sizeof(*u->batch))) == NULL ||
	    store_stats(store, &ss) != 0 ||
	    wire_topic(u->t_events, sizeof(u->t_events), c->site, c->device,
	    "events") || wire_topic(u->t_ack, sizeof(u->t_ack), c->site,
	    c->device, "ack") || wire_topic(u->t_status, sizeof(u->t_status),
	    c->site, c->device, "status") || wire_topic(u->t_telemetry,
	    sizeof(u->t_telemetry), c->site, c->device, "telemetry") ||
	    wire_topic(u->t_alarm, sizeof(u->t_alarm), c->site, c->device,
	    "alarm") || wire_topic(u->t_cmd, sizeof(u->t_cmd), c->site,
	    c->device, "cmd") || wire_topic(u->t_site_cmd,
	    sizeof(u->t_site_cmd), c->site, "all", "cmd") ||
	    wire_topic(u->t_result, sizeof(u->t_result), c->site, c->device,
	    "result") ||
	    uplink_connect_setup(u) != 0) {
		uplink_free(u);
		return NULL;
	}
	u->acked_upto = u->acked_mark = u->sent_upto = ss.acked_upto;
	boot_id(u->boot);
	u->started_ms = now_mono_ms();
	store_set_uplink(store, "offline", now_wall_ms());
	return u;
}

void
uplink_free(struct uplink *u)
{
	if (u == NULL)
		return;
	mqttc_free(u->mq);
	free(u->alarms_sent);
	free(u->batch);
	free(u);
}

int64_t
uplink_acked_upto(const struct uplink *u)
{
	return u ? u->acked_upto : INT64_MAX;
}

int
uplink_online(const struct uplink *u)
{
	return mqttc_online(u->mq);
}

void
uplink_pollfd(struct uplink *u, struct pollfd *pfd)
{
	mqttc_pollfd(u->mq, pfd);
}

int
uplink_timeout(struct uplink *u, int64_t now)
{
	int t = mqttc_timeout(u->mq, now);

	if (u->sal_upto > 0 && mqttc_online(u->mq)) {
		int64_t a = u->sal_deadline_ms - now;

		if (a < t)
			t = a < 0 ? 0 : (int)a;
	}
	if (u->ack_deadline_ms != 0 && mqttc_online(u->mq)) {
		int64_t a = u->ack_deadline_ms - now;

		if (a < t)
			t = a < 0 ? 0 : (int)a;
	}
	if (mqttc_online(u->mq)) {
		int64_t m = u->next_telemetry_ms - now;

		if (m < t)
			t = m < 0 ? 0 : (int)m;
	}
	return t;
}

void
uplink_handle(struct uplink *u, short revents, int64_t now)
{
	mqttc_handle(u->mq, revents, now);
	if (!mqttc_online(u->mq)) {
		u->ack_deadline_ms = 0;
		return;
	}
	if (now >= u->next_telemetry_ms)
		uplink_telemetry(u, now);
	if (u->sal_upto > 0 && now >= u->sal_deadline_ms) {
		log_warnx("uplink: no ack for salvaged %s:..%lld; resending",
		    u->sal_epoch, (long long)u->sal_upto);
		u->sal_upto = 0;
		uplink_kick(u);
	}
	if (u->ack_deadline_ms != 0 && now >= u->ack_deadline_ms) {
		log_warnx("uplink: no ack for %lld ms; resending from seq %lld",
		    u->c.ack_timeout_ms, (long long)u->acked_upto + 1);
		uplink_restart(u);
		uplink_kick(u);
	}
}

void
uplink_on_command(struct uplink *u, uplink_command_fn fn, void *arg)
{
	u->cmd_fn = fn;
	u->cmd_arg = arg;
	if (fn != NULL && mqttc_online(u->mq)) {
		mqttc_subscribe(u->mq, u->t_cmd, 1);
		mqttc_subscribe(u->mq, u->t_site_cmd, 1);
	}
}

int
uplink_result_send(struct uplink *u, int64_t n, const char *payload)
{
	int rc;

	if (n != 0 && u->res_n != 0)
		return -EBUSY;
	rc = mqttc_publish(u->mq, u->t_result, payload, strlen(payload), 1,
	    false, n != 0 ? &u->res_mid : NULL);
	if (rc == 0 && n != 0)
		u->res_n = n;
	return rc;
}

int64_t
uplink_result_done(struct uplink *u)
{
	int64_t n = u->res_done;

	u->res_done = 0;
	return n;
}

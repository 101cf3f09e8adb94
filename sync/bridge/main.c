/*
 * pou-bridge: stores every device event once, acks it after the commit,
 * enriches it and fans it out through one outbox per destination.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <mosquitto.h>

#include "bridge.h"
#include "db.h"
#include "daemon.h"
#include "log.h"
#include "mqttc.h"
#include "util.h"

#define BRIDGE_CONF_DEFAULT	"/etc/pou/bridge.conf"
#define EVENTS_FILTER		"pou/v1/+/+/events"
#define STATUS_FILTER		"pou/v1/+/+/status"
#define TELEMETRY_FILTER	"pou/v1/+/+/telemetry"
#define RESULT_FILTER		"pou/v1/+/+/result"
#define ALARM_FILTER		"pou/v1/+/+/alarm"

struct bridge {
	struct bridge_conf	 conf;
	const char		*conf_path;
	struct db		*db;
	struct reference	*ref;
	struct ref_stamp	 stamp;		/* the files when last read */
	struct outbox		*out[DEST_COUNT];	/* NULL: none */
	struct ingest		*in;
	struct mqttc		*mq;
	unsigned long		 acks;
};

static void
bridge_on_online(void *arg)
{
	struct bridge *b = arg;

	mqttc_subscribe(b->mq, EVENTS_FILTER, 1);
	mqttc_subscribe(b->mq, STATUS_FILTER, 1);
	mqttc_subscribe(b->mq, TELEMETRY_FILTER, 0);
	mqttc_subscribe(b->mq, RESULT_FILTER, 1);
	mqttc_subscribe(b->mq, ALARM_FILTER, 1);
}

/* Only enrolled carts are in the registry; others are ingest's to refuse. */
static int
bridge_enrolled(struct bridge *b, const struct wire_topic *t)
{
	char site[WIRE_ID_MAX];

	return db_enrolment(b->db, t->device, site, sizeof(site)) ==
	    DB_ENROLLED && strcmp(site, t->site) == 0;
}

/*
 * A cart's birth is answered with what is held of its epoch, so that a
 * cart whose store went back in time learns it before its next scan, and
 * one whose events this database lost sends them again.
 */
static void
bridge_birth(struct bridge *b, const struct mosquitto_message *msg,
    const struct wire_topic *t)
{
	char err[160], topic[160], *ack;
	struct wire_status ws;
	struct wire_ack a;

	memset(&a, 0, sizeof(a));
	if (wire_status_decode(msg->payload, (size_t)msg->payloadlen, &ws, err,
	    sizeof(err)) != 0)
		return;
	fleet_status(b->db, t, &ws);	/* the registry shows the enrolment */
	if (!bridge_enrolled(b, t))
		return;
	if (strcmp(ws.state, "online") != 0 || ws.epoch[0] == '\0')
		return;
	fleet_cart_online(b->db, b->mq, t->site, t->device);
	memcpy(a.epoch, ws.epoch, sizeof(a.epoch));
	if (ingest_ack(b->in, t->site, t->device, &a, &ack, topic,
	    sizeof(topic)) == 0 && mqttc_publish(b->mq, topic, ack,
	    strlen(ack), 1, false, NULL) == 0)
		b->acks++;
	free(ack);
}

static void
bridge_on_message(void *arg, const struct mosquitto_message *msg)
{
	struct bridge *b = arg;
	char topic[160], *ack;
	struct wire_topic t;

	if (wire_topic_parse(msg->topic, &t) == 0 &&
	    strcmp(t.leaf, "status") == 0) {
		bridge_birth(b, msg, &t);
		return;
	}
	if (wire_topic_parse(msg->topic, &t) == 0 && strcmp(t.leaf,
	    "telemetry") == 0) {
		fleet_telemetry(b->db, &t, msg);	/* as status: all */
		return;
	}
	if (wire_topic_parse(msg->topic, &t) == 0 && strcmp(t.leaf,
	    "alarm") == 0) {
		fleet_alarms(b->db, &t, msg);		/* as status: all */
		return;
	}
	if (wire_topic_parse(msg->topic, &t) == 0 && strcmp(t.leaf,
	    "result") == 0) {
		if (bridge_enrolled(b, &t))
			fleet_result(b->db, &t, msg);
		return;
	}
	if (ingest_batch(b->in, msg->topic, msg->payload,
	    (size_t)msg->payloadlen, &ack, topic, sizeof(topic)) != 0)
		return;
	/* Only now, after the commit, may the device let go of them. */
	if (mqttc_publish(b->mq, topic, ack, strlen(ack), 1, false, NULL) == 0)
		b->acks++;
	free(ack);
}

/* An outbox for each destination the configuration gives a transport. */
static void
bridge_outputs(struct bridge *b)
{
	const char *name;
	int d;

	for (d = 0; d < DEST_COUNT; d++) {
		name = dests[d].output(&b->conf);
		if (strcmp(name, "none") == 0)
			continue;
		if ((b->out[d] = outbox_start(&b->conf, dests[d].name,
		    transport_lookup(name))) == NULL)
			fatalx("%s: cannot start the %s output", dests[d].name,
			    name);
	}
}

/* Records in the database which version of each file is in use. */
static void
bridge_ref_noted(struct bridge *b)
{
	int k;

	for (k = 0; k < REF_COUNT; k++)
		if (reference_loaded(b->ref, k)) {
			db_refdata_loaded(b->db, reference_kind_name(k),
			    reference_version(b->ref, k), reference_rows(b->ref,
			    k), reference_path(b->ref, k));
			log_info("reference: %s %s: %zu rows, version %.12s",
			    reference_kind_name(k), reference_path(b->ref, k),
			    reference_rows(b->ref, k), reference_version(b->ref,
			    k));
		}
}

static void
bridge_start(struct bridge *b)
{
	struct mqttc_conf mc = {
		.host = b->conf.mqtt_host, .port = (int)b->conf.mqtt_port,
		.keepalive_s = (int)b->conf.keepalive_s,
		.backoff_min_ms = b->conf.backoff_min_ms,
		.backoff_max_ms = b->conf.backoff_max_ms,
		.client_id = "pou-bridge",
		.cafile = b->conf.cafile, .certfile = b->conf.certfile,
		.keyfile = b->conf.keyfile,
	};
	struct mqttc_cbs cb = { bridge_on_online, NULL, bridge_on_message,
		NULL, b };
	int rc;

	if ((rc = db_open(b->conf.db_path, b->conf.sync_full ?
	    DB_SYNC_FULL : 0, &b->db)) != 0)
		fatalx("cannot open %s (%s)", b->conf.db_path, strerror(-rc));
	curl_global_init(CURL_GLOBAL_DEFAULT);	/* before the outbox threads */
	bridge_outputs(b);
	bridge_ref_noted(b);
	if ((b->in = ingest_new(b->db, b->ref, &b->conf, b->out)) == NULL)
		fatalx("out of memory");
	mosquitto_lib_init();
	if ((b->mq = mqttc_new(&mc, &cb)) == NULL)
		fatalx("cannot set up MQTT");
	log_info("started: store %s, billing %s, erp %s, export %s",
	    b->conf.db_path, b->conf.billing_output, b->conf.erp_output,
	    b->conf.export_output);
}

static void
bridge_reload(struct bridge *b)
{
	struct reference *ref;

	reference_stamp(&b->conf, &b->stamp);
	if ((ref = reference_load(&b->conf)) == NULL) {
		log_warnx("reload: the reference data has errors; keeping the "
		    "loaded set");
		return;
	}
	ingest_reference(b->in, ref);
	reference_free(b->ref);
	b->ref = ref;
	bridge_ref_noted(b);
}

/* A reference file replaced (pouctl refdata import): load the set again. */
static void
bridge_ref_poll(struct bridge *b)
{
	struct ref_stamp now;

	reference_stamp(&b->conf, &now);
	if (reference_stamp_differs(&now, &b->stamp))
		bridge_reload(b);
}

#define RELEASE_POLL_MS	1000	/* how often released exceptions are sent */

static void
bridge_loop(struct bridge *b)
{
	struct pollfd pfd;
	int64_t now, next_release = 0, next_wd = 0;
	int64_t wd_ms = daemon_watchdog_ms();
	int t;

	daemon_notify("READY=1");
	while (!daemon_quit) {
		if (daemon_reload) {
			daemon_reload = 0;
			bridge_reload(b);
		}
		now = now_mono_ms();
		mqttc_pollfd(b->mq, &pfd);
		t = mqttc_timeout(b->mq, now);
		if (t < 0 || t > RELEASE_POLL_MS)
			t = RELEASE_POLL_MS;
		if (poll(&pfd, 1, t) < 0 && errno != EINTR)
			fatal("poll");
		mqttc_handle(b->mq, pfd.fd >= 0 ? pfd.revents : 0,
		    now_mono_ms());
		/* pouctl releases held events in the db; send them on. */
		if ((now = now_mono_ms()) >= next_release) {
			next_release = now + RELEASE_POLL_MS;
			bridge_ref_poll(b);
			ingest_releases(b->in);
			fleet_publish_new(b->db, b->mq);
		}
		/* The loop turns: systemd's watchdog is fed (the outboxes'
		 * threads say their troubles in the db and the log). */
		if (wd_ms > 0 && now >= next_wd) {
			next_wd = now + wd_ms;
			daemon_notify("WATCHDOG=1");
		}
	}
	daemon_notify("STOPPING=1");
}

static void
bridge_stop(struct bridge *b)
{
	const struct ingest_stats *st = ingest_stats(b->in);
	int d;

	log_info("stopping: %lu batches, %lu new events, %lu resent, %lu "
	    "conflicts, %lu rejected, %lu unbilled, %lu acks", st->batches,
	    st->events_new, st->events_dup, st->conflicts, st->rejects,
	    st->unbilled, b->acks);
	mqttc_free(b->mq);
	mosquitto_lib_cleanup();
	for (d = 0; d < DEST_COUNT; d++)
		outbox_stop(b->out[d]);
	curl_global_cleanup();
	ingest_free(b->in);
	reference_free(b->ref);
	db_close(b->db);
}

int
main(int argc, char *argv[])
{
	struct daemon_opts o = { "pou-bridge", BRIDGE_CONF_DEFAULT,
		"the configuration and the reference data",
		"the reference data", 0, 0 };
	struct bridge b;
	int rc;

	if ((rc = daemon_args(argc, argv, &o)) >= 0)
		return rc;
	memset(&b, 0, sizeof(b));
	b.conf_path = o.conf_path;
	log_init("pou-bridge", o.verbose);
	if (o.check)
		log_plain();	/* -n: a person reads it */
	/* Every error in one pass: the configuration's, then its files'. */
	rc = bridge_conf_load(b.conf_path, &b.conf);
	reference_stamp(&b.conf, &b.stamp);
	b.ref = reference_load(&b.conf);
	if (rc != 0 || b.ref == NULL)
		fatalx("%s: %s", b.conf_path, rc != 0 && b.ref == NULL ?
		    "the configuration and the reference data have errors" :
		    rc != 0 ? "configuration has errors" :
		    "the reference data has errors");
	if (o.check) {
		printf("%s: configuration OK, %zu chargemaster lines, %zu "
		    "locations, %zu items\n", b.conf_path, reference_rows(b.ref,
		    REF_CHARGEMASTER), reference_rows(b.ref, REF_LOCATIONS),
		    reference_rows(b.ref, REF_ITEMS));
		reference_free(b.ref);
		return 0;
	}
	daemon_signals();
	bridge_start(&b);
	bridge_loop(&b);
	bridge_stop(&b);
	return 0;
}

/*
 * make bench's baseline for the drain: a plain libmosquitto program that
 * publishes the same events from an agent store one per message at QoS 1
 * (libmosquitto's defaults) and counts only the PUBACKed ones. Prints
 * "<events> <seconds>" on success.
 * usage: bench_mqtt_plain STORE PORT
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mosquitto.h>

#include "log.h"
#include "store.h"
#include "util.h"
#include "wire.h"

#define CHUNK	1000

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static long acked;

static void
on_publish(struct mosquitto *m, void *arg, int mid)
{
	(void)m, (void)arg, (void)mid;
	pthread_mutex_lock(&mu);
	acked++;
	pthread_cond_signal(&cv);
	pthread_mutex_unlock(&mu);
}

static long
publish_all(struct mosquitto *m, struct store *s)
{
	static struct event evs[CHUNK];
	int64_t after = 0;
	long sent = 0;
	int n, i;
	char *p;

	while ((n = store_read(s, after, evs, CHUNK)) > 0) {
		for (i = 0; i < n; i++) {
			if ((p = wire_batch_encode(store_epoch(s), &evs[i], 1,
			    NULL, NULL)) == NULL)
				return -1;
			if (mosquitto_publish(m, NULL,
			    "pou/v1/bench/plain/events", (int)strlen(p), p, 1,
			    false) == MOSQ_ERR_SUCCESS)
				sent++;
			free(p);
		}
		after = evs[n - 1].seq;
	}
	return sent;
}

int
main(int argc, char *argv[])
{
	struct mosquitto *m;
	struct store *s;
	int64_t t0;
	long sent;

	if (argc != 3) {
		fprintf(stderr, "usage: bench_mqtt_plain STORE PORT\n");
		return 2;
	}
	log_init("bench_mqtt_plain", 0);
	mosquitto_lib_init();
	if (store_open_existing(argv[1], 0, &s) != 0 ||
	    (m = mosquitto_new(NULL, true, NULL)) == NULL)
		return 1;
	mosquitto_publish_callback_set(m, on_publish);
	if (mosquitto_connect(m, "127.0.0.1", atoi(argv[2]), 60) != 0 ||
	    mosquitto_loop_start(m) != 0)
		return 1;
	t0 = now_mono_ms();
	if ((sent = publish_all(m, s)) < 0)
		return 1;
	pthread_mutex_lock(&mu);
	while (acked < sent)
		pthread_cond_wait(&cv, &mu);
	pthread_mutex_unlock(&mu);
	printf("%ld %.3f\n", acked, (double)(now_mono_ms() - t0) / 1000);
	mosquitto_disconnect(m);
	mosquitto_loop_stop(m, false);
	mosquitto_destroy(m);
	store_close(s);
	mosquitto_lib_cleanup();
	return 0;
}

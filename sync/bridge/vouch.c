/*
 * What a batch's topic must vouch for before anything in it is stored:
 * the device is enrolled (or, with enrol_first_seen, is enrolled now,
 * audited) at the topic's site, every event names that site, no seq runs
 * further past the prefix held than max_seq_jump, and seqs named gone are
 * within what the device says it was acked. The broker's TLS
 * and ACLs come first; this is the second defence.
 */
#include <stdio.h>
#include <string.h>

#include "bridge.h"
#include "db.h"
#include "log.h"

static int
vouch_device(struct db *d, const struct bridge_conf *c,
    const struct wire_topic *t, char *why, size_t len)
{
	char site[WIRE_ID_MAX];
	int st;

	if ((st = db_enrolment(d, t->device, site, sizeof(site))) < 0) {
		snprintf(why, len, "the enrolment list cannot be read");
		return -1;
	}
	if (st == DB_RETIRED) {
		snprintf(why, len, "device %s is retired", t->device);
		return -1;
	}
	if (st == DB_ENROLLED && strcmp(site, t->site) != 0) {
		snprintf(why, len, "device %s is enrolled at site %s, not %s",
		    t->device, site, t->site);
		return -1;
	}
	if (st == DB_ENROLLED)
		return 0;
	if (!c->enrol_auto) {
		snprintf(why, len, "device %s is not enrolled (pouctl devices "
		    "enroll %s %s)", t->device, t->device, t->site);
		return -1;
	}
	if (db_enrol(d, t->device, t->site, "enrolled",
	    "pou-bridge (first seen)") != 0) {
		snprintf(why, len, "device %s cannot be enrolled", t->device);
		return -1;
	}
	log_info("vouch: %s enrolled at site %s, as first seen", t->device,
	    t->site);
	return 0;
}

static int
vouch_gone(const struct bridge_conf *c, const struct wire_mark *m,
    int64_t held, char *why, size_t len)
{
	if (m->gone_from == 0)
		return 0;
	if (m->gone_to > m->acked)
		snprintf(why, len, "gone %lld..%lld past what the device was "
		    "acked (%lld)", (long long)m->gone_from,
		    (long long)m->gone_to, (long long)m->acked);
	else if (m->gone_to - held > c->max_seq_jump)
		snprintf(why, len, "gone up to %lld is more than max_seq_jump "
		    "(%lld) past the %lld held in order", (long long)m->gone_to,
		    c->max_seq_jump, (long long)held);
	else
		return 0;
	return -1;
}

static int
vouch_events(struct db *d, const struct bridge_conf *c,
    const struct wire_topic *t, const char *epoch, const struct event *evs,
    int n, const struct wire_mark *m, char *why, size_t len)
{
	int64_t held = db_contig(d, t->device, epoch);
	int i;

	if (vouch_gone(c, m, held, why, len) != 0)
		return -1;
	for (i = 0; i < n; i++)
		if (strcmp(evs[i].site, t->site) != 0) {
			snprintf(why, len, "events[%d]: location.site \"%s\" "
			    "is not the topic's site %s", i, evs[i].site,
			    t->site);
			return -1;
		}
	if (n > 0 && evs[n - 1].seq - held > c->max_seq_jump) {
		snprintf(why, len, "seq %lld is more than max_seq_jump (%lld) "
		    "past the %lld held in order", (long long)evs[n - 1].seq,
		    c->max_seq_jump, (long long)held);
		return -1;
	}
	return 0;
}

int
vouch_batch(struct db *d, const struct bridge_conf *c,
    const struct wire_topic *t, const char *epoch, const struct event *evs,
    int n, const struct wire_mark *m, char *why, size_t len)
{
	if (vouch_events(d, c, t, epoch, evs, n, m, why, len) != 0)
		return -1;
	return vouch_device(d, c, t, why, len);
}

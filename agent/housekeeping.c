/*
 * Keeping the store bounded: acked events older than the retention are
 * deleted, and every acked one when the quota is 80% full or the disk is
 * full; an unacked usage event is never deleted. Fill alarms at 50, 80 and
 * 95% of the quota, once per crossing. A full store refuses scans until
 * acks free space, and says so in a retained alarm until then.
 */
#include <stdint.h>
#include <stdio.h>

#include "agent.h"
#include "log.h"
#include "store.h"
#include "util.h"

#define HOUSEKEEP_MS	10000	/* a pass every 10 s */
#define HOUSEKEEP_FULL_MS 1000	/* every second while scans are refused */
#define MB		(1024LL * 1024)
#define DAY_MS		86400000LL

static int
fill_level(int64_t used, int64_t quota)
{
	int pct = quota > 0 ? (int)(used * 100 / quota) : 0;

	return pct >= 95 ? 95 : pct >= 80 ? 80 : pct >= 50 ? 50 : 0;
}

/* The fill alarm, kept in the store and sent retained with the others. */
static void
fill_alarm(struct agent *a, int level, int64_t used)
{
	char detail[160];

	if (level == 0) {
		store_alarm_clear(a->store, "store_fill");
		return;
	}
	snprintf(detail, sizeof(detail), "{\"level_pct\":%d,\"used_bytes\":"
	    "%lld,\"quota_mb\":%lld}", level, (long long)used,
	    a->conf.quota_mb);
	store_alarm_set(a->store, "store_fill", detail, now_wall_ms());
}

void
housekeeping_full(struct agent *a, int full)
{
	char detail[160];
	int64_t db, avail;

	if (full == a->health.full)
		return;
	a->health.full = full;
	if (!full) {
		log_info("store: room again, scans are recorded");
		store_alarm_clear(a->store, "store_full");
		uplink_telemetry_soon(a->uplink);
		return;
	}
	store_space(a->store, &db, &avail);
	log_warnx("store: alarm: FULL, scans are refused until acked events "
	    "can be deleted or the disk has room (%lld kB free)",
	    (long long)(avail / 1024));
	snprintf(detail, sizeof(detail), "{\"store_bytes\":%lld,"
	    "\"disk_free_bytes\":%lld,\"quota_mb\":%lld}", (long long)db,
	    (long long)avail, a->conf.quota_mb);
	store_alarm_set(a->store, "store_full", detail, now_wall_ms());
	uplink_telemetry_soon(a->uplink);
}

static int64_t
prune(struct agent *a, int64_t before)
{
	int64_t n = store_prune(a->store, before, uplink_acked_upto(a->uplink));

	return n > 0 ? n : 0;
}

/* One pass; returns the events deleted. */
int64_t
housekeeping_now(struct agent *a)
{
	int64_t quota = a->conf.quota_mb * MB, n, used;
	int level, had_room = store_room_ok(a->store);
	int tight = a->health.full || !had_room;

	n = prune(a, now_wall_ms() - a->conf.retention_days * DAY_MS);
	if (tight || (quota > 0 && store_used(a->store) >= quota * 80 / 100))
		n += prune(a, INT64_MAX);	/* every acked one */
	if (tight && store_room_restore(a->store) && (n > 0 || !had_room))
		housekeeping_full(a, 0);
	used = store_used(a->store);
	a->health.fill_pct = quota > 0 ? (int)(used * 100 / quota) : -1;
	level = fill_level(used, quota);
	if (level != a->health.alarm_level) {
		if (level > a->health.alarm_level)
			log_warnx("store: alarm: %d%% of its %lld MB quota in "
			    "use, with everything acked already deleted", level,
			    a->conf.quota_mb);
		else
			log_info("store: below %d%% of its quota again",
			    a->health.alarm_level);
		a->health.alarm_level = level;
		fill_alarm(a, level, used);
		uplink_telemetry_soon(a->uplink);
	}
	if (n > 0)
		log_debug("store: %lld acked events deleted", (long long)n);
	return n;
}

int
housekeeping_timeout(struct agent *a, int64_t now)
{
	return a->health.next_ms <= now ? 0 :
	    (int)(a->health.next_ms - now);
}

void
housekeeping_tick(struct agent *a, int64_t now)
{
	if (now < a->health.next_ms)
		return;
	housekeeping_now(a);
	a->health.next_ms = now + (a->health.full ||
	    !store_room_ok(a->store) ? HOUSEKEEP_FULL_MS : HOUSEKEEP_MS);
}

/*
 * Time the bridge can vouch for. A device's wall clock may be unset at boot
 * or stepped later; its CLOCK_BOOTTIME is not. Each batch carries the
 * device's clocks when sent; received − sent mono is the bridge's wall
 * clock at that boot's mono 0, late by the transit time, so the smallest
 * seen is the best. An event of a known boot then gets mono + offset: "ok"
 * when its own `at` agrees within CLOCK_TOLERANCE_MS (and `at` is kept),
 * else "corrected". An event of a boot never seen keeps `at`, "unverified",
 * or "wrong" when `at` is in the future or before 2020.
 */
#include <string.h>

#include "bridge.h"
#include "db.h"

#define CLOCK_TOLERANCE_MS	60000
#define CLOCK_EARLIEST_MS	1577836800000LL	/* 2020-01-01 */

int
clock_learn(struct db *db, const char *device, const struct wire_clock *sent,
    int64_t received_ms)
{
	if (sent->boot[0] == '\0')
		return 0;
	return db_boot_learn(db, device, sent->boot, received_ms -
	    sent->mono_ms);
}

void
clock_judge(struct db *db, struct bevent *be, int64_t received_ms)
{
	int64_t at = be->ev.at_ms, off = INT64_MIN, fixed;

	if (be->ev.boot[0] != '\0')
		off = db_boot_offset(db, be->device, be->ev.boot);
	if (off == INT64_MIN) {
		be->at_fixed_ms = at;
		be->time_quality = at > received_ms + CLOCK_TOLERANCE_MS ||
		    at < CLOCK_EARLIEST_MS ? "wrong" : "unverified";
		return;
	}
	fixed = be->ev.mono_ms + off;
	if (at - fixed <= CLOCK_TOLERANCE_MS &&
	    fixed - at <= CLOCK_TOLERANCE_MS) {
		be->at_fixed_ms = at;
		be->time_quality = "ok";
	} else {
		be->at_fixed_ms = fixed;
		be->time_quality = "corrected";
	}
}

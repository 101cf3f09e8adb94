/*
 * HID POS (usage page 0x8C) scanned-data reports into whole barcodes:
 * vendor layouts, declared lengths, continuation. Pure: no I/O.
 */
#ifndef POU_HIDPOS_REPORT_H
#define POU_HIDPOS_REPORT_H

#include <stddef.h>

#include "event.h"

enum hidpos_layout {
	/* find the AIM id at byte 2 or 3, as WebHID does */
	HIDPOS_AUTO,
	/* id, len, AIM(3) at 2, data at 5, more at 63 */
	HIDPOS_HONEYWELL,
	/* Zebra, Datalogic: the AIM id one byte later */
	HIDPOS_SHIFTED,
	/* id, len, data at 2; no AIM id, no continuation */
	HIDPOS_NEWLAND,
};

#define HIDPOS_REPORT_MIN	8
#define HIDPOS_MORE_MAX		16	/* reports of one barcode, at most */

struct hidpos_asm {
	enum hidpos_layout	layout;
	unsigned char		buf[ITEM_RAW_MAX];
	size_t			len;	/* AIM id and data so far */
	/* of the barcode being joined */
	int			reports;
	/* until the last report of a bad one */
	int			dropping;
};

enum hidpos_rc {
	/* a continued barcode: wait for its next report */
	HIDPOS_NEED_MORE,
	HIDPOS_DONE,		/* out holds a whole barcode, AIM id first */
	HIDPOS_IGNORED,		/* not a scanned-data report */
	HIDPOS_BAD,		/* impossible length or too long: why says so */
};

void	hidpos_asm_init(struct hidpos_asm *, enum hidpos_layout);
/*
 * Feeds one input report (report id first, as libusb reads it). On DONE,
 * *out and *outlen are the barcode (borrowed until the next call).
 */
enum hidpos_rc hidpos_feed(struct hidpos_asm *, const unsigned char *r,
	    size_t n, const unsigned char **out, size_t *outlen,
	    const char **why);
/* "honeywell" -> HIDPOS_HONEYWELL; -1 when unknown. */
int	hidpos_layout_parse(const char *name);

#endif

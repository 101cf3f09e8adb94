/*
 * HID POS scanned-data reports into whole barcodes (domain.md 3.2): report
 * id 0x02, the length of this report's data, the AIM id (Honeywell at byte
 * 2; Zebra and Datalogic one byte later; Newland none), the data, and a
 * continuation flag in the last byte. Bounded: an impossible length, an
 * endless continuation or a barcode over ITEM_RAW_MAX is dropped whole.
 */
#include <string.h>

#include "hidpos_report.h"

#define RID_SCANNED	0x02

static const char *const layout_names[] = {
	[HIDPOS_AUTO] = "auto", [HIDPOS_HONEYWELL] = "honeywell",
	[HIDPOS_SHIFTED] = "shifted", [HIDPOS_NEWLAND] = "newland",
};

int
hidpos_layout_parse(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(layout_names) / sizeof(layout_names[0]); i++)
		if (strcmp(name, layout_names[i]) == 0)
			return (int)i;
	return -1;
}

void
hidpos_asm_init(struct hidpos_asm *a, enum hidpos_layout layout)
{
	memset(a, 0, sizeof(*a));
	a->layout = layout;
}

/* Where the AIM id starts (0: none) and where the data starts. */
static int
layout_offsets(enum hidpos_layout l, const unsigned char *r, size_t *aim,
    size_t *data)
{
	if (l == HIDPOS_AUTO)
		l = r[2] == ']' ? HIDPOS_HONEYWELL : r[3] == ']' ?
		    HIDPOS_SHIFTED : HIDPOS_NEWLAND;
	switch (l) {
	case HIDPOS_HONEYWELL: *aim = 2, *data = 5; return 0;
	case HIDPOS_SHIFTED: *aim = 3, *data = 6; return 0;
	case HIDPOS_NEWLAND: *aim = 0, *data = 2; return 0;
	default: return -1;
	}
}

static enum hidpos_rc
bad(struct hidpos_asm *a, int more, const char **why, const char *what)
{
	*why = what;
	a->len = 0;
	a->reports = 0;
	a->dropping = more;	/* skip the rest of this barcode too */
	return HIDPOS_BAD;
}

enum hidpos_rc
hidpos_feed(struct hidpos_asm *a, const unsigned char *r, size_t n,
    const unsigned char **out, size_t *outlen, const char **why)
{
	size_t aim, data, len;
	int more;

	*why = NULL;
	if (n < HIDPOS_REPORT_MIN || r[0] != RID_SCANNED)
		return HIDPOS_IGNORED;
	more = a->layout != HIDPOS_NEWLAND && r[n - 1] == 1;
	if (a->dropping) {
		a->dropping = more;
		return HIDPOS_IGNORED;
	}
	if (layout_offsets(a->layout, r, &aim, &data) != 0)
		return bad(a, more, why, "unknown report layout");
	len = r[1];
	/* The data must fit between its offset and the trailer bytes (code
	 * id, reserved, continuation; Newland's last byte). No underflow. */
	if (data + len + (aim ? 3 : 1) > n)
		return bad(a, more, why,
		    "declared length longer than the report");
	if (++a->reports > HIDPOS_MORE_MAX)
		return bad(a, more, why,
		    "more than 16 reports for one barcode");
	if (a->len == 0 && aim) {	/* the AIM id once, at the start */
		memcpy(a->buf, r + aim, 3);
		a->len = 3;
	}
	if (a->len + len > sizeof(a->buf))
		return bad(a, more, why, "barcode longer than 512 bytes");
	memcpy(a->buf + a->len, r + data, len);
	a->len += len;
	if (more)
		return HIDPOS_NEED_MORE;
	*out = a->buf;
	*outlen = a->len;
	a->len = 0;
	a->reports = 0;
	return HIDPOS_DONE;
}

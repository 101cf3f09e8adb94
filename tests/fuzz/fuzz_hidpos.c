/* libFuzzer: HID POS report reassembly (the input cut into reports) and
 * the report descriptor parser. */
#include <stdint.h>

#include "hid_desc.h"
#include "hidpos_report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const unsigned char *out;
	const char *why;
	struct hidpos_asm a;
	size_t n, len;

	if (size < 1)
		return 0;
	/* the same bytes as a descriptor */
	hid_desc_is_pos_scanner(data, size);
	/* The first byte picks the layout and the report size (8..64). */
	hidpos_asm_init(&a, (enum hidpos_layout)(data[0] % 4));
	len = 8 + (size_t)(data[0] >> 2) % 57;
	for (data++, size--; size > 0; data += n, size -= n) {
		n = size < len ? size : len;
		if (hidpos_feed(&a, data, n, &out, &len, &why) == HIDPOS_DONE &&
		    (len > ITEM_RAW_MAX || out == NULL))
			__builtin_trap();
		len = 8 + (size_t)(data[0] >> 2) % 57;
	}
	return 0;
}

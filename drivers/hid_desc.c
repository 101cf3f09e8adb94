/*
 * HID report descriptors: does this interface declare a Bar Code Scanner
 * application collection (usage page 0x8C, usage 0x02)? A scanner in
 * keyboard mode does not. Pure: the bytes in, a yes or no out.
 */
#include "hid_desc.h"

#define USAGE_POS_SCANNER	0x008c0002u

int
hid_desc_is_pos_scanner(const unsigned char *d, size_t n)
{
	unsigned long page = 0, usage = 0, val;
	size_t i = 0, size, k;
	unsigned type, tag;

	while (i < n) {
		if (d[i] == 0xfe) {	/* a long item: skip it whole */
			if (i + 2 >= n)
				return 0;
			i += 3 + (size_t)d[i + 1];
			continue;
		}
		size = d[i] & 3;
		if (size == 3)
			size = 4;
		if (i + 1 + size > n)
			return 0;
		for (val = 0, k = 0; k < size; k++)
			val |= (unsigned long)d[i + 1 + k] << (8 * k);
		type = (d[i] >> 2) & 3;
		tag = d[i] >> 4;
		if (type == 1 && tag == 0)		/* Usage Page */
			page = val;
		else if (type == 2 && tag == 0)		/* Usage */
			usage = size == 4 ? val : (page << 16) | val;
		else if (type == 0 && tag == 0xa) {	/* Collection */
			if (val == 1 && usage == USAGE_POS_SCANNER)
				return 1;
			usage = 0;
		} else if (type == 0)			/* other main items */
			usage = 0;
		i += 1 + size;
	}
	return 0;
}

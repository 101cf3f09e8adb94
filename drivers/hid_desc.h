/* HID report descriptors: is this interface a HID POS bar code scanner? */
#ifndef POU_HID_DESC_H
#define POU_HID_DESC_H

#include <stddef.h>

/* 1 when d declares an application collection of usage 0x8C:0x02. */
int	hid_desc_is_pos_scanner(const unsigned char *d, size_t n);

#endif

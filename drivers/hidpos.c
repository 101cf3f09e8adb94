/*
 * The hidpos driver: USB HID POS scanners through libusb, found by their
 * report descriptor (usage page 0x8C) or by configured VID:PID, kernel
 * driver detached, Honeywell switched into HID
 * POS reporting, asynchronous interrupt-IN transfers driven from the
 * agent's poll loop (libusb's pollfds and timeouts, no thread), reports
 * joined into barcodes. An unplug closes the instance; it is found again
 * with backoff, one log line per state change.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include <libusb.h>

#include "driver.h"
#include "hid_desc.h"
#include "hidpos_report.h"
#include "log.h"
#include "util.h"

#define HID_REPORT_MAX		64
#define FIND_MIN_MS		500
#define FIND_MAX_MS		30000
#define HONEYWELL_VID		0x0c2e
#define ERRORS_MAX		10	/* transfer errors in a row: reopen */

struct hidpos_conf {
	char		devices[128];	/* "auto", or "0c2e:0b87,05e0:1300" */
	char		layout[16];	/* auto, honeywell, shifted, newland */
	/* send Honeywell's HID POS feature report */
	int		enable_pos;
};

static const struct conf_item hidpos_conf_items[] = {
	CONF_S("driver", "devices", struct hidpos_conf, devices, "auto"),
	CONF_S("driver", "layout", struct hidpos_conf, layout, "auto"),
	CONF_B("driver", "honeywell_enable_pos", struct hidpos_conf, enable_pos,
	    "yes"),
	CONF_END
};

struct hidpos {
	const char		*name;
	struct driver_sink	 sink;
	struct hidpos_conf	 c;
	libusb_context		*usb;
	libusb_device_handle	*h;
	struct libusb_transfer	*xfer;
	unsigned char		 buf[HID_REPORT_MAX];
	int			 iface;
	struct hidpos_asm	 as;
	unsigned		 attempts;
	int64_t			 next_find_ms;	/* while closed */
	int			 errors;	/* transfer errors in a row */
	int			 lost;		/* closing after NO_DEVICE */
	int			 said_missing;
};

static int
hidpos_auto(const struct hidpos *d)
{
	return strcmp(d->c.devices, "auto") == 0;
}

static int
hidpos_wanted(const struct hidpos *d, const struct libusb_device_descriptor *dd)
{
	const char *p = d->c.devices;

	if (hidpos_auto(d))
		/* every device; its report descriptor decides */
		return 1;
	unsigned vid, pid;
	int n;

	while (*p) {
		if (sscanf(p, "%x:%x%n", &vid, &pid, &n) == 2 &&
		    vid == dd->idVendor && pid == dd->idProduct)
			return 1;
		p += strcspn(p, ",");
		p += *p == ',';
	}
	return 0;
}

/* The first HID interface's interrupt IN endpoint, or -1. */
static int
hidpos_endpoint(libusb_device *dev, int *iface)
{
	struct libusb_config_descriptor *cd;
	const struct libusb_interface_descriptor *id;
	int i, e, ep = -1;

	if (libusb_get_active_config_descriptor(dev, &cd) != 0)
		return -1;
	for (i = 0; ep < 0 && i < cd->bNumInterfaces; i++) {
		id = &cd->interface[i].altsetting[0];
		if (id->bInterfaceClass != LIBUSB_CLASS_HID)
			continue;
		for (e = 0; e < id->bNumEndpoints; e++)
			if ((id->endpoint[e].bmAttributes & 3) ==
			    LIBUSB_TRANSFER_TYPE_INTERRUPT &&
			    (id->endpoint[e].bEndpointAddress & 0x80)) {
				ep = id->endpoint[e].bEndpointAddress;
				*iface = id->bInterfaceNumber;
				break;
			}
	}
	libusb_free_config_descriptor(cd);
	return ep;
}

static void hidpos_submit(struct hidpos *);
static void hidpos_close_dev(struct hidpos *);

static void
hidpos_report(struct hidpos *d, const unsigned char *r, size_t n)
{
	const unsigned char *bc;
	const char *why;
	size_t len;

	switch (hidpos_feed(&d->as, r, n, &bc, &len, &why)) {
	case HIDPOS_DONE:
		driver_emit(&d->sink, d->name, bc, len, now_mono_ms());
		break;
	case HIDPOS_BAD:
		log_warnx("%s: report dropped: %s", d->name, why);
		break;
	default:
		break;
	}
}

static void LIBUSB_CALL
hidpos_done(struct libusb_transfer *t)
{
	struct hidpos *d = t->user_data;

	switch (t->status) {
	case LIBUSB_TRANSFER_COMPLETED:
		d->errors = 0;
		hidpos_report(d, t->buffer, (size_t)t->actual_length);
		break;
	case LIBUSB_TRANSFER_NO_DEVICE:
		log_warnx("%s: scanner unplugged", d->name);
		driver_state(&d->sink, d->name, "unplugged");
		d->lost = 1;
		return;
	case LIBUSB_TRANSFER_CANCELLED:
		return;
	default:
		if (++d->errors == 1)
			log_warnx("%s: transfer failed: %s", d->name,
			    libusb_error_name(t->status));
		if (d->errors >= ERRORS_MAX) {
			log_warnx("%s: %d transfer errors in a row; reopening",
			    d->name, d->errors);
			d->lost = 1;
			return;
		}
		break;
	}
	hidpos_submit(d);
}

static void
hidpos_submit(struct hidpos *d)
{
	int rc = libusb_submit_transfer(d->xfer);

	if (rc != 0) {
		log_warnx("%s: cannot read: %s", d->name,
		    libusb_error_name(rc));
		d->lost = 1;
	}
}

/* Honeywell: feature report 0xFE = 1 turns on HID POS reporting. */
static void
hidpos_enable(struct hidpos *d, const struct libusb_device_descriptor *dd)
{
	unsigned char fr[2] = { 0xfe, 0x01 };
	int rc;

	if (!d->c.enable_pos || dd->idVendor != HONEYWELL_VID)
		return;
	rc = libusb_control_transfer(d->h, LIBUSB_ENDPOINT_OUT |
	    LIBUSB_REQUEST_TYPE_CLASS | LIBUSB_RECIPIENT_INTERFACE,
	    0x09 /* SET_REPORT */, 0x03fe /* feature, id 0xFE */,
	    (uint16_t)d->iface, fr, sizeof(fr), 1000);
	if (rc < 0)
		log_warnx("%s: HID POS enable refused: %s", d->name,
		    libusb_error_name(rc));
}

/* Does the interface's report descriptor say HID POS bar code scanner? */
static int
hidpos_is_pos(struct hidpos *d)
{
	unsigned char desc[1024];
	int n;

	n = libusb_control_transfer(d->h, LIBUSB_ENDPOINT_IN |
	    LIBUSB_RECIPIENT_INTERFACE, LIBUSB_REQUEST_GET_DESCRIPTOR,
	    LIBUSB_DT_REPORT << 8, (uint16_t)d->iface, desc, sizeof(desc),
	    1000);
	return n > 0 && hid_desc_is_pos_scanner(desc, (size_t)n);
}

static int
hidpos_open_dev(struct hidpos *d, libusb_device *dev,
    const struct libusb_device_descriptor *dd)
{
	int ep, rc;

	if ((ep = hidpos_endpoint(dev, &d->iface)) < 0)
		return -ENODEV;
	if ((rc = libusb_open(dev, &d->h)) != 0)
		return hidpos_auto(d) ? -ENODEV : -EACCES;
	/* Found by what it is: a keyboard (or a scanner left in keyboard
	 * mode, which the wedge driver reads) is not taken. */
	if (hidpos_auto(d) && !hidpos_is_pos(d)) {
		libusb_close(d->h);
		d->h = NULL;
		return -ENODEV;
	}
	/* usbhid binds HID interfaces: take it over (back when closed). */
	if (libusb_kernel_driver_active(d->h, d->iface) == 1 &&
	    libusb_detach_kernel_driver(d->h, d->iface) != 0)
		log_warnx("%s: cannot detach the kernel driver", d->name);
	if ((rc = libusb_claim_interface(d->h, d->iface)) != 0) {
		libusb_close(d->h);
		d->h = NULL;
		return -EBUSY;
	}
	hidpos_enable(d, dd);
	libusb_fill_interrupt_transfer(d->xfer, d->h, (unsigned char)ep, d->buf,
	    sizeof(d->buf), hidpos_done, d, 0);
	hidpos_asm_init(&d->as, (enum hidpos_layout)hidpos_layout_parse(
	    d->c.layout));
	d->errors = d->lost = 0;
	hidpos_submit(d);
	log_info("%s: scanner %04x:%04x open (interface %d, endpoint 0x%02x)",
	    d->name, dd->idVendor, dd->idProduct, d->iface, ep);
	driver_state(&d->sink, d->name, "open %04x:%04x", dd->idVendor,
	    dd->idProduct);
	return 0;
}

/* Looks for a configured scanner; 0 when one is open. */
static int
hidpos_find(struct hidpos *d)
{
	struct libusb_device_descriptor dd;
	libusb_device **list;
	ssize_t n, i;
	int rc = -ENODEV;

	if ((n = libusb_get_device_list(d->usb, &list)) < 0)
		return -EIO;
	for (i = 0; i < n && rc != 0; i++)
		if (libusb_get_device_descriptor(list[i], &dd) == 0 &&
		    hidpos_wanted(d, &dd) &&
		    (rc = hidpos_open_dev(d, list[i], &dd)) != 0 &&
		    !d->said_missing && !hidpos_auto(d))
			log_warnx("%s: scanner %04x:%04x found but not "
			    "opened: %s", d->name, dd.idVendor, dd.idProduct,
			    rc == -ENODEV ? "no HID interrupt endpoint" :
			    rc == -EBUSY ? "interface busy (claimed "
			    "elsewhere?)" : "no permission (see the udev rule "
			    "in docs/drivers.md)");
	libusb_free_device_list(list, 1);
	return rc;
}

static void
hidpos_close_dev(struct hidpos *d)
{
	if (d->h == NULL)
		return;
	libusb_release_interface(d->h, d->iface);
	libusb_attach_kernel_driver(d->h, d->iface);
	libusb_close(d->h);
	d->h = NULL;
}

static void
hidpos_retry(struct hidpos *d, int64_t now)
{
	int64_t wait = backoff_ms(d->attempts++, FIND_MIN_MS, FIND_MAX_MS);

	d->next_find_ms = now + (wait < FIND_MIN_MS ? FIND_MIN_MS : wait);
}

static int
hidpos_open(const void *conf, const char *name, const struct driver_sink *sink,
    void **ctx)
{
	struct hidpos *d;

	*ctx = NULL;
	if (hidpos_layout_parse(((const struct hidpos_conf *)conf)->layout) < 0)
		return -EINVAL;
	if ((d = calloc(1, sizeof(*d))) == NULL)
		return -ENOMEM;
	d->name = name;
	d->sink = *sink;
	d->c = *(const struct hidpos_conf *)conf;
	if (libusb_init(&d->usb) != 0 ||
	    (d->xfer = libusb_alloc_transfer(0)) == NULL) {
		if (d->usb)
			libusb_exit(d->usb);
		free(d);
		return -EIO;
	}
	*ctx = d;
	return 0;
}

static int
hidpos_pollfds(void *ctx, struct pollfd *pfd, int max)
{
	struct hidpos *d = ctx;
	const struct libusb_pollfd **fds = libusb_get_pollfds(d->usb);
	int n = 0;

	for (; fds && fds[n] && n < max; n++) {
		pfd[n].fd = fds[n]->fd;
		pfd[n].events = fds[n]->events;
		pfd[n].revents = 0;
	}
	libusb_free_pollfds(fds);
	return n;
}

static int
hidpos_timeout(void *ctx, int64_t now)
{
	struct hidpos *d = ctx;
	struct timeval tv;
	int t = -1;

	if (d->h == NULL || d->lost)
		t = d->lost || d->next_find_ms <= now ? 0 :
		    (int)(d->next_find_ms - now);
	if (libusb_get_next_timeout(d->usb, &tv) == 1) {
		int u = (int)(tv.tv_sec * 1000 + tv.tv_usec / 1000);

		t = t < 0 || u < t ? u : t;
	}
	return t;
}

static void
hidpos_handle(void *ctx, const struct pollfd *pfd, int n, int64_t now)
{
	struct hidpos *d = ctx;
	struct timeval zero = { 0, 0 };

	(void)pfd;
	(void)n;
	libusb_handle_events_timeout_completed(d->usb, &zero, NULL);
	if (d->lost) {
		hidpos_close_dev(d);
		d->lost = 0;
		d->attempts = 0;
		hidpos_retry(d, now);
		return;
	}
	if (d->h != NULL || now < d->next_find_ms)
		return;
	if (hidpos_find(d) == 0) {
		d->attempts = 0;
		d->said_missing = 0;
		return;
	}
	if (!d->said_missing++) {
		log_warnx("%s: no scanner %s found; looking again with backoff",
		    d->name, d->c.devices);
		driver_state(&d->sink, d->name, "searching");
	}
	hidpos_retry(d, now);
}

static void
hidpos_close(void *ctx)
{
	struct hidpos *d = ctx;
	struct timeval tv = { 0, 100000 };

	if (d->h != NULL && libusb_cancel_transfer(d->xfer) == 0)
		libusb_handle_events_timeout_completed(d->usb, &tv, NULL);
	hidpos_close_dev(d);
	libusb_free_transfer(d->xfer);
	libusb_exit(d->usb);
	free(d);
}

const struct driver_ops driver_hidpos = {
	.name = "hidpos",
	.conf = hidpos_conf_items,
	.conf_size = sizeof(struct hidpos_conf),
	.open = hidpos_open,
	.pollfds = hidpos_pollfds,
	.timeout = hidpos_timeout,
	.handle = hidpos_handle,
	.close = hidpos_close,
};

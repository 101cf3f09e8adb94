/* A board's outputs: one ops table, an LED in sysfs or a GPIO line. */
#ifndef POU_BOARD_OUTPUT_H
#define POU_BOARD_OUTPUT_H

#define OUTPUT_NAME_MAX	32

struct output;

struct output_ops {
	const char	*type;		/* the key in the board file */
	/* spec: the LED's name, or the GPIO line's offset; 0 or -errno. */
	int		(*open)(struct output *, const char *spec);
	void		(*set)(struct output *, int on);
	void		(*close)(struct output *);
};

struct output {
	char			 name[OUTPUT_NAME_MAX];
	const struct output_ops	*ops;
	const char		*led_root;	/* the board's, borrowed */
	const char		*gpio_chip;
	char			 path[256];	/* led: its brightness file */
	char			 max[16];	/* led: max_brightness */
	void			*chip, *line;	/* gpio: libgpiod's */
	int			 on;
};

/* The ops for type ("led", "gpio"), or NULL. */
const struct output_ops *output_ops_lookup(const char *type);

#endif

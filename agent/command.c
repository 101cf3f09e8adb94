/*
 * Command barcodes printed on the cart, "POU:" then a word: the action and
 * quantity of the next item, the override of a stopped item, the end of
 * the case. Anything else after "POU:" is refused with a stop.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "log.h"
#include "util.h"

#define CMD_PREFIX	"POU:"

static const char *const cmd_kinds[] = { "USE", "WASTE", "RETURN", "BILLONLY",
	"CONSIGN" };

/*
 * The command's text after POU: (and an AIM id), NUL-terminated in buf; a
 * word too long for buf is cut to "" (no command has that name).
 */
static const char *
command_text(const struct scan *sc, char *buf, size_t len)
{
	size_t n;
	const char *p = scan_text(sc, &n);

	if (n < strlen(CMD_PREFIX) || memcmp(p, CMD_PREFIX,
	    strlen(CMD_PREFIX)) != 0)
		return NULL;
	n -= strlen(CMD_PREFIX);
	if (n >= len)
		n = 0;
	memcpy(buf, p + strlen(CMD_PREFIX), n);
	buf[n] = '\0';
	return buf;
}

static int
command_kind(struct agent *a, const char *cmd)
{
	size_t i, j;
	char msg[64];

	for (i = 0; i < nitems(cmd_kinds); i++)
		if (strcmp(cmd, cmd_kinds[i]) == 0) {
			for (j = 0; i > 0 && cmd[j] && j + 1 <
			    sizeof(a->sess.kind); j++)
				a->sess.kind[j] = (char)tolower(cmd[j]);
			a->sess.kind[i > 0 ? j : 0] = '\0';
			snprintf(msg, sizeof(msg), "next item: %s", cmd);
			feedback(a, BOARD_CONTEXT, msg);
			return 1;
		}
	return 0;
}

static int
command_qty(struct agent *a, const char *cmd)
{
	char msg[64], *end;
	long q;

	if (strncmp(cmd, "QTY:", 4) != 0)
		return 0;
	q = strtol(cmd + 4, &end, 10);
	if (end == cmd + 4 || *end != '\0' || q < 1 || q > 9999) {
		feedback(a, BOARD_STOP, "quantity not read: 1 to 9999");
		return 1;
	}
	a->sess.qty = (int)q;
	snprintf(msg, sizeof(msg), "next item: quantity %ld", q);
	feedback(a, BOARD_CONTEXT, msg);
	return 1;
}

int
command_scan(struct agent *a, const struct scan *sc)
{
	char buf[32], msg[96];
	const char *cmd;

	if ((cmd = command_text(sc, buf, sizeof(buf))) == NULL)
		return 0;
	a->sess.last_ms = sc->mono_ms;
	session_flush(a);	/* a held half belongs to the context before */
	if (strcmp(cmd, "OVERRIDE") == 0) {
		session_override(a);
		return 1;
	}
	session_abandon(a);	/* any other scan gives up a stopped item */
	if (command_kind(a, cmd) || command_qty(a, cmd))
		return 1;
	if (strcmp(cmd, "UNDO") == 0)
		session_undo(a);
	else if (strcmp(cmd, "CANCEL") == 0) {
		session_reset_action(&a->sess);
		feedback(a, BOARD_CONTEXT, "next item: use, 1");
	} else if (strcmp(cmd, "END") == 0)
		session_end(a, "case ended");
	else {
		snprintf(msg, sizeof(msg), "unknown command POU:%s", cmd[0] ?
		    cmd : " (no word, or one over 31 characters)");
		log_warnx("%s: %s", sc->source, msg);
		feedback(a, BOARD_STOP, msg);
	}
	return 1;
}

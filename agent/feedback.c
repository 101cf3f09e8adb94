/*
 * Every outcome the person at the cart sees goes through here: the board
 * signals it, and the agent's state file (for pouctl status, on a tmpfs
 * such as /run: volatile, and no flash written per scan) is rewritten with
 * the context, the next action and the last outcomes.
 */
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "agent.h"
#include "log.h"
#include "util.h"

static json_t *
state_json(const struct agent *a)
{
	const struct session *s = &a->sess;
	json_t *last = json_array();
	int i, k;

	for (i = 0; i < a->fb.n && last; i++) {
		k = (a->fb.head - 1 - i + FEEDBACK_KEEP) % FEEDBACK_KEEP;
		json_array_append_new(last, json_pack("{s:I, s:s, s:s}", "at",
		    (json_int_t)a->fb.out[k].at_ms, "outcome",
		    board_signal_name(a->fb.out[k].sig), "what",
		    a->fb.out[k].why));
	}
	return json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:b, s:o}",
	    "at", (json_int_t)now_wall_ms(), "board", a->conf.board_desc[0] ?
	    a->conf.board_desc : a->conf.board, "case", s->case_id,
	    "mrn", s->mrn, "encounter", s->encounter, "user", s->user,
	    "next_kind", s->kind[0] ? s->kind : "use",
	    "next_qty", s->qty > 0 ? s->qty : 1,
	    "stopped_item_waiting", s->has_stopped, "last", last);
}

/* tmp + rename: pouctl never reads half a file. Not fsynced: volatile. */
void
feedback_state(struct agent *a)
{
	char tmp[300], dir[300];
	json_t *j;
	int rc;

	if (a->conf.state_file[0] == '\0' || (j = state_json(a)) == NULL)
		return;
	snprintf(tmp, sizeof(tmp), "%s.tmp", a->conf.state_file);
	rc = json_dump_file(j, tmp, JSON_INDENT(1));
	json_decref(j);
	/* jansson keeps no errno: the directory says what is wrong. */
	snprintf(dir, sizeof(dir), "%s", a->conf.state_file);
	if (rc != 0 && access(dirname(dir), W_OK) == 0)
		errno = EIO;
	if ((rc != 0 || rename(tmp, a->conf.state_file) != 0) &&
	    !a->fb.state_warned++)
		log_warn("state: %s (for pouctl status; said once)",
		    a->conf.state_file);
}

void
feedback(struct agent *a, enum board_signal sig, const char *why)
{
	struct outcome *o = &a->fb.out[a->fb.head];

	board_signal(a->board, sig, why);
	o->at_ms = now_wall_ms();
	o->sig = sig;
	snprintf(o->why, sizeof(o->why), "%s", why);
	a->fb.head = (a->fb.head + 1) % FEEDBACK_KEEP;
	if (a->fb.n < FEEDBACK_KEEP)
		a->fb.n++;
	feedback_state(a);
}

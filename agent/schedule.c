/*
 * The OR schedule, so a cart knows its case before anyone scans one: a CSV
 * of room,start,end,case_id,mrn,encounter (local times YYYY-MM-DDTHH:MM),
 * loaded at start and on SIGHUP (fleet pushes come later). When a case of
 * this cart's room starts and no case is set, it becomes the context; a
 * scanned case always wins, and each scheduled case is applied once.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agent.h"
#include "csv.h"
#include "log.h"
#include "util.h"

static int
parse_local(const char *s, int64_t *ms)
{
	struct tm tm;
	const char *end;
	time_t t;

	memset(&tm, 0, sizeof(tm));
	if ((end = strptime(s, "%Y-%m-%dT%H:%M", &tm)) == NULL || *end)
		return -1;
	tm.tm_isdst = -1;
	if ((t = mktime(&tm)) == (time_t)-1)
		return -1;
	*ms = (int64_t)t * 1000;
	return 0;
}

struct sched_load {
	const char	*room;
	struct schedule	 s;
};

static const char *
schedule_row(void *arg, char **f)
{
	struct sched_load *l = arg;
	struct slot *s;
	int i;

	if (strcmp(f[0], l->room) != 0)
		return NULL;		/* another room's case */
	if (l->s.n == SCHEDULE_MAX)
		return "more cases for this room than the agent keeps";
	s = &l->s.slots[l->s.n];
	memset(s, 0, sizeof(*s));
	if (parse_local(f[1], &s->start_ms) != 0 ||
	    parse_local(f[2], &s->end_ms) != 0 || s->end_ms <= s->start_ms)
		return "start and end are local times YYYY-MM-DDTHH:MM, "
		    "in order";
	for (i = 3; i < 6; i++)
		if (strlen(f[i]) >= EV_STR)
			return "an id longer than 63 bytes";
	if (f[3][0] == '\0')
		return "case_id is empty";
	snprintf(s->case_id, sizeof(s->case_id), "%s", f[3]);
	snprintf(s->mrn, sizeof(s->mrn), "%s", f[4]);
	snprintf(s->encounter, sizeof(s->encounter), "%s", f[5]);
	l->s.n++;
	return NULL;
}

/* All or nothing: a file with an error leaves the loaded schedule. */
void
schedule_load(struct agent *a)
{
	struct sched_load *l;

	if (a->conf.schedule[0] == '\0' || (l = calloc(1, sizeof(*l))) ==
	    NULL)
		return;
	l->room = a->conf.room;
	if (csv_load(a->conf.schedule, 6,
	    "room,start,end,case_id,mrn,encounter", schedule_row, l) != 0)
		log_warnx("schedule: %s not loaded; %d cases loaded before "
		    "stay", a->conf.schedule, a->sched.n);
	else {
		a->sched = l->s;
		log_info("schedule: %d cases for room %s", a->sched.n,
		    a->conf.room);
	}
	free(l);
}

void
schedule_tick(struct agent *a)
{
	int64_t now = now_wall_ms();
	struct session *s = &a->sess;
	char msg[96];
	int i;

	if (s->case_id[0] != '\0')
		return;
	for (i = 0; i < a->sched.n; i++) {
		struct slot *sl = &a->sched.slots[i];

		if (sl->applied || now < sl->start_ms || now >= sl->end_ms)
			continue;
		sl->applied = 1;
		memcpy(s->case_id, sl->case_id, sizeof(s->case_id));
		memcpy(s->mrn, sl->mrn, sizeof(s->mrn));
		memcpy(s->encounter, sl->encounter, sizeof(s->encounter));
		s->last_ms = now_mono_ms();
		snprintf(msg, sizeof(msg), "scheduled case %s", sl->case_id);
		feedback(a, BOARD_CONTEXT, msg);
		return;
	}
}

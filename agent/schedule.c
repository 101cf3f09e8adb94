/*
 * The OR schedule, so a cart knows its case before anyone scans one: rows
 * of room,start,end,case_id,mrn,encounter (local times YYYY-MM-DDTHH:MM)
 * in the store, from [reference] schedule's file (refdata.c, at start and
 * on SIGHUP) or pushed by the fleet. When a case of this cart's room
 * starts and no case is set, it becomes the context; a scanned case always
 * wins, and each scheduled case is applied once.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "log.h"
#include "refdata.h"
#include "store.h"
#include "util.h"

struct sched_load {
	const char		*room;
	const struct schedule	*before;	/* its applied cases stay so */
	struct schedule		 s;
	int			 over;		/* rows past SCHEDULE_MAX */
};

/* A row of the store (checked as it went in): this room's are kept. */
static int
schedule_slot(void *arg, char **f)
{
	struct sched_load *l = arg;
	struct slot *s;
	int i;

	if (strcmp(f[0], l->room) != 0)
		return 0;
	if (l->s.n == SCHEDULE_MAX) {
		l->over++;
		return 0;
	}
	s = &l->s.slots[l->s.n];
	memset(s, 0, sizeof(*s));
	if (refdata_local_time(f[1], &s->start_ms) != 0 ||
	    refdata_local_time(f[2], &s->end_ms) != 0)
		return 0;
	snprintf(s->case_id, sizeof(s->case_id), "%s", f[3]);
	snprintf(s->mrn, sizeof(s->mrn), "%s", f[4]);
	snprintf(s->encounter, sizeof(s->encounter), "%s", f[5]);
	for (i = 0; i < l->before->n; i++) {
		const struct slot *b = &l->before->slots[i];

		if (b->applied && b->start_ms == s->start_ms &&
		    strcmp(b->case_id, s->case_id) == 0)
			s->applied = 1;
	}
	l->s.n++;
	return 0;
}

void
schedule_refresh(struct agent *a)
{
	struct sched_load *l;

	if ((l = calloc(1, sizeof(*l))) == NULL)
		return;
	l->room = a->conf.room;
	l->before = &a->sched;
	if (store_schedule(a->store, schedule_slot, l) == 0) {
		a->sched = l->s;
		if (a->sched.n > 0 || a->conf.schedule[0] != '\0')
			log_info("schedule: %d cases for room %s", a->sched.n,
			    a->conf.room);
		if (l->over > 0)
			log_warnx("schedule: %d more cases for room %s than "
			    "the agent keeps (%d) left out", l->over,
			    a->conf.room, SCHEDULE_MAX);
	}
	free(l);
}

/* A file with an error is refused whole: the schedule before stays. */
void
schedule_load(struct agent *a)
{
	if (a->conf.schedule[0] != '\0' && refdata_load_schedule(a->store,
	    a->conf.schedule) != 0)
		log_warnx("schedule: %s not loaded; %d cases loaded before "
		    "stay", a->conf.schedule, a->sched.n);
	schedule_refresh(a);
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

/*
 * settle.c: module entry point, and the bridge between the pure cores'
 * cooperative cancellation (cancel.h) and PostgreSQL's interrupts.
 */
#include "postgres.h"
#include "fmgr.h"
#include "miscadmin.h"

#include "cancel.h"
#include "settle.h"

PG_MODULE_MAGIC;

/* the hook of cancel.h: is this query being cancelled or the backend stopped? */
static int
settle_cancel_pending(void)
{
	return InterruptPending && (QueryCancelPending || ProcDiePending);
}

void
settle_core_begin(void)
{
	core_cancel_hook = settle_cancel_pending;
	core_stopped = 0;
}

void
settle_core_end(void)
{
	if (!core_stopped)
		return;
	core_stopped = 0;
	CHECK_FOR_INTERRUPTS();
	/* the cancel was absorbed elsewhere: still, the core's result is incomplete */
	ereport(ERROR,
			(errcode(ERRCODE_QUERY_CANCELED),
			 errmsg("canceling statement: settle's computation was interrupted")));
}

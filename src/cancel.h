/*
 * cancel.h: cooperative cancellation of the pure C cores.
 *
 * Every loop of a core whose length depends on its input calls
 * core_stopping().  The SQL-facing wrappers install core_cancel_hook, which
 * asks PostgreSQL whether the query is being cancelled (statement_timeout,
 * pg_cancel_backend, shutdown); once it says yes, core_stopping() stays true,
 * every loop ends at its next check, the core returns (its result is
 * discarded) and the wrapper raises the cancel error (settle_core_end() in
 * settle.c).  The min-cost flow takes the same question as a callback
 * (mcf_solve).  Outside PostgreSQL (fuzz targets) no hook is set.
 */
#ifndef SETTLE_CANCEL_H
#define SETTLE_CANCEL_H

#include <stdint.h>

extern int	(*core_cancel_hook) (void);
extern int	core_stopped;
extern uint32_t core_ticks;

/* true once cancellation was asked for; asks the hook every 1024 calls */
static inline int
core_stopping(void)
{
	if (core_stopped)
		return 1;
	if ((++core_ticks & 1023) == 0 && core_cancel_hook != 0 && core_cancel_hook())
		core_stopped = 1;
	return core_stopped;
}

#endif							/* SETTLE_CANCEL_H */

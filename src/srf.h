/*
 * srf.h: materialized set-returning functions across PostgreSQL 13-17.
 */
#ifndef SETTLE_SRF_H
#define SETTLE_SRF_H

#include "postgres.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/guc.h"
#include "utils/tuplestore.h"

/*
 * Set up fcinfo's ReturnSetInfo for materialize mode and return it, with
 * setResult (a tuplestore) and setDesc (the declared result row) ready.
 *
 * The tuplestore keeps rows in memory up to work_mem, or up to held_kb if
 * that is larger: held_kb is what the function's own arguments already
 * occupy (the caller's estimate), so a result about as large as its input
 * is not written to temporary files just to be read back at once; the
 * backend's memory then stays within twice what the call already needed.
 * Pass 0 for plain work_mem.
 */
static inline ReturnSetInfo *
settle_materialized_srf(FunctionCallInfo fcinfo, int64 held_kb)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	TupleDesc	tupdesc;
	MemoryContext oldcontext;
	int			max_kb = work_mem;

	if (rsinfo == NULL || !IsA(rsinfo, ReturnSetInfo) ||
		(rsinfo->allowedModes & SFRM_Materialize) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("set-valued function called in context that cannot accept a set")));
	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	if (held_kb > max_kb)
		max_kb = (int) Min(held_kb, (int64) MAX_KILOBYTES);
	oldcontext = MemoryContextSwitchTo(rsinfo->econtext->ecxt_per_query_memory);
	rsinfo->returnMode = SFRM_Materialize;
	rsinfo->setResult = tuplestore_begin_heap((rsinfo->allowedModes & SFRM_Materialize_Random) != 0,
											  false, max_kb);
	rsinfo->setDesc = CreateTupleDescCopy(tupdesc);
	MemoryContextSwitchTo(oldcontext);
	return rsinfo;
}

#endif							/* SETTLE_SRF_H */

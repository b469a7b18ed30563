/*
 * codetype.h: shared parts of the two code types, settle.kommunkod and
 * settle.lanskod.  Both are stored as a pass-by-value int2 holding the
 * numeric code (0180 -> 180, 01 -> 1).
 */
#ifndef SETTLE_CODETYPE_H
#define SETTLE_CODETYPE_H

#include "postgres.h"
#include "fmgr.h"
#include "codes.h"

typedef enum settle_code_kind
{
	KIND_KOMMUNKOD,
	KIND_LANSKOD
} settle_code_kind;

/* ereport(ERROR) for a failed text parse; never returns. */
extern void settle_code_text_error(settle_code_kind kind, settle_code_status st,
								   const char *input, int partial) pg_attribute_noreturn();

/* "01 03 04 ... 25", for hints */
extern const char *settle_county_code_list(void);

#endif							/* SETTLE_CODETYPE_H */

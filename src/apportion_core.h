/*
 * apportion_core.h: exact integer apportionment (pure C, no PostgreSQL).
 *
 * Split a total of seats (persons, places) over units in proportion to
 * integer weights, each unit's holding bounded to [lo, hi].  The caller maps
 * SQL arguments onto this: weights scaled to integers, lo = prior + min_seats,
 * hi = prior + max_seats, total = total + sum(prior).
 */
#ifndef SETTLE_APPORTION_CORE_H
#define SETTLE_APPORTION_CORE_H

#include <stddef.h>
#include <stdint.h>

#include "wide.h"

/* limits that keep every product inside 256 bits (see apportion_core.c) */
#define APP_MAX_WEIGHT   (((u128) 1) << 80)		/* scaled weight < 2^80 */
#define APP_MAX_TOTAL    (((int64_t) 1) << 32)	/* grand total and bounds < 2^32 */
#define APP_NO_MAX       INT64_MAX				/* hi: unbounded */

typedef enum app_method
{
	APP_HAMILTON,
	APP_DHONDT,
	APP_SAINTE_LAGUE,
	APP_HUNTINGTON_HILL,
	APP_ADAMS
} app_method;

typedef enum app_status
{
	APP_OK = 0,
	APP_TOO_FEW_SEATS,			/* sum(lo) > total: *shortfall = sum(lo) - total */
	APP_TOO_MANY_SEATS			/* total > what hi (and zero weights) allow: *shortfall = total - max */
} app_status;

typedef struct app_problem
{
	int			n;
	const u128 *w;				/* weights, each < APP_MAX_WEIGHT */
	const int64_t *lo;			/* 0 <= lo[i] < APP_MAX_TOTAL */
	const int64_t *hi;			/* lo[i] <= hi[i]; APP_NO_MAX for none */
	int64_t		total;			/* 0 <= total < APP_MAX_TOTAL */
	app_method	method;
	uint64_t	fd_num;			/* Sainte-Laguë first divisor fd_num/fd_den, */
	uint64_t	fd_den;			/* in the 1, 3, 5, ... scale (1.2 = 6/5) */
} app_problem;

/* bytes of workspace app_solve needs for n units */
extern size_t app_workspace_size(int n);

/*
 * Solve: seats[i] is unit i's holding (lo[i] <= seats[i] <= hi[i], summing to
 * total); tie[i] is set for every unit involved in a tie that input order
 * decided.  work must hold app_workspace_size(n) bytes (any alignment).
 */
extern app_status app_solve(const app_problem *p, int64_t *seats, uint8_t *tie,
							void *work, int64_t *shortfall);

#endif							/* SETTLE_APPORTION_CORE_H */

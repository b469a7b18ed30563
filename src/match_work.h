/*
 * match_work.h: what the stages of the optimal matching mode share (not
 * part of settle's interface; see match_core.h for that).
 *
 * match_lp.c prepares the work (costs in metres, classes) and solves the LP
 * relaxation; match_optimal.c turns its flows into an integer proposal that
 * keeps every rule.  Both work on one `optimal` struct, freed by opt_free.
 */
#ifndef SETTLE_MATCH_WORK_H
#define SETTLE_MATCH_WORK_H

#include "match_core.h"
#include "mcf.h"

#include <math.h>

#define KEEP 32					/* arcs per class to start with */
#define SIZE_BUCKETS 16			/* placements of 16+ persons share a bucket */
#define MOVE_MUNIS 24			/* municipalities tried for a household that did not fit */
#define MOVE_OTHERS 32			/* households there considered for moving on */
#define REPAIR_ROUNDS 64		/* chronology repair: at most this many sweeps */

/* a proximity cost in whole metres, as the objective counts it */
static inline int64_t
metres_of(double km)
{
	return (int64_t) llround(km * 1000.0);
}

/* ---- costs ------------------------------------------------------------ */

typedef struct cost_table
{
	int			n;
	int64_t    *metres;			/* n x n: the cost matrix in metres, rounded once */
	int32_t    *order;			/* n x n: municipalities by cost from each residence (row n: no residence) */
	uint8_t    *ready;			/* per row */
} cost_table;

/* the cost in metres of a placement living in r (-1: none, cost 0) at m */
static inline int64_t
cost_at(const cost_table *c, int r, int m)
{
	return r < 0 ? 0 : c->metres[(size_t) r * c->n + m];
}

/* ---- classes ---------------------------------------------------------- */

typedef struct classes
{
	int			n;
	int32_t    *res;
	uint64_t   *needs;
	int32_t    *fixed;
	double	   *max_cost;		/* the members' cost limit (HUGE_VAL: none) */
	int64_t    *persons;
	int32_t    *of;				/* per placement */
} classes;

/* ---- the work of one call --------------------------------------------- */

typedef struct optimal
{
	const match_problem *p;
	int			n;				/* municipalities */
	int			n_place;
	double		unplaced_km;	/* the penalty per unplaced person */
	int64_t		unplaced_m;		/* the same in metres */
	cost_table	c;
	classes		k;
	int64_t    *cap;			/* per municipality: places at the start (>= 0) */
	int64_t    *left;			/* per municipality: places left in the proposal */
	int32_t    *counted;		/* counted places left in the proposal (see match_problem) */
	uint8_t    *dropped;		/* per placement: a member of a split group left out whole (NULL: none yet) */
	int32_t    *tmp;			/* n + 1: sort scratch */
	/* the LP's flows of class cl, cheapest first: flow_muni/flow_amount[flow_start[cl] ..] */
	int32_t    *flow_start;
	int32_t    *flow_muni;
	int64_t    *flow_amount;
	int64_t    *unplaced_flow;	/* per class */
	/* the placements of class cl in chronological order: member[member_start[cl] ..] */
	int32_t    *member_start;
	int32_t    *member;
	int32_t    *sort_tmp;
	/* placed placements by municipality and size bucket (place_buckets) */
	int32_t    *bucket_start;
	int32_t    *bucket_list;
	int32_t    *bucket_fill;
	match_summary *s;
	int			(*interrupted) (void *);
	void	   *arg;
} optimal;
/* match_lp.c */
extern const int32_t *order_of(cost_table *c, int r, int32_t *tmp);
extern int	opt_init(optimal *o);
extern void opt_free(optimal *o);
extern mcf *lp_build(optimal *o);
extern int	lp_price_out(optimal *o, mcf *g);
extern int	lp_collect_flows(optimal *o, mcf *g);

#endif							/* SETTLE_MATCH_WORK_H */

/*
 * match_core.h: proposing a municipality for every waiting household (pure C,
 * no PostgreSQL).
 *
 * Units are "placements": a household, or a linked group placed as one
 * (persons summed, needs joined).  The caller lists them in fair chronological
 * order.  A municipality m is feasible for a placement p when its remaining
 * places hold p's persons, it is not paused, and it can meet every need of
 * p.  Proximity cost: cost[r * n_muni + m] for a placement living in
 * municipality r (distance plus the county penalty, prepared by the caller);
 * a placement without residence (a quota refugee) instead prefers the most
 * planned places left, then the most places left.  A placement may be fixed
 * to one municipality (a linked group whose other members were already
 * referred there).
 */
#ifndef SETTLE_MATCH_CORE_H
#define SETTLE_MATCH_CORE_H

#include <stddef.h>
#include <stdint.h>

typedef struct match_problem
{
	int			n_place;		/* placements, in chronological order */
	const int32_t *persons;		/* per placement, > 0 */
	const int32_t *residence;	/* per placement: municipality index, or -1 */
	const uint64_t *needs;		/* per placement: bit set of needs */
	int			n_muni;
	int32_t    *capacity;		/* per municipality: places left (updated) */
	int32_t    *planned;		/* per municipality: planned places left (updated) */
	const uint64_t *able;		/* per municipality: needs it can meet */
	const uint8_t *paused;		/* per municipality: 1 = cannot receive */
	const double *cost;			/* n_muni x n_muni: cost[r * n_muni + m] */
	const int32_t *fixed;		/* per placement: the only allowed municipality, or -1; NULL = none fixed */
} match_problem;

/* bytes of workspace match_chronological needs */
extern size_t match_workspace_size(int n_muni);

/*
 * Each placement in turn takes its best feasible municipality (lowest cost,
 * then lowest index; for placements without residence: most planned places
 * left, then most places left, then lowest index).  assign[p] is the
 * municipality index or -1 (nothing feasible); rank[p] is the 1-based
 * position of the choice among the municipalities that were feasible for p
 * before anyone was placed (so 1 = its first choice; larger = better ones had
 * filled up).  work: match_workspace_size(n_muni) bytes, 4-byte aligned.
 */
extern void match_chronological(const match_problem *p, int32_t *assign, int32_t *rank, void *work);

#endif							/* SETTLE_MATCH_CORE_H */

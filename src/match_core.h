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
	const int32_t *fixed;		/* per placement: the only allowed municipality, -1, or a zone (below); NULL = none fixed */
	/*
	 * Zones (a zeroed struct has none): fixed[pl] = -2 - z confines
	 * placement pl to zone z, the municipalities m with
	 * zones[z * n_muni + m] = 1 (a linked group split within its county or
	 * a distance).  link[pl] >= 0 marks the members of one split group:
	 * consecutive placements with the same link are placed all or none
	 * (NULL: no links).
	 */
	int			n_zone;
	const uint8_t *zones;
	const int32_t *link;
	/*
	 * Counted capabilities (a zeroed struct has none): n_counted needs whose
	 * places some municipality counts.  uses[pl * n_counted + j]: the persons
	 * of placement pl with need j (0: none).  counted[(m * n_counted + j) * 2]:
	 * places left at m for persons with need j, [.. + 1]: places left at m for
	 * persons without it (what is not reserved for j); MATCH_NO_LIMIT = none.
	 * The chronological mode updates counted, like capacity.
	 */
	int			n_counted;
	const int32_t *uses;
	int32_t    *counted;
	/*
	 * Priority (matching.max_passed_over_days): the first n_first placements
	 * are placed in turn, as the chronological mode places them, before the
	 * optimal mode arranges the others in what is left (0: none).  The
	 * chronological mode needs nothing more: they come first in its order.
	 */
	int			n_first;
	/*
	 * Optimal mode only: has_max_extra asks that no placement cost more than
	 * in the chronological proposal plus max_extra_km (no one pays alone for
	 * the total); match_optimal then sets max_cost, per placement the highest
	 * cost allowed (NULL = no limit).  A zeroed struct has no limit.
	 */
	int			has_max_extra;
	double		max_extra_km;
	const double *max_cost;
} match_problem;

#define MATCH_NO_LIMIT INT32_MAX

/*
 * Whether placement pl's persons fit m's counted places (state: counted, or
 * a copy of it): those with need j into j's places left, the others into the
 * places not reserved for j.  Its one home, for both modes; its SQL side,
 * for one household, is settle.counted_blocks (100_matching.sql).
 */
static inline int
match_counted_fits(const match_problem *p, const int32_t *state, int pl, int m)
{
	for (int j = 0; j < p->n_counted; j++)
	{
		const int32_t *c = state + ((size_t) m * p->n_counted + j) * 2;
		int32_t		u = p->uses[(size_t) pl * p->n_counted + j];

		if ((c[0] != MATCH_NO_LIMIT && u > c[0]) ||
			(c[1] != MATCH_NO_LIMIT && p->persons[pl] - u > c[1]))
			return 0;
	}
	return 1;
}

/* placement pl takes (sign 1) or gives back (sign -1) its counted places at m */
static inline void
match_counted_take(const match_problem *p, int32_t *state, int pl, int m, int sign)
{
	for (int j = 0; j < p->n_counted; j++)
	{
		int32_t    *c = state + ((size_t) m * p->n_counted + j) * 2;
		int32_t		u = p->uses[(size_t) pl * p->n_counted + j];

		if (c[0] != MATCH_NO_LIMIT)
			c[0] -= sign * u;
		if (c[1] != MATCH_NO_LIMIT)
			c[1] -= sign * (p->persons[pl] - u);
	}
}

/* the size of the counted state (int32_t elements) */
static inline size_t
match_counted_size(const match_problem *p)
{
	return (size_t) p->n_muni * p->n_counted * 2;
}

/*
 * Whether municipality m can take a placement with these needs and this
 * fixed municipality (-1 = none) or zone, its places apart: not paused,
 * every need met, the fixed one or one of the zone's if any.  Both modes use it.
 */
static inline int
match_fits(const match_problem *p, uint64_t needs, int32_t fixed, int m)
{
	return !p->paused[m] && (needs & ~p->able[m]) == 0 &&
		(fixed == -1 || fixed == m || (fixed < -1 && p->zones[(size_t) (-2 - fixed) * p->n_muni + m]));
}

/* whether placements a and b (a < b) belong to one split group */
static inline int
match_same_link(const match_problem *p, int a, int b)
{
	return p->link && p->link[a] >= 0 && p->link[a] == p->link[b];
}

/*
 * The order in which a placement without residence (a quota refugee) prefers
 * municipalities: a before b when a has more planned places left, then more
 * places left, then the lower index.  Its one home: match_chronological (its
 * choice and rank), the optimal mode's rank_choices, and settle.candidates()
 * in SQL (100_matching.sql), which says so.
 */
static inline int
match_quota_before(const int32_t *planned, const int32_t *capacity, int a, int b)
{
	if (planned[a] != planned[b])
		return planned[a] > planned[b];
	if (capacity[a] != capacity[b])
		return capacity[a] > capacity[b];
	return a < b;
}

/* the municipality placement pl is fixed to, or -1 */
static inline int32_t
match_fixed(const match_problem *p, int pl)
{
	return p->fixed ? p->fixed[pl] : -1;
}

/* whether a cost is within a limit (no limit: HUGE_VAL, or NULL limits) */
static inline int
match_within(const match_problem *p, int r, int m, double limit)
{
	return r < 0 || p->cost[(size_t) r * p->n_muni + m] <= limit;
}

/*
 * Whether placement pl may go to municipality m, its places apart:
 * match_fits, and within its cost limit if any.  The optimal mode's one test.
 */
static inline int
match_allowed(const match_problem *p, int pl, int m)
{
	return match_fits(p, p->needs[pl], match_fixed(p, pl), m) &&
		(p->max_cost == NULL || match_within(p, p->residence[pl], m, p->max_cost[pl]));
}

/* bytes of workspace match_chronological needs */
extern size_t match_workspace_size(const match_problem *p);

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

/*
 * The figures of a proposal, in kilometres.  The objective of every mode is
 *   sum over placed placements of persons x cost(residence, municipality)
 * + sum over unplaced placements of persons x unplaced_km
 * (a placement without residence costs 0 wherever it goes); cost is rounded
 * to whole metres first, as the optimal mode computes it.
 */
typedef struct match_summary
{
	double		objective_km;
	double		distance_km;	/* the placed part of the objective */
	double		lower_bound_km; /* optimal mode: the LP relaxation's value; else -1 */
	int64_t		persons_placed;
	int64_t		persons_unplaced;
	int			placed;
	int			unplaced;
	long		pivots;			/* optimal mode: network simplex pivots */
	int			classes;		/* optimal mode: (residence, needs, fixed) classes */
	int			chronology_swaps;	/* optimal mode: later placements displaced by earlier ones */
	int			chronological_kept; /* optimal mode: the chronological proposal cost less and was kept */
} match_summary;

/* the objective and counts of any assignment (assign[p] = municipality or -1) */
extern void match_evaluate(const match_problem *p, double unplaced_km, const int32_t *assign, match_summary *s);

/*
 * Optimal mode: minimise the objective above (unplaced_km per unplaced person
 * must exceed every cost), never split a placement, and keep the chronology
 * rule: no placement stays unplaced while a later placed one that it could
 * replace (feasible there, and its persons fit into the places left plus the
 * later one's) is placed.  The LP relaxation over classes of identical
 * placements is solved exactly by network simplex (arcs kept: the nearest
 * municipalities of each class, more added while any prices out); each
 * class's latest placements then fill the LP's unplaced flow and the rest are
 * packed largest first into its flows, what does not fit is placed where
 * places are left, then improved by moves to cheaper places left and
 * repaired for chronology (stages: match_optimal.c).  s->lower_bound_km is the LP optimum, a lower bound
 * for every assignment.  p->capacity and p->planned are not changed.
 * Returns 0, -1 when out of memory, -2 when interrupted() said so, -3 when
 * unplaced_km is not above every cost or too large.
 */
/*
 * With has_max_extra, every placement is also kept within max_extra_km of its
 * cost in the chronological proposal (the LP and its bound then describe
 * that restricted problem).
 */
extern int	match_optimal(const match_problem *p, double unplaced_km, int32_t *assign, int32_t *rank,
						  match_summary *s, int (*interrupted) (void *), void *arg);

#endif							/* SETTLE_MATCH_CORE_H */

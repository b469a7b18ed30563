/*
 * match_optimal.c: the optimal matching mode (see match_core.h), in stages
 * (the first four in match_lp.c).
 *
 *   opt_init           the cost matrix in metres, the penalty check, classes
 *   lp_build           class -> municipality arcs (the KEEP cheapest feasible
 *                      of each class), class -> sink (unplaced), municipality
 *                      -> sink (capacity)
 *   lp_price_out       network simplex (mcf.c), then every feasible pair not
 *                      in the network whose reduced cost is negative is added
 *                      and the solve continues until none is left: the LP
 *                      optimum over all pairs, the lower bound
 *   lp_collect_flows   the LP's flows per class, cheapest first
 *   pack_classes       each class's latest households fill the LP's unplaced
 *                      flow; the rest go largest first into the cheapest flow
 *                      with room (first fit decreasing)
 *   place_leftovers    what did not fit: its cheapest municipality with places
 *                      left, possibly after moving one other household on
 *   improve_by_moves   moves to cheaper municipalities with places left
 *   order_ties         interchangeable placements: the earlier the cheaper
 *   repair_chronology  the chronology rule (see there)
 *   rank_choices       the rank of each choice, as the chronological mode
 *                      reports it
 *   keep_cheaper       the chronological proposal instead, if it costs less
 *                      (it keeps every rule too), so optimal never costs more
 *
 * Classes: placements with the same residence, needs and fixed municipality
 * are interchangeable person for person in the LP relaxation (a household
 * may be split there), so the LP is a transportation problem from classes to
 * municipalities whose size does not grow with the number of households.
 */
#include "match_work.h"
#include "idxsort.h"
#include "settle_assert.h"

#include <stdlib.h>
#include <string.h>

/* for idx_sort: placement a has more persons than b */
static int
more_persons(int32_t a, int32_t b, const void *p)
{
	return ((const match_problem *) p)->persons[a] > ((const match_problem *) p)->persons[b];
}
void
match_evaluate(const match_problem *p, double unplaced_km, const int32_t *assign, match_summary *s)
{
	int64_t		metres = 0;

	memset(s, 0, sizeof(*s));
	s->lower_bound_km = -1;
	for (int pl = 0; pl < p->n_place; pl++)
	{
		int			r = p->residence[pl];

		if (assign[pl] >= 0)
		{
			metres += p->persons[pl] * (r < 0 ? 0 : metres_of(p->cost[(size_t) r * p->n_muni + assign[pl]]));
			s->persons_placed += p->persons[pl];
			s->placed++;
		}
		else
		{
			s->persons_unplaced += p->persons[pl];
			s->unplaced++;
		}
	}
	s->distance_km = metres / 1000.0;
	s->objective_km = s->distance_km + (double) s->persons_unplaced * unplaced_km;
}
/* ---- the integer proposal --------------------------------------------- */

/*
 * The places left in the proposal: o->left and o->counted, changed only
 * here.  fits_left: placement pl fits m's places left (its other rules apart).
 */
static int
fits_left(const optimal *o, int pl, int m)
{
	return o->left[m] >= o->p->persons[pl] && match_counted_fits(o->p, o->counted, pl, m);
}

static void
take_place(optimal *o, int pl, int m)
{
	o->left[m] -= o->p->persons[pl];
	match_counted_take(o->p, o->counted, pl, m, 1);
}

static void
give_place(optimal *o, int pl, int m)
{
	o->left[m] += o->p->persons[pl];
	match_counted_take(o->p, o->counted, pl, m, -1);
}

/* cheapest municipality where placement pl fits into the places left, or -1 */
static int
cheapest_free(optimal *o, int pl)
{
	const match_problem *p = o->p;
	const int32_t *order = order_of(&o->c, p->residence[pl], o->tmp);

	for (int i = 0; i < p->n_muni; i++)
	{
		int			m = order[i];

		if (fits_left(o, pl, m) && match_allowed(p, pl, m))
			return m;
	}
	return -1;
}

static int
bucket_of(int64_t persons)
{
	return persons >= SIZE_BUCKETS ? SIZE_BUCKETS - 1 : (int) persons - 1;
}

/*
 * The placed placements by municipality and size bucket, latest first:
 * bucket_list[bucket_start[m * SIZE_BUCKETS + b] ..]
 */
static void
place_buckets(optimal *o, const int32_t *assign)
{
	const match_problem *p = o->p;
	int			nb = p->n_muni * SIZE_BUCKETS;

	memset(o->bucket_start, 0, ((size_t) nb + 1) * sizeof(int32_t));
	for (int pl = 0; pl < p->n_place; pl++)
		if (assign[pl] >= 0)
			o->bucket_start[assign[pl] * SIZE_BUCKETS + bucket_of(p->persons[pl]) + 1]++;
	for (int b = 0; b < nb; b++)
		o->bucket_start[b + 1] += o->bucket_start[b];
	memcpy(o->bucket_fill, o->bucket_start, (size_t) nb * sizeof(int32_t));
	for (int pl = p->n_place - 1; pl >= 0; pl--)
		if (assign[pl] >= 0)
			o->bucket_list[o->bucket_fill[assign[pl] * SIZE_BUCKETS + bucket_of(p->persons[pl])]++] = pl;
}

/* the placements of each class, in chronological order */
static int
group_members(optimal *o)
{
	int			n_class = o->k.n;
	int32_t    *fill;

	o->member_start = calloc((size_t) n_class + 1, sizeof(int32_t));
	o->member = malloc(((size_t) o->n_place + 1) * sizeof(int32_t));
	o->sort_tmp = malloc(((size_t) o->n_place + 1) * sizeof(int32_t));
	fill = malloc(((size_t) n_class + 1) * sizeof(int32_t));
	if (!o->member_start || !o->member || !o->sort_tmp || !fill)
	{
		free(fill);
		return -1;
	}
	for (int pl = 0; pl < o->n_place; pl++)
		o->member_start[o->k.of[pl] + 1]++;
	for (int cl = 0; cl < n_class; cl++)
		o->member_start[cl + 1] += o->member_start[cl];
	memcpy(fill, o->member_start, (size_t) n_class * sizeof(int32_t));
	for (int pl = 0; pl < o->n_place; pl++)
		o->member[fill[o->k.of[pl]]++] = pl;
	free(fill);
	return 0;
}

/*
 * Pack class cl's placements into its LP flows: the latest ones fill the
 * LP's unplaced flow (assign -1: left for the chronology repair); the rest,
 * largest first, go into the cheapest flow with room (first fit decreasing,
 * so small households fill the gaps); those that fit nowhere get -2.
 */
static void
pack_class(optimal *o, int cl, int32_t *assign)
{
	const match_problem *p = o->p;
	int			lo = o->member_start[cl],
				hi = o->member_start[cl + 1],
				kept = 0;
	int64_t		budget = o->unplaced_flow[cl];

	for (int i = hi - 1; i >= lo; i--)
	{
		int			pl = o->member[i];

		if (budget > 0 && p->persons[pl] <= budget)
		{
			budget -= p->persons[pl];
			assign[pl] = -1;
		}
		else
		{
			assign[pl] = -2;
			o->sort_tmp[lo + kept++] = pl;
		}
	}
	/* the class's segment of member[] is the sort's scratch from here on */
	idx_sort(o->sort_tmp + lo, o->member + lo, kept, more_persons, p);
	for (int i = lo; i < lo + kept; i++)
	{
		int			pl = o->sort_tmp[i];

		for (int j = o->flow_start[cl]; j < o->flow_start[cl + 1]; j++)
			if (o->flow_amount[j] >= p->persons[pl] && match_counted_fits(p, o->counted, pl, o->flow_muni[j]))
			{
				o->flow_amount[j] -= p->persons[pl];
				assign[pl] = o->flow_muni[j];
				take_place(o, pl, o->flow_muni[j]);
				break;
			}
	}
}

static int
pack_classes(optimal *o, int32_t *assign)
{
	if (group_members(o) != 0)
		return -1;
	memcpy(o->left, o->cap, (size_t) o->n * sizeof(int64_t));
	if (o->p->n_counted > 0)
		memcpy(o->counted, o->p->counted, match_counted_size(o->p) * sizeof(int32_t));
	for (int cl = 0; cl < o->k.n; cl++)
		pack_class(o, cl, assign);
	return 0;
}

/*
 * The best household placed at m to move on so that pl (needing `need` more
 * places there) fits, if that costs less than *best in total: updates *best
 * and returns the household (-1: none), its new municipality in *to_out.
 */
static int
best_to_move(optimal *o, const int32_t *assign, int pl, int m, int64_t need, int64_t *best, int *to_out)
{
	const match_problem *p = o->p;
	int64_t		cpm = cost_at(&o->c, p->residence[pl], m);
	int			found = -1,
				seen = 0;

	for (int b = bucket_of(need); b < SIZE_BUCKETS && seen < MOVE_OTHERS; b++)
		for (int j = o->bucket_start[m * SIZE_BUCKETS + b]; j < o->bucket_start[m * SIZE_BUCKETS + b + 1] && seen < MOVE_OTHERS; j++)
		{
			int			q = o->bucket_list[j],
						to;
			int64_t		delta;

			if (assign[q] != m || p->persons[q] < need)
				continue;
			seen++;
			/* q leaves m, pl takes its place there, q goes where places are left */
			give_place(o, q, m);
			to = -1;
			if (match_counted_fits(p, o->counted, pl, m))
			{
				take_place(o, pl, m);
				to = cheapest_free(o, q);
				give_place(o, pl, m);
			}
			take_place(o, q, m);
			if (to < 0 || to == m)
				continue;
			delta = cpm + cost_at(&o->c, p->residence[q], to) - cost_at(&o->c, p->residence[q], m);
			if (delta < *best)
			{
				*best = delta;
				*to_out = to;
				found = q;
			}
		}
	return found;
}

/*
 * Place pl (unplaced) at its cheapest municipality with places left, or, if
 * cheaper in total, at a nearer one after moving one household that is there
 * (of enough persons) to that one's cheapest municipality with places left;
 * if nothing is feasible, pl stays unplaced.  The buckets may be stale
 * (assign decides).
 */
static void
place_with_one_move(optimal *o, int pl, int32_t *assign)
{
	const match_problem *p = o->p;
	int			w = p->persons[pl],
				r = p->residence[pl],
				best_m = cheapest_free(o, pl),
				best_q = -1,
				best_q_to = -1,
				tried = 0;
	int64_t		best = best_m >= 0 ? cost_at(&o->c, r, best_m) : INT64_MAX;
	const int32_t *order = order_of(&o->c, r, o->tmp);

	for (int i = 0; i < p->n_muni && tried < MOVE_MUNIS; i++)
	{
		int			m = order[i],
					q,
					to = -1;
		int64_t		need = w - o->left[m];

		if (cost_at(&o->c, r, m) >= best)
			break;
		if (!match_allowed(p, pl, m) || need <= 0)
			continue;
		tried++;
		q = best_to_move(o, assign, pl, m, need, &best, &to);
		if (q >= 0)
		{
			best_m = m;
			best_q = q;
			best_q_to = to;
		}
	}
	if (best_m < 0)
		return;
	if (best_q >= 0)
	{
		give_place(o, best_q, best_m);
		assign[best_q] = best_q_to;
		take_place(o, best_q, best_q_to);
	}
	assign[pl] = best_m;
	take_place(o, pl, best_m);
}

/* what did not fit into the LP's flows (assign -2) */
static int
place_leftovers(optimal *o, int32_t *assign)
{
	size_t		nb = (size_t) o->n * SIZE_BUCKETS + 1;

	o->bucket_start = malloc(nb * sizeof(int32_t));
	o->bucket_list = malloc(((size_t) o->n_place + 1) * sizeof(int32_t));
	o->bucket_fill = malloc(nb * sizeof(int32_t));
	if (!o->bucket_start || !o->bucket_list || !o->bucket_fill)
		return -1;
	place_buckets(o, assign);
	for (int pl = 0; pl < o->n_place; pl++)
		if (assign[pl] == -2)
		{
			assign[pl] = -1;
			place_with_one_move(o, pl, assign);
		}
	return 0;
}

/* up to two passes of moves to cheaper municipalities with places left */
static void
improve_by_moves(optimal *o, int32_t *assign)
{
	const match_problem *p = o->p;

	for (int pass = 0; pass < 2; pass++)
	{
		int			moved = 0;

		for (int pl = 0; pl < o->n_place; pl++)
		{
			int			m = assign[pl],
						b;

			if (m < 0)
				continue;
			give_place(o, pl, m);
			b = cheapest_free(o, pl);
			if (b >= 0 && cost_at(&o->c, p->residence[pl], b) < cost_at(&o->c, p->residence[pl], m))
			{
				assign[pl] = b;
				moved++;
			}
			take_place(o, pl, assign[pl]);
		}
		if (moved == 0)
			break;
	}
}

/* ---- the chronology rule ---------------------------------------------- */

/* whether pl fits m's counted places once q (placed there) has left */
static int
replaces(optimal *o, int pl, int q, int m)
{
	int			ok;

	if (o->p->n_counted == 0)
		return 1;
	give_place(o, q, m);
	ok = match_counted_fits(o->p, o->counted, pl, m);
	take_place(o, q, m);
	return ok;
}

/*
 * The latest placement after pl, placed at a municipality where pl is
 * feasible, whose places plus those left there hold pl; -1 if none (its
 * municipality in *m_out).  The buckets list each municipality's placements
 * latest first, so each bucket is read only down to the first candidate.
 */
static int
latest_replaceable(optimal *o, const int32_t *assign, int pl, int *m_out)
{
	const match_problem *p = o->p;
	int			w = p->persons[pl],
				best_q = -1;

	for (int m = 0; m < o->n; m++)
	{
		/* (places may be left while counted places are not: then any q may do) */
		int64_t		need = w - o->left[m] > 1 ? w - o->left[m] : 1;

		if (!match_allowed(p, pl, m) || w > o->cap[m])
			continue;
		for (int b = bucket_of(need); b < SIZE_BUCKETS; b++)
		{
			int			lo = o->bucket_start[m * SIZE_BUCKETS + b],
						hi = o->bucket_start[m * SIZE_BUCKETS + b + 1];

			for (int i = lo; i < hi; i++)
			{
				int			q = o->bucket_list[i];

				if (q <= pl || q <= best_q)
					break;
				if (assign[q] == m && p->persons[q] >= need && replaces(o, pl, q, m))
				{
					best_q = q;
					*m_out = m;
					break;
				}
			}
		}
	}
	return best_q;
}

/*
 * The chronology rule (DOMAIN.md: referrals follow the order in which
 * households became ready to be referred): no placement stays unplaced while
 * a later placement that it could replace is placed.  Each unplaced
 * placement, earliest first, takes its cheapest municipality with places
 * left, or else the place of the latest later placement it can replace,
 * which becomes unplaced and waits its own turn in the next sweep.  Sweeps
 * repeat until nothing changes (at most REPAIR_ROUNDS).  Returns 0, or -2
 * when interrupted.  The chronological mode keeps the rule by construction
 * (match_chronological); this is its one home in the optimal mode.
 */
static int
repair_chronology(optimal *o, int32_t *assign)
{
	for (int round = 0; round < REPAIR_ROUNDS; round++)
	{
		int			changed = 0;

		place_buckets(o, assign);
		for (int pl = 0; pl < o->n_place; pl++)
		{
			int			m = -1,
						q;

			if (assign[pl] >= 0 || (o->dropped && o->dropped[pl]))
				continue;
			if (o->interrupted && (pl & 1023) == 0 && o->interrupted(o->arg))
				return -2;
			m = cheapest_free(o, pl);
			if (m >= 0)
			{
				assign[pl] = m;
				take_place(o, pl, m);
				changed++;
				continue;
			}
			q = latest_replaceable(o, assign, pl, &m);
			if (q < 0)
				continue;
			give_place(o, q, m);
			take_place(o, pl, m);
			assign[q] = -1;
			assign[pl] = m;
			o->s->chronology_swaps++;
			changed++;
		}
		if (changed == 0)
			break;
	}
	return 0;
}

/*
 * Split groups (match_problem.link) are placed all or none: a group some of
 * whose members are unplaced is left out whole, its places freed, and it
 * stays out.  Returns how many groups were left out now.
 */
static int
drop_partial_groups(optimal *o, int32_t *assign)
{
	const match_problem *p = o->p;
	int			dropped = 0;

	if (!p->link)
		return 0;
	for (int a = 0, b; a < o->n_place; a = b)
	{
		int			placed = 0;

		for (b = a; b < o->n_place && (b == a || match_same_link(p, a, b)); b++)
			placed += assign[b] >= 0;
		if (p->link[a] < 0 || placed == b - a || (o->dropped && o->dropped[a]))
			continue;
		if (!o->dropped && !(o->dropped = calloc((size_t) o->n_place + 1, 1)))
			return -1;
		for (int q = a; q < b; q++)
		{
			if (assign[q] >= 0)
				give_place(o, q, assign[q]);
			assign[q] = -1;
			o->dropped[q] = 1;
		}
		dropped++;
	}
	return dropped;
}

/*
 * The chronology repair, then split groups all or none; repeated while a
 * group is left out, since its freed places go to others in turn (each
 * group is left out at most once).
 */
static int
repair_and_drop(optimal *o, int32_t *assign)
{
	for (;;)
	{
		int			rc = repair_chronology(o, assign),
					dropped;

		if (rc != 0)
			return rc;
		dropped = drop_partial_groups(o, assign);
		if (dropped <= 0)
			return dropped;
	}
}

/*
 * Interchangeable placements (one class, as many persons, the same counted
 * uses) may trade places at no cost and with every rule kept, so among them
 * the earlier takes the cheaper municipality (then the lower index): the
 * proposal keeps the chronological order wherever it costs nothing, whichever
 * of the LP's equally cheap flows the network simplex found.  It runs before
 * the chronology repair: a trade changes which placement is the later one at
 * a place, so only the repair can come last.  Placements
 * without residence are left as they are (every municipality costs them 0).
 * member[] and sort_tmp[] are free scratch after pack_classes.
 */
typedef struct tie_ctx
{
	const optimal *o;
	const int32_t *assign;
} tie_ctx;

/* -1, 0 or 1: a's kind (class, persons, counted uses) against b's; 0 = interchangeable */
static int
tie_kind_cmp(const optimal *o, int32_t a, int32_t b)
{
	const match_problem *p = o->p;

	if (o->k.of[a] != o->k.of[b])
		return o->k.of[a] < o->k.of[b] ? -1 : 1;
	if (p->persons[a] != p->persons[b])
		return p->persons[a] < p->persons[b] ? -1 : 1;
	for (int j = 0; j < p->n_counted; j++)
	{
		int32_t		ua = p->uses[(size_t) a * p->n_counted + j],
					ub = p->uses[(size_t) b * p->n_counted + j];

		if (ua != ub)
			return ua < ub ? -1 : 1;
	}
	return 0;
}

/* for idx_sort: by kind, then the earlier first */
static int
tie_before(int32_t a, int32_t b, const void *ctx)
{
	int			c = tie_kind_cmp(((const tie_ctx *) ctx)->o, a, b);

	return c != 0 ? c < 0 : a < b;
}

/* for idx_sort: a's municipality is cheaper for the class than b's (then the lower index) */
static int
cheaper_place(int32_t a, int32_t b, const void *ctx)
{
	const tie_ctx *t = ctx;
	int			r = t->o->p->residence[a];
	int64_t		ca = cost_at(&t->o->c, r, t->assign[a]),
				cb = cost_at(&t->o->c, r, t->assign[b]);

	return ca != cb ? ca < cb : t->assign[a] < t->assign[b];
}

static int
order_ties(optimal *o, int32_t *assign)
{
	const match_problem *p = o->p;
	int32_t    *idx = o->member,
			   *tmp = o->sort_tmp,
			   *muni;
	int			n = 0;
	tie_ctx		ctx = {o, assign};

	for (int pl = 0; pl < o->n_place; pl++)
		if (assign[pl] >= 0 && p->residence[pl] >= 0)
			idx[n++] = pl;
	idx_sort(idx, tmp, n, tie_before, &ctx);
	muni = malloc(((size_t) n + 1) * sizeof(int32_t));
	if (!muni)
		return -1;
	for (int lo = 0, hi; lo < n; lo = hi)
	{
		for (hi = lo + 1; hi < n && tie_kind_cmp(o, idx[lo], idx[hi]) == 0; hi++)
			;
		if (hi - lo < 2)
			continue;
		/* the run idx[lo..hi) is in chronological order; its places, cheapest first */
		memcpy(tmp + lo, idx + lo, (size_t) (hi - lo) * sizeof(int32_t));
		idx_sort(tmp + lo, muni, hi - lo, cheaper_place, &ctx);
		for (int i = lo; i < hi; i++)
			muni[i - lo] = assign[tmp[i]];
		for (int i = lo; i < hi; i++)
			assign[idx[i]] = muni[i - lo];
	}
	free(muni);
	return 0;
}

/* ---- reporting -------------------------------------------------------- */

/*
 * rank[pl]: the position of pl's municipality among those feasible for it
 * before anyone was placed, in the order the chronological mode uses (cost,
 * or match_quota_before without residence); 0 when unplaced.
 */
static void
rank_choices(const optimal *o, const int32_t *assign, int32_t *rank)
{
	const match_problem *p = o->p;

	for (int pl = 0; pl < o->n_place; pl++)
	{
		int			m = assign[pl],
					r = p->residence[pl],
					k = 0;

		if (m < 0)
		{
			rank[pl] = 0;
			continue;
		}
		for (int x = 0; x < o->n; x++)
		{
			if (o->cap[x] < p->persons[pl] || !match_allowed(p, pl, x) || !match_counted_fits(p, p->counted, pl, x))
				continue;
			if (r < 0 ? (x == m || match_quota_before(p->planned, p->capacity, x, m))
				: (cost_at(&o->c, r, x) < cost_at(&o->c, r, m) ||
				   (cost_at(&o->c, r, x) == cost_at(&o->c, r, m) && x <= m)))
				k++;
		}
		rank[pl] = k > 0 ? k : 1;
	}
}

/*
 * Fill in the summary; if the chronological proposal costs less, take it
 * instead (it keeps every rule too), so the optimal mode never costs more
 * than today's practice.  Under a limit per household (max_cost), also when
 * the proposal leaves unplaced a placement the chronological one places: no
 * one may end up worse off than the limit allows, and unplaced is worse.
 */
/* whether assign leaves unplaced a placement that chrono places */
static int
loses_placement(const match_problem *p, const int32_t *assign, const int32_t *chrono)
{
	for (int pl = 0; pl < p->n_place; pl++)
		if (assign[pl] < 0 && chrono[pl] >= 0)
			return 1;
	return 0;
}

/*
 * The chronological proposal of p (assign, rank: n_place each), its places
 * left untouched (the mode runs on copies).  Returns 0, or -1 when out of
 * memory.
 */
static int
chronological_of(const match_problem *p, int32_t *assign, int32_t *rank)
{
	match_problem q = *p;
	size_t		n = (size_t) p->n_muni + 1;
	int32_t    *cc = malloc(n * sizeof(int32_t)),
			   *cp = malloc(n * sizeof(int32_t)),
			   *ck = malloc((match_counted_size(p) + 1) * sizeof(int32_t));
	void	   *work = malloc(match_workspace_size(p));
	int			rc = -1;

	if (cc && cp && ck && work)
	{
		memcpy(cc, p->capacity, (size_t) p->n_muni * sizeof(int32_t));
		memcpy(cp, p->planned, (size_t) p->n_muni * sizeof(int32_t));
		if (p->n_counted > 0)
			memcpy(ck, p->counted, match_counted_size(p) * sizeof(int32_t));
		q.capacity = cc;
		q.planned = cp;
		q.counted = ck;
		match_chronological(&q, assign, rank, work);
		rc = 0;
	}
	free(cc), free(cp), free(ck), free(work);
	return rc;
}

static int
keep_cheaper(optimal *o, int32_t *assign, int32_t *rank)
{
	const match_problem *p = o->p;
	match_summary e,
				ce;
	int			n_place = o->n_place;
	int32_t    *ca = malloc(((size_t) n_place + 1) * sizeof(int32_t)),
			   *cr = malloc(((size_t) n_place + 1) * sizeof(int32_t));
	int			rc = -1;

	if (ca && cr && chronological_of(p, ca, cr) == 0)
	{
		match_evaluate(p, o->unplaced_km, assign, &e);
		match_evaluate(p, o->unplaced_km, ca, &ce);
		if (ce.objective_km < e.objective_km || (p->max_cost != NULL && loses_placement(p, assign, ca)))
		{
			memcpy(assign, ca, (size_t) n_place * sizeof(int32_t));
			memcpy(rank, cr, (size_t) n_place * sizeof(int32_t));
			e = ce;
			o->s->chronological_kept = 1;
		}
		e.lower_bound_km = o->s->lower_bound_km;
		e.pivots = o->s->pivots;
		e.classes = o->s->classes;
		e.chronology_swaps = o->s->chronology_swaps;
		e.chronological_kept = o->s->chronological_kept;
		*o->s = e;
		rc = 0;
	}
	free(ca), free(cr);
	return rc;
}

/* ---- the entry -------------------------------------------------------- */

/*
 * Between stages (asserts builds): every placement is unplaced or at a
 * municipality that fits it, and the places left match the assignment.
 */
static void
check_proposal(const optimal *o, const int32_t *assign)
{
#ifdef SETTLE_ASSERTS
	const match_problem *p = o->p;
	int64_t    *used = calloc((size_t) o->n + 1, sizeof(int64_t));

	if (!used)
		return;
	for (int pl = 0; pl < o->n_place; pl++)
	{
		int			m = assign[pl];

		SETTLE_ASSERT(m >= -1 && m < o->n);
		if (m < 0)
			continue;
		SETTLE_ASSERT(match_allowed(p, pl, m));
		used[m] += p->persons[pl];
	}
	for (int m = 0; m < o->n; m++)
		SETTLE_ASSERT(used[m] <= o->cap[m] && o->left[m] == o->cap[m] - used[m]);
	free(used);
	if (p->n_counted > 0)
	{
		/* every counted place is within its limit, and o->counted agrees */
		int32_t    *state = malloc(match_counted_size(p) * sizeof(int32_t));

		if (!state)
			return;
		memcpy(state, p->counted, match_counted_size(p) * sizeof(int32_t));
		for (int pl = 0; pl < o->n_place; pl++)
			if (assign[pl] >= 0)
			{
				SETTLE_ASSERT(match_counted_fits(p, state, pl, assign[pl]));
				match_counted_take(p, state, pl, assign[pl], 1);
			}
		SETTLE_ASSERT(memcmp(state, o->counted, match_counted_size(p) * sizeof(int32_t)) == 0);
		free(state);
	}
#else
	(void) o;
	(void) assign;
#endif
}

/*
 * The cost limit of every placement when no one may pay more than
 * max_extra_km for the total: its cost in the chronological proposal plus
 * the limit (no limit for a placement the chronological proposal leaves
 * unplaced).  The chronological proposal keeps every limit, so the optimal
 * mode can always fall back on it (keep_cheaper).  NULL when out of memory.
 */
static double *
chronological_limits(const match_problem *p)
{
	int			n = p->n_muni;
	int32_t    *ca = malloc(((size_t) p->n_place + 1) * sizeof(int32_t)),
			   *cr = malloc(((size_t) p->n_place + 1) * sizeof(int32_t));
	double	   *limit = malloc(((size_t) p->n_place + 1) * sizeof(double));

	if (ca && cr && limit && chronological_of(p, ca, cr) == 0)
	{
		for (int pl = 0; pl < p->n_place; pl++)
			limit[pl] = ca[pl] < 0 || p->residence[pl] < 0 ? HUGE_VAL
				: p->cost[(size_t) p->residence[pl] * n + ca[pl]] + p->max_extra_km;
	}
	else
	{
		free(limit);
		limit = NULL;
	}
	free(ca), free(cr);
	return limit;
}

static int	optimal_rest(const match_problem *p, double unplaced_km, int32_t *assign, int32_t *rank,
						 match_summary *s, int (*interrupted) (void *), void *arg);

/*
 * The optimal mode.  With priority placements (n_first), they are placed in
 * turn first (the chronological mode on them alone), and the others are
 * arranged optimally in the places they leave; the bound is then the bound
 * of that problem plus their objective.
 */
int
match_optimal(const match_problem *p, double unplaced_km, int32_t *assign, int32_t *rank,
			  match_summary *s, int (*interrupted) (void *), void *arg)
{
	match_problem first = *p,
				rest = *p;
	match_summary fs,
				rs;
	size_t		n = (size_t) p->n_muni + 1,
				nc = match_counted_size(p) + 1;
	int32_t    *cc,
			   *cp,
			   *ck;
	void	   *work;
	int			rc = -1,
				k = p->n_first,
				nk = p->n_counted;

	if (k <= 0)
		return optimal_rest(p, unplaced_km, assign, rank, s, interrupted, arg);
	/* (a split group is not cut in two: its members go first together) */
	while (k < p->n_place && match_same_link(p, k - 1, k))
		k++;
	memset(s, 0, sizeof(*s));
	cc = malloc(n * sizeof(int32_t));
	cp = malloc(n * sizeof(int32_t));
	ck = malloc(nc * sizeof(int32_t));
	work = malloc(match_workspace_size(p));
	if (cc && cp && ck && work)
	{
		memcpy(cc, p->capacity, (size_t) p->n_muni * sizeof(int32_t));
		memcpy(cp, p->planned, (size_t) p->n_muni * sizeof(int32_t));
		if (nk > 0)
			memcpy(ck, p->counted, match_counted_size(p) * sizeof(int32_t));
		first.n_place = k;
		first.n_first = 0;
		first.capacity = cc;
		first.planned = cp;
		first.counted = ck;
		match_chronological(&first, assign, rank, work);
		/* the others, in what is left: every per-placement array from k on */
		rest.n_place = p->n_place - k;
		rest.n_first = 0;
		rest.persons = p->persons + k;
		rest.residence = p->residence + k;
		rest.needs = p->needs + k;
		rest.fixed = p->fixed ? p->fixed + k : NULL;
		rest.uses = nk > 0 ? p->uses + (size_t) k * nk : p->uses;
		rest.max_cost = p->max_cost ? p->max_cost + k : NULL;
		rest.link = p->link ? p->link + k : NULL;
		rest.capacity = cc;
		rest.planned = cp;
		rest.counted = ck;
		rc = optimal_rest(&rest, unplaced_km, assign + k, rank + k, &rs, interrupted, arg);
	}
	if (rc == 0)
	{
		match_evaluate(&first, unplaced_km, assign, &fs);
		match_evaluate(p, unplaced_km, assign, s);
		s->lower_bound_km = rs.lower_bound_km + fs.objective_km;
		s->pivots = rs.pivots;
		s->classes = rs.classes;
		s->chronology_swaps = rs.chronology_swaps;
		s->chronological_kept = rs.chronological_kept;
	}
	free(cc), free(cp), free(ck), free(work);
	return rc;
}

static int
optimal_rest(const match_problem *p, double unplaced_km, int32_t *assign, int32_t *rank,
			 match_summary *s, int (*interrupted) (void *), void *arg)
{
	optimal		o = {0};
	mcf		   *g = NULL;
	int			rc;
	match_problem limited = *p;
	double	   *limit = NULL;

	memset(s, 0, sizeof(*s));
	if (p->has_max_extra)
	{
		if (!(p->max_extra_km >= 0))
			return -3;
		limit = chronological_limits(p);
		if (limit == NULL)
			return -1;
		limited.max_cost = limit;
		p = &limited;
	}
	o.p = p;
	o.n = p->n_muni;
	o.n_place = p->n_place;
	o.unplaced_km = unplaced_km;
	o.unplaced_m = metres_of(unplaced_km);
	o.s = s;
	o.interrupted = interrupted;
	o.arg = arg;

	rc = opt_init(&o);
	if (rc == 0)
		rc = (g = lp_build(&o)) != NULL ? 0 : -1;
	if (rc == 0)
		rc = lp_price_out(&o, g);
	if (rc == 0)
		rc = lp_collect_flows(&o, g);
	mcf_free(g);
	if (rc == 0)
		rc = pack_classes(&o, assign);
	if (rc == 0)
		rc = place_leftovers(&o, assign);
	if (rc == 0)
	{
		check_proposal(&o, assign);
		improve_by_moves(&o, assign);
		check_proposal(&o, assign);
		rc = order_ties(&o, assign);
	}
	if (rc == 0)
		rc = repair_and_drop(&o, assign);
	if (rc == 0)
	{
		check_proposal(&o, assign);
		rank_choices(&o, assign, rank);
		rc = keep_cheaper(&o, assign, rank);
	}
	opt_free(&o);
	free(limit);
	return rc;
}

/*
 * match_optimal.c: the optimal matching mode (see match_core.h).
 *
 * 1. Classes.  Placements with the same residence, needs and fixed
 *    municipality are interchangeable person for person in the LP
 *    relaxation (a household may be split there), so the LP is a
 *    transportation problem from classes to municipalities, whose size does
 *    not grow with the number of households.
 * 2. LP.  Network simplex (mcf.c) on class -> municipality arcs (cost per
 *    person in metres, the nearest KEEP feasible municipalities of each class
 *    to start with), class -> sink (unplaced, unplaced_km per person) and
 *    municipality -> sink (capacity).  Then pricing: every feasible
 *    class -> municipality pair not in the network is checked against the
 *    potentials; those with a negative reduced cost are added and the solve
 *    continues, until none is left.  The LP optimum is then the optimum over
 *    all pairs: the lower bound.
 * 3. Integer proposal.  Each class's households, in chronological order,
 *    are packed into the LP's flows (cheapest first, first fit); what does
 *    not fit goes, in chronological order, to its cheapest municipality with
 *    places left.  Then moves to cheaper municipalities with places left,
 *    then the chronology repair: an unplaced placement takes the place of
 *    the latest later placed one it can replace, which waits its own turn.
 *    If the chronological proposal happens to cost less, it is returned
 *    instead (it keeps every rule too), so optimal never costs more.
 */
#include "match_core.h"
#include "idxsort.h"
#include "mcf.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define KEEP 32					/* arcs per class to start with */
#define SIZE_BUCKETS 16			/* placements of 16+ persons share a bucket */

/* a proximity cost in whole metres, as the objective counts it */
static int64_t
metres_of(double km)
{
	return (int64_t) llround(km * 1000.0);
}

static int64_t
cost_m(const match_problem *p, int r, int m)
{
	return r < 0 ? 0 : metres_of(p->cost[(size_t) r * p->n_muni + m]);
}

typedef struct
{
	const match_problem *p;
	int			n;
	int64_t    *metres;			/* n x n: the cost matrix in metres, rounded once */
	int32_t    *order;			/* n x n: municipalities by cost from each residence (row n: no residence) */
	uint8_t    *ready;			/* per row */
} costs;

/* the cost in metres of a placement living in r (-1: none, cost 0) at m */
static inline int64_t
cost_at(const costs *c, int r, int m)
{
	return r < 0 ? 0 : c->metres[(size_t) r * c->n + m];
}

typedef struct
{
	const costs *c;
	int			r;
} row_of;

/* for idx_sort: a costs less than b from residence r */
static int
cheaper_from(int32_t a, int32_t b, const void *ctx)
{
	const row_of *x = ctx;

	return cost_at(x->c, x->r, a) < cost_at(x->c, x->r, b);
}

/* for idx_sort: placement a has more persons than b */
static int
larger(int32_t a, int32_t b, const void *p)
{
	return ((const match_problem *) p)->persons[a] > ((const match_problem *) p)->persons[b];
}

/* the municipalities by cost from residence r (-1: in index order) */
static const int32_t *
order_of(costs *c, int r, int32_t *tmp)
{
	int			row = r < 0 ? c->n : r;
	int32_t    *o = c->order + (size_t) row * c->n;

	if (!c->ready[row])
	{
		for (int m = 0; m < c->n; m++)
			o[m] = m;
		if (r >= 0)
		{
			row_of		x = {c, r};

			idx_sort(o, tmp, c->n, cheaper_from, &x);
		}
		c->ready[row] = 1;
	}
	return o;
}

void
match_evaluate(const match_problem *p, double unplaced_km, const int32_t *assign, match_summary *s)
{
	int64_t		metres = 0;

	memset(s, 0, sizeof(*s));
	s->lower_bound_km = -1;
	for (int pl = 0; pl < p->n_place; pl++)
	{
		if (assign[pl] >= 0)
		{
			metres += p->persons[pl] * cost_m(p, p->residence[pl], assign[pl]);
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

/* ---- classes ---------------------------------------------------------- */

typedef struct
{
	int			n;
	int32_t    *res;
	uint64_t   *needs;
	int32_t    *fixed;
	int64_t    *persons;
	int32_t    *of;				/* per placement */
} classes;

static uint64_t
mix(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

static int
build_classes(const match_problem *p, classes *k)
{
	size_t		size = 16;
	int32_t    *slot;

	while (size < (size_t) p->n_place * 2)
		size *= 2;
	slot = malloc(size * sizeof(int32_t));
	k->res = malloc(((size_t) p->n_place + 1) * sizeof(int32_t));
	k->needs = malloc(((size_t) p->n_place + 1) * sizeof(uint64_t));
	k->fixed = malloc(((size_t) p->n_place + 1) * sizeof(int32_t));
	k->persons = malloc(((size_t) p->n_place + 1) * sizeof(int64_t));
	k->of = malloc(((size_t) p->n_place + 1) * sizeof(int32_t));
	if (!slot || !k->res || !k->needs || !k->fixed || !k->persons || !k->of)
	{
		free(slot);
		return -1;
	}
	memset(slot, 0xff, size * sizeof(int32_t));
	k->n = 0;
	for (int pl = 0; pl < p->n_place; pl++)
	{
		int32_t		r = p->residence[pl],
					f = match_fixed(p, pl);
		uint64_t	nd = p->needs[pl];
		size_t		h = mix(nd ^ mix(((uint64_t) (uint32_t) r << 32) | (uint32_t) f)) & (size - 1);

		for (;; h = (h + 1) & (size - 1))
		{
			int32_t		c = slot[h];

			if (c < 0)
			{
				c = slot[h] = k->n++;
				k->res[c] = r;
				k->needs[c] = nd;
				k->fixed[c] = f;
				k->persons[c] = 0;
			}
			if (k->res[c] == r && k->needs[c] == nd && k->fixed[c] == f)
			{
				k->of[pl] = c;
				k->persons[c] += p->persons[pl];
				break;
			}
		}
	}
	free(slot);
	return 0;
}

static void
free_classes(classes *k)
{
	free(k->res);
	free(k->needs);
	free(k->fixed);
	free(k->persons);
	free(k->of);
}

/* ---- the integer proposal --------------------------------------------- */

/* cheapest municipality where placement pl fits into the places left, or -1 */
static int
cheapest_free(const match_problem *p, costs *c, int pl, const int64_t *free_, int32_t *tmp)
{
	const int32_t *o = order_of(c, p->residence[pl], tmp);
	uint64_t	nd = p->needs[pl];
	int32_t		f = match_fixed(p, pl);

	for (int i = 0; i < p->n_muni; i++)
	{
		int			m = o[i];

		if (free_[m] >= p->persons[pl] && match_fits(p, nd, f, m))
			return m;
	}
	return -1;
}

static int
bucket_of(int32_t persons)
{
	return persons >= SIZE_BUCKETS ? SIZE_BUCKETS - 1 : persons - 1;
}

/*
 * The placed placements by municipality and size bucket, latest first:
 * bucket_list[bucket_start[m * SIZE_BUCKETS + b] ..] (fill: scratch, as long)
 */
static void
place_buckets(const match_problem *p, const int32_t *assign, int32_t *bucket_start, int32_t *bucket_list, int32_t *fill)
{
	int			nb = p->n_muni * SIZE_BUCKETS;

	memset(bucket_start, 0, ((size_t) nb + 1) * sizeof(int32_t));
	for (int pl = 0; pl < p->n_place; pl++)
		if (assign[pl] >= 0)
			bucket_start[assign[pl] * SIZE_BUCKETS + bucket_of(p->persons[pl]) + 1]++;
	for (int b = 0; b < nb; b++)
		bucket_start[b + 1] += bucket_start[b];
	memcpy(fill, bucket_start, (size_t) nb * sizeof(int32_t));
	for (int pl = p->n_place - 1; pl >= 0; pl--)
		if (assign[pl] >= 0)
			bucket_list[fill[assign[pl] * SIZE_BUCKETS + bucket_of(p->persons[pl])]++] = pl;
}

static int
place_buckets_alloc(int n, int P, int32_t **start, int32_t **list, int32_t **fill)
{
	*start = malloc(((size_t) n * SIZE_BUCKETS + 1) * sizeof(int32_t));
	*list = malloc(((size_t) P + 1) * sizeof(int32_t));
	*fill = malloc(((size_t) n * SIZE_BUCKETS + 1) * sizeof(int32_t));
	return *start && *list && *fill ? 0 : -1;
}

#define MOVE_MUNIS 24			/* municipalities tried for a household that did not fit */
#define MOVE_OTHERS 32			/* households there considered for moving on */

/*
 * Place pl (unplaced) at its cheapest municipality with places left, or, if
 * cheaper in total, at a nearer one after moving one household that is there
 * (of enough persons) to that one's cheapest municipality with places left;
 * if nothing is feasible, pl stays unplaced.  The buckets may be stale
 * (assign decides).
 */
static void
place_with_one_move(const match_problem *p, costs *c, int pl, int32_t *assign, int64_t *free_,
					const int32_t *bucket_start, const int32_t *bucket_list, int32_t *tmp)
{
	int			w = p->persons[pl],
				r = p->residence[pl],
				best_m = cheapest_free(p, c, pl, free_, tmp),
				best_q = -1,
				best_q_to = -1,
				tried = 0;
	int64_t		best = best_m >= 0 ? cost_at(c, r, best_m) : INT64_MAX;
	const int32_t *o = order_of(c, r, tmp);

	for (int i = 0; i < p->n_muni && tried < MOVE_MUNIS; i++)
	{
		int			m = o[i];
		int64_t		cpm = cost_at(c, r, m),
					need = w - free_[m];

		if (cpm >= best)
			break;
		if (!match_fits(p, p->needs[pl], match_fixed(p, pl), m) || need <= 0)
			continue;
		tried++;
		for (int b = need >= SIZE_BUCKETS ? SIZE_BUCKETS - 1 : (int) need - 1, seen = 0; b < SIZE_BUCKETS && seen < MOVE_OTHERS; b++)
			for (int j = bucket_start[m * SIZE_BUCKETS + b]; j < bucket_start[m * SIZE_BUCKETS + b + 1] && seen < MOVE_OTHERS; j++)
			{
				int			q = bucket_list[j],
							to;
				int64_t		delta;

				if (assign[q] != m || p->persons[q] < need)
					continue;
				seen++;
				free_[m] += p->persons[q] - w;
				to = cheapest_free(p, c, q, free_, tmp);
				free_[m] -= p->persons[q] - w;
				if (to < 0 || to == m)
					continue;
				delta = cpm + cost_at(c, p->residence[q], to) - cost_at(c, p->residence[q], m);
				if (delta < best)
				{
					best = delta;
					best_m = m;
					best_q = q;
					best_q_to = to;
				}
			}
	}
	if (best_m < 0)
		return;
	if (best_q >= 0)
	{
		free_[best_m] += p->persons[best_q];
		assign[best_q] = best_q_to;
		free_[best_q_to] -= p->persons[best_q];
	}
	assign[pl] = best_m;
	free_[best_m] -= w;
}

int
match_optimal(const match_problem *p, double unplaced_km, int32_t *assign, int32_t *rank,
			  match_summary *s, int (*interrupted) (void *), void *arg)
{
	int			n = p->n_muni,
				P = p->n_place,
				rc = -1;
	int64_t		unplaced_m = metres_of(unplaced_km),
				max_cost = 0;
	classes		k = {0};
	costs		c = {p, n, NULL, NULL, NULL};
	mcf		   *g = NULL;
	int32_t    *tmp = NULL,
			   *arc_start = NULL,
			   *arc_list = NULL,
			   *bucket_start = NULL,
			   *bucket_list = NULL,
			   *bucket_fill = NULL,
			   *cls_start = NULL,
			   *cls_list = NULL,
			   *sort_tmp = NULL;
	int64_t    *unplaced_flow = NULL;
	int64_t    *free_ = NULL,
			   *amount = NULL,
			   *cap = NULL;
	int			C,
				T;

	memset(s, 0, sizeof(*s));
	c.metres = malloc(((size_t) n * n + 1) * sizeof(int64_t));
	if (!c.metres)
		return -1;
	for (size_t i = 0; i < (size_t) n * n; i++)
	{
		c.metres[i] = metres_of(p->cost[i]);
		if (c.metres[i] > max_cost)
			max_cost = c.metres[i];
	}
	if (!(unplaced_m > max_cost) || !(unplaced_km < 1e9))
		goto bad_penalty;

	c.order = malloc(((size_t) n + 1) * (n > 0 ? n : 1) * sizeof(int32_t));
	c.ready = calloc((size_t) n + 1, 1);
	tmp = malloc(((size_t) n + 1) * sizeof(int32_t));
	cap = malloc(((size_t) n + 1) * sizeof(int64_t));
	free_ = malloc(((size_t) n + 1) * sizeof(int64_t));
	if (!c.order || !c.ready || !tmp || !cap || !free_ || build_classes(p, &k) != 0)
		goto done;
	for (int m = 0; m < n; m++)
		cap[m] = p->capacity[m] > 0 ? p->capacity[m] : 0;
	C = k.n;
	T = C + n;
	s->classes = C;

	/* 2. the LP over classes */
	if ((int64_t) (T + 2) >= MCF_ART_COST / (unplaced_m + 1))
		goto bad_penalty;
	g = mcf_create(T + 1, C * (KEEP + 1) + n);
	if (!g)
		goto done;
	{
		int64_t		total = 0;

		for (int cl = 0; cl < C; cl++)
		{
			const int32_t *o = order_of(&c, k.res[cl], tmp);
			int			kept = 0;

			mcf_set_supply(g, cl, k.persons[cl]);
			total += k.persons[cl];
			for (int i = 0; i < n && kept < KEEP; i++)
			{
				int			m = o[i];

				if (cap[m] > 0 && match_fits(p, k.needs[cl], k.fixed[cl], m))
				{
					if (mcf_add_arc(g, cl, C + m, MCF_INF, cost_at(&c, k.res[cl], m)) < 0)
						goto done;
					kept++;
				}
			}
			if (mcf_add_arc(g, cl, T, MCF_INF, unplaced_m) < 0)
				goto done;
		}
		for (int m = 0; m < n; m++)
			if (cap[m] > 0 && mcf_add_arc(g, C + m, T, cap[m], 0) < 0)
				goto done;
		mcf_set_supply(g, T, -total);
	}
	for (;;)
	{
		int			r = mcf_solve(g, interrupted, arg),
					added = 0;

		if (r == -1)
			goto done;
		if (r == -2)
		{
			rc = -2;
			goto done;
		}
		for (int cl = 0; cl < C; cl++)
		{
			int64_t		pc = mcf_potential(g, cl);

			for (int m = 0; m < n; m++)
				if (cap[m] > 0 && match_fits(p, k.needs[cl], k.fixed[cl], m) &&
					cost_at(&c, k.res[cl], m) + pc - mcf_potential(g, C + m) < 0)
				{
					if (mcf_add_arc(g, cl, C + m, MCF_INF, cost_at(&c, k.res[cl], m)) < 0)
						goto done;
					added++;
				}
		}
		if (added == 0)
			break;
	}
	{
		int64_t		lp = 0;
		int			A = mcf_arc_count(g);

		for (int e = 0; e < A; e++)
			lp += mcf_flow(g, e) * mcf_arc_cost(g, e);
		s->lower_bound_km = lp / 1000.0;
		s->pivots = mcf_pivots(g);

		/* the LP's flows per class: (municipality, persons), cheapest first */
		arc_start = calloc((size_t) C + 1, sizeof(int32_t));
		unplaced_flow = calloc((size_t) C + 1, sizeof(int64_t));
		if (!arc_start || !unplaced_flow)
			goto done;
		for (int e = 0; e < A; e++)
		{
			int			from = mcf_arc_from(g, e),
						to = mcf_arc_to(g, e);

			if (from < C && to >= C && to < T && mcf_flow(g, e) > 0)
				arc_start[from + 1]++;
			if (from < C && to == T)
				unplaced_flow[from] = mcf_flow(g, e);
		}
		for (int cl = 0; cl < C; cl++)
			arc_start[cl + 1] += arc_start[cl];
		arc_list = malloc(((size_t) arc_start[C] + 1) * sizeof(int32_t));
		amount = malloc(((size_t) arc_start[C] + 1) * sizeof(int64_t));
		if (!arc_list || !amount)
			goto done;
		{
			int32_t    *fill = malloc(((size_t) C + 1) * sizeof(int32_t));

			if (!fill)
				goto done;
			memcpy(fill, arc_start, (size_t) C * sizeof(int32_t));
			for (int e = 0; e < A; e++)
			{
				int			from = mcf_arc_from(g, e),
							to = mcf_arc_to(g, e);

				if (from < C && to >= C && to < T && mcf_flow(g, e) > 0)
				{
					int			i = fill[from]++;

					arc_list[i] = to - C;
					amount[i] = mcf_flow(g, e);
					/* insertion by cost within the class (few flows each) */
					while (i > arc_start[from] &&
						   cost_at(&c, k.res[from], arc_list[i - 1]) > cost_at(&c, k.res[from], arc_list[i]))
					{
						int32_t		tm = arc_list[i - 1];
						int64_t		ta = amount[i - 1];

						arc_list[i - 1] = arc_list[i];
						amount[i - 1] = amount[i];
						arc_list[i] = tm;
						amount[i] = ta;
						i--;
					}
				}
			}
			free(fill);
		}
	}
	mcf_free(g);
	g = NULL;

	/*
	 * 3. pack each class's households into its flows: the latest ones into
	 * the LP's unplaced flow, the rest largest first into the cheapest flow
	 * with room (first fit decreasing, so small households fill the gaps)
	 */
	cls_start = calloc((size_t) C + 1, sizeof(int32_t));
	cls_list = malloc(((size_t) P + 1) * sizeof(int32_t));
	sort_tmp = malloc(((size_t) P + 1) * sizeof(int32_t));
	if (!cls_start || !cls_list || !sort_tmp)
		goto done;
	for (int pl = 0; pl < P; pl++)
		cls_start[k.of[pl] + 1]++;
	for (int cl = 0; cl < C; cl++)
		cls_start[cl + 1] += cls_start[cl];
	{
		int32_t    *fill = malloc(((size_t) C + 1) * sizeof(int32_t));

		if (!fill)
			goto done;
		memcpy(fill, cls_start, (size_t) C * sizeof(int32_t));
		for (int pl = 0; pl < P; pl++)
			cls_list[fill[k.of[pl]]++] = pl;
		free(fill);
	}
	memcpy(free_, cap, (size_t) n * sizeof(int64_t));
	for (int cl = 0; cl < C; cl++)
	{
		int			lo = cls_start[cl],
					hi = cls_start[cl + 1],
					kept = 0;
		int64_t		budget = unplaced_flow[cl];

		for (int i = hi - 1; i >= lo; i--)
		{
			int			pl = cls_list[i];

			if (budget > 0 && p->persons[pl] <= budget)
			{
				budget -= p->persons[pl];
				assign[pl] = -1;	/* left for the chronology repair */
			}
			else
			{
				assign[pl] = -2;
				sort_tmp[lo + kept++] = pl;
			}
		}
		idx_sort(sort_tmp + lo, cls_list + lo, kept, larger, p);	/* largest first */
		for (int i = lo; i < lo + kept; i++)
		{
			int			pl = sort_tmp[i];

			for (int j = arc_start[cl]; j < arc_start[cl + 1]; j++)
				if (amount[j] >= p->persons[pl])
				{
					amount[j] -= p->persons[pl];
					assign[pl] = arc_list[j];
					free_[arc_list[j]] -= p->persons[pl];
					break;
				}
		}
		/* (cls_list's segment was the sort's scratch; it is not used again) */
	}
	/* what did not fit: its cheapest place, possibly by moving one other household */
	if (place_buckets_alloc(n, P, &bucket_start, &bucket_list, &bucket_fill) != 0)
		goto done;
	place_buckets(p, assign, bucket_start, bucket_list, bucket_fill);
	for (int pl = 0; pl < P; pl++)
		if (assign[pl] == -2)
		{
			assign[pl] = -1;
			place_with_one_move(p, &c, pl, assign, free_, bucket_start, bucket_list, tmp);
		}

	/* moves to cheaper municipalities with places left */
	for (int pass = 0; pass < 2; pass++)
	{
		int			moved = 0;

		for (int pl = 0; pl < P; pl++)
		{
			int			m = assign[pl],
						b;

			if (m < 0)
				continue;
			free_[m] += p->persons[pl];
			b = cheapest_free(p, &c, pl, free_, tmp);
			if (b >= 0 && cost_at(&c, p->residence[pl], b) < cost_at(&c, p->residence[pl], m))
			{
				assign[pl] = b;
				moved++;
			}
			free_[assign[pl]] -= p->persons[pl];
		}
		if (moved == 0)
			break;
	}

	/* chronology repair */
	for (int round = 0; round < 64; round++)
	{
		int			changed = 0;

		place_buckets(p, assign, bucket_start, bucket_list, bucket_fill);
		for (int pl = 0; pl < P; pl++)
		{
			int			w = p->persons[pl],
						best_m = -1,
						best_q = -1;
			int32_t		f = match_fixed(p, pl);

			if (assign[pl] >= 0)
				continue;
			if (interrupted && (pl & 1023) == 0 && interrupted(arg))
			{
				rc = -2;
				goto done;
			}
			best_m = cheapest_free(p, &c, pl, free_, tmp);
			if (best_m >= 0)
			{
				assign[pl] = best_m;
				free_[best_m] -= w;
				changed++;
				continue;
			}
			/* the latest later placement it can replace */
			for (int m = 0; m < n; m++)
			{
				int64_t		need = w - free_[m];

				if (!match_fits(p, p->needs[pl], f, m) || w > cap[m])
					continue;
				for (int b = need > SIZE_BUCKETS ? SIZE_BUCKETS - 1 : (int) need - 1; b < SIZE_BUCKETS; b++)
				{
					int			lo = bucket_start[m * SIZE_BUCKETS + b],
								hi = bucket_start[m * SIZE_BUCKETS + b + 1];

					for (int i = lo; i < hi; i++)
					{
						int			q = bucket_list[i];

						if (q <= pl || q <= best_q)
							break;
						if (assign[q] == m && p->persons[q] >= need)
						{
							best_q = q;
							best_m = m;
							break;
						}
					}
				}
			}
			if (best_q >= 0)
			{
				free_[best_m] += p->persons[best_q] - w;
				assign[best_q] = -1;
				assign[pl] = best_m;
				s->chronology_swaps++;
				changed++;
			}
		}
		if (changed == 0)
			break;
	}

	/* ranks: the choice among the municipalities feasible before anyone was placed */
	for (int pl = 0; pl < P; pl++)
	{
		int			m = assign[pl],
					r = p->residence[pl],
					kk = 0;
		int64_t		cm;

		if (m < 0)
		{
			rank[pl] = 0;
			continue;
		}
		cm = cost_at(&c, r, m);
		for (int x = 0; x < n; x++)
		{
			int64_t		cx;

			if (cap[x] < p->persons[pl] || !match_fits(p, p->needs[pl], match_fixed(p, pl), x))
				continue;
			if (r < 0)
			{
				/* no residence: chronological's order (most planned, then most places left) */
				if (p->planned[x] > p->planned[m] ||
					(p->planned[x] == p->planned[m] && (cap[x] > cap[m] || (cap[x] == cap[m] && x <= m))))
					kk++;
				continue;
			}
			cx = cost_at(&c, r, x);
			if (cx < cm || (cx == cm && x <= m))
				kk++;
		}
		rank[pl] = kk > 0 ? kk : 1;
	}
	{
		match_summary e;

		match_evaluate(p, unplaced_km, assign, &e);
		/* never worse than today's practice: chronological keeps every rule too */
		{
			match_problem q = *p;
			int32_t    *ca = malloc(((size_t) P + 1) * sizeof(int32_t)),
					   *cr = malloc(((size_t) P + 1) * sizeof(int32_t)),
					   *cc = malloc(((size_t) n + 1) * sizeof(int32_t)),
					   *cp = malloc(((size_t) n + 1) * sizeof(int32_t));
			void	   *work = malloc(match_workspace_size(n));
			match_summary ce;

			if (!ca || !cr || !cc || !cp || !work)
			{
				free(ca), free(cr), free(cc), free(cp), free(work);
				goto done;
			}
			memcpy(cc, p->capacity, (size_t) n * sizeof(int32_t));
			memcpy(cp, p->planned, (size_t) n * sizeof(int32_t));
			q.capacity = cc;
			q.planned = cp;
			match_chronological(&q, ca, cr, work);
			match_evaluate(p, unplaced_km, ca, &ce);
			if (ce.objective_km < e.objective_km)
			{
				memcpy(assign, ca, (size_t) P * sizeof(int32_t));
				memcpy(rank, cr, (size_t) P * sizeof(int32_t));
				e = ce;
				s->chronological_kept = 1;
			}
			free(ca), free(cr), free(cc), free(cp), free(work);
		}
		e.lower_bound_km = s->lower_bound_km;
		e.pivots = s->pivots;
		e.classes = s->classes;
		e.chronology_swaps = s->chronology_swaps;
		e.chronological_kept = s->chronological_kept;
		*s = e;
	}
	rc = 0;
	goto done;

bad_penalty:
	rc = -3;
done:
	mcf_free(g);
	free_classes(&k);
	free(c.metres);
	free(c.order);
	free(c.ready);
	free(tmp);
	free(cap);
	free(free_);
	free(arc_start);
	free(arc_list);
	free(amount);
	free(bucket_start);
	free(bucket_list);
	free(bucket_fill);
	free(cls_start);
	free(cls_list);
	free(sort_tmp);
	free(unplaced_flow);
	return rc;
}

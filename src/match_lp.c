/*
 * match_lp.c: the optimal mode's preparation and its LP relaxation.
 *
 * opt_init rounds the cost matrix to metres once, checks the penalty and
 * groups the placements into classes: placements with the same residence,
 * needs and fixed municipality are interchangeable person for person in the
 * relaxation (a household may be split there), so the LP is a transportation
 * problem from classes to municipalities whose size does not grow with the
 * number of households.  lp_build starts it on the KEEP cheapest feasible
 * municipalities of each class, lp_price_out solves it by network simplex
 * (mcf.c) and adds every pair with a negative reduced cost until none is
 * left (so its optimum is over all pairs: the lower bound), lp_collect_flows
 * hands the flows to the integer proposal (match_optimal.c).
 */
#include "match_work.h"
#include "idxsort.h"

#include <stdlib.h>
#include <string.h>

typedef struct cost_row
{
	const cost_table *c;
	int			r;
} cost_row;
/* for idx_sort: a costs less than b from the row's residence */
static int
cheaper_from(int32_t a, int32_t b, const void *ctx)
{
	const cost_row *x = ctx;

	return cost_at(x->c, x->r, a) < cost_at(x->c, x->r, b);
}
/* the municipalities by cost from residence r (-1: in index order) */
const int32_t *
order_of(cost_table *c, int r, int32_t *tmp)
{
	int			row = r < 0 ? c->n : r;
	int32_t    *o = c->order + (size_t) row * c->n;

	if (!c->ready[row])
	{
		for (int m = 0; m < c->n; m++)
			o[m] = m;
		if (r >= 0)
		{
			cost_row	x = {c, r};

			idx_sort(o, tmp, c->n, cheaper_from, &x);
		}
		c->ready[row] = 1;
	}
	return o;
}
/* a 64-bit finaliser (MurmurHash3's), for the class hash table */
static uint64_t
hash64(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

/* the class of every placement, by open addressing on (residence, needs, fixed, cost limit) */
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
	k->max_cost = malloc(((size_t) p->n_place + 1) * sizeof(double));
	k->persons = malloc(((size_t) p->n_place + 1) * sizeof(int64_t));
	k->of = malloc(((size_t) p->n_place + 1) * sizeof(int32_t));
	if (!slot || !k->res || !k->needs || !k->fixed || !k->max_cost || !k->persons || !k->of)
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
		uint64_t	nd = p->needs[pl],
					mc_bits;
		double		mc = p->max_cost ? p->max_cost[pl] : HUGE_VAL;
		size_t		h;

		memcpy(&mc_bits, &mc, sizeof(mc_bits));
		h = hash64(nd ^ hash64(((uint64_t) (uint32_t) r << 32) | (uint32_t) f) ^ hash64(mc_bits)) & (size - 1);

		for (;; h = (h + 1) & (size - 1))
		{
			int32_t		c = slot[h];

			if (c < 0)
			{
				c = slot[h] = k->n++;
				k->res[c] = r;
				k->needs[c] = nd;
				k->fixed[c] = f;
				k->max_cost[c] = mc;
				k->persons[c] = 0;
			}
			if (k->res[c] == r && k->needs[c] == nd && k->fixed[c] == f && k->max_cost[c] == mc)
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
	free(k->max_cost);
	free(k->persons);
	free(k->of);
}
void
opt_free(optimal *o)
{
	free_classes(&o->k);
	free(o->c.metres);
	free(o->c.order);
	free(o->c.ready);
	free(o->tmp);
	free(o->cap);
	free(o->left);
	free(o->counted);
	free(o->dropped);
	free(o->flow_start);
	free(o->flow_muni);
	free(o->flow_amount);
	free(o->unplaced_flow);
	free(o->member_start);
	free(o->member);
	free(o->sort_tmp);
	free(o->bucket_start);
	free(o->bucket_list);
	free(o->bucket_fill);
}

/*
 * The cost matrix in metres, the scratch arrays and the classes.  Returns 0,
 * -1 when out of memory, -3 when the penalty is not above every cost or so
 * large that the network simplex's artificial cost cannot dominate it.
 */
int
opt_init(optimal *o)
{
	const match_problem *p = o->p;
	int			n = o->n;
	int64_t		max_cost = 0;

	o->c.n = n;
	o->c.metres = malloc(((size_t) n * n + 1) * sizeof(int64_t));
	if (!o->c.metres)
		return -1;
	for (size_t i = 0; i < (size_t) n * n; i++)
	{
		o->c.metres[i] = metres_of(p->cost[i]);
		if (o->c.metres[i] > max_cost)
			max_cost = o->c.metres[i];
	}
	if (!(o->unplaced_m > max_cost) || !(o->unplaced_km < 1e9))
		return -3;
	o->c.order = malloc(((size_t) n + 1) * (n > 0 ? n : 1) * sizeof(int32_t));
	o->c.ready = calloc((size_t) n + 1, 1);
	o->tmp = malloc(((size_t) n + 1) * sizeof(int32_t));
	o->cap = malloc(((size_t) n + 1) * sizeof(int64_t));
	o->left = malloc(((size_t) n + 1) * sizeof(int64_t));
	o->counted = malloc((match_counted_size(p) + 1) * sizeof(int32_t));
	if (!o->c.order || !o->c.ready || !o->tmp || !o->cap || !o->left || !o->counted || build_classes(p, &o->k) != 0)
		return -1;
	for (int m = 0; m < n; m++)
		o->cap[m] = p->capacity[m] > 0 ? p->capacity[m] : 0;
	o->s->classes = o->k.n;
	if ((int64_t) (o->k.n + n + 2) >= MCF_ART_COST / (o->unplaced_m + 1))
		return -3;
	return 0;
}
/* ---- the LP over classes ---------------------------------------------- */

/* nodes: classes 0 .. k.n-1, then the municipalities, then the sink */
static inline int
muni_node(const optimal *o, int m)
{
	return o->k.n + m;
}

static inline int
sink_node(const optimal *o)
{
	return o->k.n + o->n;
}

/* whether class cl may send persons to municipality m at all */
static inline int
class_fits(const optimal *o, int cl, int m)
{
	return o->cap[m] > 0 && match_fits(o->p, o->k.needs[cl], o->k.fixed[cl], m) &&
		match_within(o->p, o->k.res[cl], m, o->k.max_cost[cl]);
}

/* the network to start from: the KEEP cheapest feasible municipalities of each class */
mcf *
lp_build(optimal *o)
{
	int			n_class = o->k.n;
	int64_t		total = 0;
	mcf		   *g = mcf_create(sink_node(o) + 1);

	if (!g)
		return NULL;
	for (int cl = 0; cl < n_class; cl++)
	{
		const int32_t *order = order_of(&o->c, o->k.res[cl], o->tmp);
		int			kept = 0;

		mcf_set_supply(g, cl, o->k.persons[cl]);
		total += o->k.persons[cl];
		for (int i = 0; i < o->n && kept < KEEP; i++)
		{
			int			m = order[i];

			if (!class_fits(o, cl, m))
				continue;
			if (mcf_add_arc(g, cl, muni_node(o, m), MCF_INF, cost_at(&o->c, o->k.res[cl], m)) < 0)
				goto oom;
			kept++;
		}
		if (mcf_add_arc(g, cl, sink_node(o), MCF_INF, o->unplaced_m) < 0)
			goto oom;
	}
	for (int m = 0; m < o->n; m++)
		if (o->cap[m] > 0 && mcf_add_arc(g, muni_node(o, m), sink_node(o), o->cap[m], 0) < 0)
			goto oom;
	mcf_set_supply(g, sink_node(o), -total);
	return g;
oom:
	mcf_free(g);
	return NULL;
}

/*
 * Solve, then add every feasible class -> municipality arc with a negative
 * reduced cost and solve again, until none is left.  Returns 0, -1 (out of
 * memory) or -2 (interrupted).
 */
int
lp_price_out(optimal *o, mcf *g)
{
	for (;;)
	{
		int			r = mcf_solve(g, o->interrupted, o->arg),
					added = 0;

		if (r == -1 || r == -2)
			return r;
		for (int cl = 0; cl < o->k.n; cl++)
		{
			int64_t		pc = mcf_potential(g, cl);

			for (int m = 0; m < o->n; m++)
			{
				int64_t		cost = cost_at(&o->c, o->k.res[cl], m);

				if (!class_fits(o, cl, m) || cost + pc - mcf_potential(g, muni_node(o, m)) >= 0)
					continue;
				if (mcf_add_arc(g, cl, muni_node(o, m), MCF_INF, cost) < 0)
					return -1;
				added++;
			}
		}
		if (added == 0)
			return 0;
	}
}

/* arc e carries persons from a class to a municipality */
static inline int
placing_arc(const optimal *o, const mcf *g, int e)
{
	int			from = mcf_arc_from(g, e),
				to = mcf_arc_to(g, e);

	return from < o->k.n && to >= o->k.n && to < sink_node(o) && mcf_flow(g, e) > 0;
}

/* insert flow i of class cl among its earlier ones by cost (few flows each) */
static void
sort_flow_in(optimal *o, int cl, int i)
{
	while (i > o->flow_start[cl] &&
		   cost_at(&o->c, o->k.res[cl], o->flow_muni[i - 1]) > cost_at(&o->c, o->k.res[cl], o->flow_muni[i]))
	{
		int32_t		tm = o->flow_muni[i - 1];
		int64_t		ta = o->flow_amount[i - 1];

		o->flow_muni[i - 1] = o->flow_muni[i];
		o->flow_amount[i - 1] = o->flow_amount[i];
		o->flow_muni[i] = tm;
		o->flow_amount[i] = ta;
		i--;
	}
}

/* the LP's value (the lower bound) and its flows per class, cheapest first */
int
lp_collect_flows(optimal *o, mcf *g)
{
	int			n_class = o->k.n,
				n_arc = mcf_arc_count(g);
	int64_t		lp = 0;
	int32_t    *fill;

	for (int e = 0; e < n_arc; e++)
		lp += mcf_flow(g, e) * mcf_arc_cost(g, e);
	o->s->lower_bound_km = lp / 1000.0;
	o->s->pivots = mcf_pivots(g);

	o->flow_start = calloc((size_t) n_class + 1, sizeof(int32_t));
	o->unplaced_flow = calloc((size_t) n_class + 1, sizeof(int64_t));
	if (!o->flow_start || !o->unplaced_flow)
		return -1;
	for (int e = 0; e < n_arc; e++)
	{
		if (placing_arc(o, g, e))
			o->flow_start[mcf_arc_from(g, e) + 1]++;
		if (mcf_arc_from(g, e) < n_class && mcf_arc_to(g, e) == sink_node(o))
			o->unplaced_flow[mcf_arc_from(g, e)] = mcf_flow(g, e);
	}
	for (int cl = 0; cl < n_class; cl++)
		o->flow_start[cl + 1] += o->flow_start[cl];
	o->flow_muni = malloc(((size_t) o->flow_start[n_class] + 1) * sizeof(int32_t));
	o->flow_amount = malloc(((size_t) o->flow_start[n_class] + 1) * sizeof(int64_t));
	fill = malloc(((size_t) n_class + 1) * sizeof(int32_t));
	if (!o->flow_muni || !o->flow_amount || !fill)
	{
		free(fill);
		return -1;
	}
	memcpy(fill, o->flow_start, (size_t) n_class * sizeof(int32_t));
	for (int e = 0; e < n_arc; e++)
		if (placing_arc(o, g, e))
		{
			int			cl = mcf_arc_from(g, e),
						i = fill[cl]++;

			o->flow_muni[i] = mcf_arc_to(g, e) - n_class;
			o->flow_amount[i] = mcf_flow(g, e);
			sort_flow_in(o, cl, i);
		}
	free(fill);
	return 0;
}

/*
 * mcf.c: minimum-cost flow by the primal network simplex method.  See mcf.h.
 *
 * Reduced cost of arc e = cost + pi[from] - pi[to]; tree arcs have 0.  A
 * non-tree arc is at its lower bound (flow 0, state +1) or its upper bound
 * (flow = cap, state -1); it improves the flow when state * reduced cost < 0.
 * The start is the all-artificial tree: every node hangs from an extra root
 * node by an artificial arc carrying its supply (cost 0 towards the root, a
 * cost above any real path away from it).
 */
#include "mcf.h"
#include "settle_assert.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum
{
	STATE_UPPER = -1,
	STATE_TREE = 0,
	STATE_LOWER = 1
};

struct mcf
{
	int			n;				/* real nodes; node n is the root */
	int			m;				/* arcs, artificial ones included */
	int			m_alloc;
	int			started;		/* the initial tree exists */
	long		pivots;
	int			next_arc;		/* where the block search resumes */

	int		   *from,
			   *to;
	int64_t    *cost,
			   *cap,
			   *flow;
	signed char *state;
	unsigned char *artificial;

	int64_t    *supply;			/* n */
	/* the spanning tree, n + 1 entries */
	int		   *parent,
			   *pred,
			   *depth,
			   *child,
			   *next_sib,
			   *prev_sib,
			   *stack;
	unsigned char *up;			/* pred arc goes node -> parent */
	int64_t    *pi;
};

mcf *
mcf_create(int n_nodes)
{
	mcf		   *g = calloc(1, sizeof(mcf));
	size_t		n1 = (size_t) n_nodes + 1;

	if (!g)
		return NULL;
	g->n = n_nodes;
	g->supply = calloc(n1, sizeof(int64_t));
	g->parent = malloc(n1 * sizeof(int));
	g->pred = malloc(n1 * sizeof(int));
	g->depth = malloc(n1 * sizeof(int));
	g->child = malloc(n1 * sizeof(int));
	g->next_sib = malloc(n1 * sizeof(int));
	g->prev_sib = malloc(n1 * sizeof(int));
	g->stack = malloc(n1 * sizeof(int));
	g->up = malloc(n1);
	g->pi = calloc(n1, sizeof(int64_t));
	if (!g->supply || !g->parent || !g->pred || !g->depth || !g->child || !g->next_sib ||
		!g->prev_sib || !g->stack || !g->up || !g->pi)
	{
		mcf_free(g);
		return NULL;
	}
	return g;
}

void
mcf_free(mcf *g)
{
	if (!g)
		return;
	free(g->from);
	free(g->to);
	free(g->cost);
	free(g->cap);
	free(g->flow);
	free(g->state);
	free(g->artificial);
	free(g->supply);
	free(g->parent);
	free(g->pred);
	free(g->depth);
	free(g->child);
	free(g->next_sib);
	free(g->prev_sib);
	free(g->stack);
	free(g->up);
	free(g->pi);
	free(g);
}

void
mcf_set_supply(mcf *g, int node, int64_t supply)
{
	g->supply[node] = supply;
}

static int
grow(mcf *g)
{
	int			na = g->m_alloc < 1024 ? 1024 : g->m_alloc * 2;
	void	   *p;

#define GROW(field, type) \
	if (!(p = realloc(g->field, (size_t) na * sizeof(type)))) return -1; \
	g->field = p
	GROW(from, int);
	GROW(to, int);
	GROW(cost, int64_t);
	GROW(cap, int64_t);
	GROW(flow, int64_t);
	GROW(state, signed char);
	GROW(artificial, unsigned char);
#undef GROW
	g->m_alloc = na;
	return 0;
}

static int
add_arc(mcf *g, int from, int to, int64_t cap, int64_t cost, int artificial)
{
	int			e;

	if (g->m == g->m_alloc && grow(g) != 0)
		return -1;
	e = g->m++;
	g->from[e] = from;
	g->to[e] = to;
	g->cap[e] = cap;
	g->cost[e] = cost;
	g->flow[e] = 0;
	g->state[e] = STATE_LOWER;
	g->artificial[e] = (unsigned char) artificial;
	return e;
}

int
mcf_add_arc(mcf *g, int from, int to, int64_t cap, int64_t cost)
{
	return add_arc(g, from, to, cap, cost, 0);
}

static void
detach(mcf *g, int u)
{
	int			p = g->parent[u];

	if (g->prev_sib[u] >= 0)
		g->next_sib[g->prev_sib[u]] = g->next_sib[u];
	else
		g->child[p] = g->next_sib[u];
	if (g->next_sib[u] >= 0)
		g->prev_sib[g->next_sib[u]] = g->prev_sib[u];
}

static void
attach(mcf *g, int u, int p)
{
	g->parent[u] = p;
	g->prev_sib[u] = -1;
	g->next_sib[u] = g->child[p];
	if (g->child[p] >= 0)
		g->prev_sib[g->child[p]] = u;
	g->child[p] = u;
}

static int
start(mcf *g)
{
	/* above any real path (see MCF_ART_COST), so arcs added later cannot undercut it */
	int64_t		art = MCF_ART_COST;
	int			root = g->n;

	g->parent[root] = -1;
	g->pred[root] = -1;
	g->depth[root] = 0;
	g->child[root] = -1;
	g->pi[root] = 0;
	for (int u = 0; u < g->n; u++)
	{
		int			e;

		g->child[u] = -1;
		attach(g, u, root);
		g->depth[u] = 1;
		if (g->supply[u] >= 0)
		{
			e = add_arc(g, u, root, MCF_INF, 0, 1);
			if (e < 0)
				return -1;
			g->flow[e] = g->supply[u];
			g->up[u] = 1;
			g->pi[u] = 0;
		}
		else
		{
			e = add_arc(g, root, u, MCF_INF, art, 1);
			if (e < 0)
				return -1;
			g->flow[e] = -g->supply[u];
			g->up[u] = 0;
			g->pi[u] = art;
		}
		g->state[e] = STATE_TREE;
		g->pred[u] = e;
	}
	g->started = 1;
	return 0;
}

/* block search for an improving arc; -1 when the flow is optimal */
static int
entering_arc(mcf *g)
{
	int			block = (int) ceil(sqrt((double) g->m));
	int			cnt,
				best = -1;
	int64_t		min = 0;
	int			e;

	if (block < 10)
		block = 10;
	cnt = block;
	for (int pass = 0; pass < 2; pass++)
	{
		int			lo = pass == 0 ? g->next_arc : 0;
		int			hi = pass == 0 ? g->m : g->next_arc;

		for (e = lo; e < hi; e++)
		{
			int64_t		c;

			if (g->state[e] == STATE_TREE || g->artificial[e])
				continue;
			c = g->state[e] * (g->cost[e] + g->pi[g->from[e]] - g->pi[g->to[e]]);
			if (c < min)
			{
				min = c;
				best = e;
			}
			if (--cnt == 0)
			{
				if (min < 0)
				{
					g->next_arc = e;
					return best;
				}
				cnt = block;
			}
		}
	}
	if (min < 0)
	{
		g->next_arc = best;
		return best;
	}
	return -1;
}

static void
pivot(mcf *g, int in)
{
	int			first,
				second,
				join,
				u,
				v,
				u_out = -1,
				result = 0;
	int64_t		delta,
				d,
				sigma;

	/* the join of the cycle */
	u = g->from[in];
	v = g->to[in];
	while (u != v)
	{
		if (g->depth[u] > g->depth[v])
			u = g->parent[u];
		else if (g->depth[v] > g->depth[u])
			v = g->parent[v];
		else
		{
			u = g->parent[u];
			v = g->parent[v];
		}
	}
	join = u;

	/* the leaving arc: the last blocking arc in the direction of the flow */
	if (g->state[in] == STATE_LOWER)
	{
		first = g->from[in];
		second = g->to[in];
	}
	else
	{
		first = g->to[in];
		second = g->from[in];
	}
	delta = g->cap[in];
	for (u = first; u != join; u = g->parent[u])
	{
		int			e = g->pred[u];

		d = g->up[u] ? g->flow[e] : (g->cap[e] >= MCF_INF ? MCF_INF : g->cap[e] - g->flow[e]);
		if (d < delta)
		{
			delta = d;
			u_out = u;
			result = 1;
		}
	}
	for (u = second; u != join; u = g->parent[u])
	{
		int			e = g->pred[u];

		d = g->up[u] ? (g->cap[e] >= MCF_INF ? MCF_INF : g->cap[e] - g->flow[e]) : g->flow[e];
		if (d <= delta)
		{
			delta = d;
			u_out = u;
			result = 2;
		}
	}

	/* push delta around the cycle */
	if (delta > 0)
	{
		int64_t		val = g->state[in] * delta;

		g->flow[in] += val;
		for (u = g->from[in]; u != join; u = g->parent[u])
			g->flow[g->pred[u]] -= g->up[u] ? val : -val;
		for (u = g->to[in]; u != join; u = g->parent[u])
			g->flow[g->pred[u]] += g->up[u] ? val : -val;
	}

	if (result == 0)
	{
		/* the entering arc blocks itself: it goes to its other bound */
		g->state[in] = (signed char) -g->state[in];
		return;
	}

	{
		int			e_out = g->pred[u_out];
		int			u_in = result == 1 ? first : second;
		int			v_in = result == 1 ? second : first;
		int			x = u_in,
					new_parent = v_in,
					new_pred = in,
					new_up = g->from[in] == u_in;
		int64_t		shift;
		int			top = 0;

		g->state[e_out] = g->flow[e_out] == 0 ? STATE_LOWER : STATE_UPPER;
		g->state[in] = STATE_TREE;
		sigma = g->cost[in] + g->pi[g->from[in]] - g->pi[g->to[in]];
		shift = g->from[in] == u_in ? -sigma : sigma;

		/* re-hang the subtree below the leaving arc from u_in */
		for (;;)
		{
			int			old_parent = g->parent[x],
						old_pred = g->pred[x],
						old_up = g->up[x];

			detach(g, x);
			attach(g, x, new_parent);
			g->pred[x] = new_pred;
			g->up[x] = (unsigned char) new_up;
			if (x == u_out)
				break;
			new_parent = x;
			new_pred = old_pred;
			new_up = !old_up;
			x = old_parent;
		}

		/* depths and potentials of the moved subtree */
		g->stack[top++] = u_in;
		while (top > 0)
		{
			int			w = g->stack[--top];

			g->depth[w] = g->depth[g->parent[w]] + 1;
			g->pi[w] += shift;
			for (int c = g->child[w]; c >= 0; c = g->next_sib[c])
				g->stack[top++] = c;
		}
	}
}

/* asserts builds: every arc within its bounds, every node's supply sent on */
static void
check_flows(const mcf *g)
{
#ifdef SETTLE_ASSERTS
	int64_t    *net = calloc((size_t) g->n + 2, sizeof(int64_t));

	if (!net)
		return;
	for (int e = 0; e < g->m; e++)
	{
		SETTLE_ASSERT(g->flow[e] >= 0 && g->flow[e] <= g->cap[e]);
		net[g->from[e]] += g->flow[e];
		net[g->to[e]] -= g->flow[e];
	}
	for (int v = 0; v < g->n; v++)
		SETTLE_ASSERT(net[v] == g->supply[v]);
	free(net);
#else
	(void) g;
#endif
}

int
mcf_solve(mcf *g, int (*interrupted) (void *), void *arg)
{
	int			in;

	if (!g->started && start(g) != 0)
		return -1;
	while ((in = entering_arc(g)) >= 0)
	{
		pivot(g, in);
		if (interrupted && (++g->pivots & 4095) == 0 && interrupted(arg))
			return -2;
		if (!interrupted)
			g->pivots++;
	}
	check_flows(g);
	for (int e = 0; e < g->m; e++)
		if (g->artificial[e] && g->flow[e] != 0)
			return 1;
	return 0;
}

int64_t
mcf_flow(const mcf *g, int arc)
{
	return g->flow[arc];
}

int64_t
mcf_potential(const mcf *g, int node)
{
	return g->pi[node];
}

int
mcf_arc_count(const mcf *g)
{
	return g->m;
}

int
mcf_arc_from(const mcf *g, int arc)
{
	return g->from[arc];
}

int
mcf_arc_to(const mcf *g, int arc)
{
	return g->to[arc];
}

int64_t
mcf_arc_cost(const mcf *g, int arc)
{
	return g->cost[arc];
}

long
mcf_pivots(const mcf *g)
{
	return g->pivots;
}

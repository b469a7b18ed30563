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
	int			next_arc,		/* where the block search resumes */
				next_j,			/* its stride's offset (next_arc % skip) */
				skip;			/* its stride */

	int		   *from,
			   *to;
	int64_t    *cost,
			   *cap,
			   *flow;
	signed char *state;
	unsigned char *artificial;

	int64_t    *supply;			/* n */
	/*
	 * The spanning tree, n + 1 entries.  thread lists the nodes in preorder
	 * (a cycle through the root), so a node's subtree is the stretch of
	 * thread from the node to its last_succ; rev_thread goes backwards.
	 */
	int		   *parent,
			   *pred,
			   *depth,
			   *thread,
			   *rev_thread,
			   *last_succ,
			   *stem,			/* scratch: the path that turns over in a pivot */
			   *piece;			/* scratch: the stretches of thread it is cut into */
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
	g->thread = malloc(n1 * sizeof(int));
	g->rev_thread = malloc(n1 * sizeof(int));
	g->last_succ = malloc(n1 * sizeof(int));
	g->stem = malloc(n1 * sizeof(int));
	g->piece = malloc(4 * n1 * sizeof(int));
	g->up = malloc(n1);
	g->pi = calloc(n1, sizeof(int64_t));
	if (!g->supply || !g->parent || !g->pred || !g->depth || !g->thread || !g->rev_thread ||
		!g->last_succ || !g->stem || !g->piece || !g->up || !g->pi)
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
	free(g->thread);
	free(g->rev_thread);
	free(g->last_succ);
	free(g->stem);
	free(g->piece);
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

static int
start(mcf *g)
{
	/* above any real path (see MCF_ART_COST), so arcs added later cannot undercut it */
	int64_t		art = MCF_ART_COST;
	int			root = g->n;

	/* every node a child of the root, in index order */
	g->parent[root] = -1;
	g->pred[root] = -1;
	g->depth[root] = 0;
	g->pi[root] = 0;
	g->thread[root] = g->n > 0 ? 0 : root;
	g->rev_thread[root] = g->n > 0 ? g->n - 1 : root;
	g->last_succ[root] = g->rev_thread[root];
	for (int u = 0; u < g->n; u++)
	{
		int			e;

		g->parent[u] = root;
		g->depth[u] = 1;
		g->thread[u] = u + 1 < g->n ? u + 1 : root;
		g->rev_thread[u] = u > 0 ? u - 1 : root;
		g->last_succ[u] = u;
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

/*
 * Block search for an improving arc; -1 when the flow is optimal.  The arcs
 * are visited with a stride (arc j, j + skip, j + 2 skip, ..., then j + 1,
 * ...), as LEMON's NetworkSimplex stores them ("arc mixing"): callers add a
 * node's arcs together, and a block of neighbours would offer the pivot rule
 * one node's arcs only.  skip is fixed for a solve (mcf_solve).
 */
static int
entering_arc(mcf *g)
{
	int			m = g->m,
				skip = g->skip,
				block = (int) ceil(sqrt((double) m)),
				cnt,
				best = -1,
				j = g->next_j,
				e = g->next_arc;
	int64_t		min = 0;

	if (block < 10)
		block = 10;
	cnt = block;
	for (int seen = 0; seen < m; seen++)
	{
		/* 0 for tree arcs and artificial arcs out of the tree (state 0) */
		int64_t		c = g->state[e] * (g->cost[e] + g->pi[g->from[e]] - g->pi[g->to[e]]);

		if (c < min)
		{
			min = c;
			best = e;
		}
		if ((e += skip) >= m)
		{
			if (++j == skip)
				j = 0;
			e = j;
		}
		if (--cnt == 0)
		{
			if (min < 0)
				break;
			cnt = block;
		}
	}
	g->next_j = j;
	g->next_arc = e;
	return min < 0 ? best : -1;
}

/*
 * The stem u_in = s0, s1 = parent(s0), ..., sk = u_out turns over: u_in
 * hangs from v_in by the entering arc, each s(i) from s(i-1) by the arc that
 * joined s(i-1) to it.  In thread order the moved subtree becomes s0's old
 * subtree, then for each i >= 1 the part of s(i)'s old subtree before s(i-1)'s
 * (s(i) first) and the part after it; it is cut out and put back right after
 * v_in.  Potentials shift by shift and depths follow, in one walk over it.
 */
static void
rehang(mcf *g, int in, int u_in, int v_in, int u_out, int64_t shift)
{
	int			k = 0,
				np = 0,
				block_end = g->last_succ[u_out],
				prev,
				next,
				tail;
	int		   *s = g->stem,
			   *pc = g->piece;

	for (int x = u_in;; x = g->parent[x])
	{
		s[k++] = x;
		if (x == u_out)
			break;
	}
	/* the stretches of the new order, read before the thread changes */
	pc[np++] = s[0];
	pc[np++] = g->last_succ[s[0]];
	for (int i = 1; i < k; i++)
	{
		pc[np++] = s[i];
		pc[np++] = g->rev_thread[s[i - 1]];
		if (g->last_succ[s[i - 1]] != g->last_succ[s[i]])
		{
			pc[np++] = g->thread[g->last_succ[s[i - 1]]];
			pc[np++] = g->last_succ[s[i]];
		}
	}

	/* cut the subtree out; ancestors that ended with it end before it */
	prev = g->rev_thread[u_out];
	next = g->thread[block_end];
	g->thread[prev] = next;
	g->rev_thread[next] = prev;
	for (int x = g->parent[u_out]; x >= 0 && g->last_succ[x] == block_end; x = g->parent[x])
		g->last_succ[x] = prev;

	/* turn the stem over */
	{
		int			new_parent = v_in,
					new_pred = in,
					new_up = g->from[in] == u_in;

		for (int i = 0; i < k; i++)
		{
			int			old_pred = g->pred[s[i]],
						old_up = g->up[s[i]];

			g->parent[s[i]] = new_parent;
			g->pred[s[i]] = new_pred;
			g->up[s[i]] = (unsigned char) new_up;
			new_parent = s[i];
			new_pred = old_pred;
			new_up = !old_up;
		}
	}

	/* stitch the stretches together; every stem node's subtree ends with the last */
	tail = pc[1];
	for (int j = 2; j < np; j += 2)
	{
		g->thread[tail] = pc[j];
		g->rev_thread[pc[j]] = tail;
		tail = pc[j + 1];
	}
	for (int i = 0; i < k; i++)
		g->last_succ[s[i]] = tail;

	/* put it back right after v_in; if v_in was a leaf, so are the ends above it */
	next = g->thread[v_in];
	g->thread[v_in] = u_in;
	g->rev_thread[u_in] = v_in;
	g->thread[tail] = next;
	g->rev_thread[next] = tail;
	for (int x = v_in; x >= 0 && g->last_succ[x] == v_in; x = g->parent[x])
		g->last_succ[x] = tail;

	/* potentials and depths, parents before children */
	for (int w = u_in;; w = g->thread[w])
	{
		g->pi[w] += shift;
		g->depth[w] = g->depth[g->parent[w]] + 1;
		if (w == tail)
			break;
	}
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
		int			e_out = g->pred[u_out],
					u_in = result == 1 ? first : second,	/* the side of the leaving arc */
					v_in = result == 1 ? second : first;

		g->state[in] = STATE_TREE;
		/* an artificial arc that leaves never enters again (state 0, see entering_arc) */
		g->state[e_out] = g->artificial[e_out] ? STATE_TREE : g->flow[e_out] == 0 ? STATE_LOWER : STATE_UPPER;
		sigma = g->cost[in] + g->pi[g->from[in]] - g->pi[g->to[in]];
		rehang(g, in, u_in, v_in, u_out, g->from[in] == u_in ? -sigma : sigma);
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

/*
 * asserts builds: the thread is a preorder of the tree through every node,
 * each subtree is the stretch from its node to its last_succ, depths agree,
 * and every tree arc joins its node to the parent with reduced cost 0.
 */
static void
check_tree(const mcf *g)
{
#ifdef SETTLE_ASSERTS
	int			root = g->n,
				count = 0;
	int		   *pos = malloc(((size_t) g->n + 1) * sizeof(int));

	if (!pos)
		return;
	for (int u = root;; u = g->thread[u])
	{
		SETTLE_ASSERT(count <= g->n);
		SETTLE_ASSERT(g->rev_thread[g->thread[u]] == u);
		pos[u] = count++;
		if (g->thread[u] == root)
			break;
	}
	SETTLE_ASSERT(count == g->n + 1);
	for (int u = 0; u < g->n; u++)
	{
		int			p = g->parent[u],
					e = g->pred[u];

		SETTLE_ASSERT(pos[p] < pos[u] && pos[u] <= pos[g->last_succ[p]]);
		SETTLE_ASSERT(pos[g->last_succ[u]] <= pos[g->last_succ[p]]);
		SETTLE_ASSERT(g->depth[u] == g->depth[p] + 1);
		SETTLE_ASSERT(g->up[u] ? (g->from[e] == u && g->to[e] == p) : (g->from[e] == p && g->to[e] == u));
		SETTLE_ASSERT(g->cost[e] + g->pi[g->from[e]] - g->pi[g->to[e]] == 0);
		/* the node right after a subtree is outside it */
		SETTLE_ASSERT(g->thread[g->last_succ[u]] == root ||
					  g->depth[g->thread[g->last_succ[u]]] <= g->depth[u]);
	}
	free(pos);
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
	/* about one arc per node between neighbours in the search, as LEMON does */
	g->skip = g->m / (g->n + 1) > 3 ? g->m / (g->n + 1) : 3;
	if (g->skip > g->m)
		g->skip = g->m;
	g->next_arc = g->next_j = 0;
	while ((in = entering_arc(g)) >= 0)
	{
		pivot(g, in);
		if (interrupted && (++g->pivots & 4095) == 0 && interrupted(arg))
			return -2;
		if (!interrupted)
			g->pivots++;
	}
	check_flows(g);
	check_tree(g);
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

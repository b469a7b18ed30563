/*
 * fuzz_mcf.c: libFuzzer target for the network simplex (src/mcf.c), outside
 * PostgreSQL.
 *
 * The input bytes describe a transportation problem like the ones optimal
 * matching solves: up to 8 sources with supplies 1-9, up to 6 intermediate
 * nodes, one sink taking everything; source -> node arcs (some capacitated),
 * source -> sink arcs (the "unplaced" arc, dearer than any path), node ->
 * sink arcs with capacities 0-11.  Half the arcs are added after a first
 * solve, as optimal matching's pricing does.  Checked on every input:
 *  - the solve reports optimal (the problem is always feasible);
 *  - flows respect 0 <= flow <= capacity and conserve every node's supply;
 *  - the cost equals that of a reference: successive shortest paths with
 *    Bellman-Ford, one unit at a time;
 *  - no sanitizer report.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mcf.h"
#include "fuzz_bytes.h"

#define MAX_ARCS 80

typedef struct
{
	int			from,
				to;
	int64_t		cap,
				cost,
				flow;
} arc;

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fail(const char *what, long a, long b)
{
	fprintf(stderr, "finding: %s (%ld, %ld)\n", what, a, b);
	abort();
}

/* successive shortest paths, one unit at a time, Bellman-Ford on the residual graph */
static int64_t
reference(int n, int m, const arc *in, const int64_t *supply)
{
	arc			a[MAX_ARCS + 32];
	int			k = 0,
				s = n,
				t = n + 1;
	int64_t		need = 0,
				total = 0,
				dist[40];
	int			via[40];

	for (int i = 0; i < m; i++)
		a[k++] = in[i];
	for (int u = 0; u < n; u++)
	{
		if (supply[u] > 0)
		{
			a[k++] = (arc) {s, u, supply[u], 0, 0};
			need += supply[u];
		}
		else if (supply[u] < 0)
			a[k++] = (arc) {u, t, -supply[u], 0, 0};
	}
	while (need > 0)
	{
		for (int i = 0; i < n + 2; i++)
		{
			dist[i] = INT64_MAX / 4;
			via[i] = -1;
		}
		dist[s] = 0;
		for (int round = 0; round < n + 2; round++)
		{
			int			changed = 0;

			for (int e = 0; e < k; e++)
			{
				if (a[e].flow < a[e].cap && dist[a[e].from] + a[e].cost < dist[a[e].to])
				{
					dist[a[e].to] = dist[a[e].from] + a[e].cost;
					via[a[e].to] = 2 * e;
					changed = 1;
				}
				if (a[e].flow > 0 && dist[a[e].to] < INT64_MAX / 4 && dist[a[e].to] - a[e].cost < dist[a[e].from])
				{
					dist[a[e].from] = dist[a[e].to] - a[e].cost;
					via[a[e].from] = 2 * e + 1;
					changed = 1;
				}
			}
			if (!changed)
				break;
		}
		if (dist[t] >= INT64_MAX / 4)
			return -1;
		for (int v = t; v != s;)
		{
			int			e = via[v] / 2;

			if (via[v] % 2 == 0)
			{
				a[e].flow++;
				v = a[e].from;
			}
			else
			{
				a[e].flow--;
				v = a[e].to;
			}
		}
		total += dist[t];
		need--;
	}
	return total;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *p = data;
	size_t		left = size;
	int			ns = 1 + (int) (byte(&p, &left) % 8),
				nt = 1 + (int) (byte(&p, &left) % 6),
				n = ns + nt + 1,
				sink = n - 1,
				m = 0,
				half,
				id[MAX_ARCS];
	int64_t		supply[16] = {0},
				total = 0,
				cost = 0,
				balance[16] = {0},
				ref;
	arc			a[MAX_ARCS];
	mcf		   *g;

	for (int i = 0; i < ns; i++)
	{
		supply[i] = 1 + byte(&p, &left) % 9;
		total += supply[i];
	}
	supply[sink] = -total;
	for (int i = 0; i < ns; i++)
	{
		for (int j = 0; j < nt; j++)
		{
			unsigned	b = byte(&p, &left);

			if (b % 3 == 0)
				continue;
			a[m++] = (arc) {i, ns + j, (b & 0x30) == 0 ? 1 + byte(&p, &left) % 5 : MCF_INF, byte(&p, &left) % 20, 0};
		}
		a[m++] = (arc) {i, sink, MCF_INF, 100, 0};
	}
	for (int j = 0; j < nt; j++)
		a[m++] = (arc) {ns + j, sink, byte(&p, &left) % 12, 0, 0};

	g = mcf_create(n);
	if (!g)
		return 0;
	for (int u = 0; u < n; u++)
		mcf_set_supply(g, u, supply[u]);
	half = m / 2;
	for (int e = 0; e < half; e++)
		id[e] = mcf_add_arc(g, a[e].from, a[e].to, a[e].cap, a[e].cost);
	if (byte(&p, &left) & 1)
		(void) mcf_solve(g, NULL, NULL);	/* may be infeasible so far */
	for (int e = half; e < m; e++)
		id[e] = mcf_add_arc(g, a[e].from, a[e].to, a[e].cap, a[e].cost);
	if (mcf_solve(g, NULL, NULL) != 0)
		fail("not optimal", 0, 0);
	for (int e = 0; e < m; e++)
	{
		int64_t		f = mcf_flow(g, id[e]);

		if (f < 0 || f > a[e].cap)
			fail("flow outside its bounds", e, (long) f);
		cost += f * a[e].cost;
		balance[a[e].from] -= f;
		balance[a[e].to] += f;
	}
	for (int u = 0; u < n; u++)
		if (balance[u] + supply[u] != 0)
			fail("flow not conserved", u, (long) balance[u]);
	ref = reference(n, m, a, supply);
	if (ref != cost)
		fail("cost differs from the reference", (long) cost, (long) ref);
	mcf_free(g);
	return 0;
}

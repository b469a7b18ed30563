/*
 * test/bench/lp/settle_mcf.c: settle's network simplex (src/mcf.c) on the
 * same DIMACS file as lemon_mcf.cpp (matching.sh).  Built against src/mcf.c
 * (and match_work.h for KEEP).
 *
 *     settle_mcf LP.min REPS
 *
 * Prints two lines, "<way> <min ms> <median ms> <cost> <pivots>":
 *   full       every arc given at once, then one solve;
 *   priced     the way settle's optimal mode solves its LP (src/match_lp.c,
 *              lp_build and lp_price_out, the home of that strategy): each
 *              supply node starts with its KEEP cheapest arcs to
 *              municipalities plus its arc to the sink, and every arc with
 *              a negative reduced cost is added after a solve, until none.
 * The times include building the solver's network from arrays in memory.
 */
#include "match_work.h"		/* KEEP: the arcs per class the core starts with */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int	n_node,
			n_arc,
			sink;
static int *afrom,
		   *ato;
static int64_t *acap,
		   *acost,
		   *supply;

static double
now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static void
read_dimacs(const char *path)
{
	FILE	   *f = fopen(path, "r");
	char		line[256];
	int			e = 0;

	if (!f)
	{
		perror(path);
		exit(2);
	}
	while (fgets(line, sizeof line, f))
	{
		long long	a,
					b,
					lo,
					cap,
					cost;

		if (line[0] == 'p')
		{
			sscanf(line, "p min %d %d", &n_node, &n_arc);
			afrom = malloc(n_arc * sizeof(int));
			ato = malloc(n_arc * sizeof(int));
			acap = malloc(n_arc * sizeof(int64_t));
			acost = malloc(n_arc * sizeof(int64_t));
			supply = calloc(n_node, sizeof(int64_t));
		}
		else if (line[0] == 'n' && sscanf(line, "n %lld %lld", &a, &b) == 2)
		{
			supply[a - 1] = b;
			if (b < 0)
				sink = (int) a - 1;
		}
		else if (line[0] == 'a' && sscanf(line, "a %lld %lld %lld %lld %lld", &a, &b, &lo, &cap, &cost) == 5)
		{
			afrom[e] = (int) a - 1;
			ato[e] = (int) b - 1;
			acap[e] = cap < 0 ? MCF_INF : cap;
			acost[e] = cost;
			e++;
		}
	}
	fclose(f);
	if (e != n_arc)
	{
		fprintf(stderr, "%s: %d arcs read, %d announced\n", path, e, n_arc);
		exit(2);
	}
}

static mcf *
new_graph(void)
{
	mcf		   *g = mcf_create(n_node);

	for (int v = 0; v < n_node; v++)
		mcf_set_supply(g, v, supply[v]);
	return g;
}

static int64_t
total_cost(const mcf *g)
{
	int64_t		t = 0;

	for (int e = 0; e < mcf_arc_count(g); e++)
		t += mcf_flow(g, e) * mcf_arc_cost(g, e);
	return t;
}

static mcf *
solve_full(void)
{
	mcf		   *g = new_graph();

	for (int e = 0; e < n_arc; e++)
		mcf_add_arc(g, afrom[e], ato[e], acap[e], acost[e]);
	if (mcf_solve(g, NULL, NULL) != 0)
		exit(3);
	return g;
}

static int
by_cost(const void *a, const void *b)
{
	int64_t		x = acost[*(const int *) a],
				y = acost[*(const int *) b];

	return x < y ? -1 : x > y;
}

static mcf *
solve_priced(void)
{
	mcf		   *g = new_graph();
	char	   *in = calloc(n_arc, 1);
	int		   *ord = malloc(n_arc * sizeof(int));

	/* arcs grouped by tail (the file lists them so), cheapest first */
	for (int lo = 0; lo < n_arc;)
	{
		int			hi = lo,
					kept = 0;

		while (hi < n_arc && afrom[hi] == afrom[lo])
			hi++;
		for (int e = lo; e < hi; e++)
			ord[e] = e;
		qsort(ord + lo, hi - lo, sizeof(int), by_cost);
		for (int i = lo; i < hi; i++)
		{
			int			e = ord[i];

			if (ato[e] == sink || kept < KEEP)
			{
				kept += ato[e] != sink;
				in[e] = 1;
				mcf_add_arc(g, afrom[e], ato[e], acap[e], acost[e]);
			}
		}
		lo = hi;
	}
	for (;;)
	{
		int			added = 0;

		if (mcf_solve(g, NULL, NULL) != 0)
			exit(3);
		for (int e = 0; e < n_arc; e++)
			if (!in[e] && acost[e] + mcf_potential(g, afrom[e]) - mcf_potential(g, ato[e]) < 0)
			{
				in[e] = 1;
				mcf_add_arc(g, afrom[e], ato[e], acap[e], acost[e]);
				added++;
			}
		if (added == 0)
			break;
	}
	free(in);
	free(ord);
	return g;
}

static int
cmp_double(const void *a, const void *b)
{
	double		x = *(const double *) a,
				y = *(const double *) b;

	return x < y ? -1 : x > y;
}

static void
run(const char *way, mcf *(*solve) (void), int reps)
{
	double	   *ms = malloc(reps * sizeof(double));
	int64_t		cost = 0;
	long		pivots = 0;

	for (int r = 0; r < reps; r++)
	{
		double		t0 = now_ms();
		mcf		   *g = solve();

		ms[r] = now_ms() - t0;
		cost = total_cost(g);
		pivots = mcf_pivots(g);
		mcf_free(g);
	}
	qsort(ms, reps, sizeof(double), cmp_double);
	printf("%s %.1f %.1f %lld %ld\n", way, ms[0], ms[reps / 2], (long long) cost, pivots);
	free(ms);
}

int
main(int argc, char **argv)
{
	int			reps;

	if (argc != 3)
	{
		fprintf(stderr, "usage: settle_mcf LP.min REPS\n");
		return 2;
	}
	read_dimacs(argv[1]);
	reps = atoi(argv[2]);
	run("full", solve_full, reps);
	run("priced", solve_priced, reps);
	return 0;
}

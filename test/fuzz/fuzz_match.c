/*
 * fuzz_match.c: libFuzzer target for chronological matching
 * (src/match_core.c), outside PostgreSQL.
 *
 * The input bytes describe up to 12 municipalities (capacity, planned places,
 * needs they meet, paused, coordinates for a cost matrix) and up to 40
 * placements (persons, residence or none, needs, sometimes fixed to one
 * municipality).  Checked on every input (abort() = a finding):
 *  - no municipality receives more persons than its capacity;
 *  - every placed placement's needs are met, its municipality is not paused,
 *    and a fixed placement is where it was fixed;
 *  - chronology: an unplaced placement could not have fitted anywhere
 *    feasible at its turn (replaying the assignments in order);
 *  - a placement with a residence got its cheapest feasible municipality at
 *    its turn (ties to the lower index); rank >= 1 exactly when placed;
 *  - no sanitizer report.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "match_core.h"

#define MAX_M 12
#define MAX_P 40

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static unsigned
byte(const uint8_t **p, size_t *left)
{
	if (*left == 0)
		return 0;
	(*left)--;
	return *(*p)++;
}

static void
fail(const char *what, int i)
{
	fprintf(stderr, "finding: %s (%d)\n", what, i);
	abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *p = data;
	size_t		left = size;
	int			n_m = 1 + (int) (byte(&p, &left) % MAX_M);
	int			n_p = (int) (byte(&p, &left) % (MAX_P + 1));
	int32_t		cap[MAX_M], cap_start[MAX_M], planned[MAX_M], x[MAX_M], y[MAX_M];
	uint64_t	able[MAX_M];
	uint8_t		paused[MAX_M];
	double		cost[MAX_M * MAX_M];
	int32_t		persons[MAX_P], residence[MAX_P], fixed[MAX_P], assign[MAX_P], rank[MAX_P];
	uint64_t	needs[MAX_P];
	match_problem pr;
	void	   *work;

	for (int m = 0; m < n_m; m++)
	{
		cap[m] = cap_start[m] = (int32_t) (byte(&p, &left) % 20);
		planned[m] = (int32_t) (byte(&p, &left) % 20) - 5;
		able[m] = byte(&p, &left) & 7;
		paused[m] = (byte(&p, &left) % 5) == 0;
		x[m] = (int32_t) (byte(&p, &left) % 8);	/* a coarse grid: equal costs happen */
		y[m] = (int32_t) (byte(&p, &left) % 8);
	}
	for (int r = 0; r < n_m; r++)
		for (int m = 0; m < n_m; m++)
			cost[r * n_m + m] = abs(x[r] - x[m]) + abs(y[r] - y[m]);
	for (int i = 0; i < n_p; i++)
	{
		unsigned	f = byte(&p, &left);

		persons[i] = 1 + (int32_t) (byte(&p, &left) % 6);
		residence[i] = (f & 1) ? -1 : (int32_t) (byte(&p, &left) % n_m);
		needs[i] = (f >> 1) & 7;
		fixed[i] = (f & 0x10) ? (int32_t) (byte(&p, &left) % n_m) : -1;
	}
	pr.n_place = n_p;
	pr.persons = persons;
	pr.residence = residence;
	pr.needs = needs;
	pr.n_muni = n_m;
	pr.capacity = cap;
	pr.planned = planned;
	pr.able = able;
	pr.paused = paused;
	pr.cost = cost;
	pr.fixed = fixed;
	work = malloc(match_workspace_size(n_m));
	match_chronological(&pr, assign, rank, work);
	free(work);

	/* replay in order */
	{
		int32_t		c[MAX_M];

		memcpy(c, cap_start, sizeof(int32_t) * n_m);
		for (int i = 0; i < n_p; i++)
		{
			int			best = -1;

			for (int m = 0; m < n_m; m++)
			{
				if (paused[m] || (needs[i] & ~able[m]) || c[m] < persons[i] || (fixed[i] >= 0 && fixed[i] != m))
					continue;
				if (residence[i] >= 0 &&
					(best < 0 || cost[residence[i] * n_m + m] < cost[residence[i] * n_m + best]))
					best = m;
				else if (residence[i] < 0 && best < 0)
					best = m;	/* some feasible one exists */
			}
			if (assign[i] < 0)
			{
				if (best >= 0)
					fail("unplaced although a municipality was feasible at its turn", i);
				if (rank[i] != 0)
					fail("rank of an unplaced placement", i);
				continue;
			}
			if (assign[i] >= n_m)
				fail("municipality index out of range", i);
			if (paused[assign[i]])
				fail("placed in a paused municipality", i);
			if (needs[i] & ~able[assign[i]])
				fail("needs not met", i);
			if (fixed[i] >= 0 && assign[i] != fixed[i])
				fail("fixed placement moved", i);
			if (c[assign[i]] < persons[i])
				fail("capacity exceeded", i);
			if (residence[i] >= 0 && assign[i] != best)
				fail("not the cheapest feasible municipality", i);
			if (rank[i] < 1)
				fail("rank of a placed placement", i);
			c[assign[i]] -= persons[i];
		}
		for (int m = 0; m < n_m; m++)
			if (c[m] != cap[m])
				fail("capacities reported back differ from the replay", m);
	}
	return 0;
}

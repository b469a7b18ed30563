/*
 * fuzz_match.c: libFuzzer target for chronological and optimal matching
 * (src/match_core.c, src/match_optimal.c, src/mcf.c), outside PostgreSQL.
 *
 * The input bytes describe up to 12 municipalities (capacity, planned places,
 * needs they meet, paused, coordinates for a cost matrix) and up to 40
 * placements (persons, residence or none, needs, sometimes fixed to one
 * municipality); need 1 is counted in some municipalities (places for it,
 * and sometimes the rest reserved for others).  Checked on every input
 * (abort() = a finding):
 *  - no municipality receives more persons than its capacity, nor more
 *    persons with the counted need than its places for it, nor more without
 *    it than the places not reserved;
 *  - every placed placement's needs are met, its municipality is not paused,
 *    and a fixed placement is where it was fixed;
 *  - chronology: an unplaced placement could not have fitted anywhere
 *    feasible at its turn (replaying the assignments in order);
 *  - a placement with a residence got its cheapest feasible municipality at
 *    its turn (ties to the lower index); rank >= 1 exactly when placed;
 *  - split groups (link) are placed all or none in both modes, zones kept;
 *  - optimal mode, on the same input: priority placements (n_first) placed
 *    as in turn; capacity, needs, pauses and fixed
 *    placements as above; the chronology rule (no unplaced placement could
 *    take free places anywhere feasible, nor replace a later placed one);
 *    lower bound <= objective <= the chronological objective; with at most
 *    6 placements and 4 municipalities, the lower bound is <= the exact
 *    optimum found by enumerating every assignment;
 *  - no sanitizer report.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "match_core.h"
#include "fuzz_bytes.h"

#define MAX_M 12
#define MAX_P 40
#define UNPLACED_KM 100.0		/* above every cost on the 8 x 8 grid */

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fail(const char *what, int i)
{
	fprintf(stderr, "finding: %s (%d)\n", what, i);
	abort();
}

/* the counted need (bit 1): per municipality its places and the places not reserved (NO_LIMIT: none) */
static int32_t k_start[MAX_M], o_start[MAX_M];
static int32_t uses_of[MAX_P];

static int
counted_ok(const int32_t *k, const int32_t *o, const match_problem *pr, int i, int m)
{
	return (k[m] == MATCH_NO_LIMIT || uses_of[i] <= k[m]) &&
		(o[m] == MATCH_NO_LIMIT || pr->persons[i] - uses_of[i] <= o[m]);
}

static void
counted_take(int32_t *k, int32_t *o, const match_problem *pr, int i, int m, int sign)
{
	if (k[m] != MATCH_NO_LIMIT)
		k[m] -= sign * uses_of[i];
	if (o[m] != MATCH_NO_LIMIT)
		o[m] -= sign * (pr->persons[i] - uses_of[i]);
}

/* two zones of municipalities, and split groups (links) */
static uint8_t zones_of[2 * MAX_M];
static int32_t link_of[MAX_P];

static int
fixed_ok(const match_problem *pr, int i, int m)
{
	int32_t		f = pr->fixed[i];

	return f == -1 || f == m || (f < -1 && zones_of[(-2 - f) * pr->n_muni + m]);
}

/* whether placement i belongs to a split group that is (all) unplaced */
static int
group_left_out(const match_problem *pr, const int32_t *assign, int i)
{
	return link_of[i] >= 0 && assign[i] < 0 && pr->link != NULL;
}

/* every split group all placed or all unplaced */
static void
check_groups(const match_problem *pr, const int32_t *assign, const char *what)
{
	for (int i = 1; i < pr->n_place; i++)
		if (link_of[i] >= 0 && link_of[i] == link_of[i - 1] && (assign[i] < 0) != (assign[i - 1] < 0))
			fail(what, i);
}

static double best_found;

/* every assignment of placements i.. (capacity, needs, pauses, fixed; not the chronology rule) */
static void
enumerate(const match_problem *pr, int i, int32_t *c, int32_t *k, int32_t *o, double so_far)
{
	if (so_far >= best_found)
		return;
	if (i == pr->n_place)
	{
		best_found = so_far;
		return;
	}
	enumerate(pr, i + 1, c, k, o, so_far + pr->persons[i] * UNPLACED_KM);
	for (int m = 0; m < pr->n_muni; m++)
	{
		if (pr->paused[m] || (pr->needs[i] & ~pr->able[m]) || c[m] < pr->persons[i] ||
			!fixed_ok(pr, i, m) || !counted_ok(k, o, pr, i, m))
			continue;
		c[m] -= pr->persons[i];
		counted_take(k, o, pr, i, m, 1);
		enumerate(pr, i + 1, c, k, o, so_far + pr->persons[i] *
				  (pr->residence[i] < 0 ? 0 : pr->cost[pr->residence[i] * pr->n_muni + m]));
		counted_take(k, o, pr, i, m, -1);
		c[m] += pr->persons[i];
	}
}

static void
check_optimal(const match_problem *chrono, const int32_t *cap_start, const int32_t *planned_start, const int32_t *chrono_assign)
{
	match_problem pr = *chrono;
	int			n_m = pr.n_muni,
				n_p = pr.n_place;
	int32_t		cap[MAX_M], planned[MAX_M], free_[MAX_M], assign[MAX_P], rank[MAX_P],
				counted[MAX_M * 2], kl[MAX_M], ol[MAX_M];
	match_summary s, cs;

	memcpy(cap, cap_start, sizeof(int32_t) * n_m);
	memcpy(planned, planned_start, sizeof(int32_t) * n_m);
	for (int m = 0; m < n_m; m++)
		counted[2 * m] = k_start[m], counted[2 * m + 1] = o_start[m];
	pr.capacity = cap;
	pr.planned = planned;
	pr.counted = counted;
	if (match_optimal(&pr, UNPLACED_KM, assign, rank, &s, NULL, NULL) != 0)
		fail("match_optimal failed", 0);
	for (int m = 0; m < n_m; m++)
		if (cap[m] != cap_start[m] || counted[2 * m] != k_start[m] || counted[2 * m + 1] != o_start[m])
			fail("optimal changed the capacities", m);
	memcpy(free_, cap_start, sizeof(int32_t) * n_m);
	memcpy(kl, k_start, sizeof(int32_t) * n_m);
	memcpy(ol, o_start, sizeof(int32_t) * n_m);
	for (int i = 0; i < n_p; i++)
	{
		int			m = assign[i];

		if (m < 0)
		{
			if (rank[i] != 0)
				fail("optimal: rank of an unplaced placement", i);
			continue;
		}
		if (m >= n_m)
			fail("optimal: municipality index out of range", i);
		if (pr.paused[m])
			fail("optimal: placed in a paused municipality", i);
		if (pr.needs[i] & ~pr.able[m])
			fail("optimal: needs not met", i);
		if (!fixed_ok(&pr, i, m))
			fail("optimal: fixed placement moved (or out of its zone)", i);
		if (rank[i] < 1)
			fail("optimal: rank of a placed placement", i);
		free_[m] -= pr.persons[i];
		counted_take(kl, ol, &pr, i, m, 1);
	}
	for (int m = 0; m < n_m; m++)
		if (free_[m] < 0)
			fail("optimal: capacity exceeded", m);
		else if ((kl[m] != MATCH_NO_LIMIT && kl[m] < 0) || (ol[m] != MATCH_NO_LIMIT && ol[m] < 0))
			fail("optimal: counted places exceeded", m);
	check_groups(&pr, assign, "optimal: a split group partly placed");
	/* the chronology rule (a split group left out whole apart) */
	for (int i = 0; i < n_p; i++)
	{
		if (assign[i] >= 0 || group_left_out(&pr, assign, i))
			continue;
		for (int m = 0; m < n_m; m++)
			if (!pr.paused[m] && !(pr.needs[i] & ~pr.able[m]) && fixed_ok(&pr, i, m) &&
				free_[m] >= pr.persons[i] && counted_ok(kl, ol, &pr, i, m))
				fail("optimal: unplaced although places are left where it is feasible", i);
		for (int j = i + 1; j < n_p; j++)
		{
			int			m = assign[j],
						ok;

			if (m < 0)
				continue;
			counted_take(kl, ol, &pr, j, m, -1);
			ok = counted_ok(kl, ol, &pr, i, m);
			counted_take(kl, ol, &pr, j, m, 1);
			if (ok && !(pr.needs[i] & ~pr.able[m]) && fixed_ok(&pr, i, m) &&
				pr.persons[i] <= free_[m] + pr.persons[j])
				fail("optimal: unplaced while a later placement it could replace is placed", i);
		}
	}
	/* priority placements are placed as in turn */
	for (int i = 0; i < pr.n_first; i++)
		if (assign[i] != chrono_assign[i])
			fail("optimal: a priority placement not placed as in turn", i);
	match_evaluate(&pr, UNPLACED_KM, chrono_assign, &cs);
	if (s.lower_bound_km > s.objective_km + 1e-6)
		fail("optimal: lower bound above the objective", 0);
	if (s.objective_km > cs.objective_km + 1e-6)
		fail("optimal: costs more than chronological", 0);
	/* a limit per household: no one placed in turn is left out or sent farther than the limit */
	if (pr.has_max_extra)
		for (int i = 0; i < n_p; i++)
		{
			int			c = chrono_assign[i],
						m = assign[i],
						r = pr.residence[i];

			if (c < 0)
				continue;
			if (m < 0)
				fail("optimal with a limit: a placement placed in turn is left out", i);
			if (r >= 0 && pr.cost[r * n_m + m] > pr.cost[r * n_m + c] + pr.max_extra_km + 1e-9)
				fail("optimal with a limit: a placement sent farther than the limit", i);
		}
	/* (the exact optimum below is the unlimited one) */
	if (n_p <= 6 && n_m <= 4 && !pr.has_max_extra)
	{
		int32_t		c[MAX_M];

		memcpy(c, cap_start, sizeof(int32_t) * n_m);
		memcpy(kl, k_start, sizeof(int32_t) * n_m);
		memcpy(ol, o_start, sizeof(int32_t) * n_m);
		best_found = 1e300;
		enumerate(&pr, 0, c, kl, ol, 0);
		/* (with priority placements the bound is of the problem with them fixed) */
		if (pr.n_first == 0 && s.lower_bound_km > best_found + 1e-6)
			fail("optimal: lower bound above the exact optimum", 0);
		if (s.objective_km < best_found - 1e-6)
			fail("optimal: objective below the exact optimum (miscounted)", 0);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *p = data;
	size_t		left = size;
	int			n_m = 1 + (int) (byte(&p, &left) % MAX_M);
	int			n_p = (int) (byte(&p, &left) % (MAX_P + 1));
	int32_t		cap[MAX_M], cap_start[MAX_M], planned[MAX_M], planned_start[MAX_M], x[MAX_M], y[MAX_M];
	uint64_t	able[MAX_M];
	uint8_t		paused[MAX_M];
	double		cost[MAX_M * MAX_M];
	int32_t		persons[MAX_P], residence[MAX_P], fixed[MAX_P], assign[MAX_P], rank[MAX_P];
	uint64_t	needs[MAX_P];
	int32_t		counted[MAX_M * 2];
	match_problem pr;
	void	   *work;

	for (int m = 0; m < n_m; m++)
	{
		cap[m] = cap_start[m] = (int32_t) (byte(&p, &left) % 20);
		planned[m] = planned_start[m] = (int32_t) (byte(&p, &left) % 20) - 5;
		able[m] = byte(&p, &left) & 7;
		paused[m] = (byte(&p, &left) % 5) == 0;
		x[m] = (int32_t) (byte(&p, &left) % 8);	/* a coarse grid: equal costs happen */
		y[m] = (int32_t) (byte(&p, &left) % 8);
	}
	for (int m = 0; m < n_m; m++)
	{
		/* need 1 counted in two thirds of the municipalities, the rest reserved in half of those */
		unsigned	b = byte(&p, &left);

		k_start[m] = b % 3 == 0 ? MATCH_NO_LIMIT : (int32_t) (b / 3 % 6);
		o_start[m] = k_start[m] == MATCH_NO_LIMIT || (b & 0x80) == 0 ? MATCH_NO_LIMIT
			: (cap[m] > k_start[m] ? cap[m] - k_start[m] : 0);
		counted[2 * m] = k_start[m];
		counted[2 * m + 1] = o_start[m];
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
		fixed[i] = (f & 0x10) ? (int32_t) (byte(&p, &left) % (n_m + 2)) - 2 : -1;	/* a municipality or zone -2, -1 */
		if (fixed[i] == -1 && (f & 0x10))
			fixed[i] = -3;
		/* split groups: a new one, the previous one continued, or none */
		{
			unsigned	g = (f >> 6) & 3;

			link_of[i] = g == 1 ? i : g == 2 && i > 0 && link_of[i - 1] >= 0 ? link_of[i - 1] : -1;
		}
		/* a linked group's members need not all have the need: sometimes one person fewer */
		uses_of[i] = !(needs[i] & 1) ? 0 : persons[i] - ((f & 0x20) && persons[i] > 1 ? 1 : 0);
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
	pr.max_cost = NULL;
	pr.n_counted = 1;
	pr.uses = uses_of;
	pr.counted = counted;
	for (int z = 0; z < 2 * n_m; z++)
		zones_of[z] = (byte(&p, &left) & 1);
	pr.n_zone = 2;
	pr.zones = zones_of;
	pr.link = link_of;
	{
		unsigned	l = byte(&p, &left);

		pr.has_max_extra = (l % 3) == 0;	/* a third of the problems with a limit of 0-9 */
		pr.max_extra_km = (double) (l / 3 % 10);
		/* a third of the problems with priority placements first */
		pr.n_first = (l / 30) % 3 == 0 ? (int) (byte(&p, &left) % (n_p + 1)) : 0;
	}
	work = malloc(match_workspace_size(&pr));
	match_chronological(&pr, assign, rank, work);
	free(work);

	check_groups(&pr, assign, "chronological: a split group partly placed");
	/* replay in order */
	{
		int32_t		c[MAX_M], kl[MAX_M], ol[MAX_M];

		memcpy(c, cap_start, sizeof(int32_t) * n_m);
		memcpy(kl, k_start, sizeof(int32_t) * n_m);
		memcpy(ol, o_start, sizeof(int32_t) * n_m);
		for (int i = 0; i < n_p; i++)
		{
			int			best = -1;

			for (int m = 0; m < n_m; m++)
			{
				if (paused[m] || (needs[i] & ~able[m]) || c[m] < persons[i] || !fixed_ok(&pr, i, m) ||
					!counted_ok(kl, ol, &pr, i, m))
					continue;
				if (residence[i] >= 0 &&
					(best < 0 || cost[residence[i] * n_m + m] < cost[residence[i] * n_m + best]))
					best = m;
				else if (residence[i] < 0 && best < 0)
					best = m;	/* some feasible one exists */
			}
			if (assign[i] < 0)
			{
				if (best >= 0 && !group_left_out(&pr, assign, i))
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
			if (!fixed_ok(&pr, i, assign[i]))
				fail("fixed placement moved (or out of its zone)", i);
			if (c[assign[i]] < persons[i])
				fail("capacity exceeded", i);
			if (!counted_ok(kl, ol, &pr, i, assign[i]))
				fail("counted places exceeded", i);
			if (residence[i] >= 0 && assign[i] != best)
				fail("not the cheapest feasible municipality", i);
			if (rank[i] < 1)
				fail("rank of a placed placement", i);
			c[assign[i]] -= persons[i];
			counted_take(kl, ol, &pr, i, assign[i], 1);
		}
		for (int m = 0; m < n_m; m++)
			if (c[m] != cap[m] || kl[m] != counted[2 * m] || ol[m] != counted[2 * m + 1])
				fail("capacities reported back differ from the replay", m);
	}
	check_optimal(&pr, cap_start, planned_start, assign);
	return 0;
}

/*
 * match_core.c: chronological matching of placements to municipalities.
 *
 * For every residence the municipalities are sorted once by proximity cost
 * (lazily, on first use), so each placement scans its residence's list from
 * the best end until a feasible municipality turns up.  Deterministic: ties
 * go to the lower index (the caller orders municipalities by code).
 */
#include "match_core.h"
#include "idxsort.h"
#include "cancel.h"
#include "settle_assert.h"

#include <string.h>

/*
 * workspace: the sorted lists (n x n), the initial capacities and plans, a
 * merge buffer (n each), the initial counted places, a flag per list
 */
size_t
match_workspace_size(const match_problem *p)
{
	size_t		n = (size_t) (p->n_muni > 0 ? p->n_muni : 1);

	return (n * n + 3 * n + match_counted_size(p)) * sizeof(int32_t) + n * sizeof(uint8_t);
}

/* for idx_sort: a cheaper than b on the cost row */
static int
cheaper(int32_t a, int32_t b, const void *row)
{
	return ((const double *) row)[a] < ((const double *) row)[b];
}

/* feasible before anyone was placed (for the rank of a choice) */
static int
statically_feasible(const match_problem *p, int pl, int m, const int32_t *cap0, const int32_t *counted0)
{
	return cap0[m] >= p->persons[pl] && match_fits(p, p->needs[pl], match_fixed(p, pl), m) &&
		match_counted_fits(p, counted0, pl, m);
}

static int
feasible(const match_problem *p, int pl, int m)
{
	return p->capacity[m] >= p->persons[pl] && match_fits(p, p->needs[pl], match_fixed(p, pl), m) &&
		match_counted_fits(p, p->counted, pl, m);
}

void
match_chronological(const match_problem *p, int32_t *assign, int32_t *rank, void *work)
{
	int			n = p->n_muni;
	int32_t    *lists = (int32_t *) work;
	int32_t    *cap0 = lists + (size_t) n * n;
	int32_t    *plan0 = cap0 + n;
	int32_t    *tmp = plan0 + n;
	int32_t    *counted0 = tmp + n;
	uint8_t    *ready = (uint8_t *) (counted0 + match_counted_size(p));
	int			run_start = 0,
				run_failed = 0;

	memset(ready, 0, (size_t) n);
	memcpy(cap0, p->capacity, (size_t) n * sizeof(int32_t));
	memcpy(plan0, p->planned, (size_t) n * sizeof(int32_t));
	if (p->n_counted > 0)
		memcpy(counted0, p->counted, match_counted_size(p) * sizeof(int32_t));

	for (int pl = 0; pl < p->n_place && !core_stopping(); pl++)
	{
		int			r = p->residence[pl];
		int			best = -1;
		int			k = 0;

		/* a split group: all its members or none (match_problem.link) */
		if (pl == 0 || !match_same_link(p, pl - 1, pl))
			run_start = pl, run_failed = 0;
		if (run_failed)
		{
			assign[pl] = -1;
			rank[pl] = 0;
			continue;
		}

		if (r >= 0)
		{
			int32_t    *list = lists + (size_t) r * n;

			if (!ready[r])
			{
				for (int m = 0; m < n; m++)
					list[m] = m;
				idx_sort(list, tmp, n, cheaper, p->cost + (size_t) r * n);
				ready[r] = 1;
			}
			for (int i = 0; i < n; i++)
			{
				int			m = list[i];

				if (statically_feasible(p, pl, m, cap0, counted0))
					k++;
				if (feasible(p, pl, m))
				{
					best = m;
					break;
				}
			}
		}
		else
		{
			/* no residence: match_quota_before's order */
			for (int m = 0; m < n; m++)
				if (feasible(p, pl, m) && (best < 0 || match_quota_before(p->planned, p->capacity, m, best)))
					best = m;
			/* rank: among the statically feasible by the same order on the initial figures */
			if (best >= 0)
				for (int m = 0; m < n; m++)
					if (statically_feasible(p, pl, m, cap0, counted0) &&
						(m == best || match_quota_before(plan0, cap0, m, best)))
						k++;
		}
		assign[pl] = best;
		rank[pl] = best >= 0 ? (k > 0 ? k : 1) : 0;
		if (best < 0 && p->link && p->link[pl] >= 0)
		{
			/* a member fits nowhere: the members before it give their places back */
			run_failed = 1;
			for (int q = run_start; q < pl; q++)
			{
				p->capacity[assign[q]] += p->persons[q];
				p->planned[assign[q]] += p->persons[q];
				match_counted_take(p, p->counted, q, assign[q], -1);
				assign[q] = -1;
				rank[q] = 0;
			}
		}
		if (best >= 0)
		{
			SETTLE_ASSERT(feasible(p, pl, best));
			p->capacity[best] -= p->persons[pl];
			match_counted_take(p, p->counted, pl, best, 1);
			p->planned[best] -= p->persons[pl];
		}
	}
}

/*
 * apportion_core.c: exact integer apportionment, in pure C.
 *
 * Every method is described as a selection of seats by priority.
 *
 * Divisor methods (D'Hondt, Sainte-Laguë, Huntington-Hill, Adams): unit i's
 * (k+1)-th seat has priority w_i / D(k).  The result is the `total' highest
 * priorities, where the first lo_i seats of a unit are forced and seats beyond
 * hi_i are never available.  Ties in priority go to the unit earlier in the
 * input.  We start from a floating-point estimate of the divisor (fast, maybe
 * slightly wrong), fix the seat count with a heap, then swap seats while the
 * lowest selected priority is below the highest unselected one.  The stopping
 * test compares exact products (wide.h), so the result is exact whatever the
 * estimate was; the estimate only decides how much work the heaps do.
 *
 * Hamilton (largest remainder) with bounds: find the continuous fair shares
 * q_i = clamp(lambda * w_i, lo_i, hi_i) summing to the total (exact
 * water-filling over the breakpoints lo_i/w_i and hi_i/w_i), give every unit
 * floor(q_i) and the remaining seats to the largest remainders.  Without
 * bounds this is the textbook method: q_i = total * w_i / sum(w).
 *
 * Ranges (checked by the caller): weights < 2^80, total and bounds < 2^32,
 * sum of weights < 2^100 (n < 2^20 units of the largest weight); the largest
 * product formed is w^2 * k(k+1) < 2^160 * 2^64, well inside 256 bits.
 */
#include "apportion_core.h"
#include "cancel.h"
#include "settle_assert.h"

#include <math.h>
#include <string.h>

#define ALIGN16(x) (((x) + 15) & ~(size_t) 15)

/* ------------------------------------------------------------ workspace */

typedef struct event
{
	int			unit;
	int			enter;			/* 1: lambda * w reaches lo; 0: reaches hi */
} event;

size_t
app_workspace_size(int n)
{
	size_t		un = (size_t) (n > 0 ? n : 1);
	size_t		hamilton = ALIGN16(2 * un * sizeof(event)) + ALIGN16(un * sizeof(u128)) +
		ALIGN16(un * sizeof(int));
	size_t		divisor = ALIGN16(un * sizeof(u256)) + ALIGN16(un * sizeof(uint64_t)) +
		2 * ALIGN16(un * sizeof(double)) + 4 * ALIGN16(un * sizeof(int));

	return (hamilton > divisor ? hamilton : divisor) + 64;
}

static void *
carve(char **cursor, size_t bytes)
{
	void	   *p = *cursor;

	*cursor += ALIGN16(bytes);
	return p;
}

/* ------------------------------------------------------- shared checks */

static app_status
check_totals(const app_problem *p, int64_t *shortfall)
{
	int64_t		sum_lo = 0;
	int64_t		sum_max = 0;

	for (int i = 0; i < p->n; i++)
	{
		sum_lo += p->lo[i];
		/* a unit with weight 0 never gets more than its forced seats */
		if (p->w[i] == 0 || p->hi[i] == APP_NO_MAX)
			sum_max += (p->w[i] == 0) ? p->lo[i] : APP_MAX_TOTAL;
		else
			sum_max += p->hi[i];
		if (sum_max > APP_MAX_TOTAL)
			sum_max = APP_MAX_TOTAL;	/* saturate: more than any total */
	}
	if (sum_lo > p->total)
	{
		*shortfall = sum_lo - p->total;
		return APP_TOO_FEW_SEATS;
	}
	if (sum_max < p->total)
	{
		*shortfall = p->total - sum_max;
		return APP_TOO_MANY_SEATS;
	}
	return APP_OK;
}

/* ------------------------------------------------------------ Hamilton */

/* breakpoint of an event: lo/w (enter) or hi/w (exit) as a fraction */
static int
event_cmp(const app_problem *p, const event *a, const event *b)
{
	u128		na = (u128) (a->enter ? p->lo[a->unit] : p->hi[a->unit]);
	u128		nb = (u128) (b->enter ? p->lo[b->unit] : p->hi[b->unit]);
	u128		lhs = na * p->w[b->unit];	/* < 2^32 * 2^80 */
	u128		rhs = nb * p->w[a->unit];

	if (lhs != rhs)
		return lhs < rhs ? -1 : 1;
	/*
	 * Same point.  Between units the order does not matter for the sum (it is
	 * continuous); a unit with lo == hi must enter before it exits, or the
	 * sweep would subtract a weight it never added.
	 */
	if (a->unit != b->unit)
		return a->unit < b->unit ? -1 : 1;
	return b->enter - a->enter;
}

static void
sort_events(const app_problem *p, event *ev, event *tmp, size_t m)
{
	/* bottom-up merge sort: stable, O(m log m), no recursion */
	for (size_t width = 1; width < m; width *= 2)
	{
		for (size_t lo = 0; lo < m; lo += 2 * width)
		{
			size_t		mid = lo + width < m ? lo + width : m;
			size_t		hi = lo + 2 * width < m ? lo + 2 * width : m;
			size_t		i = lo,
						j = mid,
						k = lo;

			while (i < mid && j < hi)
				tmp[k++] = (event_cmp(p, &ev[j], &ev[i]) < 0) ? ev[j++] : ev[i++];
			while (i < mid)
				tmp[k++] = ev[i++];
			while (j < hi)
				tmp[k++] = ev[j++];
		}
		memcpy(ev, tmp, m * sizeof(event));
	}
}

/* order of remainder candidates: larger remainder first, then input order */
static int
rem_before(const u128 *rem, int a, int b)
{
	if (rem[a] != rem[b])
		return rem[a] > rem[b];
	return a < b;
}

/*
 * Partial selection: reorder c[0..m) so that its first k entries are the k
 * best by rem_before (in some order) and c[k] is the best of the rest.
 * Quickselect with a pseudo-random pivot: O(m) on average; the order is
 * strict (ties broken by index), so the outcome does not depend on pivots.
 */
static void
select_candidates(const u128 *rem, int *c, int m, int k)
{
	int			lo = 0,
				hi = m - 1;
	uint32_t	rng = 2463534242u;

	while (hi > lo)
	{
		int			pv,
					i,
					j,
					t;

		rng ^= rng << 13;
		rng ^= rng >> 17;
		rng ^= rng << 5;
		pv = c[lo + (int) (rng % (uint32_t) (hi - lo + 1))];
		i = lo;
		j = hi;
		while (i <= j)
		{
			while (rem_before(rem, c[i], pv))
				i++;
			while (rem_before(rem, pv, c[j]))
				j--;
			if (i <= j)
			{
				t = c[i];
				c[i] = c[j];
				c[j] = t;
				i++;
				j--;
			}
		}
		if (k <= j)
			hi = j;
		else if (k >= i)
			lo = i;
		else
			break;
	}
}

/*
 * Water-filling over the breakpoints lo/w (a unit enters) and hi/w (it
 * leaves): afterwards seats[i] holds unit i's state (0: at lo, 1: active,
 * 2: at hi), *fixed the seats of the clamped units and *wa the weight of the
 * active ones, at the lambda where the shares sum to the total.
 */
static void
hamilton_sweep(const app_problem *p, int64_t *seats, event *ev, event *tmp, int64_t *fixed, u128 *wa)
{
	size_t		m = 0;

	for (int i = 0; i < p->n; i++)
	{
		*fixed += p->lo[i];
		if (p->w[i] == 0)
			continue;
		ev[m].unit = i;
		ev[m++].enter = 1;
		if (p->hi[i] != APP_NO_MAX)
		{
			ev[m].unit = i;
			ev[m++].enter = 0;
		}
	}
	sort_events(p, ev, tmp, m);

	for (size_t e = 0; e < m; e++)
	{
		const event *x = &ev[e];
		uint64_t	num = (uint64_t) (x->enter ? p->lo[x->unit] : p->hi[x->unit]);
		u128		den = p->w[x->unit];

		/* sum at this breakpoint: fixed + wa * num / den >= total ? */
		u256		lhs = u256_add(u256_mul_u64(u256_from_u128(den), (uint64_t) *fixed),
								   u256_mul_u64(u256_from_u128(*wa), num));
		u256		rhs = u256_mul_u64(u256_from_u128(den), (uint64_t) p->total);

		if (u256_cmp(lhs, rhs) >= 0)
			break;
		if (x->enter)
		{
			*fixed -= p->lo[x->unit];
			*wa += p->w[x->unit];
			seats[x->unit] = 1;
		}
		else
		{
			*fixed += p->hi[x->unit];
			*wa -= p->w[x->unit];
			seats[x->unit] = 2;
		}
	}
}

/*
 * From the states in seats[]: active units get floor((total - fixed) * w /
 * wa) and their remainder in rem[] (listed in cand[] when positive), the
 * others their bound.  Returns the seats given and the candidates' count.
 */
static int64_t
hamilton_shares(const app_problem *p, int64_t fixed, u128 wa, int64_t *seats, u128 *rem,
				int *cand, int *ncand)
{
	u128		avail = (u128) (p->total - fixed);
	u128		wmax = 0;
	int64_t		assigned = 0;
	int			small;

	for (int i = 0; i < p->n; i++)
		if (p->w[i] > wmax)
			wmax = p->w[i];
	small = (avail * wmax) >> 64 == 0 && wa >> 64 == 0;
	for (int i = 0; i < p->n; i++)
	{
		int64_t		state = seats[i];

		rem[i] = 0;
		if (state == 1 && wa > 0)
		{
			u128		num = avail * p->w[i];	/* < 2^32 * 2^80 */

			if (small)			/* the common case: 64-bit division is much faster */
			{
				seats[i] = (int64_t) ((uint64_t) num / (uint64_t) wa);
				rem[i] = (uint64_t) num % (uint64_t) wa;
			}
			else
			{
				seats[i] = (int64_t) (num / wa);
				rem[i] = num % wa;
			}
			if (rem[i] > 0)
				cand[(*ncand)++] = i;
		}
		else if (state == 2)
			seats[i] = p->hi[i];
		else
			seats[i] = p->lo[i];
		assigned += seats[i];
	}
	return assigned;
}

/*
 * The remaining `extra' seats go to the largest remainders, ties by input
 * order; when the last receiver and the best non-receiver have equal
 * remainders, every candidate with that remainder is marked in tie[].
 */
static void
hamilton_remainders(const u128 *rem, int *cand, int ncand, int64_t extra, int64_t *seats, uint8_t *tie)
{
	int			last = 0;

	/* cand[0..extra) receive a seat; cand[extra] is the best of the others */
	select_candidates(rem, cand, ncand, (int) extra);
	for (int k = 0; k < extra; k++)
	{
		seats[cand[k]]++;
		if (rem_before(rem, cand[last], cand[k]))
			last = k;			/* the worst of the receivers */
	}
	if (extra < ncand)
	{
		int			next = (int) extra;

		for (int k = (int) extra + 1; k < ncand; k++)
			if (rem_before(rem, cand[k], cand[next]))
				next = k;
		if (rem[cand[last]] == rem[cand[next]])
		{
			u128		v = rem[cand[next]];

			for (int k = 0; k < ncand; k++)
				if (rem[cand[k]] == v)
					tie[cand[k]] = 1;
		}
	}
}

static void
hamilton(const app_problem *p, int64_t *seats, uint8_t *tie, char *work)
{
	int			n = p->n;
	event	   *ev = carve(&work, 2 * (size_t) n * sizeof(event));
	u128	   *rem = carve(&work, (size_t) n * sizeof(u128));
	int		   *cand = carve(&work, (size_t) n * sizeof(int));
	int64_t		fixed = 0;		/* sum of clamped holdings */
	u128		wa = 0;			/* sum of weights of active units */
	int			bounded = 0;
	int64_t		assigned;
	int			ncand = 0;

	for (int i = 0; i < n; i++)
		if (p->lo[i] != 0 || p->hi[i] != APP_NO_MAX)
			bounded = 1;

	/* seats[] holds each unit's state until the shares are known */
	for (int i = 0; i < n; i++)
		seats[i] = 0;
	if (!bounded)
	{
		for (int i = 0; i < n; i++)
			if (p->w[i] > 0)
			{
				seats[i] = 1;
				wa += p->w[i];
			}
	}
	else
	{
		/* the remainders are not needed yet: their n * 16 bytes hold the
		 * merge buffer of at most 2n 8-byte events */
		hamilton_sweep(p, seats, ev, (event *) rem, &fixed, &wa);
	}
	assigned = hamilton_shares(p, fixed, wa, seats, rem, cand, &ncand);
	if (p->total > assigned)
		hamilton_remainders(rem, cand, ncand, p->total - assigned, seats, tie);
}

/* ---------------------------------------------------- divisor methods */

typedef struct div_ctx
{
	const app_problem *p;
	int64_t    *s;				/* current seats */
	u256	   *wf;				/* weight factor: w, or w^2 for Huntington-Hill */
	uint64_t   *wf64;			/* the same when every factor fits 64 bits */
	double	   *wfd;			/* the same as a double, for a quick first look */
	int			narrow;			/* ... which lets products fit 128 bits */
	int		   *heap[2];		/* 0: next seats (max first); 1: last seats (min first) */
	int		   *pos[2];
	int			size[2];
} div_ctx;

/* divisor key of a unit's (k+1)-th seat; 0 means infinite priority */
static inline uint64_t
dkey(const app_problem *p, int64_t k)
{
	switch (p->method)
	{
		case APP_DHONDT:
			return (uint64_t) k + 1;
		case APP_SAINTE_LAGUE:
			return k == 0 ? p->fd_num : (uint64_t) (2 * k + 1) * p->fd_den;
		case APP_ADAMS:
			return (uint64_t) k;
		case APP_HUNTINGTON_HILL:
			return (uint64_t) k * (uint64_t) (k + 1);
		default:
			return 1;
	}
}

/* sign of priority(i, seat k) - priority(j, seat l) */
static inline int
prio_cmp(const div_ctx *c, int i, int64_t k, int j, int64_t l)
{
	uint64_t	di = dkey(c->p, k);
	uint64_t	dj = dkey(c->p, l);
	double		fa,
				fb;

	if (di == 0 || dj == 0)
		return (di == 0) - (dj == 0);

	/*
	 * Floating point decides when the two sides differ by far more than its
	 * rounding (each side is within 8 ulps, 1e-15, of the true product);
	 * only near-equal priorities take the exact path below.
	 */
	fa = c->wfd[i] * (double) dj;
	fb = c->wfd[j] * (double) di;
	if (fa > fb * (1.0 + 1e-12))
		return 1;
	if (fb > fa * (1.0 + 1e-12))
		return -1;
	if (c->narrow)
	{
		u128		a = (u128) c->wf64[i] * dj;
		u128		b = (u128) c->wf64[j] * di;

		return (a > b) - (a < b);
	}
	return u256_cmp(u256_mul_u64(c->wf[i], dj), u256_mul_u64(c->wf[j], di));
}

/* heap 0 holds units that can take another seat, best next seat first;
 * heap 1 holds units that hold a non-forced seat, worst last seat first. */
static inline int
in_heap(const div_ctx *c, int h, int i)
{
	const app_problem *p = c->p;

	if (h == 0)
		return p->w[i] > 0 && c->s[i] < p->hi[i];
	return p->w[i] > 0 && c->s[i] > p->lo[i];
}

static inline int
before(const div_ctx *c, int h, int i, int j)
{
	int			r;

	if (h == 0)
	{
		r = prio_cmp(c, i, c->s[i], j, c->s[j]);
		return r > 0 || (r == 0 && i < j);
	}
	r = prio_cmp(c, i, c->s[i] - 1, j, c->s[j] - 1);
	return r < 0 || (r == 0 && i > j);
}

static void
heap_place(div_ctx *c, int h, int at, int unit)
{
	c->heap[h][at] = unit;
	c->pos[h][unit] = at;
}

static void
sift_up(div_ctx *c, int h, int at)
{
	int			unit = c->heap[h][at];

	while (at > 0)
	{
		int			parent = (at - 1) / 2;

		if (!before(c, h, unit, c->heap[h][parent]))
			break;
		heap_place(c, h, at, c->heap[h][parent]);
		at = parent;
	}
	heap_place(c, h, at, unit);
}

static void
sift_down(div_ctx *c, int h, int at)
{
	int			unit = c->heap[h][at];
	int			size = c->size[h];

	for (;;)
	{
		int			child = 2 * at + 1;

		if (child >= size)
			break;
		if (child + 1 < size && before(c, h, c->heap[h][child + 1], c->heap[h][child]))
			child++;
		if (!before(c, h, c->heap[h][child], unit))
			break;
		heap_place(c, h, at, c->heap[h][child]);
		at = child;
	}
	heap_place(c, h, at, unit);
}

/* after c->s[unit] changed: restore both heaps for that unit */
static void
heap_refresh(div_ctx *c, int unit)
{
	for (int h = 0; h < 2; h++)
	{
		int			at = c->pos[h][unit];
		int			want = in_heap(c, h, unit);

		if (at >= 0 && want)
		{
			sift_up(c, h, at);
			sift_down(c, h, c->pos[h][unit]);
		}
		else if (at >= 0)
		{
			int			last = c->heap[h][--c->size[h]];

			c->pos[h][unit] = -1;
			if (last != unit)
			{
				heap_place(c, h, at, last);
				sift_up(c, h, at);
				sift_down(c, h, c->pos[h][last]);
			}
		}
		else if (want)
		{
			at = c->size[h]++;
			heap_place(c, h, at, unit);
			sift_up(c, h, at);
		}
	}
}

/*
 * Seats every unit would hold at multiplier mu (= 1 / divisor), estimated in
 * floating point, clamped to its bounds; returns their sum.  One loop per
 * method so the compiler keeps each tight; x >= 0, so truncation is floor.
 */
#define EST_CAP 4294967296.0	/* APP_MAX_TOTAL as a double */
#define EST_LOOP(expr) \
	for (int i = 0; i < p->n; i++) \
	{ \
		int64_t		k = p->lo[i]; \
		if (wd[i] > 0) \
		{ \
			double		x = fmin(wd[i] * mu, EST_CAP); \
			k = (int64_t) (expr); \
			if (k < p->lo[i]) \
				k = p->lo[i]; \
			else if (k > p->hi[i]) \
				k = p->hi[i]; \
		} \
		s[i] = k; \
		sum += k; \
	}

static int64_t
estimate_all(const app_problem *p, const double *wd, double mu, int64_t *s)
{
	int64_t		sum = 0;
	double		fd = (double) p->fd_num / (double) p->fd_den;

	switch (p->method)
	{
		case APP_SAINTE_LAGUE:
			/* divisors fd, 3, 5, ... on the 1, 3, 5 scale: x >= fd, then (x - 1) / 2 more */
			EST_LOOP((x >= fd ? 1 : 0) + (x > 1.0 ? (int64_t) ((x - 1.0) * 0.5) : 0));
			break;
		case APP_ADAMS:
			EST_LOOP(1 + (int64_t) x);
			break;
		case APP_HUNTINGTON_HILL:
			EST_LOOP(1 + (int64_t) ((sqrt(1.0 + 4.0 * x * x) - 1.0) * 0.5));
			break;
		default:				/* D'Hondt */
			EST_LOOP((int64_t) x);
			break;
	}
	return sum;
}

/*
 * The weight factors (w, or w^2 for Huntington-Hill) in the widths the
 * comparisons need, and wd[] = w as a double; returns the weight of the
 * units that can still take seats, for the divisor's first estimate.
 */
static double
divisor_factors(div_ctx *c, double *wd)
{
	const app_problem *p = c->p;
	double		wsum = 0.0;

	c->narrow = 1;
	for (int i = 0; i < p->n; i++)
	{
		u128		f = p->w[i];

		if (p->method == APP_HUNTINGTON_HILL)
			f = (f >> 64) == 0 ? f * f : ~(u128) 0;	/* ~0: does not fit, see below */
		if ((f >> 64) != 0)
			c->narrow = 0;
		c->wf64[i] = (uint64_t) f;
		wd[i] = (double) p->w[i];
		if (p->hi[i] > p->lo[i])	/* a unit at its bound takes no more: its weight */
			wsum += wd[i];		/* would only shrink the start (a 1e22 weight capped at 0) */
		c->wfd[i] = p->method == APP_HUNTINGTON_HILL ? wd[i] * wd[i] : wd[i];
	}
	/* the 256-bit factors only when some factor needs more than 64 bits */
	if (!c->narrow)
		for (int i = 0; i < p->n; i++)
			c->wf[i] = p->method == APP_HUNTINGTON_HILL ? u256_mul_u128(p->w[i], p->w[i])
				: u256_from_u128(p->w[i]);
	return wsum;
}

/*
 * Estimate the divisor.  The seat count f falls as lambda grows and is close
 * to linear in mu = 1/lambda, so bracket the target and run regula falsi
 * (Illinois variant) on mu; stop when the count is within a few seats.  Any
 * start is correct; a good one saves heap work.  Leaves the estimate in
 * seats[] and returns its sum.
 */
static int64_t
divisor_estimate(const app_problem *p, const double *wd, double wsum, int64_t *seats)
{
	double		mu_lo,
				mu_hi,
				mu;
	int64_t		f_lo,
				f_hi,
				f;
	int64_t		close_enough = 16;
	int			last = 0;		/* which end the previous step replaced */
	double		pull_lo = 1.0,
				pull_hi = 1.0;

	mu = (double) (p->total > 0 ? p->total : 1) / (wsum > 0 ? wsum : 1.0);
	mu_lo = mu_hi = mu;
	f_lo = f_hi = estimate_all(p, wd, mu, seats);
	/* bracket: up to the whole range of a double, so that no weights,
	 * however extreme, leave the heaps below to add seats one by one */
	for (int it = 0; it < 2100 && f_lo > p->total && mu_lo > 0.0 && !core_stopping(); it++)
		f_lo = estimate_all(p, wd, mu_lo /= 2.0, seats);
	for (int it = 0; it < 2100 && f_hi < p->total && mu_hi < 1e300 && !core_stopping(); it++)
		f_hi = estimate_all(p, wd, mu_hi *= 2.0, seats);
	mu = f_lo >= p->total ? mu_lo : mu_hi;
	for (int it = 0; it < 40 && f_lo < p->total && f_hi > p->total; it++)
	{
		double		wlo = (double) (p->total - f_lo) * pull_lo;
		double		whi = (double) (f_hi - p->total) * pull_hi;

		mu = mu_lo + (mu_hi - mu_lo) * wlo / (wlo + whi);
		if (!(mu > mu_lo && mu < mu_hi))
			mu = sqrt(mu_lo * mu_hi);
		if (!(mu > mu_lo && mu < mu_hi))
			break;
		f = estimate_all(p, wd, mu, seats);
		if ((f > p->total ? f - p->total : p->total - f) <= close_enough)
			break;
		/* Illinois: replacing the same end twice halves the other's pull */
		if (f < p->total)
		{
			mu_lo = mu;
			f_lo = f;
			pull_lo = 1.0;
			if (last < 0)
				pull_hi /= 2.0;
			last = -1;
		}
		else
		{
			mu_hi = mu;
			f_hi = f;
			pull_hi = 1.0;
			if (last > 0)
				pull_lo /= 2.0;
			last = 1;
		}
	}
	return estimate_all(p, wd, mu, seats);
}

/* both heaps over the current seats */
static void
divisor_heapify(div_ctx *c)
{
	for (int h = 0; h < 2; h++)
	{
		c->size[h] = 0;
		for (int i = 0; i < c->p->n; i++)
		{
			c->pos[h][i] = -1;
			if (in_heap(c, h, i))
				heap_place(c, h, c->size[h]++, i);
		}
		for (int at = c->size[h] / 2 - 1; at >= 0; at--)
			sift_down(c, h, at);
	}
}

/*
 * From the estimate (sum seats in all) to the exact selection: add the best
 * next seats or drop the worst last seats until the count is right, then
 * swap while some unselected seat beats a selected one.
 */
static void
divisor_settle(div_ctx *c, int64_t sum)
{
	const app_problem *p = c->p;
	int64_t    *seats = c->s;

	while (sum < p->total && c->size[0] > 0 && !core_stopping())
	{
		int			u = c->heap[0][0];

		seats[u]++;
		sum++;
		heap_refresh(c, u);
	}
	while (sum > p->total && c->size[1] > 0 && !core_stopping())
	{
		int			u = c->heap[1][0];

		seats[u]--;
		sum--;
		heap_refresh(c, u);
	}
	while (c->size[0] > 0 && c->size[1] > 0 && !core_stopping())
	{
		int			a = c->heap[0][0];	/* best unselected next seat */
		int			b = c->heap[1][0];	/* worst selected last seat */
		int			r = prio_cmp(c, a, seats[a], b, seats[b] - 1);

		if (r < 0 || (r == 0 && a > b) || a == b)
			break;
		seats[a]++;
		seats[b]--;
		heap_refresh(c, a);
		heap_refresh(c, b);
	}
}

/* a tie decided a seat when the worst selected equals the best unselected:
 * mark every unit with a seat of that priority on either side */
static void
divisor_mark_ties(const div_ctx *c, uint8_t *tie)
{
	const int64_t *seats = c->s;
	int			a,
				b;

	if (c->size[0] == 0 || c->size[1] == 0 || core_stopped)
		return;
	a = c->heap[0][0];
	b = c->heap[1][0];
	if (a == b || prio_cmp(c, a, seats[a], b, seats[b] - 1) != 0)
		return;
	for (int i = 0; i < c->p->n; i++)
	{
		if (in_heap(c, 0, i) && prio_cmp(c, i, seats[i], a, seats[a]) == 0)
			tie[i] = 1;
		if (in_heap(c, 1, i) && prio_cmp(c, i, seats[i] - 1, a, seats[a]) == 0)
			tie[i] = 1;
	}
}

static void
divisor(const app_problem *p, int64_t *seats, uint8_t *tie, char *work)
{
	int			n = p->n;
	div_ctx		c;
	double	   *wd;
	double		wsum;
	int64_t		sum;

	c.p = p;
	c.s = seats;
	c.wf = carve(&work, (size_t) n * sizeof(u256));
	c.wf64 = carve(&work, (size_t) n * sizeof(uint64_t));
	c.wfd = carve(&work, (size_t) n * sizeof(double));
	wd = carve(&work, (size_t) n * sizeof(double));
	for (int h = 0; h < 2; h++)
	{
		c.heap[h] = carve(&work, (size_t) n * sizeof(int));
		c.pos[h] = carve(&work, (size_t) n * sizeof(int));
	}
	wsum = divisor_factors(&c, wd);
	sum = divisor_estimate(p, wd, wsum, seats);
	divisor_heapify(&c);
	divisor_settle(&c, sum);
	divisor_mark_ties(&c, tie);
}

/* ---------------------------------------------------------------- entry */

app_status
app_solve(const app_problem *p, int64_t *seats, uint8_t *tie, void *work, int64_t *shortfall)
{
	app_status	st;

	*shortfall = 0;
	memset(tie, 0, (size_t) (p->n > 0 ? p->n : 0));
	st = check_totals(p, shortfall);
	if (st != APP_OK)
		return st;
	if (p->n == 0)
		return APP_OK;
	/* 128-bit integers need 16-byte alignment; palloc/malloc may give 8
	 * (app_workspace_size leaves room for this) */
	work = (void *) (((uintptr_t) work + 15) & ~(uintptr_t) 15);
	if (p->method == APP_HAMILTON)
		hamilton(p, seats, tie, (char *) work);
	else
		divisor(p, seats, tie, (char *) work);
#ifdef SETTLE_ASSERTS
	if (!core_stopped)
	{
		int64_t		sum = 0;

		for (int i = 0; i < p->n; i++)
		{
			SETTLE_ASSERT(seats[i] >= p->lo[i] && seats[i] <= p->hi[i]);
			SETTLE_ASSERT(p->w[i] > 0 || seats[i] == p->lo[i]);
			sum += seats[i];
		}
		SETTLE_ASSERT(sum == p->total);
	}
#endif
	return APP_OK;
}

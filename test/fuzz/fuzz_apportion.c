/*
 * fuzz_apportion.c: libFuzzer target for the apportionment core
 * (src/apportion_core.c), outside PostgreSQL.
 *
 * The input bytes describe a problem: method, number of units (1-16), total
 * (0-300), Sainte-Laguë first divisor, the workspace's misalignment (0-15
 * bytes, so the core's own alignment handling is exercised the way palloc's
 * 8-byte alignment does), and per unit a weight (one byte, or ten bytes for
 * weights up to 2^80 - 1), lower and upper bounds.
 *
 * Checked on every input (abort() = a finding):
 *  - the status agrees with a plain feasibility count;
 *  - when feasible: holdings sum to the total and stay within bounds;
 *  - the seats and tie flags equal an independent, deliberately simple
 *    reference: seat-by-seat highest priority for divisor methods (exact
 *    256-bit cross products), floors plus largest remainders for Hamilton
 *    without bounds;
 *  - no sanitizer report (AddressSanitizer, UndefinedBehaviorSanitizer).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apportion_core.h"

#define MAX_N 16
#define MAX_TOTAL 300

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct reader
{
	const uint8_t *p;
	size_t		left;
} reader;

static unsigned
byte(reader *r)
{
	if (r->left == 0)
		return 0;
	r->left--;
	return *r->p++;
}

static void
fail(const char *what, int unit)
{
	fprintf(stderr, "finding: %s (unit %d)\n", what, unit);
	abort();
}

/* divisor of a unit's (k+1)-th seat, in the core's scale; 0 = infinite priority */
static uint64_t
ref_divisor(app_method m, uint64_t fd_num, uint64_t fd_den, int64_t k)
{
	switch (m)
	{
		case APP_DHONDT:
			return (uint64_t) k + 1;
		case APP_SAINTE_LAGUE:
			return k == 0 ? fd_num : (uint64_t) (2 * k + 1) * fd_den;
		case APP_HUNTINGTON_HILL:
			return (uint64_t) k * (uint64_t) (k + 1);
		case APP_ADAMS:
			return (uint64_t) k;
		default:
			abort();
	}
}

/* sign of priority(i, seat k) - priority(j, seat l), exactly */
static int
ref_cmp(const app_problem *p, int i, int64_t k, int j, int64_t l)
{
	uint64_t	di = ref_divisor(p->method, p->fd_num, p->fd_den, k);
	uint64_t	dj = ref_divisor(p->method, p->fd_num, p->fd_den, l);
	u256		a,
				b;

	if (di == 0 || dj == 0)
		return (di == 0) - (dj == 0);
	if (p->method == APP_HUNTINGTON_HILL)
	{
		a = u256_mul_u128(p->w[i], p->w[i]);
		b = u256_mul_u128(p->w[j], p->w[j]);
	}
	else
	{
		a = u256_from_u128(p->w[i]);
		b = u256_from_u128(p->w[j]);
	}
	return u256_cmp(u256_mul_u64(a, dj), u256_mul_u64(b, di));
}

/* best unit to take one more seat (higher priority, then lower index), or -1 */
static int
ref_best_next(const app_problem *p, const int64_t *s)
{
	int			best = -1;

	for (int i = 0; i < p->n; i++)
		if (p->w[i] > 0 && s[i] < p->hi[i] &&
			(best < 0 || ref_cmp(p, i, s[i], best, s[best]) > 0))
			best = i;
	return best;
}

static void
ref_divisor_method(const app_problem *p, int64_t *s, uint8_t *tie)
{
	int64_t		sum = 0;
	int			last = -1;		/* unit that took the last seat by priority */
	int64_t		last_k = 0;
	int			next;

	for (int i = 0; i < p->n; i++)
	{
		s[i] = p->lo[i];
		sum += s[i];
		tie[i] = 0;
	}
	while (sum < p->total)
	{
		int			u = ref_best_next(p, s);

		last = u;
		last_k = s[u];
		s[u]++;
		sum++;
	}
	if (last < 0)
		return;
	next = ref_best_next(p, s);
	if (next < 0 || ref_cmp(p, last, last_k, next, s[next]) != 0)
		return;
	/* a tie decided the last seat: flag every unit whose last non-forced or next seat has that priority */
	for (int i = 0; i < p->n; i++)
	{
		if (p->w[i] == 0)
			continue;
		if (s[i] > p->lo[i] && ref_cmp(p, i, s[i] - 1, last, last_k) == 0)
			tie[i] = 1;
		if (s[i] < p->hi[i] && ref_cmp(p, i, s[i], last, last_k) == 0)
			tie[i] = 1;
	}
}

static void
ref_hamilton(const app_problem *p, int64_t *s, uint8_t *tie)
{
	u128		wsum = 0;
	u128		rem[MAX_N];
	uint8_t		got[MAX_N] = {0};
	int64_t		left = p->total;
	int			last = -1,
				next = -1;

	for (int i = 0; i < p->n; i++)
		wsum += p->w[i];
	for (int i = 0; i < p->n; i++)
	{
		u128		num = (u128) p->total * p->w[i];

		s[i] = wsum ? (int64_t) (num / wsum) : 0;
		rem[i] = wsum ? num % wsum : 0;
		left -= s[i];
		tie[i] = 0;
	}
	for (; left > 0; left--)
	{
		int			b = -1;

		for (int i = 0; i < p->n; i++)
			if (!got[i] && rem[i] > 0 && (b < 0 || rem[i] > rem[b]))
				b = i;
		got[b] = 1;
		s[b]++;
		last = b;
	}
	for (int i = 0; i < p->n; i++)
		if (!got[i] && rem[i] > 0 && (next < 0 || rem[i] > rem[next]))
			next = i;
	if (last >= 0 && next >= 0 && rem[last] == rem[next])
		for (int i = 0; i < p->n; i++)
			if (rem[i] == rem[last])
				tie[i] = 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	reader		r = {data, size};
	app_problem p;
	static u128 w[MAX_N] __attribute__((aligned(16)));
	int64_t		lo[MAX_N],
				hi[MAX_N],
				seats[MAX_N],
				ref_seats[MAX_N],
				shortfall,
				min_sum = 0,
				max_sum = 0;
	uint8_t		tie[MAX_N],
				ref_tie[MAX_N];
	int			bounded = 0,
				unbounded_unit = 0;
	unsigned	off;
	char	   *raw;
	app_status	st;

	p.method = (app_method) (byte(&r) % 5);
	p.n = 1 + (int) (byte(&r) % MAX_N);
	p.total = (int64_t) ((byte(&r) << 8 | byte(&r)) % (MAX_TOTAL + 1));
	p.fd_den = 10;
	p.fd_num = 1 + byte(&r) % 20;	/* 0.1 .. 2.0 */
	off = byte(&r) % 16;
	for (int i = 0; i < p.n; i++)
	{
		unsigned	flags = byte(&r);

		w[i] = 0;
		if (flags & 8)
			;					/* zero weight */
		else if (flags & 1)
		{
			for (int b = 0; b < 10; b++)
				w[i] = w[i] << 8 | byte(&r);
		}
		else
			w[i] = byte(&r);
		lo[i] = (flags & 2) ? byte(&r) % 8 : 0;
		hi[i] = (flags & 4) ? lo[i] + byte(&r) % 8 : APP_NO_MAX;
		bounded |= (flags & 6) != 0;
		min_sum += lo[i];
		if (w[i] == 0)
			max_sum += lo[i];
		else if (hi[i] == APP_NO_MAX)
			unbounded_unit = 1;
		else
			max_sum += hi[i];
	}
	p.w = w;
	p.lo = lo;
	p.hi = hi;

	raw = malloc(app_workspace_size(p.n) + 16);
	st = app_solve(&p, seats, tie, raw + off, &shortfall);
	free(raw);

	if (min_sum > p.total)
	{
		if (st != APP_TOO_FEW_SEATS || shortfall != min_sum - p.total)
			fail("infeasible lower bounds not reported", -1);
		return 0;
	}
	if (!unbounded_unit && max_sum < p.total)
	{
		if (st != APP_TOO_MANY_SEATS || shortfall != p.total - max_sum)
			fail("infeasible upper bounds not reported", -1);
		return 0;
	}
	if (st != APP_OK)
		fail("feasible problem refused", -1);
	{
		int64_t		sum = 0;

		for (int i = 0; i < p.n; i++)
		{
			if (seats[i] < lo[i] || seats[i] > hi[i])
				fail("bounds broken", i);
			if (w[i] == 0 && seats[i] != lo[i])
				fail("zero weight got a free seat", i);
			sum += seats[i];
		}
		if (sum != p.total)
			fail("seats do not sum to the total", -1);
	}
	if (p.method == APP_HAMILTON)
	{
		if (bounded)
			return 0;
		ref_hamilton(&p, ref_seats, ref_tie);
	}
	else
		ref_divisor_method(&p, ref_seats, ref_tie);
	for (int i = 0; i < p.n; i++)
	{
		if (seats[i] != ref_seats[i])
			fail("seats differ from the reference", i);
		if ((tie[i] != 0) != (ref_tie[i] != 0))
			fail("tie flag differs from the reference", i);
	}
	return 0;
}

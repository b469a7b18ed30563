/*
 * fit_core.c: the distribution model's weights fitted to decided quotas
 * (see fit_core.h for the problem and why each method is exact).
 */
#include "fit_core.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define PIVOT_LIMIT 100000

/* ---- the linear programme (sum of absolute differences) ---------------- */

/*
 * A dense simplex tableau in canonical form: m constraint rows, nv columns
 * and the right-hand side, then the objective row (reduced costs, and minus
 * the objective value in the last column).
 */
typedef struct tableau
{
	int			m,
				nv;
	double	   *t;
	int		   *basis;			/* per row: its basic column */
	double		eps;
} tableau;

static inline double *
cell(tableau *x, int r, int c)
{
	return &x->t[(size_t) r * (x->nv + 1) + c];
}

static void
pivot(tableau *x, int r, int c)
{
	double		p = *cell(x, r, c);

	for (int j = 0; j <= x->nv; j++)
		*cell(x, r, j) /= p;
	for (int i = 0; i <= x->m; i++)
	{
		double		f = *cell(x, i, c);

		if (i == r || f == 0)
			continue;
		for (int j = 0; j <= x->nv; j++)
			*cell(x, i, j) -= f * *cell(x, r, j);
	}
	x->basis[r] = c;
}

/* the objective row for costs c (nv) in the current basis */
static void
set_objective(tableau *x, const double *cost)
{
	for (int j = 0; j <= x->nv; j++)
		*cell(x, x->m, j) = j < x->nv ? cost[j] : 0;
	for (int r = 0; r < x->m; r++)
	{
		double		f = cost[x->basis[r]];

		if (f != 0)
			for (int j = 0; j <= x->nv; j++)
				*cell(x, x->m, j) -= f * *cell(x, r, j);
	}
}

/*
 * Minimise over the columns below `allowed` (Bland's rule: the lowest
 * column with a negative reduced cost enters; the lowest-basis row of the
 * minimum ratio leaves).  0 optimal, -3 pivot limit or unbounded.
 */
static int
run_simplex(tableau *x, int allowed)
{
	for (int it = 0; it < PIVOT_LIMIT; it++)
	{
		int			enter = -1,
					leave = -1;
		double		best = 0;

		for (int j = 0; j < allowed && enter < 0; j++)
			if (*cell(x, x->m, j) < -x->eps)
				enter = j;
		if (enter < 0)
			return 0;
		for (int r = 0; r < x->m; r++)
		{
			double		a = *cell(x, r, enter);

			if (a > x->eps)
			{
				double		ratio = *cell(x, r, x->nv) / a;

				if (leave < 0 || ratio < best - x->eps ||
					(ratio <= best + x->eps && x->basis[r] < x->basis[leave]))
				{
					leave = r;
					best = ratio;
				}
			}
		}
		if (leave < 0)
			return -3;
		pivot(x, leave, enter);
	}
	return -3;
}

int
fit_abs(int n, int k, const double *a, const double *b, const int *sign, double *w, double *objective)
{
	/* columns: weight parts (col_of[f], and col_of[f] + 1 for a free one), e+ and e- per row, the artificial */
	int			col_of[FIT_MAX_FACTORS];
	int			nw = 0,
				nv,
				rc = -1;
	tableau		x = {0};
	double	   *cost = NULL,
				scale = 1;

	if (k < 1 || k > FIT_MAX_FACTORS || n < 1)
		return -2;
	for (int f = 0; f < k; f++)
	{
		col_of[f] = nw;
		nw += sign[f] == 0 ? 2 : 1;
	}
	nv = nw + 2 * n + 1;
	x.m = n + 1;
	x.nv = nv;
	x.t = calloc((size_t) (x.m + 1) * (nv + 1), sizeof(double));
	x.basis = malloc((size_t) x.m * sizeof(int));
	cost = calloc((size_t) nv, sizeof(double));
	if (!x.t || !x.basis || !cost)
		goto done;
	/* the rows divided by the largest quota, so that the tableau is of order 1 (the weights are the same) */
	for (int i = 0; i < n; i++)
		scale = fmax(scale, fabs(b[i]));
	x.eps = 1e-9;
	/* rows: sum_f a_if w_f - e+_i + e-_i = b_i, made non-negative on the right */
	for (int i = 0; i < n; i++)
	{
		double		s = b[i] < 0 ? -1 : 1;

		for (int f = 0; f < k; f++)
		{
			double		v = s * a[(size_t) i * k + f] / scale;

			if (sign[f] == 0)
			{
				*cell(&x, i, col_of[f]) = v;
				*cell(&x, i, col_of[f] + 1) = -v;
			}
			else
				*cell(&x, i, col_of[f]) = sign[f] * v;
		}
		*cell(&x, i, nw + 2 * i) = -s;
		*cell(&x, i, nw + 2 * i + 1) = s;
		*cell(&x, i, nv) = s * b[i] / scale;
		x.basis[i] = nw + 2 * i + (s > 0 ? 1 : 0);
	}
	/* the weights sum to 1, with the artificial basic */
	for (int f = 0; f < k; f++)
	{
		if (sign[f] == 0)
		{
			*cell(&x, n, col_of[f]) = 1;
			*cell(&x, n, col_of[f] + 1) = -1;
		}
		else
			*cell(&x, n, col_of[f]) = sign[f];
	}
	*cell(&x, n, nv - 1) = 1;
	*cell(&x, n, nv) = 1;
	x.basis[n] = nv - 1;
	/* phase 1: drive the artificial out */
	cost[nv - 1] = 1;
	set_objective(&x, cost);
	if ((rc = run_simplex(&x, nv)) != 0)
		goto done;
	if (-*cell(&x, x.m, nv) > 1e-7)
	{
		rc = -2;
		goto done;
	}
	for (int r = 0; r < x.m; r++)
		if (x.basis[r] == nv - 1)
			for (int j = 0; j < nv - 1; j++)
				if (fabs(*cell(&x, r, j)) > x.eps)
				{
					pivot(&x, r, j);
					break;
				}
	/* phase 2: the sum of the residuals' parts, the artificial kept out */
	memset(cost, 0, (size_t) nv * sizeof(double));
	for (int j = nw; j < nw + 2 * n; j++)
		cost[j] = 1;
	set_objective(&x, cost);
	if ((rc = run_simplex(&x, nv - 1)) != 0)
		goto done;
	{
		double	   *val = calloc((size_t) nv, sizeof(double));

		if (!val)
		{
			rc = -1;
			goto done;
		}
		for (int r = 0; r < x.m; r++)
			val[x.basis[r]] = *cell(&x, r, nv);
		for (int f = 0; f < k; f++)
			w[f] = sign[f] == 0 ? val[col_of[f]] - val[col_of[f] + 1] : sign[f] * val[col_of[f]];
		free(val);
	}
	*objective = 0;
	for (int i = 0; i < n; i++)
	{
		double		q = 0;

		for (int f = 0; f < k; f++)
			q += a[(size_t) i * k + f] * w[f];
		*objective += fabs(q - b[i]);
	}
	rc = 0;
done:
	free(x.t);
	free(x.basis);
	free(cost);
	return rc;
}

/* ---- the quadratic programme (sum of squared differences) -------------- */

/* solve the s x s system m z = r in place (partial pivoting); 0, or -1 if singular */
static int
solve(int s, double *m, double *r, double tiny)
{
	for (int c = 0; c < s; c++)
	{
		int			p = c;

		for (int i = c + 1; i < s; i++)
			if (fabs(m[i * s + c]) > fabs(m[p * s + c]))
				p = i;
		if (fabs(m[p * s + c]) <= tiny)
			return -1;
		if (p != c)
		{
			for (int j = 0; j < s; j++)
			{
				double		t = m[c * s + j];

				m[c * s + j] = m[p * s + j];
				m[p * s + j] = t;
			}
			{
				double		t = r[c];

				r[c] = r[p];
				r[p] = t;
			}
		}
		for (int i = c + 1; i < s; i++)
		{
			double		f = m[i * s + c] / m[c * s + c];

			for (int j = c; j < s; j++)
				m[i * s + j] -= f * m[c * s + j];
			r[i] -= f * r[c];
		}
	}
	for (int c = s - 1; c >= 0; c--)
	{
		for (int j = c + 1; j < s; j++)
			r[c] -= m[c * s + j] * r[j];
		r[c] /= m[c * s + c];
	}
	return 0;
}

int
fit_squared(int n, int k, const double *a, const double *b, const int *sign, double *w, double *objective)
{
	double		g[FIT_MAX_FACTORS * FIT_MAX_FACTORS],
				h[FIT_MAX_FACTORS],
				m[(FIT_MAX_FACTORS + 1) * (FIT_MAX_FACTORS + 1)],
				r[FIT_MAX_FACTORS + 1],
				tiny = 0;
	int			signed_f[FIT_MAX_FACTORS],
				ns = 0,
				found = 0,
				nonsingular = 0;

	if (k < 1 || k > FIT_MAX_FACTORS || n < 1)
		return -2;
	for (int f = 0; f < k; f++)
	{
		if (sign[f] != 0)
			signed_f[ns++] = f;
		h[f] = 0;
		for (int e = 0; e < k; e++)
		{
			double		s = 0;

			for (int i = 0; i < n; i++)
				s += a[(size_t) i * k + f] * a[(size_t) i * k + e];
			g[f * k + e] = s;
		}
		for (int i = 0; i < n; i++)
			h[f] += a[(size_t) i * k + f] * b[i];
		tiny = fmax(tiny, g[f * k + f]);
	}
	/* scaled to a largest diagonal of 1 (the minimiser is the same), so that singular means singular */
	if (tiny > 0)
		for (int f = 0; f < k; f++)
		{
			h[f] /= tiny;
			for (int e = 0; e < k; e++)
				g[f * k + e] /= tiny;
		}
	tiny = 1e-12;
	/* each face: the signed factors in `zero` held at 0, the others free on the face */
	for (unsigned zero = 0; zero < (1u << ns); zero++)
	{
		int			in[FIT_MAX_FACTORS],
					s = 0,
					ok = 1;
		double		x[FIT_MAX_FACTORS] = {0},
					obj = 0;

		for (int f = 0, j = 0; f < k; f++)
		{
			if (j < ns && signed_f[j] == f)
			{
				if (zero & (1u << j++))
					continue;
			}
			in[s++] = f;
		}
		if (s == 0)
			continue;
		/* KKT: [2G 1; 1' 0] [w; mu] = [2h; 1] */
		for (int i = 0; i <= s; i++)
			for (int j = 0; j <= s; j++)
				m[i * (s + 1) + j] = i < s && j < s ? 2 * g[in[i] * k + in[j]] : (i == s && j == s ? 0 : 1);
		for (int i = 0; i < s; i++)
			r[i] = 2 * h[in[i]];
		r[s] = 1;
		if (solve(s + 1, m, r, tiny) != 0)
			continue;
		nonsingular = 1;
		for (int i = 0; i < s; i++)
		{
			x[in[i]] = r[i];
			if (sign[in[i]] * r[i] < -1e-12)
				ok = 0;
		}
		if (!ok)
			continue;
		for (int i = 0; i < n; i++)
		{
			double		q = 0;

			for (int f = 0; f < k; f++)
				q += a[(size_t) i * k + f] * x[f];
			obj += (q - b[i]) * (q - b[i]);
		}
		if (!found || obj < *objective)
		{
			found = 1;
			*objective = obj;
			for (int f = 0; f < k; f++)
				w[f] = sign[f] * x[f] < 0 ? 0 : x[f];
		}
	}
	if (!found)
		return nonsingular ? -2 : -3;
	return 0;
}

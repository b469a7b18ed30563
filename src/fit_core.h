/*
 * fit_core.h: fitting the distribution model's weights to decided quotas
 * (pure C, no PostgreSQL).
 *
 * The model gives county c of year y the fair quota
 *     q(y, c) = sum over factors f of w[f] * a[(y, c), f]
 * where a[(y, c), f] is the year's national volume times the county's share
 * of factor f (settle.model_shares normalises each factor to shares and
 * the weights to sum 1), so q is linear in the weights.  Rows i are the
 * (year, county) pairs, b[i] the decided quota.  Weights: sum w = 1, and
 * w[f] >= 0 (sign +1), w[f] <= 0 (sign -1) or free (sign 0).
 *
 *   fit_abs      minimises sum_i |q_i - b_i|: a linear programme (residuals
 *                split in two non-negative parts), solved exactly by the
 *                simplex method on a dense tableau, two phases, Bland's rule
 *                (smallest index enters and leaves), which cannot cycle, so
 *                it stops at an optimal vertex after finitely many pivots.
 *   fit_squared  minimises sum_i (q_i - b_i)^2: a convex quadratic programme.
 *                Its optimum lies in the relative interior of one face of the
 *                sign constraints (some signed weights 0, the rest strictly
 *                signed), and there it is the minimiser over the face's affine
 *                hull, a linear (KKT) system.  Every face is tried (2^k for k
 *                signed factors, k <= FIT_MAX_FACTORS) and the best feasible
 *                minimiser kept: exact, finitely many steps.
 *
 * Both return 0, -1 out of memory, -2 infeasible (no weights satisfy the
 * signs and sum 1, e.g. all negative), -3 no unique optimum (the factors'
 * columns are linearly dependent on every face; squared only) or the
 * simplex stopped on its pivot limit (abs).
 */
#ifndef SETTLE_FIT_CORE_H
#define SETTLE_FIT_CORE_H

#define FIT_MAX_FACTORS 16

extern int	fit_abs(int n, int k, const double *a, const double *b, const int *sign, double *w, double *objective);
extern int	fit_squared(int n, int k, const double *a, const double *b, const int *sign, double *w, double *objective);

#endif							/* SETTLE_FIT_CORE_H */

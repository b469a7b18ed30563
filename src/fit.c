/*
 * fit.c: the SQL face of fit_core.c.
 *
 * settle.fit_weights(a float8[], b float8[], factors int4, signs int4[],
 *                    objective text, OUT weights float8[], OUT value float8)
 * a holds the rows (a (year, county) pair each) factor by factor, b the
 * decided quotas; signs +1, -1 or 0 per factor.  settle.fit_model prepares
 * them from the model inputs and the decided länstal.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "funcapi.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "access/htup_details.h"

#include <math.h>

#include "fit_core.h"

PG_FUNCTION_INFO_V1(settle_fit_weights);

/* a one-dimensional array without NULLs of the given type, or 22023 */
static void *
plain_array(FunctionCallInfo fcinfo, int argno, const char *name, Oid elemtype, int *n)
{
	ArrayType  *x = PG_GETARG_ARRAYTYPE_P(argno);

	if (ARR_ELEMTYPE(x) != elemtype)
		elog(ERROR, "%s: unexpected element type %u", name, ARR_ELEMTYPE(x));
	if (ARR_NDIM(x) > 1 || ARR_HASNULL(x))
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("%s must be a one-dimensional array without NULLs", name)));
	*n = ARR_NDIM(x) == 0 ? 0 : ARR_DIMS(x)[0];
	return ARR_DATA_PTR(x);
}

Datum
settle_fit_weights(PG_FUNCTION_ARGS)
{
	int			na,
				nb,
				ns,
				k = PG_GETARG_INT32(2),
				rc;
	const double *a = plain_array(fcinfo, 0, "a", FLOAT8OID, &na);
	const double *b = plain_array(fcinfo, 1, "b", FLOAT8OID, &nb);
	const int32 *signs = plain_array(fcinfo, 3, "signs", INT4OID, &ns);
	char	   *objective = text_to_cstring(PG_GETARG_TEXT_PP(4));
	int			sign[FIT_MAX_FACTORS];
	double		w[FIT_MAX_FACTORS],
				value = 0;
	Datum		wd[FIT_MAX_FACTORS];
	TupleDesc	desc;
	Datum		values[2];
	bool		nulls[2] = {false, false};

	if (k < 1 || k > FIT_MAX_FACTORS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("a model is fitted over 1 to %d factors, not %d", FIT_MAX_FACTORS, k)));
	if (ns != k || nb < 1 || (int64) nb * k != na)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("fit_weights needs %d signs and a rows x %d matrix; got %d signs, %d values and %d rows", k, k, ns, na, nb)));
	for (int f = 0; f < k; f++)
	{
		if (signs[f] < -1 || signs[f] > 1)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("signs[%d] is %d; a sign is 1 (>= 0), -1 (<= 0) or 0 (free)", f + 1, signs[f])));
		sign[f] = signs[f];
	}
	for (int i = 0; i < na; i++)
		if (!isfinite(a[i]))
			ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("a[%d] is not a finite number", i + 1)));
	for (int i = 0; i < nb; i++)
		if (!isfinite(b[i]))
			ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("b[%d] is not a finite number", i + 1)));
	if (strcmp(objective, "abs") == 0)
		rc = fit_abs(nb, k, a, b, sign, w, &value);
	else if (strcmp(objective, "squared") == 0)
		rc = fit_squared(nb, k, a, b, sign, w, &value);
	else
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown objective \"%s\"", objective),
				 errhint("Objectives: abs (the sum of absolute differences in places), squared (the sum of squared differences).")));
	if (rc == -1)
		ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory while fitting the model")));
	if (rc == -2)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("no weights summing to 1 have the signs asked for"),
				 errhint("At least one factor must be allowed a positive weight (sign + or free).")));
	if (rc != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the factors do not determine the weights: their county shares are linearly dependent"),
				 errhint("Leave out a factor that is a combination of the others, e.g. the same series twice.")));
	for (int f = 0; f < k; f++)
		wd[f] = Float8GetDatum(w[f]);
	if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "settle.fit_weights must return a row");
	values[0] = PointerGetDatum(construct_array(wd, k, FLOAT8OID, sizeof(float8), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
	values[1] = Float8GetDatum(value);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(desc, values, nulls)));
}

/*
 * lanskod.c: settle.lanskod, a Swedish county code.
 *
 * Text input: two digits ('01') or the county letter code ('AB'),
 * case-insensitive.  Output: two digits.  Stored as a pass-by-value int2.
 */
#include "postgres.h"

#include "fmgr.h"
#include "libpq/pqformat.h"
#include "utils/builtins.h"

#include "codetype.h"

PG_FUNCTION_INFO_V1(lanskod_in);
PG_FUNCTION_INFO_V1(lanskod_out);
PG_FUNCTION_INFO_V1(lanskod_recv);
PG_FUNCTION_INFO_V1(lanskod_from_int4);
PG_FUNCTION_INFO_V1(lanskod_letter);

Datum
lanskod_in(PG_FUNCTION_ARGS)
{
	const char *s = PG_GETARG_CSTRING(0);
	int			county;
	settle_code_status st = settle_parse_lanskod(s, strlen(s), &county);

	if (st != CODE_OK)
		settle_code_text_error(KIND_LANSKOD, st, s, county);
	PG_RETURN_INT16((int16) county);
}

Datum
lanskod_out(PG_FUNCTION_ARGS)
{
	PG_RETURN_CSTRING(psprintf("%02d", (int) PG_GETARG_INT16(0)));
}

Datum
lanskod_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	int			county = (int16) pq_getmsgint(buf, 2);

	if (!settle_county_valid(county))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid county code in binary input: %d", county),
				 errhint("The binary form is a two-byte integer, one of %s.", settle_county_code_list())));
	PG_RETURN_INT16((int16) county);
}

Datum
lanskod_from_int4(PG_FUNCTION_ARGS)
{
	int32		v = PG_GETARG_INT32(0);

	if (!settle_county_valid(v))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("integer %d is not a Swedish county code", v),
				 errhint("The county codes are %s.", settle_county_code_list())));
	PG_RETURN_INT16((int16) v);
}

/* settle.letter(lanskod): the registration letter code, '14' -> 'O' */
Datum
lanskod_letter(PG_FUNCTION_ARGS)
{
	const char *l = settle_county_letter(PG_GETARG_INT16(0));

	/* cannot happen for a value that passed input validation */
	if (l == NULL)
		elog(ERROR, "settle.lanskod value %d has no letter code", (int) PG_GETARG_INT16(0));
	PG_RETURN_TEXT_P(cstring_to_text(l));
}

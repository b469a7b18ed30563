/*
 * kommunkod.c: settle.kommunkod, a Swedish municipality code.
 *
 * Text form: exactly four digits whose first two are a county code ('0180').
 * Stored as a pass-by-value int2 holding the number (180).  Comparison,
 * hashing and binary output live in code_ops.c.
 */
#include "postgres.h"

#include "fmgr.h"
#include "libpq/pqformat.h"
#include "utils/builtins.h"

#include "codetype.h"

PG_FUNCTION_INFO_V1(kommunkod_in);
PG_FUNCTION_INFO_V1(kommunkod_out);
PG_FUNCTION_INFO_V1(kommunkod_recv);
PG_FUNCTION_INFO_V1(kommunkod_from_int4);
PG_FUNCTION_INFO_V1(kommunkod_to_lanskod);

Datum
kommunkod_in(PG_FUNCTION_ARGS)
{
	const char *s = PG_GETARG_CSTRING(0);
	int			code;
	settle_code_status st = settle_parse_kommunkod(s, strlen(s), &code);

	if (st != CODE_OK)
		settle_code_text_error(KIND_KOMMUNKOD, st, s, code);
	PG_RETURN_INT16((int16) code);
}

Datum
kommunkod_out(PG_FUNCTION_ARGS)
{
	PG_RETURN_CSTRING(psprintf("%04d", (int) PG_GETARG_INT16(0)));
}

Datum
kommunkod_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	int			code = (int16) pq_getmsgint(buf, 2);

	if (!settle_kommunkod_valid(code))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid municipality code in binary input: %d", code),
				 errhint("The binary form is a two-byte integer such as 180 for '0180', whose first two digits are a county code.")));
	PG_RETURN_INT16((int16) code);
}

/* integer -> kommunkod, padding: 180::settle.kommunkod = '0180' */
Datum
kommunkod_from_int4(PG_FUNCTION_ARGS)
{
	int32		v = PG_GETARG_INT32(0);

	if (v < 0 || v > 9999)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("integer %d is out of range for type settle.kommunkod", v),
				 errhint("A municipality code is a number from 0114 to 2584 whose first two digits are a county code, e.g. 180 for '0180' Stockholm.")));
	if (!settle_kommunkod_valid(v))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("integer %d is not a valid municipality code", v),
				 errdetail("Its county part, %02d, is not a Swedish county code.", v / 100),
				 errhint("The county codes are %s.", settle_county_code_list())));
	PG_RETURN_INT16((int16) v);
}

/* kommunkod -> lanskod: the county is the first two digits */
Datum
kommunkod_to_lanskod(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT16(PG_GETARG_INT16(0) / 100);
}

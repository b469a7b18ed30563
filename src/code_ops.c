/*
 * code_ops.c: comparison, hashing, binary output and text-error reporting
 * shared by settle.kommunkod and settle.lanskod.
 *
 * Both types are an int2 underneath, so one C function serves both; the SQL
 * declarations bind it to each type separately.
 */
#include "postgres.h"

#include "common/hashfn.h"
#include "fmgr.h"
#include "libpq/pqformat.h"
#include "utils/builtins.h"

#include "codetype.h"

#define ARG_CODE(n) PG_GETARG_INT16(n)

PG_FUNCTION_INFO_V1(settle_code_eq);
PG_FUNCTION_INFO_V1(settle_code_ne);
PG_FUNCTION_INFO_V1(settle_code_lt);
PG_FUNCTION_INFO_V1(settle_code_le);
PG_FUNCTION_INFO_V1(settle_code_gt);
PG_FUNCTION_INFO_V1(settle_code_ge);
PG_FUNCTION_INFO_V1(settle_code_cmp);
PG_FUNCTION_INFO_V1(settle_code_hash);
PG_FUNCTION_INFO_V1(settle_code_hash_extended);
PG_FUNCTION_INFO_V1(settle_code_send);
PG_FUNCTION_INFO_V1(settle_code_to_int4);

Datum
settle_code_eq(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(ARG_CODE(0) == ARG_CODE(1));
}

Datum
settle_code_ne(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(ARG_CODE(0) != ARG_CODE(1));
}

Datum
settle_code_lt(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(ARG_CODE(0) < ARG_CODE(1));
}

Datum
settle_code_le(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(ARG_CODE(0) <= ARG_CODE(1));
}

Datum
settle_code_gt(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(ARG_CODE(0) > ARG_CODE(1));
}

Datum
settle_code_ge(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(ARG_CODE(0) >= ARG_CODE(1));
}

Datum
settle_code_cmp(PG_FUNCTION_ARGS)
{
	int16		a = ARG_CODE(0);
	int16		b = ARG_CODE(1);

	PG_RETURN_INT32((a > b) - (a < b));
}

Datum
settle_code_hash(PG_FUNCTION_ARGS)
{
	return hash_uint32((uint32) ARG_CODE(0));
}

Datum
settle_code_hash_extended(PG_FUNCTION_ARGS)
{
	return hash_uint32_extended((uint32) ARG_CODE(0), PG_GETARG_INT64(1));
}

Datum
settle_code_send(PG_FUNCTION_ARGS)
{
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendint16(&buf, ARG_CODE(0));
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

Datum
settle_code_to_int4(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT32((int32) ARG_CODE(0));
}

/* the county codes for hints, from the one table in codes.c */
const char *
settle_county_code_list(void)
{
	static char codes[SETTLE_COUNTY_LIST_SIZE];

	return codes[0] ? codes : settle_county_list(codes, sizeof(codes), 0);
}

void
settle_code_text_error(settle_code_kind kind, settle_code_status st,
					   const char *input, int partial)
{
	bool		muni = (kind == KIND_KOMMUNKOD);
	char		list[SETTLE_COUNTY_LIST_SIZE];
	const char *what = muni ? "municipality code (kommunkod)" : "county code (länskod)";
	const char *example = muni
		? "A municipality code has exactly four digits, the first two being its county's code, e.g. '0180' for Stockholm or '1480' for Göteborg."
		: "A county code is two digits such as '01', or a county letter code such as 'AB' or 'O'.";
	int			width = muni ? 4 : 2;

	switch (st)
	{
		case CODE_EMPTY:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
					 errmsg("invalid %s: \"%s\"", what, input),
					 errdetail("The input is empty."),
					 errhint("%s", example)));
			break;
		case CODE_BAD_CHAR:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
					 errmsg("invalid %s: \"%s\"", what, input),
					 errdetail(muni ? "A municipality code contains only the digits 0-9."
							   : "A county code contains only digits or only the letters of a county letter code."),
					 errhint("%s", example)));
			break;
		case CODE_TOO_SHORT:
			if (muni ? settle_kommunkod_valid(partial) : settle_county_valid(partial))
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
						 errmsg("invalid %s: \"%s\"", what, input),
						 errdetail("It has fewer than %d digits; the text form is never padded, to keep codes unambiguous.", width),
						 errhint("Write the leading zero: '%0*d'. (The integer cast pads: %d::settle.%s.)",
								 width, partial, partial, muni ? "kommunkod" : "lanskod")));
			else
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
						 errmsg("invalid %s: \"%s\"", what, input),
						 errdetail("It has fewer than %d digits.", width),
						 errhint("%s", example)));
			break;
		case CODE_TOO_LONG:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
					 errmsg("invalid %s: \"%s\"", what, input),
					 errdetail("It has more than %d digits.", width),
					 errhint("%s", example)));
			break;
		case CODE_BAD_COUNTY:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
					 errmsg("invalid %s: \"%s\"", what, input),
					 errdetail(muni ? "Its first two digits, %02d, are not a Swedish county code."
							   : "%02d is not a Swedish county code.",
							   muni ? partial / 100 : partial),
					 errhint("The county codes are %s.", settle_county_code_list())));
			break;
		case CODE_BAD_LETTER:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
					 errmsg("invalid %s: \"%s\"", what, input),
					 errdetail("No county has this letter code."),
					 errhint("The letter codes are %s.", settle_county_list(list, sizeof(list), 1))));
			break;
		case CODE_OK:
			break;
	}
	elog(ERROR, "settle_code_text_error called without an error");
}

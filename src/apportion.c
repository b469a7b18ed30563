/*
 * apportion.c: settle.apportion(), the SQL face of apportion_core.c.
 *
 * Validates and converts the arguments (exact decimal weights to integers at
 * a common scale), runs the core, and returns one row per unit in input
 * order: key, seats, quota (the exact fair share, to 12 decimals), tie.
 * settle.apportion_seats(): the same without keys, as two arrays by position.
 */
#include "postgres.h"

#include <string.h>

#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "fmgr.h"
#include "funcapi.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/numeric.h"

#include "apportion_core.h"
#include "settle.h"
#include "srf.h"

PG_FUNCTION_INFO_V1(settle_apportion);
PG_FUNCTION_INFO_V1(settle_apportion_seats);

/*
 * The arguments' positions: settle.apportion(total, keys, weights, ...) has
 * k = 1, settle.apportion_seats(total, weights, ...) k = 0 (no keys).
 */
#define ARG_WEIGHTS(k)			(1 + (k))
#define ARG_METHOD(k)			(2 + (k))
#define ARG_MIN_SEATS(k)		(3 + (k))
#define ARG_MAX_SEATS(k)		(4 + (k))
#define ARG_PRIOR(k)			(5 + (k))
#define ARG_FIRST_DIVISOR(k)	(6 + (k))

#define MAX_UNITS (1 << 20)
#define QUOTA_DECIMALS 12

/* ------------------------------------------------------------ arguments */

typedef struct array_arg
{
	const char *name;
	int			n;
	Datum	   *values;
	bool	   *nulls;
	Size		bytes;			/* the array and its unpacked elements, in memory */
} array_arg;

static void
get_array(FunctionCallInfo fcinfo, int argno, const char *name, Oid elemtype, array_arg *out)
{
	ArrayType  *a;
	int16		typlen;
	bool		typbyval;
	char		typalign;

	out->name = name;
	out->n = 0;
	out->values = NULL;
	out->nulls = NULL;
	out->bytes = 0;
	if (PG_ARGISNULL(argno))
		return;
	a = PG_GETARG_ARRAYTYPE_P(argno);
	if (ARR_NDIM(a) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("%s must be a one-dimensional array", name),
				 errdetail("It has %d dimensions.", ARR_NDIM(a)),
				 errhint("Pass one element per unit, e.g. ARRAY['a', 'b'].")));
	get_typlenbyvalalign(elemtype, &typlen, &typbyval, &typalign);
	deconstruct_array(a, elemtype, typlen, typbyval, typalign, &out->values, &out->nulls, &out->n);
	out->bytes = VARSIZE(a) + (Size) out->n * (sizeof(Datum) + sizeof(bool));
	if (out->n > MAX_UNITS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("%s has %d elements, more than the %d units settle.apportion handles", name, out->n, MAX_UNITS),
				 errhint("Apportion in stages, e.g. over counties first and then within each county.")));
}

static void
same_length(const array_arg *a, const array_arg *b)
{
	if (b->values != NULL && a->n != b->n)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("%s has %d elements but %s has %d", b->name, b->n, a->name, a->n),
				 errhint("Every array argument has one element per unit, in the same order as %s.", a->name)));
}

/* A non-negative decimal: value * 10^-frac, value < APP_MAX_WEIGHT. */
typedef struct decimal
{
	u128		value;
	int			frac;
} decimal;

/*
 * A unit, for messages: its key, quoted ("0114"), or without keys
 * (settle.apportion_seats) its position (unit 3); fixed: a name instead.
 */
typedef struct unit_ref
{
	const array_arg *keys;
	int			i;
	const char *fixed;
} unit_ref;

static const char *
unit_name(unit_ref who)
{
	if (who.fixed)
		return psprintf("\"%s\"", who.fixed);
	if (who.keys && who.keys->values)
		return psprintf("\"%s\"", TextDatumGetCString(who.keys->values[who.i]));
	return psprintf("unit %d", who.i + 1);
}

static void
too_big(const char *argname, unit_ref who, int scale)
{
	ereport(ERROR,
			(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
			 errmsg("%s of %s cannot be represented exactly", argname, unit_name(who)),
			 errdetail("Computed exactly, weights are integers at a common scale (here 10^-%d); this one needs more than 24 digits there.", scale),
			 errhint("Weights may have up to 24 significant digits between the largest weight and the finest decimal used; round the weights or express them in a larger unit.")));
}

/*
 * The common case read straight from the numeric's stored form, without a
 * trip through text: a value >= 0 whose digits fit in 64 bits.  Returns
 * false for anything else (negative, NaN, infinite, too many digits), which
 * parse_decimal then reads through text, with its messages.  The layout is
 * PostgreSQL's on-disk numeric format (src/backend/utils/adt/numeric.c),
 * fixed since 9.1 because pg_upgrade keeps numeric columns as they are:
 * a 16-bit header, in the long form a 16-bit weight, then base-10000 digits
 * d[0..n-1] worth d[i] * 10000^(weight - i), without leading or trailing
 * zero digits.
 */
#define NUM_SIGN_MASK		0xC000	/* numeric.c's NUMERIC_SIGN_MASK */
#define NUM_NEG				0x4000	/* long form: negative */
#define NUM_SHORT			0x8000	/* the short form */
#define NUM_SPECIAL			0xC000	/* NaN, Infinity, -Infinity */
#define NUM_SHORT_NEG		0x2000	/* short form: negative */
#define NUM_SHORT_WEIGHT_NEG 0x0040 /* short form: the weight's sign */
#define NUM_SHORT_WEIGHT	0x003F	/* short form: the weight's bits */

static bool
stored_decimal(Datum num, decimal *out)
{
	Pointer		p = DatumGetPointer(num);
	const char *data = VARDATA_ANY(p);
	int			len = (int) VARSIZE_ANY_EXHDR(p),
				weight,
				head_len,
				ndigits,
				frac_groups;
	uint16		head;
	uint64		v = 0;

	if (VARATT_IS_EXTENDED(p) && !VARATT_IS_SHORT(p))
		return false;			/* compressed or external: the slow path detoasts */
	if (len < 2)
		return false;
	memcpy(&head, data, sizeof(head));
	if ((head & NUM_SIGN_MASK) == NUM_SPECIAL)
		return false;
	if (head & NUM_SHORT)
	{							/* short form: sign, display scale, 7-bit weight */
		if (head & NUM_SHORT_NEG)
			return false;
		weight = (int) (head & NUM_SHORT_WEIGHT) - ((head & NUM_SHORT_WEIGHT_NEG) ? 64 : 0);
		head_len = 2;
	}
	else
	{
		int16		w;

		if ((head & NUM_NEG) || len < 4)
			return false;
		memcpy(&w, data + 2, sizeof(w));
		weight = w;
		head_len = 4;
	}
	ndigits = (len - head_len) / 2;
	for (int i = 0; i < ndigits; i++)
	{
		int16		digit;

		memcpy(&digit, data + head_len + 2 * i, sizeof(digit));
		if (digit < 0 || digit > 9999 || v > (PG_UINT64_MAX - 9999) / 10000)
			return false;
		v = v * 10000 + (uint64) digit;
	}
	frac_groups = ndigits - 1 - weight; /* base-10000 places after the point */
	if (ndigits == 0)
		frac_groups = 0;
	for (; frac_groups < 0; frac_groups++)
	{
		if (v > PG_UINT64_MAX / 10000)
			return false;
		v *= 10000;
	}
	if (frac_groups > 8)
		return false;			/* finer than 10^-32: the text path decides */
	out->frac = 4 * frac_groups;
	while (out->frac > 0 && v % 10 == 0)
	{
		v /= 10;
		out->frac--;
	}
	out->value = v;
	return true;
}

/* a numeric >= 0 as an exact decimal, trailing fraction zeros dropped */
static decimal
parse_decimal(Datum num, const char *argname, unit_ref who)
{
	char	   *s;
	decimal		d = {0, 0};
	bool		in_frac = false;
	int			zeros = 0;		/* fraction zeros not yet multiplied in */

	if (stored_decimal(num, &d))
		return d;
	s = DatumGetCString(DirectFunctionCall1(numeric_out, num));
	if (s[0] == 'N' || s[0] == 'I' || (s[0] == '-' && s[1] == 'I'))	/* NaN, [-]Infinity */
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s of %s is %s", argname, unit_name(who), s),
				 errhint("Weights are finite numbers >= 0.")));
	if (s[0] == '-')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s of %s is negative: %s", argname, unit_name(who), s),
				 errhint("Weights are finite numbers >= 0; a unit that should get nothing has weight 0.")));
	for (const char *p = s; *p; p++)
	{
		if (*p == '.')
			in_frac = true;
		else if (in_frac && *p == '0')
			zeros++;
		else
		{
			for (; zeros >= 0; zeros--)
			{
				d.value *= 10;
				if (d.value >= APP_MAX_WEIGHT)
					too_big(argname, who, d.frac);
				if (in_frac)
					d.frac++;
			}
			zeros = 0;
			d.value += (u128) (*p - '0');
			if (d.value >= APP_MAX_WEIGHT)
				too_big(argname, who, d.frac);
		}
	}
	pfree(s);
	return d;
}

/* d at scale 10^-scale (scale >= d.frac) as an integer < APP_MAX_WEIGHT, or error */
static u128
scale_decimal(decimal d, int scale, const char *argname, unit_ref who)
{
	u128		v = d.value;

	for (int i = d.frac; i < scale && v != 0; i++)
	{
		v *= 10;
		if (v >= APP_MAX_WEIGHT)
			too_big(argname, who, scale);
	}
	return v;
}

static app_method
parse_method(const char *m, bool *is_sainte_lague)
{
	static const struct
	{
		const char *name;
		app_method	method;
	}			names[] = {
		{"hamilton", APP_HAMILTON}, {"largest_remainder", APP_HAMILTON}, {"hare", APP_HAMILTON},
		{"dhondt", APP_DHONDT}, {"d'hondt", APP_DHONDT}, {"jefferson", APP_DHONDT},
		{"sainte_lague", APP_SAINTE_LAGUE}, {"webster", APP_SAINTE_LAGUE},
		{"huntington_hill", APP_HUNTINGTON_HILL}, {"equal_proportions", APP_HUNTINGTON_HILL},
		{"adams", APP_ADAMS}, {"smallest_divisors", APP_ADAMS}
	};

	for (size_t i = 0; i < lengthof(names); i++)
		if (pg_strcasecmp(m, names[i].name) == 0)
		{
			*is_sainte_lague = names[i].method == APP_SAINTE_LAGUE;
			return names[i].method;
		}
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("unknown apportionment method \"%s\"", m),
			 errhint("Methods: hamilton (largest_remainder, hare), dhondt (jefferson), sainte_lague (webster), huntington_hill (equal_proportions), adams (smallest_divisors).")));
	return APP_HAMILTON;
}

/*
 * palloc guarantees 8-byte alignment only (MAXALIGN); the compiler may use
 * aligned 16-byte loads for unsigned __int128, so align by hand.
 */
static u128 *
palloc_u128_array(int n)
{
	char	   *raw = palloc(sizeof(u128) * (n > 0 ? n : 1) + 15);

	return (u128 *) (((uintptr_t) raw + 15) & ~(uintptr_t) 15);
}

/*
 * Error if two keys are equal (byte-wise, as text equality is for
 * deterministic collations).  Cache-friendly at a million keys: the keys'
 * hashes are computed in one sequential pass, grouped by their top bits
 * into blocks of a few thousand (a counting sort), and each block is
 * checked with a small open-addressing table that stays in cache; a key's
 * bytes are compared only when two full hashes agree.
 */
typedef struct key_hash
{
	uint32		hash;
	int32		index;
} key_hash;

static void
duplicate_key(const array_arg *keys, int first, int second)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("key %s occurs more than once in keys", unit_name((unit_ref) {keys, second, NULL})),
			 errdetail("keys[%d] and keys[%d] are equal.", first + 1, second + 1),
			 errhint("Each unit appears once; sum the weights of duplicates first.")));
}

static bool
keys_equal(const array_arg *keys, int a, int b)
{
	Pointer		x = DatumGetPointer(keys->values[a]),
				y = DatumGetPointer(keys->values[b]);

	return VARSIZE_ANY_EXHDR(x) == VARSIZE_ANY_EXHDR(y) &&
		memcmp(VARDATA_ANY(x), VARDATA_ANY(y), VARSIZE_ANY_EXHDR(x)) == 0;
}

/* the keys of one block (hashes sharing their top bits) are distinct */
static void
check_block_distinct(const array_arg *keys, const key_hash *block, int len, int32 *table, uint32 cap)
{
	memset(table, -1, sizeof(int32) * cap);
	for (int j = 0; j < len; j++)
	{
		uint32		h = block[j].hash & (cap - 1);

		for (; table[h] >= 0; h = (h + 1) & (cap - 1))
			if (block[table[h]].hash == block[j].hash &&
				keys_equal(keys, block[table[h]].index, block[j].index))
				duplicate_key(keys, Min(block[table[h]].index, block[j].index),
							  Max(block[table[h]].index, block[j].index));
		table[h] = j;
	}
}

static void
check_keys_distinct(const array_arg *keys)
{
	int			n = keys->n,
				bits = 0,
				nblocks,
				largest = 0;
	uint32		cap = 16;
	int		   *start;
	uint32	   *hash = palloc(sizeof(uint32) * (n > 0 ? n : 1));
	key_hash   *sorted = palloc(sizeof(key_hash) * (n > 0 ? n : 1));
	int32	   *table;

	while (bits < 16 && (n >> bits) > 4096)
		bits++;
	nblocks = 1 << bits;
	start = palloc0(sizeof(int) * (nblocks + 1));
	for (int i = 0; i < n; i++)
	{
		Pointer		k = DatumGetPointer(keys->values[i]);

		hash[i] = hash_bytes((const unsigned char *) VARDATA_ANY(k), VARSIZE_ANY_EXHDR(k));
		start[(bits ? hash[i] >> (32 - bits) : 0) + 1]++;
	}
	for (int b = 0; b < nblocks; b++)
	{
		largest = Max(largest, start[b + 1]);
		start[b + 1] += start[b];
	}
	for (int i = 0; i < n; i++)
	{
		int			b = bits ? hash[i] >> (32 - bits) : 0;
		key_hash   *slot = &sorted[start[b]++];	/* start[b] now ends block b */

		slot->hash = hash[i];
		slot->index = i;
	}
	while (cap < (uint32) largest * 2)
		cap <<= 1;
	table = palloc(sizeof(int32) * cap);
	for (int b = 0, from = 0; b < nblocks; from = start[b], b++)
		check_block_distinct(keys, sorted + from, start[b] - from, table, cap);
	pfree(table);
	pfree(start);
	pfree(sorted);
	pfree(hash);
}

/* exact total * w / wsum as a numeric, rounded half up to QUOTA_DECIMALS */
static Datum
quota_numeric(int64 total, u128 w, u128 wsum)
{
	u128		num,
				rem,
				hi6,
				lo6;
	uint64		whole,
				frac;
	int			decimals = QUOTA_DECIMALS;
	char		buf[64];

	if (wsum == 0)
		return DirectFunctionCall1(int8_numeric, Int64GetDatum(0));
	/* total < 2^33, w < 2^80: the product fits in 128 bits */
	num = (u128) total * w;
	if ((num >> 64) == 0 && (wsum >> 43) == 0)
	{
		/* the common case, in 64 bits: rem * 10^6 < 2^43 * 2^20 */
		uint64		n64 = (uint64) num,
					d64 = (uint64) wsum,
					r64;

		whole = n64 / d64;
		r64 = (n64 % d64) * 1000000;
		frac = (r64 / d64) * 1000000;
		r64 = (r64 % d64) * 1000000;
		frac += r64 / d64;
		rem = (r64 % d64) * 2;
	}
	else
	{
		whole = (uint64) (num / wsum);	/* <= total */
		rem = num % wsum;
		/* twelve decimals in two steps of six: rem * 10^6 < 2^100 * 2^20 */
		hi6 = rem * 1000000;
		lo6 = (hi6 % wsum) * 1000000;
		frac = (uint64) (hi6 / wsum) * 1000000 + (uint64) (lo6 / wsum);
		rem = (lo6 % wsum) * 2;
	}
	if (rem >= wsum && ++frac == UINT64CONST(1000000000000))
	{
		frac = 0;
		whole++;
	}
	while (decimals > 0 && frac % 10 == 0)
	{
		frac /= 10;
		decimals--;
	}
#if PG_VERSION_NUM >= 150000
	/* fast path: whole * 10^decimals + frac fits in an int64 */
	if (whole < UINT64CONST(9000000))
	{
		uint64		scaled = whole;

		for (int i = 0; i < decimals; i++)
			scaled *= 10;
		return NumericGetDatum(int64_div_fast_to_numeric((int64) (scaled + frac), decimals));
	}
#endif
	if (decimals == 0)
		snprintf(buf, sizeof(buf), UINT64_FORMAT, whole);
	else
		snprintf(buf, sizeof(buf), UINT64_FORMAT ".%0*llu", whole, decimals, (unsigned long long) frac);
	return DirectFunctionCall3(numeric_in, CStringGetDatum(buf), ObjectIdGetDatum(InvalidOid), Int32GetDatum(-1));
}

/* ------------------------------------------------------------- the SRF */

/* the array arguments, one element per unit */
typedef struct unit_args
{
	array_arg	keys,
				weights,
				mins,
				maxs,
				priors;
} unit_args;

#define UNIT(u, i) ((unit_ref) {&(u)->keys, (i), NULL})
#define KEY(u, i) unit_name(UNIT(u, i))

/* total (argument 0), never NULL or negative; keys (if k), weights and method not NULL */
static int64
read_total(FunctionCallInfo fcinfo, int k)
{
	int64		total;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("total must not be NULL"),
				 errhint("Give the number of seats (persons, places) to apportion.")));
	if ((k && PG_ARGISNULL(1)) || PG_ARGISNULL(ARG_WEIGHTS(k)))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s must not be NULL", k && PG_ARGISNULL(1) ? "keys" : "weights"),
				 errhint(k ? "Pass one key and one weight per unit; an empty array for no units."
						 : "Pass one weight per unit; an empty array for no units.")));
	if (PG_ARGISNULL(ARG_METHOD(k)))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("method must not be NULL"),
				 errhint("Omit the argument for the default, 'hamilton'.")));
	total = PG_GETARG_INT32(0);
	if (total < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("total must be >= 0, not " INT64_FORMAT, total),
				 errhint("The total is a number of seats (persons, places).")));
	return total;
}

/* method and first_divisor into prob */
static void
read_method(FunctionCallInfo fcinfo, int k, app_problem *prob)
{
	bool		is_sl = false;
	decimal		fd;

	prob->method = parse_method(text_to_cstring(PG_GETARG_TEXT_PP(ARG_METHOD(k))), &is_sl);
	prob->fd_num = 1;
	prob->fd_den = 1;
	if (PG_ARGISNULL(ARG_FIRST_DIVISOR(k)))
		return;
	if (!is_sl)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("first_divisor applies only to the sainte_lague method"),
				 errhint("Pass method => 'sainte_lague' with first_divisor => 1.2 (Sweden) or 1.4 (Norway), or drop first_divisor.")));
	fd = parse_decimal(PG_GETARG_DATUM(ARG_FIRST_DIVISOR(k)), "first_divisor", (unit_ref) {NULL, 0, "sainte_lague"});
	if (fd.frac > 6)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("first_divisor may have at most 6 decimals"),
				 errhint("Sweden uses 1.2, Norway 1.4; plain Sainte-Laguë is 1.")));
	for (int i = 0; i < fd.frac; i++)
		prob->fd_den *= 10;
	if (fd.value == 0 || fd.value > (u128) 2 * prob->fd_den)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("first_divisor must lie in (0, 2]"),
				 errhint("The divisors are first_divisor, 3, 5, 7, ...; Sweden uses 1.2, Norway 1.4, plain Sainte-Laguë 1.")));
	prob->fd_num = (uint64_t) fd.value;
}

/*
 * The arrays, of equal length; with keys (k = 1) present and distinct ones,
 * without them (k = 0) the units are the weights' positions.
 */
static void
read_units(FunctionCallInfo fcinfo, int k, unit_args *u)
{
	const array_arg *base = k ? &u->keys : &u->weights;

	get_array(fcinfo, ARG_WEIGHTS(k), "weights", NUMERICOID, &u->weights);
	if (k)
		get_array(fcinfo, 1, "keys", TEXTOID, &u->keys);
	else
		u->keys = (array_arg) {"keys", u->weights.n, NULL, NULL, 0};
	get_array(fcinfo, ARG_MIN_SEATS(k), "min_seats", INT4OID, &u->mins);
	get_array(fcinfo, ARG_MAX_SEATS(k), "max_seats", INT4OID, &u->maxs);
	get_array(fcinfo, ARG_PRIOR(k), "prior", INT4OID, &u->priors);
	if (k)
		same_length(base, &u->weights);
	same_length(base, &u->mins);
	same_length(base, &u->maxs);
	same_length(base, &u->priors);
	if (!k)
		return;
	for (int i = 0; i < u->keys.n; i++)
		if (u->keys.nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("keys[%d] is NULL", i + 1),
					 errhint("Every unit needs a key, e.g. its municipality code.")));
	check_keys_distinct(&u->keys);
}

/* the weights as exact integers at the finest scale used; their sum in *wsum */
static u128 *
read_weights(const unit_args *u, int64 total, u128 *wsum)
{
	int			n = u->keys.n,
				scale = 0;
	u128	   *w = palloc_u128_array(n);
	int16	   *frac = palloc(sizeof(int16) * (n > 0 ? n : 1));

	for (int i = 0; i < n; i++)
	{
		decimal		d;

		if (u->weights.nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("weight of %s is NULL", KEY(u, i)),
					 errhint("Weights are finite numbers >= 0; use 0 for a unit that should get nothing.")));
		d = parse_decimal(u->weights.values[i], "weight", UNIT(u, i));
		w[i] = d.value;
		frac[i] = (int16) d.frac;
		if (d.frac > scale)
			scale = d.frac;
	}
	*wsum = 0;
	for (int i = 0; i < n; i++)
	{
		if (frac[i] < scale)
		{
			decimal		d = {w[i], frac[i]};

			w[i] = scale_decimal(d, scale, "weight", UNIT(u, i));
		}
		*wsum += w[i];
	}
	if (*wsum == 0 && total > 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg(n == 0 ? "there are no units to apportion %lld seats over"
						: "all weights are zero, so %lld seats cannot be apportioned",
						(long long) total),
				 errhint("Give at least one unit a positive weight, or apportion a total of 0.")));
	return w;
}

/* element i of an optional int4 array, >= 0 (absent or NULL: dflt) */
static int64
read_count(const unit_args *u, const array_arg *a, int i, int64 dflt, const char *hint)
{
	int64		v;

	if (a->values == NULL || a->nulls[i])
		return dflt;
	v = DatumGetInt32(a->values[i]);
	if (v < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s of %s is negative: " INT64_FORMAT, a->name, KEY(u, i), v),
				 errhint("%s", hint)));
	return v;
}

/* holdings lo = prior + min, hi = prior + max (APP_NO_MAX: none); returns sum(prior) */
static int64
read_bounds(const unit_args *u, int64 *lo, int64 *hi)
{
	int64		prior_sum = 0;

	for (int i = 0; i < u->keys.n; i++)
	{
		int64		pr,
					mn,
					mx;

		if (u->priors.values != NULL && u->priors.nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("prior of %s is NULL", KEY(u, i)),
					 errhint("prior holds what each unit already has; use 0 for none.")));
		pr = read_count(u, &u->priors, i, 0, "prior holds what each unit already has, >= 0.");
		mn = read_count(u, &u->mins, i, 0, "min_seats are >= 0; NULL means no lower bound.");
		mx = read_count(u, &u->maxs, i, -1, "max_seats are >= 0; NULL means no upper bound.");
		if (mx >= 0 && mx < mn)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("min_seats of %s (" INT64_FORMAT ") exceeds its max_seats (" INT64_FORMAT ")", KEY(u, i), mn, mx),
					 errhint("Each unit needs min_seats <= max_seats.")));
		prior_sum += pr;
		lo[i] = pr + mn;
		hi[i] = mx < 0 ? APP_NO_MAX : pr + mx;
	}
	return prior_sum;
}

/* the bounds admit no apportionment of the total: say by how much */
static void
report_infeasible(app_status st, const app_problem *prob, int64 shortfall, bool with_prior)
{
	if (st == APP_TOO_FEW_SEATS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("min_seats cannot be honoured: they need " INT64_FORMAT " more seats than the total", shortfall),
				 errdetail("min_seats%s sum to " INT64_FORMAT " but the total%s is " INT64_FORMAT ".",
						   with_prior ? " plus prior" : "", prob->total + shortfall,
						   with_prior ? " plus prior" : "", prob->total),
				 errhint("Raise the total by at least " INT64_FORMAT " or lower min_seats.", shortfall)));
	if (st == APP_TOO_MANY_SEATS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("max_seats cannot be honoured: " INT64_FORMAT " seats would be left over", shortfall),
				 errdetail("Units with a positive weight can hold at most " INT64_FORMAT " seats under max_seats%s, but the total%s is " INT64_FORMAT ".",
						   prob->total - shortfall, with_prior ? " (with prior)" : "",
						   with_prior ? " plus prior" : "", prob->total),
				 errhint("Lower the total by at least " INT64_FORMAT " or raise max_seats.", shortfall)));
}

/* the seats (prior included) and ties of the units of the call, or an error */
typedef struct solved
{
	unit_args	u;
	app_problem prob;
	u128		wsum;
	int64	   *seats;
	uint8	   *tie;
} solved;

static void
solve(FunctionCallInfo fcinfo, int k, solved *r)
{
	int			n;
	int64		total = read_total(fcinfo, k),
				prior_sum,
				shortfall;
	int64	   *lo,
			   *hi;
	app_status	st;

	read_method(fcinfo, k, &r->prob);
	read_units(fcinfo, k, &r->u);
	n = r->u.keys.n;
	r->prob.n = n;
	r->prob.w = read_weights(&r->u, total, &r->wsum);
	lo = palloc(sizeof(int64) * (n > 0 ? n : 1));
	hi = palloc(sizeof(int64) * (n > 0 ? n : 1));
	prior_sum = read_bounds(&r->u, lo, hi);
	r->prob.lo = lo;
	r->prob.hi = hi;
	if (total + prior_sum >= APP_MAX_TOTAL)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("total plus the sum of prior is too large: " INT64_FORMAT, total + prior_sum),
				 errhint("The grand total (total + sum(prior)) must stay below 2^32.")));
	r->prob.total = total + prior_sum;

	r->seats = palloc(sizeof(int64) * (n > 0 ? n : 1));
	r->tie = palloc(n > 0 ? n : 1);
	settle_core_begin();
	st = app_solve(&r->prob, r->seats, r->tie, palloc(app_workspace_size(n)), &shortfall);
	settle_core_end();
	report_infeasible(st, &r->prob, shortfall, r->u.priors.values != NULL);
}

/* unit i's new seats: its holding less its prior */
static int32
new_seats(const solved *r, int i)
{
	int64		pr = (r->u.priors.values != NULL) ? DatumGetInt32(r->u.priors.values[i]) : 0;

	return (int32) (r->seats[i] - pr);
}

Datum
settle_apportion(PG_FUNCTION_ARGS)
{
	solved		r;
	ReturnSetInfo *rsinfo;

	solve(fcinfo, 1, &r);
	/* the result is about as large as keys and weights, already in memory */
	rsinfo = settle_materialized_srf(fcinfo, (int64) ((r.u.keys.bytes + r.u.weights.bytes) / 1024));
	for (int i = 0; i < r.prob.n; i++)
	{
		Datum		values[4];
		bool		nulls[4] = {false, false, false, false};

		values[0] = r.u.keys.values[i];
		values[1] = Int32GetDatum(new_seats(&r, i));
		values[2] = quota_numeric(r.prob.total, r.prob.w[i], r.wsum);
		values[3] = BoolGetDatum(r.tie[i] != 0);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

/*
 * settle.apportion_seats: the same apportionment by position, as two arrays
 * (seats, tie) in the order of weights: no keys to check, no quota numerics,
 * no rows, for large numbers of units.
 */
Datum
settle_apportion_seats(PG_FUNCTION_ARGS)
{
	solved		r;
	TupleDesc	desc;
	Datum	   *seats,
			   *tie,
				values[2];
	bool		nulls[2] = {false, false};
	int			n;

	solve(fcinfo, 0, &r);
	n = r.prob.n;
	if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("settle.apportion_seats must return a record (seats, tie)"),
				 errhint("Call it as SELECT * FROM settle.apportion_seats(...).")));
	seats = palloc(sizeof(Datum) * (n > 0 ? n : 1));
	tie = palloc(sizeof(Datum) * (n > 0 ? n : 1));
	for (int i = 0; i < n; i++)
	{
		seats[i] = Int32GetDatum(new_seats(&r, i));
		tie[i] = BoolGetDatum(r.tie[i] != 0);
	}
	values[0] = PointerGetDatum(construct_array(seats, n, INT4OID, sizeof(int32), true, TYPALIGN_INT));
	values[1] = PointerGetDatum(construct_array(tie, n, BOOLOID, sizeof(bool), true, TYPALIGN_CHAR));
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(desc), values, nulls)));
}

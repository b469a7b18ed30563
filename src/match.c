/*
 * match.c: the SQL face of match_core.c.
 *
 * settle.match_core(persons int4[], residence int4[], needs int8[],
 *                   fixed int4[], capacity int4[], planned int4[],
 *                   able int8[], paused bool[], cost float8[])
 * returns (placement, municipality, choice_rank): indexes are 1-based in SQL
 * (array positions); municipality is NULL for an unplaced placement.  The
 * plpgsql function settle.match() prepares the arrays from the tables.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "funcapi.h"
#include "utils/array.h"
#include "utils/lsyscache.h"

#include "match_core.h"
#include "srf.h"

PG_FUNCTION_INFO_V1(settle_match_core);

/* the data of a one-dimensional array argument without NULLs */
static void *
array_data(FunctionCallInfo fcinfo, int argno, const char *name, Oid elemtype, int *n)
{
	ArrayType  *a;

	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s must not be NULL", name),
				 errhint("settle.match_core is called by settle.match with every array filled.")));
	a = PG_GETARG_ARRAYTYPE_P(argno);
	if (ARR_ELEMTYPE(a) != elemtype)
		elog(ERROR, "%s: unexpected element type %u", name, ARR_ELEMTYPE(a));
	if (ARR_NDIM(a) > 1 || ARR_HASNULL(a))
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("%s must be a one-dimensional array without NULLs", name),
				 errhint("Use -1 for \"none\" in index arrays.")));
	*n = ARR_NDIM(a) == 0 ? 0 : ARR_DIMS(a)[0];
	return ARR_DATA_PTR(a);
}

static void
same_count(const char *name, int n, const char *what, int expected)
{
	if (n != expected)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("%s has %d elements, expected %d (one per %s)", name, n, expected, what)));
}

Datum
settle_match_core(PG_FUNCTION_ARGS)
{
	match_problem p;
	int			n_pl,
				n_m,
				k;
	int32	   *assign,
			   *rank;
	ReturnSetInfo *rsinfo;

	p.persons = array_data(fcinfo, 0, "persons", INT4OID, &n_pl);
	p.residence = array_data(fcinfo, 1, "residence", INT4OID, &k);
	same_count("residence", k, "placement", n_pl);
	p.needs = array_data(fcinfo, 2, "needs", INT8OID, &k);
	same_count("needs", k, "placement", n_pl);
	p.fixed = array_data(fcinfo, 3, "fixed", INT4OID, &k);
	same_count("fixed", k, "placement", n_pl);
	p.capacity = array_data(fcinfo, 4, "capacity", INT4OID, &n_m);
	p.planned = array_data(fcinfo, 5, "planned", INT4OID, &k);
	same_count("planned", k, "municipality", n_m);
	p.able = array_data(fcinfo, 6, "able", INT8OID, &k);
	same_count("able", k, "municipality", n_m);
	p.paused = array_data(fcinfo, 7, "paused", BOOLOID, &k);
	same_count("paused", k, "municipality", n_m);
	p.cost = array_data(fcinfo, 8, "cost", FLOAT8OID, &k);
	same_count("cost", k, "residence x municipality", n_m * n_m);
	p.n_place = n_pl;
	p.n_muni = n_m;

	/* the core updates capacity and planned: work on copies */
	{
		int32	   *cap = palloc(sizeof(int32) * (n_m > 0 ? n_m : 1));
		int32	   *plan = palloc(sizeof(int32) * (n_m > 0 ? n_m : 1));

		memcpy(cap, p.capacity, sizeof(int32) * n_m);
		memcpy(plan, p.planned, sizeof(int32) * n_m);
		p.capacity = cap;
		p.planned = plan;
	}
	for (int i = 0; i < n_pl; i++)
	{
		if (p.persons[i] <= 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("persons[%d] is %d; a placement has at least one person", i + 1, p.persons[i])));
		if (p.residence[i] < -1 || p.residence[i] >= n_m || p.fixed[i] < -1 || p.fixed[i] >= n_m)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("residence[%d] or fixed[%d] is not a municipality index (0 .. %d, or -1)", i + 1, i + 1, n_m - 1)));
	}
	assign = palloc(sizeof(int32) * (n_pl > 0 ? n_pl : 1));
	rank = palloc(sizeof(int32) * (n_pl > 0 ? n_pl : 1));
	match_chronological(&p, assign, rank, palloc(match_workspace_size(n_m)));

	rsinfo = settle_materialized_srf(fcinfo);
	for (int i = 0; i < n_pl; i++)
	{
		Datum		values[3];
		bool		nulls[3] = {false, assign[i] < 0, assign[i] < 0};

		values[0] = Int32GetDatum(i + 1);
		values[1] = Int32GetDatum(assign[i] + 1);
		values[2] = Int32GetDatum(rank[i]);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

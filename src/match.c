/*
 * match.c: the SQL face of match_core.c.
 *
 * settle.match_core(persons int4[], residence int4[], needs int8[],
 *                   fixed int4[], capacity int4[], planned int4[],
 *                   able int8[], paused bool[], cost float8[],
 *                   mode text, unplaced_km float8, max_extra_km float8,
 *                   counted_uses int4[], counted int4[], first_count int4,
 *                   zones bool[], link int4[])
 * returns (placement, municipality, choice_rank): indexes are 1-based in SQL
 * (array positions); municipality is NULL for an unplaced placement.  The
 * plpgsql function settle.match() prepares the arrays from the tables.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "funcapi.h"
#include "utils/array.h"
#include "executor/instrument.h"
#include "miscadmin.h"
#include "portability/instr_time.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"

#include <math.h>

#include "match_core.h"
#include "settle.h"
#include "srf.h"

PG_FUNCTION_INFO_V1(settle_match_core);
PG_FUNCTION_INFO_V1(settle_match_core_summary);
PG_FUNCTION_INFO_V1(settle_require_mode);

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

static int
pg_interrupted(void *arg)
{
	(void) arg;
	return InterruptPending && (QueryCancelPending || ProcDiePending);
}

typedef enum
{
	MODE_CHRONOLOGICAL,
	MODE_OPTIMAL
} match_mode;

/*
 * Counted capabilities (arguments 12 and 13): counted, 2 per municipality
 * and counted need (-1: no limit), and uses, one per placement and counted
 * need; a copy of counted, which the core may change.
 */
static void
read_counted(FunctionCallInfo fcinfo, match_problem *p)
{
	int			n_c = 0,
				n_u = 0;
	const int32 *counted;
	int32	   *state;

	p->n_counted = 0;
	p->uses = NULL;
	p->counted = NULL;
	if (PG_NARGS() <= 13)
		return;
	p->uses = array_data(fcinfo, 12, "counted_uses", INT4OID, &n_u);
	counted = array_data(fcinfo, 13, "counted", INT4OID, &n_c);
	if (n_c == 0 && n_u == 0)
		return;
	if (p->n_muni == 0 || n_c % (2 * p->n_muni) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("counted has %d elements, expected two per municipality and counted need (%d municipalities)", n_c, p->n_muni)));
	p->n_counted = n_c / (2 * p->n_muni);
	if ((int64) p->n_place * p->n_counted != n_u)
		same_count("counted_uses", n_u, "placement and counted need", p->n_place * p->n_counted);
	state = palloc(sizeof(int32) * n_c);
	for (int i = 0; i < n_c; i++)
	{
		if (counted[i] < -1)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("counted[%d] is %d; counted places are 0 or more, or -1 for no limit", i + 1, counted[i])));
		state[i] = counted[i] < 0 ? MATCH_NO_LIMIT : counted[i];
	}
	p->counted = state;
	for (int i = 0; i < n_u; i++)
		if (p->uses[i] < 0 || p->uses[i] > p->persons[i / p->n_counted])
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("counted_uses[%d] is %d; a placement uses 0 to its persons (%d) of a counted need's places",
							i + 1, p->uses[i], p->persons[i / p->n_counted])));
}

/*
 * Zones and links (arguments 15 and 16): zones, n_muni booleans per zone;
 * link, one per placement or none, each group's members consecutive.
 */
static void
read_zones(FunctionCallInfo fcinfo, match_problem *p)
{
	int			n_z = 0,
				n_l = 0;
	const bool *z;
	const int32 *link;
	uint8	   *zones;
	bool	   *seen;

	p->n_zone = 0;
	p->zones = NULL;
	p->link = NULL;
	if (PG_NARGS() <= 16)
		return;
	z = array_data(fcinfo, 15, "zones", BOOLOID, &n_z);
	link = array_data(fcinfo, 16, "link", INT4OID, &n_l);
	if (n_z > 0)
	{
		if (p->n_muni == 0 || n_z % p->n_muni != 0)
			ereport(ERROR,
					(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
					 errmsg("zones has %d elements, expected one per municipality (%d) and zone", n_z, p->n_muni)));
		p->n_zone = n_z / p->n_muni;
		zones = palloc(n_z);
		for (int i = 0; i < n_z; i++)
			zones[i] = z[i] ? 1 : 0;
		p->zones = zones;
	}
	if (n_l == 0)
		return;
	same_count("link", n_l, "placement", p->n_place);
	seen = palloc0(sizeof(bool) * n_l);
	for (int i = 0; i < n_l; i++)
	{
		if (link[i] < -1 || link[i] >= n_l)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("link[%d] is %d; a link is -1 or 0 .. %d", i + 1, link[i], n_l - 1)));
		if (link[i] >= 0 && seen[link[i]] && link[i - 1] != link[i])
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("link %d is not consecutive (placement %d)", link[i], i + 1),
					 errhint("The members of a split group follow each other in the placements' order.")));
		if (link[i] >= 0)
			seen[link[i]] = true;
	}
	p->link = link;
}

/* the arrays of arguments 0..8, checked; capacity and planned are copies the core may change */
static void
read_problem(FunctionCallInfo fcinfo, match_problem *p)
{
	int			n_pl,
				n_m,
				k;

	p->persons = array_data(fcinfo, 0, "persons", INT4OID, &n_pl);
	p->residence = array_data(fcinfo, 1, "residence", INT4OID, &k);
	same_count("residence", k, "placement", n_pl);
	p->needs = array_data(fcinfo, 2, "needs", INT8OID, &k);
	same_count("needs", k, "placement", n_pl);
	p->fixed = array_data(fcinfo, 3, "fixed", INT4OID, &k);
	same_count("fixed", k, "placement", n_pl);
	p->capacity = array_data(fcinfo, 4, "capacity", INT4OID, &n_m);
	p->planned = array_data(fcinfo, 5, "planned", INT4OID, &k);
	same_count("planned", k, "municipality", n_m);
	p->able = array_data(fcinfo, 6, "able", INT8OID, &k);
	same_count("able", k, "municipality", n_m);
	p->paused = array_data(fcinfo, 7, "paused", BOOLOID, &k);
	same_count("paused", k, "municipality", n_m);
	p->cost = array_data(fcinfo, 8, "cost", FLOAT8OID, &k);
	if ((int64) n_m * n_m != k)
		same_count("cost", k, "residence x municipality", n_m * n_m);
	p->n_place = n_pl;
	p->n_muni = n_m;
	p->has_max_extra = 0;
	p->max_extra_km = 0;
	p->max_cost = NULL;
	if (PG_NARGS() > 11)
	{
		/* max_extra_km: a limit of 0 or more, or negative for none */
		double		x = PG_GETARG_FLOAT8(11);

		if (isnan(x) || x >= 1e6)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("max_extra_km must be below 1,000,000 km, or negative for no limit, not %g", x),
					 errhint("Set matching.max_individual_extra_km in settle.setting to a number of km, or to none.")));
		p->has_max_extra = x >= 0;
		p->max_extra_km = x >= 0 ? x : 0;
	}
	read_counted(fcinfo, p);
	read_zones(fcinfo, p);
	p->n_first = 0;
	if (PG_NARGS() > 14)
	{
		int32		f = PG_GETARG_INT32(14);

		if (f < 0 || f > n_pl)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("first_count must be from 0 to the number of placements (%d), not %d", n_pl, f)));
		p->n_first = f;
	}
	{
		int32	   *cap = palloc(sizeof(int32) * (n_m > 0 ? n_m : 1));
		int32	   *plan = palloc(sizeof(int32) * (n_m > 0 ? n_m : 1));

		memcpy(cap, p->capacity, sizeof(int32) * n_m);
		memcpy(plan, p->planned, sizeof(int32) * n_m);
		p->capacity = cap;
		p->planned = plan;
	}
	for (int i = 0; i < n_pl; i++)
	{
		if (p->persons[i] <= 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("persons[%d] is %d; a placement has at least one person", i + 1, p->persons[i])));
		if (p->residence[i] < -1 || p->residence[i] >= n_m || p->fixed[i] < -1 - p->n_zone || p->fixed[i] >= n_m)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("residence[%d] or fixed[%d] is not a municipality index (0 .. %d, or -1) or a zone (-2 .. %d)",
							i + 1, i + 1, n_m - 1, -1 - p->n_zone)));
	}
	for (int i = 0; i < k; i++)
		if (!(p->cost[i] >= 0 && p->cost[i] < 1e6))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("cost[%d] is %g; costs are kilometres from 0 to 1,000,000", i + 1, p->cost[i])));
}

/*
 * The matching modes: their one home.  settle.require_mode() (SQL) and the
 * cores' mode argument both go through parse_mode.
 */
#define MODES_HINT "Modes: chronological (each waiting household in turn takes its best feasible municipality), " \
	"optimal (least total proximity cost under the same rules, the chronology rule and the most persons placed)."

static match_mode
parse_mode(const char *mode)
{
	if (strcmp(mode, "chronological") == 0)
		return MODE_CHRONOLOGICAL;
	if (strcmp(mode, "optimal") == 0)
		return MODE_OPTIMAL;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("unknown matching mode \"%s\"", mode),
			 errhint(MODES_HINT)));
	return MODE_CHRONOLOGICAL;	/* not reached */
}

static match_mode
read_mode(FunctionCallInfo fcinfo, int argno)
{
	return parse_mode(text_to_cstring(PG_GETARG_TEXT_PP(argno)));
}

/* settle.require_mode(mode text): the mode, or 22023 (22004 for NULL) with the list of modes */
Datum
settle_require_mode(PG_FUNCTION_ARGS)
{
	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("the matching mode must not be NULL"),
				 errhint(MODES_HINT)));
	(void) read_mode(fcinfo, 0);
	PG_RETURN_TEXT_P(PG_GETARG_TEXT_PP(0));
}

/* run the mode; the summary is filled in both modes */
static void
run(const match_problem *p, match_mode mode, double unplaced_km, int32 *assign, int32 *rank, match_summary *s)
{
	if (mode == MODE_CHRONOLOGICAL)
	{
		match_problem q = *p;

		/* the core updates the copies; the evaluation needs none of it */
		settle_core_begin();
		match_chronological(&q, assign, rank, palloc(match_workspace_size(p)));
		settle_core_end();
		match_evaluate(p, unplaced_km, assign, s);
		return;
	}
	settle_core_begin();
	switch (match_optimal(p, unplaced_km, assign, rank, s, pg_interrupted, NULL))
	{
		case 0:
			settle_core_end();
			return;
		case -1:
			ereport(ERROR,
					(errcode(ERRCODE_OUT_OF_MEMORY),
					 errmsg("out of memory in optimal matching of %d placements to %d municipalities", p->n_place, p->n_muni)));
			break;
		case -2:
			CHECK_FOR_INTERRUPTS();
			ereport(ERROR,
					(errcode(ERRCODE_QUERY_CANCELED),
					 errmsg("canceling statement: optimal matching was interrupted")));
			break;
		default:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("unplaced_km %g must be above every proximity cost and below 1,000,000,000", unplaced_km),
					 errhint("Set matching.unplaced_km in settle.setting above the largest distance plus matching.other_county_km.")));
	}
}

static double
read_unplaced(FunctionCallInfo fcinfo, int argno)
{
	double		u = PG_GETARG_FLOAT8(argno);

	if (!(u > 0 && u < 1e9))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unplaced_km must be above 0 and below 1,000,000,000, not %g", u)));
	return u;
}

Datum
settle_match_core(PG_FUNCTION_ARGS)
{
	match_problem p;
	match_summary s;
	int32	   *assign,
			   *rank;
	ReturnSetInfo *rsinfo;
	match_mode	mode = read_mode(fcinfo, 9);
	double		unplaced_km = read_unplaced(fcinfo, 10);

	read_problem(fcinfo, &p);
	assign = palloc(sizeof(int32) * (p.n_place > 0 ? p.n_place : 1));
	rank = palloc(sizeof(int32) * (p.n_place > 0 ? p.n_place : 1));
	run(&p, mode, unplaced_km, assign, rank, &s);

	rsinfo = settle_materialized_srf(fcinfo, 0);
	for (int i = 0; i < p.n_place; i++)
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

/*
 * settle.match_core_summary(same arguments): one row of figures of the
 * proposal (see match_summary in match_core.h), with the core's own time.
 */
Datum
settle_match_core_summary(PG_FUNCTION_ARGS)
{
	match_problem p;
	match_summary s;
	int32	   *assign,
			   *rank;
	match_mode	mode = read_mode(fcinfo, 9);
	double		unplaced_km = read_unplaced(fcinfo, 10);
	TupleDesc	desc;
	Datum		values[12];
	bool		nulls[12] = {0};
	instr_time	start,
				took;

	if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "settle.match_core_summary must return a row");
	read_problem(fcinfo, &p);
	assign = palloc(sizeof(int32) * (p.n_place > 0 ? p.n_place : 1));
	rank = palloc(sizeof(int32) * (p.n_place > 0 ? p.n_place : 1));
	INSTR_TIME_SET_CURRENT(start);
	run(&p, mode, unplaced_km, assign, rank, &s);
	INSTR_TIME_SET_CURRENT(took);
	INSTR_TIME_SUBTRACT(took, start);

	values[0] = Int32GetDatum(p.n_place);
	values[1] = Int32GetDatum(s.placed);
	values[2] = Int64GetDatum(s.persons_placed);
	values[3] = Int64GetDatum(s.persons_unplaced);
	values[4] = Float8GetDatum(s.distance_km);
	values[5] = Float8GetDatum(s.objective_km);
	values[6] = Float8GetDatum(s.lower_bound_km);
	nulls[6] = s.lower_bound_km < 0;
	values[7] = Float8GetDatum(INSTR_TIME_GET_MILLISEC(took));
	values[8] = Int32GetDatum(s.classes);
	values[9] = Int64GetDatum((int64) s.pivots);
	values[10] = Int32GetDatum(s.chronology_swaps);
	values[11] = BoolGetDatum(s.chronological_kept);
	nulls[8] = nulls[9] = nulls[10] = nulls[11] = mode == MODE_CHRONOLOGICAL;
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(desc, values, nulls)));
}

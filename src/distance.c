/*
 * distance.c: great-circle distance between two points, in kilometres.
 *
 * settle.distance_km(lat1, lon1, lat2, lon2) is this function; the
 * kommunkod form is a SQL wrapper that looks up the centroids.
 */
#include "postgres.h"

#include <math.h>

#include "fmgr.h"

#include "geo.h"

PG_FUNCTION_INFO_V1(settle_distance_km);

static void
check_coordinate(const char *name, double v, double limit)
{
	if (isnan(v) || v < -limit || v > limit)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("%s %g is out of range", name, v),
				 errhint("Latitudes lie in [-90, 90] and longitudes in [-180, 180] degrees (WGS84).")));
}

Datum
settle_distance_km(PG_FUNCTION_ARGS)
{
	double		lat1 = PG_GETARG_FLOAT8(0);
	double		lon1 = PG_GETARG_FLOAT8(1);
	double		lat2 = PG_GETARG_FLOAT8(2);
	double		lon2 = PG_GETARG_FLOAT8(3);

	check_coordinate("lat1", lat1, 90.0);
	check_coordinate("lon1", lon1, 180.0);
	check_coordinate("lat2", lat2, 90.0);
	check_coordinate("lon2", lon2, 180.0);
	PG_RETURN_FLOAT8(settle_haversine_km(lat1, lon1, lat2, lon2));
}

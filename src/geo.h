/*
 * geo.h: great-circle distance on a spherical Earth.
 *
 * Pure C (no PostgreSQL headers) so that the matching core and the fuzz
 * targets can use it outside the server.
 */
#ifndef SETTLE_GEO_H
#define SETTLE_GEO_H

#include <math.h>

/* Mean Earth radius R1 (IUGG), kilometres. */
#define SETTLE_EARTH_RADIUS_KM 6371.0088

/*
 * Haversine distance in kilometres between two points given in degrees.
 * Well conditioned for small distances (unlike the spherical law of
 * cosines); the spherical model is within 0.5 % of the WGS84 ellipsoid.
 */
static inline double
settle_haversine_km(double lat1, double lon1, double lat2, double lon2)
{
	const double rad = M_PI / 180.0;
	double		dlat = (lat2 - lat1) * rad;
	double		dlon = (lon2 - lon1) * rad;
	double		s1 = sin(dlat / 2.0);
	double		s2 = sin(dlon / 2.0);
	double		h = s1 * s1 + cos(lat1 * rad) * cos(lat2 * rad) * s2 * s2;

	/* rounding can push h a hair above 1 for antipodal points */
	if (h > 1.0)
		h = 1.0;
	return 2.0 * SETTLE_EARTH_RADIUS_KM * asin(sqrt(h));
}

#endif							/* SETTLE_GEO_H */

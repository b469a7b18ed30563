-- 110_followup.sql: follow-up for analysts and county boards: reception per
-- inhabitant, the quarterly county report, waiting times, fairness towards
-- hard-to-place households, stable views for BI tools, and an SVG map.
-- Everything here reads; nothing writes.

CREATE FUNCTION settle.require_year(year integer, hint text) RETURNS integer
    LANGUAGE plpgsql IMMUTABLE
    SET search_path = pg_catalog, settle, pg_temp
AS $$
BEGIN
    IF year IS NULL OR year NOT BETWEEN 1900 AND 2200 THEN
        RAISE EXCEPTION 'year must be between 1900 and 2200, not %', coalesce(year::text, 'NULL')
            USING ERRCODE = CASE WHEN year IS NULL THEN 'null_value_not_allowed' ELSE 'invalid_parameter_value' END,
                  HINT = hint;
    END IF;
    RETURN year;
END
$$;
COMMENT ON FUNCTION settle.require_year(integer, text) IS
    'Internal: a calendar year between 1900 and 2200, or 22004 (NULL) / 22023 with the given hint.';

CREATE FUNCTION settle.population_in(year integer)
RETURNS TABLE (municipality settle.kommunkod, population integer, population_year integer)
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, settle, pg_temp
AS $$
    SELECT m.code, coalesce(p.population, m.population), coalesce(p.year, 2019)
      FROM settle.municipality m
      LEFT JOIN LATERAL (SELECT x.population, x.year FROM settle.population x
                          WHERE x.municipality = m.code AND x.year <= population_in.year
                          ORDER BY x.year DESC LIMIT 1) p ON true
$$;
COMMENT ON FUNCTION settle.population_in(integer) IS
    'Internal: each municipality''s population on 31 December of the latest year in settle.population up to the given year (the shipped data end in 2019; add later years there).';

CREATE FUNCTION settle.reception_per_capita(year integer, categories text[] DEFAULT NULL)
RETURNS TABLE (level text, municipality settle.kommunkod, name text, county settle.lanskod, received integer,
               population integer, per_1000 numeric, rank integer, above_median boolean, national_median numeric)
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, settle, pg_temp
AS $fn$
#variable_conflict use_column
DECLARE
    unknown text;
BEGIN
    PERFORM settle.require_year(year, 'Receptions are counted by the calendar year of their reception date.');
    PERFORM settle.require_planning_year(year);   -- as county_report and map_svg do
    SELECT c INTO unknown FROM unnest(categories) c
     WHERE c IS NULL OR NOT EXISTS (SELECT 1 FROM settle.reception_category rc WHERE rc.code = c) LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'unknown reception category %', coalesce(quote_literal(unknown), 'NULL')
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Categories are codes from settle.reception_category (' || (SELECT string_agg(code, ', ' ORDER BY code) FROM settle.reception_category) || '); NULL for all.';
    END IF;
    RETURN QUERY
    WITH r AS (
        SELECT rc.municipality, sum(rc.persons)::integer AS received
          FROM settle.reception rc
         WHERE rc.received_on >= make_date(reception_per_capita.year, 1, 1)
           AND rc.received_on < make_date(reception_per_capita.year + 1, 1, 1)
           AND (categories IS NULL OR rc.category = ANY (categories))
         GROUP BY rc.municipality),
    m AS (
        SELECT mu.code, mu.name, mu.county, coalesce(r.received, 0) AS received, p.population,
               round(1000.0 * coalesce(r.received, 0) / nullif(p.population, 0), 3) AS per_1000
          FROM settle.municipality mu
          JOIN settle.population_in(reception_per_capita.year) p ON p.municipality = mu.code
          LEFT JOIN r ON r.municipality = mu.code),
    med AS (SELECT round(percentile_cont(0.5) WITHIN GROUP (ORDER BY m.per_1000)::numeric, 3) AS median FROM m)
    SELECT 'municipality', m.code, m.name, m.county, m.received, m.population, m.per_1000,
           (rank() OVER (ORDER BY m.per_1000 DESC NULLS LAST))::integer, m.per_1000 > med.median, med.median
      FROM m, med
    UNION ALL
    SELECT 'national', NULL, 'Sweden', NULL, sum(m.received)::integer, sum(m.population)::integer,
           round(1000.0 * sum(m.received) / nullif(sum(m.population), 0), 3), NULL, NULL, med.median
      FROM m, med GROUP BY med.median
     ORDER BY 1 DESC, 8, 2;
END
$fn$;
COMMENT ON FUNCTION settle.reception_per_capita(integer, text[]) IS
    'Persons received per 1,000 inhabitants in year (all categories of settle.reception, or those given), per municipality with its rank and whether it is above the national median, plus a national row.';

CREATE FUNCTION settle.county_report(year integer, quarter integer, county settle.lanskod, streams text[] DEFAULT NULL)
RETURNS TABLE (level text, municipality settle.kommunkod, name text, quota integer, referred integer, received integer,
               remaining integer, planned_to_date integer, deviation integer, overdue integer, pauses integer,
               paused_days integer, fulfilment_pct numeric, stream text)
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, settle, pg_temp
AS $fn$
#variable_conflict use_column
DECLARE
    q_start date;
    q_end date;
BEGIN
    PERFORM settle.require_planning_year(year);
    IF quarter IS NULL OR quarter NOT BETWEEN 1 AND 4 THEN
        RAISE EXCEPTION 'quarter must be 1, 2, 3 or 4, not %', coalesce(quarter::text, 'NULL')
            USING ERRCODE = CASE WHEN quarter IS NULL THEN 'null_value_not_allowed' ELSE 'invalid_parameter_value' END,
                  HINT = 'Quarter 1 is January to March.';
    END IF;
    IF county IS NULL THEN
        RAISE EXCEPTION 'county must not be NULL'
            USING ERRCODE = 'null_value_not_allowed', HINT = 'Pass a county code such as ''10''.';
    END IF;
    q_start := make_date(year, 3 * quarter - 2, 1);
    q_end := (q_start + interval '3 months' - interval '1 day')::date;
    RETURN QUERY
    WITH s AS (SELECT * FROM settle.quota_status(county_report.year, q_end, county_report.streams) qs
                WHERE qs.county = county_report.county AND qs.level = 'municipality'),
    o AS (SELECT r.stream, od.municipality, count(*)::integer AS n FROM settle.overdue(q_end) od
            JOIN settle.referral r ON r.id = od.referral AND r.year = county_report.year
           GROUP BY r.stream, od.municipality),
    p AS (SELECT pz.municipality, count(*)::integer AS n,
                 sum(least(pz.to_date, q_end) - greatest(pz.from_date, q_start) + 1)::integer AS days
            FROM settle.pause pz
           WHERE pz.from_date <= q_end AND pz.to_date >= q_start
           GROUP BY pz.municipality),
    rows AS (
        SELECT s.stream, s.municipality, s.name, s.quota, s.referred, s.received, s.remaining, s.planned_to_date, s.deviation,
               coalesce(o.n, 0) AS overdue, coalesce(p.n, 0) AS pauses, coalesce(p.days, 0) AS paused_days
          FROM s LEFT JOIN o ON o.stream = s.stream AND o.municipality = s.municipality
                 LEFT JOIN p ON p.municipality = s.municipality)
    SELECT 'municipality', rows.municipality, rows.name, rows.quota, rows.referred, rows.received, rows.remaining,
           rows.planned_to_date, rows.deviation, rows.overdue, rows.pauses, rows.paused_days,
           CASE WHEN rows.quota > 0 THEN round(100.0 * rows.referred / rows.quota, 1) END, rows.stream
      FROM rows
    UNION ALL
    SELECT 'county', NULL, (SELECT c.name FROM settle.county c WHERE c.code = county_report.county),
           sum(rows.quota)::integer, sum(rows.referred)::integer, sum(rows.received)::integer, sum(rows.remaining)::integer,
           sum(rows.planned_to_date)::integer, sum(rows.deviation)::integer, sum(rows.overdue)::integer,
           sum(rows.pauses)::integer, sum(rows.paused_days)::integer,
           CASE WHEN sum(rows.quota) > 0 THEN round(100.0 * sum(rows.referred) / sum(rows.quota), 1) END, rows.stream
      FROM rows GROUP BY rows.stream
     ORDER BY 14, 1 DESC, 2;
END
$fn$;
COMMENT ON FUNCTION settle.county_report(integer, integer, settle.lanskod, text[]) IS
    'The quarterly follow-up of one county (per stream) as of the quarter''s last day: per municipality quota, referred, received, plan, overdue and pauses, then the county''s totals.';

-- Each household's wait as of a day: permit, hard to place, its first
-- referral in force that day and its reception.  The one home of these
-- figures for settle.waiting_times and settle.waiting_chart_svg.
CREATE FUNCTION settle.waits(as_of date)
RETURNS TABLE (household bigint, category text, persons integer, permit_date date, hard_to_place boolean,
               referred_on date, received_on date)
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, settle, pg_temp
AS $$
    SELECT x.id, x.category, x.persons, x.permit_date, settle.hard_to_place(x.needs, x.persons, x.linked_group),
           (SELECT settle.local_date(r.decided_at) FROM settle.referral r
             WHERE r.household = x.id AND settle.local_date(r.decided_at) <= as_of
               AND (r.withdrawn_at IS NULL OR settle.local_date(r.withdrawn_at) > as_of)
             ORDER BY r.decided_at LIMIT 1),
           (SELECT r.received_on FROM settle.referral r
             WHERE r.household = x.id AND r.received_on <= as_of LIMIT 1)
      FROM settle.household x
     WHERE x.permit_date IS NOT NULL AND x.permit_date <= as_of
       AND settle.local_date(x.registered_at) <= as_of
$$;
COMMENT ON FUNCTION settle.waits(date) IS
    'Internal: each household with a permit as of a date: hard to place or not, the day of its first referral in force then, its reception; for waiting_times and waiting_chart_svg.';

CREATE FUNCTION settle.waiting_times(as_of date DEFAULT settle.today())
RETURNS TABLE (category text, hard_to_place boolean, households integer, persons integer, referred integer,
               to_referral_median numeric, to_referral_p90 numeric, to_referral_max integer, received integer,
               to_reception_median numeric, to_reception_p90 numeric, to_reception_max integer,
               still_waiting integer, still_waiting_median_days numeric)
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, settle, pg_temp
AS $fn$
#variable_conflict use_column
BEGIN
    IF as_of IS NULL THEN
        RAISE EXCEPTION 'as_of must not be NULL' USING ERRCODE = 'null_value_not_allowed', HINT = 'The default is settle.today().';
    END IF;
    RETURN QUERY
    -- (settle.waits: the figures' one home)
    WITH h AS (SELECT w.category, w.persons, w.permit_date, w.hard_to_place AS hard, w.referred_on, w.received_on
                 FROM settle.waits(as_of) w)
    SELECT h.category, h.hard, count(*)::integer, sum(h.persons)::integer,
           count(h.referred_on)::integer,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY h.referred_on - h.permit_date)::numeric,
           percentile_cont(0.9) WITHIN GROUP (ORDER BY h.referred_on - h.permit_date)::numeric,
           max(h.referred_on - h.permit_date),
           count(h.received_on)::integer,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY h.received_on - h.permit_date)::numeric,
           percentile_cont(0.9) WITHIN GROUP (ORDER BY h.received_on - h.permit_date)::numeric,
           max(h.received_on - h.permit_date),
           count(*) FILTER (WHERE h.referred_on IS NULL)::integer,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY as_of - h.permit_date) FILTER (WHERE h.referred_on IS NULL)::numeric
      FROM h
     GROUP BY GROUPING SETS ((h.category, h.hard), (h.hard), ())
     ORDER BY 1 NULLS LAST, 2 NULLS LAST;
END
$fn$;
COMMENT ON FUNCTION settle.waiting_times(date) IS
    'Days from residence permit to referral and to reception (median, 90th percentile, maximum) per category and hard-to-place group, with those still waiting, as of a date.';

CREATE FUNCTION settle.fairness(year integer)
RETURNS TABLE (month integer, referred integer, referred_hard integer, passed_over_hard integer,
               passed_by_easier integer, example text, finding text)
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, settle, pg_temp
AS $fn$
#variable_conflict use_column
BEGIN
    PERFORM settle.require_year(year, 'Referrals are grouped by the month of their decision.');
    PERFORM settle.require_planning_year(year);   -- as county_report and map_svg do
    RETURN QUERY
    WITH h AS (
        SELECT x.id, x.permit_date, x.registered_at, settle.hard_to_place(x.needs, x.persons, x.linked_group) AS hard,
               (SELECT min(r.decided_at) FROM settle.referral r WHERE r.household = x.id) AS first_referral
          FROM settle.household x),
    -- referrals decided in the year, the household's first referral only
    e AS (
        SELECT h.*, extract(month FROM settle.local_time(h.first_referral))::integer AS month
          FROM h
         WHERE h.first_referral >= settle.local_instant(make_date(fairness.year, 1, 1))
           AND h.first_referral < settle.local_instant(make_date(fairness.year + 1, 1, 1))),
    -- a hard-to-place household passed over: waiting (registered, not yet
    -- referred) when a household after it in the queue, not hard to place, was referred
    passed AS (
        SELECT e.month, q.id AS hard_household, e.id AS easier, q.permit_date AS hard_permit, e.permit_date AS easier_permit
          FROM e JOIN h q ON q.hard AND NOT e.hard
           AND q.registered_at <= e.first_referral
           AND (q.first_referral IS NULL OR q.first_referral > e.first_referral)
           AND (q.permit_date, q.registered_at, q.id) < (e.permit_date, e.registered_at, e.id)
           AND q.permit_date IS NOT NULL),
    per_month AS (
        SELECT m.month,
               (SELECT count(*) FROM e WHERE e.month = m.month)::integer AS referred,
               (SELECT count(*) FROM e WHERE e.month = m.month AND e.hard)::integer AS referred_hard,
               (SELECT count(DISTINCT p.hard_household) FROM passed p WHERE p.month = m.month)::integer AS passed_over,
               (SELECT count(DISTINCT p.easier) FROM passed p WHERE p.month = m.month)::integer AS passed_by,
               (SELECT format('household %s (permit %s) waited while household %s (permit %s) was referred',
                              p.hard_household, to_char(p.hard_permit, 'YYYY-MM-DD'), p.easier, to_char(p.easier_permit, 'YYYY-MM-DD'))
                  FROM passed p WHERE p.month = m.month ORDER BY p.hard_permit, p.hard_household, p.easier LIMIT 1) AS example
          FROM generate_series(1, 12) m(month))
    SELECT pm.month, pm.referred, pm.referred_hard, pm.passed_over, pm.passed_by, pm.example,
           CASE WHEN pm.referred = 0 THEN 'no referrals'
                WHEN pm.passed_over = 0 THEN format('in turn: %s referred (%s hard to place); no hard-to-place household was passed over by a later, easier one',
                                                   pm.referred, pm.referred_hard)
                ELSE format('pushed back: %s hard-to-place household%s waited while %s later, easier household%s %s referred',
                            pm.passed_over, CASE WHEN pm.passed_over = 1 THEN '' ELSE 's' END,
                            pm.passed_by, CASE WHEN pm.passed_by = 1 THEN '' ELSE 's' END,
                            CASE WHEN pm.passed_by = 1 THEN 'was' ELSE 'were' END) END
      FROM per_month pm
     ORDER BY pm.month;
END
$fn$;
COMMENT ON FUNCTION settle.fairness(integer) IS
    'Per month of year: households referred, hard-to-place ones among them, and hard-to-place households passed over by later, easier ones, with a finding in words (docs/follow-up.md).';

-- stable views for BI tools: one row set per planning year (and quarter, county)
CREATE VIEW settle.v_reception_per_capita AS
SELECT y.year, r.* FROM settle.planning_year y CROSS JOIN LATERAL settle.reception_per_capita(y.year) r;
COMMENT ON VIEW settle.v_reception_per_capita IS
    'settle.reception_per_capita for every planning year (columns: year, then those of the function). Stable for BI tools.';

CREATE VIEW settle.v_county_report AS
SELECT y.year, q.quarter, c.code AS county, r.*
  FROM settle.planning_year y CROSS JOIN generate_series(1, 4) q(quarter) CROSS JOIN settle.county c
 CROSS JOIN LATERAL settle.county_report(y.year, q.quarter, c.code) r;
COMMENT ON VIEW settle.v_county_report IS
    'settle.county_report for every planning year, quarter and county (columns: year, quarter, county, then those of the function). Stable for BI tools.';

CREATE VIEW settle.v_waiting_times AS
SELECT settle.today() AS as_of, w.* FROM settle.waiting_times(settle.today()) w;
COMMENT ON VIEW settle.v_waiting_times IS
    'settle.waiting_times as of settle.today() (columns: as_of, then those of the function). Stable for BI tools.';

CREATE VIEW settle.v_fairness AS
SELECT y.year, f.* FROM settle.planning_year y CROSS JOIN LATERAL settle.fairness(y.year) f;
COMMENT ON VIEW settle.v_fairness IS
    'settle.fairness for every planning year (columns: year, then those of the function). Stable for BI tools.';

CREATE VIEW settle.v_quota_status AS
SELECT y.year, settle.today() AS as_of, s.* FROM settle.planning_year y CROSS JOIN LATERAL settle.quota_status(y.year, settle.today()) s;
COMMENT ON VIEW settle.v_quota_status IS
    'settle.quota_status for every planning year as of settle.today() (columns: year, as_of, then those of the function). Stable for BI tools.';

-- ---- the map ---------------------------------------------------------------
-- Spherical transverse Mercator centred on 15 E (the meridian of SWEREF 99 TM),
-- in km; north up.
CREATE FUNCTION settle.tm_project(lat double precision, lon double precision, OUT x double precision, OUT y double precision)
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    SET search_path = pg_catalog, settle, pg_temp
AS $$
    SELECT 6371.0 * 0.5 * ln((1 + b) / (1 - b)),
           6371.0 * (atan2(tan(radians(lat)), cos(radians(lon - 15.0))) - radians(62.0))
      FROM (SELECT cos(radians(lat)) * sin(radians(lon - 15.0)) AS b) t
$$;
COMMENT ON FUNCTION settle.tm_project(double precision, double precision) IS
    'Internal: a point''s position in km on a spherical transverse Mercator projection centred on 15 E, 62 N (north = +y), for settle.map_svg.';

CREATE FUNCTION settle.xml_text(t text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    SET search_path = pg_catalog, settle, pg_temp
AS $$ SELECT replace(replace(replace(replace(t, '&', '&amp;'), '<', '&lt;'), '>', '&gt;'), '"', '&quot;') $$;
COMMENT ON FUNCTION settle.xml_text(text) IS 'Internal: text escaped for XML content and attributes.';

CREATE FUNCTION settle.map_points(year integer, metric text, as_of date, streams text[] DEFAULT NULL)
RETURNS TABLE (code settle.kommunkod, name text, county settle.lanskod, x double precision, y double precision,
               quota integer, value double precision)
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, settle, pg_temp
AS $$
    SELECT m.code, m.name, m.county, p.x, p.y, s.quota,
           CASE metric WHEN 'fulfilment' THEN CASE WHEN s.quota > 0 THEN round(100.0 * s.referred / s.quota, 1) END
                       WHEN 'plan_deviation' THEN s.deviation
                       WHEN 'per_1000' THEN (SELECT 1000.0 * coalesce(sum(r.persons), 0) / nullif(pi.population, 0) FROM settle.reception r
                              WHERE r.municipality = m.code AND r.received_on BETWEEN make_date(map_points.year, 1, 1) AND as_of) END
      FROM settle.municipality m
      CROSS JOIN LATERAL settle.tm_project(m.lat, m.lon) p
      -- the selected streams together
      LEFT JOIN (SELECT qs.municipality, sum(qs.quota)::integer AS quota, sum(qs.referred) AS referred, sum(qs.deviation) AS deviation
                   FROM settle.quota_status(map_points.year, as_of, map_points.streams) qs
                  WHERE qs.level = 'municipality' GROUP BY qs.municipality) s ON s.municipality = m.code
      LEFT JOIN settle.population_in(map_points.year) pi ON pi.municipality = m.code
$$;
COMMENT ON FUNCTION settle.map_points(integer, text, date, text[]) IS
    'Internal: each municipality''s projected position (km), kommuntal and value of fulfilment, plan_deviation or per_1000 (the streams given, or all, together) for settle.map_svg.';

CREATE FUNCTION settle.map_svg(year integer, metric text DEFAULT 'fulfilment', as_of date DEFAULT settle.today(),
                               streams text[] DEFAULT NULL, county settle.lanskod DEFAULT NULL, style text DEFAULT 'areas')
RETURNS text
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, settle, pg_temp
AS $fn$
DECLARE
    -- the drawing's box in px (margins apart): the country, or a county
    w constant double precision := CASE WHEN county IS NULL THEN 520 ELSE 640 END;
    h constant double precision := CASE WHEN county IS NULL THEN 1040 ELSE 640 END;
    left_m constant double precision := 30;
    top_m constant double precision := 70;
    colours constant text[] := ARRAY['#440154', '#3b528b', '#21918c', '#5ec962', '#fde725'];
    label text;
    unit text;
    lo double precision;
    hi double precision;
    breaks double precision[];
    svg text;
    per_km constant double precision := 10;   -- outline units (0.1 km, src/data/make_outlines.py) per km of settle.tm_project
    k double precision;         -- px per outline unit
    x0 double precision;        -- the box's corner, in outline units
    y0 double precision;
    drawn_h double precision;
    max_quota integer;
    place text;
    g text;                     -- the outlines' transform
    p_code settle.kommunkod[];
    p_name text[];
    p_county settle.lanskod[];
    p_x double precision[];
    p_y double precision[];
    p_quota integer[];
    p_value double precision[];
    p_fill text[];              -- per point: its class colour, and its tooltip
    p_title text[];
BEGIN
    PERFORM settle.require_planning_year(year);
    PERFORM settle.require_streams(year, streams);
    IF metric IS NULL OR metric NOT IN ('fulfilment', 'per_1000', 'plan_deviation', 'waiting_days') THEN
        RAISE EXCEPTION 'unknown map metric %', coalesce(quote_literal(metric), 'NULL')
            USING ERRCODE = CASE WHEN metric IS NULL THEN 'null_value_not_allowed' ELSE 'invalid_parameter_value' END,
                  HINT = 'Metrics: fulfilment (referred / kommuntal, %), per_1000 (persons received this year per 1,000 inhabitants), plan_deviation (referred - planned to date, persons), waiting_days (median days waited by the households still waiting that live there).';
    END IF;
    IF style IS NULL OR style NOT IN ('areas', 'dots') THEN
        RAISE EXCEPTION 'unknown map style %', coalesce(quote_literal(style), 'NULL')
            USING ERRCODE = CASE WHEN style IS NULL THEN 'null_value_not_allowed' ELSE 'invalid_parameter_value' END,
                  HINT = 'Styles: areas (each municipality filled by its value), dots (a dot per municipality, area proportional to the kommuntal, over grey outlines).';
    END IF;
    IF as_of IS NULL THEN
        RAISE EXCEPTION 'as_of must not be NULL' USING ERRCODE = 'null_value_not_allowed', HINT = 'The default is settle.today().';
    END IF;
    IF county IS NOT NULL AND NOT EXISTS (SELECT 1 FROM settle.county c WHERE c.code = map_svg.county) THEN
        RAISE EXCEPTION 'no county %', county USING ERRCODE = 'invalid_parameter_value',
              HINT = 'Pass a county code of settle.county (e.g. ''10'' for Blekinge), or NULL for the whole country.';
    END IF;
    label := CASE metric WHEN 'fulfilment' THEN 'fulfilment of the kommuntal' WHEN 'per_1000' THEN 'persons received per 1,000 inhabitants'
                         WHEN 'waiting_days' THEN 'median days waited, households still waiting, by residence'
                         ELSE 'referred minus planned to date' END;
    unit := CASE metric WHEN 'fulfilment' THEN ' %' WHEN 'per_1000' THEN '' WHEN 'waiting_days' THEN ' days' ELSE ' persons' END;
    place := coalesce((SELECT ' — ' || c.name FROM settle.county c WHERE c.code = map_svg.county), '');

    -- the points once (the municipalities drawn), read below by unnest
    SELECT array_agg(pt.code ORDER BY pt.code), array_agg(pt.name ORDER BY pt.code), array_agg(pt.county ORDER BY pt.code),
           array_agg(pt.x ORDER BY pt.code), array_agg(pt.y ORDER BY pt.code), array_agg(pt.quota ORDER BY pt.code),
           array_agg(pt.value ORDER BY pt.code)
      INTO p_code, p_name, p_county, p_x, p_y, p_quota, p_value
      FROM settle.map_points(map_svg.year, metric, as_of, map_svg.streams) pt
     WHERE map_svg.county IS NULL OR pt.county = map_svg.county;
    -- waiting days: household-level (settle.waits), so only the roles that read
    -- households draw it; per residence, the median days since the permit of
    -- those without a referral in force on as_of
    IF metric = 'waiting_days' THEN
        SELECT array_agg(wd.days ORDER BY c.o) INTO p_value
          FROM unnest(p_code) WITH ORDINALITY AS c(code, o)
          LEFT JOIN (SELECT h.residence, percentile_cont(0.5) WITHIN GROUP (ORDER BY as_of - w.permit_date) AS days
                       FROM settle.waits(as_of) w JOIN settle.household h ON h.id = w.household
                      WHERE w.referred_on IS NULL AND h.residence IS NOT NULL
                      GROUP BY h.residence) wd ON wd.residence = c.code;
    END IF;

    -- scale: the country, or the county, fits w x h
    SELECT least(w / (max(o.max_x) - min(o.min_x)), h / (max(o.max_y) - min(o.min_y))), min(o.min_x), min(o.min_y),
           max(o.max_y) - min(o.min_y)
      INTO k, x0, y0, drawn_h
      FROM unnest(p_code, p_name, p_county, p_x, p_y, p_quota, p_value) AS pt(code, name, county, x, y, quota, value) JOIN settle.municipality_outline o ON o.municipality = pt.code;
    -- (at least the legend's height)
    drawn_h := greatest(drawn_h * k, 260);
    SELECT max(pt.quota) INTO max_quota FROM unnest(p_code, p_name, p_county, p_x, p_y, p_quota, p_value) AS pt(code, name, county, x, y, quota, value);
    g := format('translate(%s %s) scale(%s)', round((left_m - x0 * k)::numeric, 2), round((top_m - y0 * k)::numeric, 2), round(k::numeric, 6));
    -- colour classes: fixed for fulfilment (0-100 %), else five equal steps between the smallest and largest value
    IF metric = 'fulfilment' THEN
        lo := 0; hi := 100;
    ELSE
        SELECT min(pt.value), max(pt.value) INTO lo, hi FROM unnest(p_code, p_name, p_county, p_x, p_y, p_quota, p_value) AS pt(code, name, county, x, y, quota, value) WHERE pt.value IS NOT NULL;
        lo := coalesce(lo, 0); hi := coalesce(hi, 0);
        IF hi <= lo THEN hi := lo + 1; END IF;
    END IF;
    breaks := ARRAY[lo + (hi - lo) * 0.2, lo + (hi - lo) * 0.4, lo + (hi - lo) * 0.6, lo + (hi - lo) * 0.8];
    -- each municipality's class colour and tooltip, for the areas and the dots alike
    SELECT array_agg(CASE WHEN pt.value IS NULL THEN '#bbbbbb'
                          ELSE colours[1 + (pt.value >= breaks[1])::int + (pt.value >= breaks[2])::int
                                         + (pt.value >= breaks[3])::int + (pt.value >= breaks[4])::int] END ORDER BY pt.o),
           array_agg(settle.xml_text(format('%s (%s): %s, kommuntal %s', pt.name, pt.code,
                                            coalesce(round(pt.value::numeric, 1)::text || unit, 'no value'), coalesce(pt.quota::text, 'none')))
                     ORDER BY pt.o)
      INTO p_fill, p_title
      FROM unnest(p_code, p_name, p_quota, p_value) WITH ORDINALITY AS pt(code, name, quota, value, o);

    svg := format('<svg xmlns="http://www.w3.org/2000/svg" width="%s" height="%s" viewBox="0 0 %s %s" font-family="DejaVu Sans, Arial, sans-serif">',
                  (w + 2 * left_m + 230)::int, (drawn_h + top_m + 40)::int, (w + 2 * left_m + 230)::int, (drawn_h + top_m + 40)::int)
        || E'\n<rect width="100%" height="100%" fill="#ffffff"/>'
        || format(E'\n<text x="%s" y="28" font-size="18" font-weight="bold">%s</text>', left_m,
                  settle.xml_text(format('Settlement %s%s: %s%s', year, coalesce(' (' || array_to_string(streams, ', ') || ')', ''), label, place)))
        || format(E'\n<text x="%s" y="50" font-size="12" fill="#444">%s</text>', left_m,
                  settle.xml_text(format('as of %s; %s', to_char(as_of, 'YYYY-MM-DD'),
                                         CASE style WHEN 'areas' THEN 'each municipality coloured by its value; grey = no value'
                                                    ELSE 'one dot per municipality, area proportional to the kommuntal; grey = no kommuntal' END)));
    -- the municipalities: filled by class (areas) or light grey under the dots; thin dark borders
    svg := svg || format(E'\n<g transform="%s" stroke="#3a3a3a" stroke-width="%s" stroke-linejoin="round">', g, round((0.5 / k)::numeric, 3))
        || coalesce((
        SELECT string_agg(format(E'\n<path d="%s" fill="%s"><title>%s</title></path>', o.path,
                                 CASE WHEN style = 'dots' THEN '#eeeeee' ELSE pt.fill END, pt.title), '' ORDER BY pt.code)
          FROM unnest(p_code, p_fill, p_title) AS pt(code, fill, title) JOIN settle.municipality_outline o ON o.municipality = pt.code), '')
        || E'\n</g>';
    -- county borders, heavier (a county: its own outline)
    svg := svg || format(E'\n<g transform="%s" fill="none" stroke="#000000" stroke-width="%s" stroke-linejoin="round" stroke-linecap="round">',
                         g, round((1.6 / k)::numeric, 3))
        || coalesce((SELECT string_agg(format(E'\n<path d="%s"/>', b.path), '' ORDER BY b.county_a, b.county_b NULLS FIRST)
                       FROM settle.county_border b
                      WHERE map_svg.county IS NULL OR map_svg.county IN (b.county_a, b.county_b)), '')
        || E'\n</g>';
    IF style = 'dots' THEN
        -- dots, largest first so small ones stay visible
        svg := svg || coalesce((
            SELECT string_agg(format(E'\n<circle cx="%s" cy="%s" r="%s" fill="%s" fill-opacity="0.85" stroke="#222" stroke-width="0.4"><title>%s</title></circle>',
                                     round((left_m + (pt.x * per_km - x0) * k)::numeric, 1), round((top_m + (-pt.y * per_km - y0) * k)::numeric, 1),
                                     round(greatest(1.5, 16 * sqrt(coalesce(pt.quota, 0)::double precision / nullif(max_quota, 0)))::numeric, 2),
                                     pt.fill, pt.title),
                              '' ORDER BY pt.quota DESC NULLS LAST, pt.code)
              FROM unnest(p_code, p_x, p_y, p_quota, p_fill, p_title) AS pt(code, x, y, quota, fill, title)), '');
    END IF;
    -- names: the counties at the mean position of their municipalities, or a county's municipalities at their centroids
    svg := svg || coalesce((
        SELECT string_agg(format(E'\n<text x="%s" y="%s" font-size="%s" text-anchor="middle" fill="#111" stroke="#fff" stroke-width="2.5" paint-order="stroke">%s</text>',
                                 round((left_m + (n.x * per_km - x0) * k)::numeric, 1), round((top_m + (-n.y * per_km - y0) * k)::numeric, 1),
                                 CASE WHEN map_svg.county IS NULL THEN 10 ELSE 11 END, settle.xml_text(n.name)), '' ORDER BY n.code)
          FROM (SELECT c.code::text AS code, regexp_replace(c.name, ' län$', '') AS name, avg(pt.x) AS x, avg(pt.y) AS y
                  FROM unnest(p_code, p_name, p_county, p_x, p_y, p_quota, p_value) AS pt(code, name, county, x, y, quota, value) JOIN settle.county c ON c.code = pt.county
                 WHERE map_svg.county IS NULL
                 GROUP BY c.code, c.name
                UNION ALL
                SELECT pt.code::text, pt.name, pt.x, pt.y FROM unnest(p_code, p_name, p_county, p_x, p_y, p_quota, p_value) AS pt(code, name, county, x, y, quota, value) WHERE map_svg.county IS NOT NULL) n), '');
    -- legend
    svg := svg || format(E'\n<text x="%s" y="%s" font-size="12" font-weight="bold">%s</text>', w + left_m + 20, top_m + 10,
                         settle.xml_text(label));
    FOR i IN 1..5 LOOP
        svg := svg || format(E'\n<rect x="%s" y="%s" width="16" height="16" fill="%s" stroke="#222" stroke-width="0.4"/><text x="%s" y="%s" font-size="11">%s</text>',
                             w + left_m + 20, top_m + 10 + 22 * i, colours[i], w + left_m + 42, top_m + 23 + 22 * i,
                             settle.xml_text(CASE WHEN i = 1 THEN format('below %s%s', round(breaks[1]::numeric, 1), unit)
                                                  WHEN i = 5 THEN format('%s%s or more', round(breaks[4]::numeric, 1), unit)
                                                  ELSE format('%s to %s%s', round(breaks[i - 1]::numeric, 1), round(breaks[i]::numeric, 1), unit) END));
    END LOOP;
    svg := svg || format(E'\n<rect x="%s" y="%s" width="16" height="16" fill="#bbbbbb" stroke="#222" stroke-width="0.4"/><text x="%s" y="%s" font-size="11">no value</text>',
                         w + left_m + 20, top_m + 142, w + left_m + 42, top_m + 155)
        || format(E'\n<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="#000" stroke-width="1.6"/><text x="%s" y="%s" font-size="11">county border</text>',
                  w + left_m + 20, top_m + 178, w + left_m + 36, top_m + 178, w + left_m + 42, top_m + 182)
        || CASE WHEN style = 'dots' THEN
               format(E'\n<circle cx="%s" cy="%s" r="16" fill="none" stroke="#222"/><text x="%s" y="%s" font-size="11">%s</text>',
                      w + left_m + 36, top_m + 220, w + left_m + 58, top_m + 224,
                      settle.xml_text(format('kommuntal %s', coalesce(max_quota, 0))))
           ELSE '' END
        || format(E'\n<text x="%s" y="%s" font-size="10" fill="#666">%s</text>', left_m, drawn_h + top_m + 30,
                  settle.xml_text('settle; outlines: Valmyndigheten (okfse/sweden-geojson), sea areas included; transverse Mercator, 15 E'))
        || E'\n</svg>\n';
    RETURN svg;
END
$fn$;
COMMENT ON FUNCTION settle.map_svg(integer, text, date, text[], settle.lanskod, text) IS
    'A self-contained SVG map of year with municipal and county borders: each municipality filled by fulfilment, per_1000, plan_deviation or waiting_days as of a date, or dots by kommuntal; county zooms in (docs/follow-up.md).';

-- ---- the plan chart ---------------------------------------------------------
-- One scope's year (the country, a county or a municipality) in cumulative
-- persons: the annual plan against persons referred and received (from
-- settle.quota_status, the home of those figures, at each month's end up to
-- as_of and at as_of), today's line and the kommuntal in force as the
-- ceiling.  Month names in Swedish (the county boards read it).
CREATE FUNCTION settle.plan_chart_svg(year integer, county settle.lanskod DEFAULT NULL,
                                      municipality settle.kommunkod DEFAULT NULL, as_of date DEFAULT settle.today(),
                                      streams text[] DEFAULT NULL)
RETURNS text
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, settle, pg_temp
AS $fn$
DECLARE
    w constant double precision := 640;     -- the plot area in px
    h constant double precision := 300;
    left_m constant double precision := 70;
    top_m constant double precision := 76;
    months constant text[] := ARRAY['jan', 'feb', 'mar', 'apr', 'maj', 'jun', 'jul', 'aug', 'sep', 'okt', 'nov', 'dec'];
    y constant integer := plan_chart_svg.year;
    st text[];
    jan1 date;
    dec31 date;
    upto date;                  -- as_of within the year
    plan integer[] := ARRAY[0]; -- cumulative plan at the start and at each month's end
    t double precision[] := '{}';   -- referred and received: time (months), day, persons
    days date[] := '{}';
    ref integer[] := '{}';
    rec integer[] := '{}';
    quota integer := 0;
    v record;
    day date;
    top_v double precision;
    step double precision;
    svg text;
BEGIN
    PERFORM settle.require_planning_year(y);
    st := settle.require_streams(y, streams);
    IF as_of IS NULL THEN
        RAISE EXCEPTION 'as_of must not be NULL' USING ERRCODE = 'null_value_not_allowed', HINT = 'The default is settle.today().';
    END IF;
    IF municipality IS NOT NULL AND county IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM settle.municipality m WHERE m.code = plan_chart_svg.municipality AND m.county = plan_chart_svg.county) THEN
        RAISE EXCEPTION 'municipality % does not lie in county %', settle.municipality_label(municipality), settle.county_label(county)
            USING ERRCODE = 'invalid_parameter_value', HINT = 'Give the municipality alone, or with its own county.';
    END IF;
    jan1 := make_date(y, 1, 1);
    dec31 := make_date(y, 12, 31);
    upto := least(greatest(as_of, jan1 - 1), dec31);
    -- the plan, cumulative at each month's end (settle.annual_plan, the selected streams)
    SELECT ARRAY[0] || array_agg(x.cum ORDER BY x.m) INTO plan
      FROM (SELECT g.m, (sum(coalesce(pm.planned, 0)) OVER (ORDER BY g.m))::integer AS cum
              FROM generate_series(1, 12) g(m)
              LEFT JOIN (SELECT ap.month, sum(ap.planned) AS planned
                           FROM settle.annual_plan ap JOIN settle.municipality mu ON mu.code = ap.municipality
                          WHERE ap.year = y AND (st IS NULL OR ap.stream = ANY (st))
                            AND (plan_chart_svg.county IS NULL OR mu.county = plan_chart_svg.county)
                            AND (plan_chart_svg.municipality IS NULL OR ap.municipality = plan_chart_svg.municipality)
                          GROUP BY ap.month) pm ON pm.month = g.m) x;
    -- referred and received: on the year's eve, at each month's end before as_of, on as_of
    -- (t in months from the year's start; the year's eve is always one, as upto >= it)
    FOR m IN 0 .. 12 LOOP
        day := CASE WHEN m = 0 THEN jan1 - 1 ELSE (make_date(y, m, 1) + interval '1 month - 1 day')::date END;
        EXIT WHEN day > upto;
        t := t || m::double precision;
        days := days || day;
    END LOOP;
    IF days[cardinality(days)] <> upto THEN
        t := t || ((upto - jan1 + 1) / ((dec31 - jan1 + 1) / 12.0))::double precision;
        days := days || upto;
    END IF;
    FOR i IN 1 .. cardinality(days) LOOP
        SELECT coalesce(sum(qs.referred), 0)::integer AS referred, coalesce(sum(qs.received), 0)::integer AS received,
               coalesce(sum(qs.quota), 0)::integer AS quota
          INTO v
          FROM settle.quota_status(y, days[i], plan_chart_svg.streams) qs
         WHERE qs.level = 'municipality'
           AND (plan_chart_svg.county IS NULL OR qs.county = plan_chart_svg.county)
           AND (plan_chart_svg.municipality IS NULL OR qs.municipality = plan_chart_svg.municipality);
        ref := ref || v.referred;
        rec := rec || v.received;
        quota := v.quota;       -- in force on the last day drawn
    END LOOP;

    -- the y axis: up to a tenth above the highest figure, ticks at 1, 2 or 5 x 10^k
    top_v := greatest(quota, plan[13], coalesce((SELECT max(x) FROM unnest(ref) x), 0), 1) * 1.1;
    step := power(10, floor(log(top_v / 5)));
    step := CASE WHEN top_v / step > 25 THEN 5 * step WHEN top_v / step > 10 THEN 2 * step ELSE step END;
    step := greatest(step, 1);
    top_v := ceil(top_v / step) * step;

    svg := format('<svg xmlns="http://www.w3.org/2000/svg" width="%s" height="%s" viewBox="0 0 %s %s" font-family="DejaVu Sans, Arial, sans-serif">',
                  (w + left_m + 150)::int, (h + top_m + 60)::int, (w + left_m + 150)::int, (h + top_m + 60)::int)
        || E'\n<rect width="100%" height="100%" fill="#ffffff"/>'
        || format(E'\n<text x="%s" y="28" font-size="18" font-weight="bold">%s</text>', left_m - 40,
                  settle.xml_text(format('Settlement %s%s: %s, plan against referred and received',
                                         y, coalesce(' (' || array_to_string(streams, ', ') || ')', ''),
                                         coalesce(settle.municipality_label(municipality), settle.county_label(county), 'Sweden'))))
        || format(E'\n<text x="%s" y="50" font-size="12" fill="#444">%s</text>', left_m - 40,
                  settle.xml_text(format('as of %s; persons, cumulative; kommuntal in force %s', to_char(as_of, 'YYYY-MM-DD'), quota)));
    -- grid and axes
    svg := svg || (SELECT string_agg(format(E'\n<line x1="%1$s" y1="%2$s" x2="%3$s" y2="%2$s" stroke="#dddddd"/><text x="%4$s" y="%5$s" font-size="11" text-anchor="end">%6$s</text>',
                                            left_m, round((top_m + h - g * step / top_v * h)::numeric, 1), left_m + w, left_m - 6,
                                            round((top_m + h - g * step / top_v * h + 4)::numeric, 1), to_char(g * step, 'FM999G999G990')), '')
                     FROM generate_series(0, (top_v / step)::integer) g)
        || (SELECT string_agg(format(E'\n<text x="%s" y="%s" font-size="11" text-anchor="middle">%s</text>',
                                     round((left_m + (m - 0.5) / 12 * w)::numeric, 1), top_m + h + 18, months[m]), '')
              FROM generate_series(1, 12) m)
        || format(E'\n<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="#000"/><line x1="%s" y1="%s" x2="%s" y2="%s" stroke="#000"/>',
                  left_m, top_m + h, left_m + w, top_m + h, left_m, top_m, left_m, top_m + h)
        || format(E'\n<text x="%s" y="%s" font-size="11" transform="rotate(-90 %s %s)" text-anchor="middle">persons (cumulative)</text>',
                  left_m - 52, top_m + h / 2, left_m - 52, top_m + h / 2)
        || format(E'\n<text x="%s" y="%s" font-size="11" text-anchor="middle">%s</text>', left_m + w / 2, top_m + h + 40, y);
    -- the kommuntal as ceiling
    svg := svg || format(E'\n<line class="kommuntal" x1="%1$s" y1="%2$s" x2="%3$s" y2="%2$s" stroke="#b2182b" stroke-width="2" stroke-dasharray="6 4" shape-rendering="crispEdges"/>',
                         left_m, round((top_m + h - quota / top_v * h)::numeric, 1), left_m + w);
    -- today's line
    IF as_of BETWEEN jan1 AND dec31 THEN
        svg := svg || format(E'\n<line class="today" x1="%1$s" y1="%2$s" x2="%1$s" y2="%3$s" stroke="#555" stroke-dasharray="2 3"/><text x="%1$s" y="%4$s" font-size="10" text-anchor="middle" fill="#555">%5$s</text>',
                             round((left_m + (as_of - jan1 + 1) / (dec31 - jan1 + 1)::double precision * w)::numeric, 1), top_m - 4, top_m + h,
                             top_m - 8, to_char(as_of, 'YYYY-MM-DD'));
    END IF;
    -- the plan, then referred and received
    svg := svg || format(E'\n<polyline class="plan" fill="none" stroke="#2166ac" stroke-width="2" stroke-dasharray="8 4" points="%s"/>',
                         (SELECT string_agg(format('%s,%s', round((left_m + m / 12.0 * w)::numeric, 1),
                                                   round((top_m + h - plan[m + 1] / top_v * h)::numeric, 1)), ' ' ORDER BY m)
                            FROM generate_series(0, 12) m));
    svg := svg
        || format(E'\n<polyline class="received" fill="none" stroke="#1b7837" stroke-width="2" points="%s"/>',
                  (SELECT string_agg(format('%s,%s', round((left_m + t[i] / 12 * w)::numeric, 1),
                                            round((top_m + h - rec[i] / top_v * h)::numeric, 1)), ' ' ORDER BY i)
                     FROM generate_series(1, cardinality(t)) i))
        || format(E'\n<polyline class="referred" fill="none" stroke="#e66101" stroke-width="2.5" points="%s"/>',
                  (SELECT string_agg(format('%s,%s', round((left_m + t[i] / 12 * w)::numeric, 1),
                                            round((top_m + h - ref[i] / top_v * h)::numeric, 1)), ' ' ORDER BY i)
                     FROM generate_series(1, cardinality(t)) i))
        || format(E'\n<circle class="referred-end" cx="%s" cy="%s" r="4" fill="#e66101"><title>%s</title></circle>',
                  round((left_m + t[cardinality(t)] / 12 * w)::numeric, 1),
                  round((top_m + h - ref[cardinality(t)] / top_v * h)::numeric, 1),
                  settle.xml_text(format('referred %s persons by %s', ref[cardinality(t)], to_char(upto, 'YYYY-MM-DD'))));
    -- legend
    svg := svg || format(E'\n<g font-size="11"><line x1="%1$s" y1="%2$s" x2="%3$s" y2="%2$s" stroke="#2166ac" stroke-width="2" stroke-dasharray="8 4"/><text x="%4$s" y="%5$s">plan (%6$s)</text>'
                         || E'\n<line x1="%1$s" y1="%7$s" x2="%3$s" y2="%7$s" stroke="#e66101" stroke-width="2.5"/><text x="%4$s" y="%8$s">referred (%9$s)</text>'
                         || E'\n<line x1="%1$s" y1="%10$s" x2="%3$s" y2="%10$s" stroke="#1b7837" stroke-width="2"/><text x="%4$s" y="%11$s">received (%12$s)</text>'
                         || E'\n<line x1="%1$s" y1="%13$s" x2="%3$s" y2="%13$s" stroke="#b2182b" stroke-width="1.5" stroke-dasharray="6 4"/><text x="%4$s" y="%14$s">kommuntal (%15$s)</text></g>',
                         left_m + w + 12, top_m + 10, left_m + w + 36, left_m + w + 40, top_m + 14, plan[13],
                         top_m + 30, top_m + 34, coalesce(ref[cardinality(t)], 0),
                         top_m + 50, top_m + 54, coalesce(rec[cardinality(t)], 0),
                         top_m + 70, top_m + 74, quota)
        || E'\n</svg>\n';
    RETURN svg;
END
$fn$;
COMMENT ON FUNCTION settle.plan_chart_svg(integer, settle.lanskod, settle.kommunkod, date, text[]) IS
    'A self-contained SVG chart of a year for the country, a county or a municipality: the annual plan against persons referred and received, cumulative by month, with today''s line and the kommuntal (docs/follow-up.md).';

-- ---- the waiting chart ------------------------------------------------------
-- How long households waited, hard-to-place ones against the rest (as
-- settle.hard_to_place has them): days from permit to referral of those
-- referred by as_of, and days waited so far of those still waiting, in six
-- bins, as shares of each group (settle.waits, the figures' one home).
CREATE FUNCTION settle.waiting_chart_svg(as_of date DEFAULT settle.today())
RETURNS text
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, settle, pg_temp
AS $fn$
DECLARE
    w constant double precision := 620;     -- each panel's plot area in px
    h constant double precision := 150;
    left_m constant double precision := 70;
    top_m constant double precision := 70;
    panel_h constant double precision := 240;   -- from one panel's top to the next
    bins constant integer[] := ARRAY[0, 30, 60, 90, 180, 365];
    names constant text[] := ARRAY['0–29', '30–59', '60–89', '90–179', '180–364', '365 or more'];
    titles constant text[] := ARRAY['days from permit to referral (households referred by %s)',
                                    'days waited so far (households still waiting on %s)'];
    svg text;
BEGIN
    IF as_of IS NULL OR NOT isfinite(as_of) THEN
        RAISE EXCEPTION 'as_of must be a date, not %', coalesce(as_of::text, 'NULL')
            USING ERRCODE = CASE WHEN as_of IS NULL THEN 'null_value_not_allowed' ELSE 'invalid_parameter_value' END,
                  HINT = 'The day of the chart; the default is settle.today().';
    END IF;
    svg := format('<svg xmlns="http://www.w3.org/2000/svg" width="%s" height="%s" viewBox="0 0 %s %s" font-family="DejaVu Sans, Arial, sans-serif">',
                  (w + left_m + 240)::int, (top_m + 2 * panel_h)::int, (w + left_m + 240)::int, (top_m + 2 * panel_h)::int)
        || E'\n<rect width="100%" height="100%" fill="#ffffff"/>'
        || format(E'\n<text x="%s" y="28" font-size="18" font-weight="bold">%s</text>', left_m - 40,
                  settle.xml_text('Waiting times: hard-to-place households against the rest'))
        || format(E'\n<text x="%s" y="50" font-size="12" fill="#444">%s</text>', left_m - 40,
                  settle.xml_text(format('as of %s; share of each group per span of days; hard to place: needs, six or more persons, or a linked group',
                                         to_char(as_of, 'YYYY-MM-DD'))));
    svg := svg || (
    WITH wt AS (SELECT x.hard_to_place AS hard, CASE WHEN x.referred_on IS NOT NULL THEN 1 ELSE 2 END AS panel,
                       greatest(coalesce(x.referred_on, as_of) - x.permit_date, 0) AS days
                  FROM settle.waits(as_of) x),
    tot AS (SELECT p.panel, g.hard, count(wt.days) AS n,
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY wt.days) AS median
              FROM (VALUES (1), (2)) p(panel) CROSS JOIN (VALUES (true), (false)) g(hard)
              LEFT JOIN wt ON wt.panel = p.panel AND wt.hard = g.hard
             GROUP BY p.panel, g.hard),
    bars AS (SELECT t.panel, t.hard, b.b, count(wt.days) AS n, t.n AS total
               FROM tot t CROSS JOIN generate_series(1, 6) b(b)
               LEFT JOIN wt ON wt.panel = t.panel AND wt.hard = t.hard AND width_bucket(wt.days, bins) = b.b
              GROUP BY t.panel, t.hard, b.b, t.n),
    sc AS (SELECT bars.panel, greatest(0.1, ceil(max(bars.n::double precision / nullif(bars.total, 0)) * 10) / 10) AS top_v
             FROM bars GROUP BY bars.panel)
    SELECT string_agg(part, '' ORDER BY k)
      FROM (
        -- each panel: title, grid (shares), axes, bin names
        SELECT sc.panel * 100 AS k,
               format(E'\n<text x="%s" y="%s" font-size="13" font-weight="bold">%s</text>', left_m, top_m + (sc.panel - 1) * panel_h + 4,
                      settle.xml_text(format(titles[sc.panel], to_char(as_of, 'YYYY-MM-DD'))))
               || (SELECT string_agg(format(E'\n<line x1="%1$s" y1="%2$s" x2="%3$s" y2="%2$s" stroke="#dddddd"/><text x="%4$s" y="%5$s" font-size="11" text-anchor="end">%6$s %%</text>',
                                            left_m, round((top_m + (sc.panel - 1) * panel_h + 20 + h - q / 5.0 * h)::numeric, 1), left_m + w, left_m - 6,
                                            round((top_m + (sc.panel - 1) * panel_h + 24 + h - q / 5.0 * h)::numeric, 1),
                                            round((100 * sc.top_v * q / 5.0)::numeric)), '')
                     FROM generate_series(0, 5) q)
               || format(E'\n<line x1="%1$s" y1="%2$s" x2="%3$s" y2="%2$s" stroke="#000"/>', left_m, top_m + (sc.panel - 1) * panel_h + 20 + h, left_m + w)
               || (SELECT string_agg(format(E'\n<text x="%s" y="%s" font-size="11" text-anchor="middle">%s</text>',
                                            round((left_m + (b - 0.5) / 6.0 * w)::numeric, 1), top_m + (sc.panel - 1) * panel_h + 20 + h + 16, names[b]), '')
                     FROM generate_series(1, 6) b)
               || format(E'\n<text x="%s" y="%s" font-size="11" text-anchor="middle">days</text>', left_m + w / 2, top_m + (sc.panel - 1) * panel_h + 20 + h + 34)
               AS part
          FROM sc
        UNION ALL
        -- the bars: hard to place left, the rest right, in each span
        SELECT bars.panel * 100 + 10 + bars.b,
               format(E'\n<rect class="%s" x="%s" y="%s" width="%s" height="%s" fill="%s"><title>%s</title></rect>',
                      CASE WHEN bars.hard THEN 'hard' ELSE 'rest' END || CASE WHEN bars.panel = 1 THEN ' referred' ELSE ' waiting' END,
                      round((left_m + (bars.b - 1) / 6.0 * w + w / 6.0 * CASE WHEN bars.hard THEN 0.12 ELSE 0.5 END)::numeric, 1),
                      round((top_m + (bars.panel - 1) * panel_h + 20 + h - coalesce(bars.n::double precision / nullif(bars.total, 0), 0) / sc.top_v * h)::numeric, 1),
                      round((w / 6.0 * 0.38)::numeric, 1),
                      round((coalesce(bars.n::double precision / nullif(bars.total, 0), 0) / sc.top_v * h)::numeric, 1),
                      CASE WHEN bars.hard THEN '#d95f02' ELSE '#7570b3' END,
                      settle.xml_text(format('%s, %s days: %s of %s households (%s %%)',
                                             CASE WHEN bars.hard THEN 'hard to place' ELSE 'the rest' END, names[bars.b], bars.n, bars.total,
                                             coalesce(round(100.0 * bars.n / nullif(bars.total, 0), 1)::text, '–'))))
          FROM bars JOIN sc ON sc.panel = bars.panel
        UNION ALL
        -- the legend of each panel: households and median days per group
        SELECT tot.panel * 100 + 90 + CASE WHEN tot.hard THEN 0 ELSE 1 END,
               format(E'\n<rect x="%s" y="%s" width="14" height="14" fill="%s"/><text class="%s" x="%s" y="%s" font-size="11">%s</text>',
                      left_m + w + 14, top_m + (tot.panel - 1) * panel_h + 30 + CASE WHEN tot.hard THEN 0 ELSE 36 END,
                      CASE WHEN tot.hard THEN '#d95f02' ELSE '#7570b3' END, CASE WHEN tot.hard THEN 'hard' ELSE 'rest' END,
                      left_m + w + 34, top_m + (tot.panel - 1) * panel_h + 41 + CASE WHEN tot.hard THEN 0 ELSE 36 END,
                      settle.xml_text(CASE WHEN tot.hard THEN 'hard to place' ELSE 'the rest' END))
               || format(E'\n<text class="%s-figures" x="%s" y="%s" font-size="10" fill="#444">%s</text>',
                         CASE WHEN tot.hard THEN 'hard' ELSE 'rest' END, left_m + w + 34,
                         top_m + (tot.panel - 1) * panel_h + 54 + CASE WHEN tot.hard THEN 0 ELSE 36 END,
                         settle.xml_text(format('%s households, median %s days', tot.n, coalesce(round(tot.median::numeric, 1)::text, '–'))))
          FROM tot) parts)
        || E'\n</svg>\n';
    RETURN svg;
END
$fn$;
COMMENT ON FUNCTION settle.waiting_chart_svg(date) IS
    'A self-contained SVG chart of waiting times as of a date, hard-to-place households against the rest: days from permit to referral, and days waited so far (docs/follow-up.md).';

-- ---- the county report as one page --------------------------------------------
-- settle.county_report's table, the county's map and its plan chart as of the
-- quarter's last day, in one self-contained HTML page (inline SVG, inline
-- style, nothing fetched) that a county board can open or mail.
CREATE FUNCTION settle.county_report_html(year integer, quarter integer, county settle.lanskod, streams text[] DEFAULT NULL)
RETURNS text
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, settle, pg_temp
AS $fn$
DECLARE
    q_end date;
    title text;
    rows_html text;
BEGIN
    -- (county_report checks the year, quarter, county and streams first)
    SELECT string_agg(format(E'\n<tr class="%s"><td>%s</td><td>%s</td>%s</tr>', r.level,
                             settle.xml_text(coalesce(r.municipality::text, '')), settle.xml_text(coalesce(r.name, '')),
                             (SELECT string_agg(format('<td class="n">%s</td>', coalesce(v, '–')), '' ORDER BY o)
                                FROM unnest(ARRAY[r.quota::text, r.referred::text, r.received::text, r.remaining::text, r.planned_to_date::text,
                                                  r.deviation::text, r.overdue::text, r.pauses::text, r.paused_days::text,
                                                  r.fulfilment_pct::text, r.stream]) WITH ORDINALITY AS c(v, o))),
                      '' ORDER BY r.stream, r.level DESC, r.municipality)
      INTO rows_html
      FROM settle.county_report(county_report_html.year, quarter, county, county_report_html.streams) r;
    q_end := (make_date(year, quarter * 3, 1) + interval '1 month - 1 day')::date;
    title := format('Settlement %s, quarter %s: %s', year, quarter, settle.county_label(county));
    RETURN '<!DOCTYPE html>' || E'\n<html lang="en">\n<head>\n<meta charset="utf-8">'
        || format(E'\n<title>%s</title>', settle.xml_text(title))
        || E'\n<style>body { font-family: "DejaVu Sans", Arial, sans-serif; margin: 24px; color: #111; max-width: 960px; }'
        || E'\nh1 { font-size: 22px; } h2 { font-size: 17px; margin-top: 28px; } p { font-size: 13px; color: #444; }'
        || E'\ntable { border-collapse: collapse; font-size: 12px; } th, td { border-bottom: 1px solid #ddd; padding: 3px 7px; text-align: left; }'
        || E'\ntd.n { text-align: right; } tr.county td { font-weight: bold; border-top: 2px solid #111; }'
        || E'\nsvg { max-width: 100%; height: auto; }</style>\n</head>\n<body>'
        || format(E'\n<h1>%s</h1>', settle.xml_text(title))
        || format(E'\n<p>As of %s, the quarter''s last day%s. Made by settle from the quota register; every figure as settle.county_report gives it.</p>',
                  to_char(q_end, 'YYYY-MM-DD'), coalesce(settle.xml_text(', streams ' || array_to_string(streams, ', ')), ''))
        || E'\n<h2>Municipalities</h2>\n<table>\n<tr><th>code</th><th>name</th><th>kommuntal</th><th>referred</th><th>received</th><th>remaining</th>'
        || '<th>planned to date</th><th>deviation</th><th>overdue</th><th>pauses</th><th>paused days</th><th>fulfilment %</th><th>stream</th></tr>'
        || coalesce(rows_html, '') || E'\n</table>'
        || E'\n<h2>The county''s map: fulfilment of the kommuntal</h2>\n'
        || settle.map_svg(year, 'fulfilment', q_end, streams, county)
        || E'<h2>The plan against referred and received</h2>\n'
        || settle.plan_chart_svg(year, county, NULL, q_end, streams)
        || E'</body>\n</html>\n';
END
$fn$;
COMMENT ON FUNCTION settle.county_report_html(integer, integer, settle.lanskod, text[]) IS
    'The quarterly county report as one self-contained HTML page: settle.county_report''s table, the county''s map and its plan chart as of the quarter''s last day (docs/follow-up.md).';

-- 100_matching.sql: proposing municipalities for waiting households.
--
-- Proximity cost (närhetsprincipen), one number in kilometres: the distance
-- between the centroids of the municipality where the household lived while
-- waiting and the candidate, plus a penalty when the candidate is in another
-- county: settle.setting matching.neighbour_county_km for a neighbouring
-- county, matching.other_county_km for any other.  Quota refugees (no
-- residence) are not ranked by distance but by the planned places left, then
-- the places left (that order's home: match_quota_before in src/match_core.h).
-- The cost's home is the view settle.proximity below.  Feasible: enough
-- room for all the persons, not paused that day, able to meet every need.
-- Room (since 0.3.0; its home: settle.match_municipalities) is the places
-- left under the kommuntal, under the annual plan up to the month of as_of
-- plus matching.plan_lead_months (if the municipality has a plan), and
-- under a reduced intake (settle.intake_left), whichever is least.
-- These functions propose and never write; settle.refer_matches() commits.

-- (the settings are shipped with the others in 065_settings_needs.sql)

CREATE FUNCTION settle.setting_km(name text) RETURNS double precision
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, settle, pg_temp
AS $$
DECLARE
    v text;
BEGIN
    SELECT s.value INTO v FROM settle.setting s WHERE s.name = setting_km.name;
    IF v IS NULL OR v !~ '^\s*[0-9]+(\.[0-9]+)?\s*$' THEN
        RAISE EXCEPTION 'setting % must be a number of kilometres >= 0, not %', name, coalesce(quote_literal(v), 'missing')
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = format('UPDATE settle.setting SET value = ''500'' WHERE name = %L;', name);
    END IF;
    RETURN v::double precision;
END
$$;
COMMENT ON FUNCTION settle.setting_km(text) IS 'Internal: a numeric setting in kilometres, or 22023 with a hint.';

-- matching.max_individual_extra_km: a number of km, or none (-1 for the C core)
CREATE FUNCTION settle.max_extra_km() RETURNS double precision
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, settle, pg_temp
AS $$
    SELECT CASE WHEN (SELECT btrim(s.value) FROM settle.setting s WHERE s.name = 'matching.max_individual_extra_km') = 'none' THEN -1
                ELSE settle.setting_km('matching.max_individual_extra_km') END
$$;
COMMENT ON FUNCTION settle.max_extra_km() IS 'Internal: matching.max_individual_extra_km in km, or -1 for none; 22023 with a hint if neither.';

-- matching.max_passed_over_days: a number of days, or none (NULL)
CREATE FUNCTION settle.max_passed_over_days() RETURNS integer
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, settle, pg_temp
AS $$
    SELECT CASE WHEN (SELECT btrim(s.value) FROM settle.setting s WHERE s.name = 'matching.max_passed_over_days') = 'none' THEN NULL
                ELSE settle.setting_int('matching.max_passed_over_days', 0, 3650) END
$$;
COMMENT ON FUNCTION settle.max_passed_over_days() IS 'Internal: matching.max_passed_over_days in days (0-3650), or NULL for none; 22023 with a hint if neither.';

-- matching.linked_split: none (NULL), county (-1) or a number of km
CREATE FUNCTION settle.linked_split_km() RETURNS double precision
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, settle, pg_temp
AS $$
    SELECT CASE (SELECT btrim(s.value) FROM settle.setting s WHERE s.name = 'matching.linked_split')
                WHEN 'none' THEN NULL WHEN 'county' THEN -1
                ELSE settle.setting_km('matching.linked_split') END
$$;
COMMENT ON FUNCTION settle.linked_split_km() IS 'Internal: matching.linked_split as NULL (none), -1 (county) or km; 22023 with a hint if none of these.';

CREATE FUNCTION settle.setting_int(name text, lo integer, hi integer) RETURNS integer
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, settle, pg_temp
AS $$
DECLARE
    v text;
BEGIN
    SELECT s.value INTO v FROM settle.setting s WHERE s.name = setting_int.name;
    IF v IS NULL OR v !~ '^\s*[0-9]{1,9}\s*$' OR v::integer NOT BETWEEN lo AND hi THEN
        RAISE EXCEPTION 'setting % must be a whole number from % to %, not %', name, lo, hi, coalesce(quote_literal(v), 'missing')
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = format('UPDATE settle.setting SET value = ''%s'' WHERE name = %L;', lo, name);
    END IF;
    RETURN v::integer;
END
$$;
COMMENT ON FUNCTION settle.setting_int(text, integer, integer) IS 'Internal: a whole-number setting within lo..hi, or 22023 with a hint.';

-- counties that share a border (from the municipal neighbour pairs)
CREATE VIEW settle.county_neighbours AS
SELECT DISTINCT settle.lanskod(n.a) AS county, settle.lanskod(n.b) AS neighbour FROM settle.neighbour n
 WHERE settle.lanskod(n.a) <> settle.lanskod(n.b)
UNION
SELECT DISTINCT settle.lanskod(n.b), settle.lanskod(n.a) FROM settle.neighbour n
 WHERE settle.lanskod(n.a) <> settle.lanskod(n.b);
COMMENT ON VIEW settle.county_neighbours IS 'Pairs of counties that share a border (both directions), derived from settle.neighbour.';

-- The proximity cost: its one home.  settle.proximity_cost(), the cost matrix
-- of settle.match_problem() and the reasons of settle.match() and
-- settle.candidates() all read this view.
CREATE VIEW settle.proximity WITH (security_invoker = true) AS
SELECT r.code AS residence, c.code AS municipality,
       settle.distance_km(r.lat, r.lon, c.lat, c.lon) AS distance_km,
       CASE WHEN r.county = c.county THEN 'same county'
            WHEN cn.county IS NOT NULL THEN 'neighbouring county'
            ELSE 'other county' END AS relation,
       settle.distance_km(r.lat, r.lon, c.lat, c.lon)
       + CASE WHEN r.county = c.county THEN 0
              WHEN cn.county IS NOT NULL THEN k.neighbour_km
              ELSE k.other_km END AS cost_km
  FROM settle.municipality r
 CROSS JOIN settle.municipality c
 -- (OFFSET 0 keeps the two settings read once per query, not once per pair)
 CROSS JOIN (SELECT settle.setting_km('matching.neighbour_county_km') AS neighbour_km,
                    settle.setting_km('matching.other_county_km') AS other_km OFFSET 0) k
  LEFT JOIN settle.county_neighbours cn ON cn.county = r.county AND cn.neighbour = c.county;
COMMENT ON VIEW settle.proximity IS
    'The proximity cost of every (residence, municipality) pair: the distance between centroids in km plus the county penalty (settings matching.neighbour_county_km, matching.other_county_km).';

CREATE FUNCTION settle.proximity_cost(residence settle.kommunkod, municipality settle.kommunkod)
RETURNS TABLE (cost_km double precision, distance_km double precision, relation text)
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, settle, pg_temp
AS $$
    SELECT p.cost_km, p.distance_km, p.relation FROM settle.proximity p
     WHERE p.residence = proximity_cost.residence AND p.municipality = proximity_cost.municipality
$$;
COMMENT ON FUNCTION settle.proximity_cost(settle.kommunkod, settle.kommunkod) IS
    'The proximity cost of placing a household from residence in municipality (distance plus county penalty, km), with the distance and the relation; reads the view settle.proximity.';

-- the needs vocabulary as bits (in code order)
CREATE VIEW settle.need_bit AS
SELECT code, 1::bigint << (row_number() OVER (ORDER BY code) - 1)::integer AS bit FROM settle.need;
COMMENT ON VIEW settle.need_bit IS 'Each need code''s bit in the masks matching uses (bit i = the i-th need in code order).';

CREATE FUNCTION settle.needs_mask(needs text[]) RETURNS bigint
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, settle, pg_temp
AS $$
    SELECT coalesce(bit_or(n.bit), 0) FROM settle.need_bit n WHERE n.code = ANY (needs)
$$;
COMMENT ON FUNCTION settle.needs_mask(text[]) IS 'Internal: a set of need codes as a bit mask (bit i = the i-th need in code order).';

-- every municipality's situation in a year and stream on a day
CREATE FUNCTION settle.match_municipalities(year integer, as_of date, stream text DEFAULT 'ordinary')
RETURNS TABLE (idx integer, code settle.kommunkod, county settle.lanskod, remaining integer, planned_remaining integer,
               able bigint, paused boolean, lat double precision, lon double precision, room integer, has_plan boolean)
    LANGUAGE sql STABLE
    ROWS 290   -- one row per municipality
    SET search_path = pg_catalog, settle, pg_temp
AS $$
    SELECT row_number() OVER (ORDER BY m.code)::integer, m.code, m.county,
           coalesce(mq.quota - mq.referred, 0),
           coalesce(p.to_date::integer - mq.referred, 0),
           coalesce(cap.able, 0),
           EXISTS (SELECT 1 FROM settle.pause pz WHERE pz.municipality = m.code AND as_of BETWEEN pz.from_date AND pz.to_date
                                                   AND pz.max_persons IS NULL),
           m.lat, m.lon,
           -- the room: kommuntal, plan with its lead, reduced intake (least ignores NULLs)
           least(coalesce(mq.quota - mq.referred, 0), p.with_lead::integer - mq.referred, settle.intake_left(m.code, as_of)),
           p.with_lead IS NOT NULL
      FROM settle.municipality m
      LEFT JOIN settle.municipal_quota mq ON mq.year = match_municipalities.year AND mq.stream = match_municipalities.stream
                                         AND mq.municipality = m.code
      -- settle.needs_mask of each municipality's capabilities, in one join
      LEFT JOIN (SELECT c.municipality, bit_or(nb.bit) AS able
                   FROM settle.capability c JOIN settle.need_bit nb ON nb.code = c.need
                  WHERE c.year = match_municipalities.year
                  GROUP BY c.municipality) cap ON cap.municipality = m.code
      CROSS JOIN (SELECT (date_trunc('month', as_of)
                          + settle.setting_int('matching.plan_lead_months', 0, 12) * interval '1 month')::date AS lead_until) l
      LEFT JOIN LATERAL (
          SELECT sum(ap.planned) FILTER (WHERE make_date(match_municipalities.year, ap.month, 1) <= as_of) AS to_date,
                 coalesce(sum(ap.planned) FILTER (WHERE make_date(match_municipalities.year, ap.month, 1) <= l.lead_until), 0) AS with_lead
            FROM settle.annual_plan ap
           WHERE ap.year = match_municipalities.year AND ap.stream = match_municipalities.stream AND ap.municipality = m.code
          HAVING count(*) > 0) p ON true
$$;
COMMENT ON FUNCTION settle.match_municipalities(integer, date, text) IS
    'Internal: each municipality''s places and planned places left (year, stream), needs met (bit mask), full pause on as_of, centroid, and room: what matching may use that day.';

-- Counted places in matching (their one home): every counted capability of
-- the year (settle.capability.places) with the places left (places minus
-- the persons referred with the need, settle.capability_used) and whether,
-- on as_of, they are held for the households with the need: through the
-- month matching.reserve_counted_until_month of the year.  While held, a
-- household without the need may use only the places of the kommuntal
-- beyond them (within its room).  settle.candidates and settle.match_problem read this; the C core
-- applies it (match_counted_fits in src/match_core.h).
CREATE FUNCTION settle.capability_room(year integer, as_of date DEFAULT settle.today())
RETURNS TABLE (municipality settle.kommunkod, need text, places integer, used integer, places_left integer, reserved boolean)
    LANGUAGE plpgsql STABLE
    ROWS 20   -- counted capabilities are few
    SET search_path = pg_catalog, settle, pg_temp
AS $fn$
#variable_conflict use_column
DECLARE
    until integer := settle.setting_int('matching.reserve_counted_until_month', 0, 12);
BEGIN
    PERFORM settle.require_planning_year(capability_room.year);
    IF as_of IS NULL OR NOT isfinite(as_of) THEN
        RAISE EXCEPTION 'as_of must be a date, not %', coalesce(as_of::text, 'NULL')
            USING ERRCODE = CASE WHEN as_of IS NULL THEN 'null_value_not_allowed' ELSE 'invalid_parameter_value' END,
                  HINT = 'The day the places are for, e.g. ''2027-02-15''; the default is settle.today().';
    END IF;
    RETURN QUERY
    SELECT c.municipality, c.need, c.places, u.used, c.places - u.used,
           until > 0 AND as_of < (make_date(capability_room.year, 1, 1) + until * interval '1 month')::date
      FROM settle.capability c
     CROSS JOIN LATERAL (SELECT settle.capability_used(c.year, c.municipality, c.need) AS used) u
     WHERE c.year = capability_room.year AND c.places IS NOT NULL
     ORDER BY c.municipality, c.need;
END
$fn$;
COMMENT ON FUNCTION settle.capability_room(integer, date) IS
    'Counted places of a year (settle.capability.places): per municipality and need the places, persons referred with the need, places left, and whether matching holds them for households with the need on as_of.';

-- Whether one counted capability keeps a household out of a municipality
-- with `remaining` kommuntal places left: with the need, too few of its
-- places left; without it, its places held (reserved) and too few places
-- beyond them.  The SQL side of match_counted_fits (src/match_core.h):
-- settle.candidates and settle.simulate_year use it.
CREATE FUNCTION settle.counted_blocks(need text, places_left integer, reserved boolean,
                                      needs text[], persons integer, remaining integer) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN CASE WHEN need = ANY (needs) THEN places_left < persons
                ELSE reserved AND remaining - greatest(places_left, 0) < persons END;
COMMENT ON FUNCTION settle.counted_blocks(text, integer, boolean, text[], integer, integer) IS
    'Internal: whether a counted capability (need, places left, held) keeps a household (needs, persons) out of a municipality with remaining places.';

CREATE FUNCTION settle.candidates(household bigint, as_of date DEFAULT settle.today(), max_results integer DEFAULT 10)
RETURNS TABLE (rank integer, municipality settle.kommunkod, county settle.lanskod, same_county boolean, neighbour_county boolean,
               distance_km numeric, remaining integer, planned_remaining integer, meets_needs boolean, reason text)
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, settle, pg_temp
AS $fn$
#variable_conflict use_column
DECLARE
    h record;
    y integer;
    mask bigint;
    why text;
    f record;
BEGIN
    IF candidates.household IS NULL THEN
        RAISE EXCEPTION 'household must not be NULL' USING ERRCODE = 'null_value_not_allowed', HINT = 'Pass an id from settle.register_household or settle.waiting().';
    END IF;
    IF as_of IS NULL OR NOT isfinite(as_of) THEN
        RAISE EXCEPTION 'as_of must be a date, not %', coalesce(as_of::text, 'NULL')
            USING ERRCODE = CASE WHEN as_of IS NULL THEN 'null_value_not_allowed' ELSE 'invalid_parameter_value' END,
                  HINT = 'The day the candidates are for, e.g. ''2027-02-15''; the default is settle.today().';
    END IF;
    y := extract(year FROM as_of)::integer;
    SELECT x.persons, x.residence, x.needs, settle.household_stream(x.stream, x.category, y) AS stream INTO h
      FROM settle.household x WHERE x.id = candidates.household;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'household % does not exist', candidates.household
            USING ERRCODE = 'no_data_found', HINT = 'Pass an id from settle.register_household or settle.waiting().';
    END IF;
    IF max_results IS NULL OR max_results < 1 THEN
        RAISE EXCEPTION 'max_results must be at least 1' USING ERRCODE = 'invalid_parameter_value', HINT = 'The default is 10.';
    END IF;
    mask := settle.needs_mask(h.needs);
    RETURN QUERY
    WITH m AS (SELECT * FROM settle.match_municipalities(y, as_of, h.stream)),
    cr AS MATERIALIZED (SELECT * FROM settle.capability_room(y, as_of)),
    c AS (
        SELECT m.code, m.county, m.remaining, m.planned_remaining, (mask & ~m.able) = 0 AS meets, m.paused, m.room, m.has_plan,
               pc.cost_km, pc.distance_km AS km, pc.relation,
               -- counted places (settle.capability_room)
               NOT EXISTS (SELECT 1 FROM cr WHERE cr.municipality = m.code
                              AND settle.counted_blocks(cr.need, cr.places_left, cr.reserved, h.needs, h.persons, m.remaining)) AS counted_ok
          FROM m LEFT JOIN settle.proximity pc ON pc.residence = h.residence AND pc.municipality = m.code),
    f AS (
        -- without residence: match_quota_before's order (src/match_core.h)
        SELECT c.*, row_number() OVER (ORDER BY
                   CASE WHEN h.residence IS NULL THEN -c.planned_remaining::double precision ELSE c.cost_km END,
                   CASE WHEN h.residence IS NULL THEN -c.remaining ELSE 0 END, c.code)::integer AS rk
          FROM c WHERE c.meets AND NOT c.paused AND c.room >= h.persons AND c.counted_ok)
    SELECT f.rk, f.code, f.county,
           CASE WHEN h.residence IS NULL THEN NULL ELSE f.relation = 'same county' END,
           CASE WHEN h.residence IS NULL THEN NULL ELSE f.relation = 'neighbouring county' END,
           round(f.km::numeric, 1), f.remaining, f.planned_remaining, f.meets,
           CASE WHEN h.residence IS NULL
                THEN format('quota refugee: %s planned places left, %s places left', f.planned_remaining, f.remaining)
                ELSE format('%s%s, %s km, %s places left', CASE WHEN f.code = h.residence THEN 'same municipality, ' ELSE '' END,
                            f.relation, round(f.km::numeric), f.remaining) END
           || CASE WHEN f.has_plan AND f.planned_remaining < h.persons
                   THEN format(' (ahead of plan: %s planned to date)', greatest(f.planned_remaining, 0)) ELSE '' END
      FROM f WHERE f.rk <= max_results ORDER BY f.rk;
    IF FOUND THEN
        RETURN;
    END IF;
    -- nothing feasible: say why (one pass over the municipalities)
    SELECT coalesce(bool_or(m.remaining >= h.persons), false) AS places,
           coalesce(bool_or((mask & ~m.able) = 0), false) AS meets,
           coalesce(bool_or((mask & ~m.able) = 0 AND m.remaining >= h.persons), false) AS meets_places,
           coalesce(bool_or((mask & ~m.able) = 0 AND NOT m.paused AND m.room >= h.persons), false) AS open_room,
           coalesce(bool_or((mask & ~m.able) = 0 AND NOT m.paused AND m.remaining >= h.persons), false) AS open_places
      INTO f FROM settle.match_municipalities(y, as_of, h.stream) m;
    -- (when places and room are there, only counted places can be missing)
    why := CASE
             WHEN NOT f.places
               THEN format('no municipality has %s places left under its %s kommuntal', h.persons, y || settle.stream_label(h.stream))
             WHEN NOT f.meets
               THEN format('need %s unmet everywhere in %s', array_to_string(h.needs, ', '), y)
             WHEN NOT f.meets_places
               THEN format('the municipalities that can meet %s have fewer than %s places left', array_to_string(h.needs, ', '), h.persons)
             WHEN NOT f.open_room AND f.open_places
               THEN format('the municipalities with %s places left are ahead of their annual plan or under reduced intake on %s', h.persons, to_char(as_of, 'YYYY-MM-DD'))
             WHEN f.open_room
               THEN format('the counted places (settle.capability_room) of the municipalities with room are used up for %s, or held for households that need them, on %s',
                           coalesce(nullif(array_to_string(h.needs, ', '), ''), 'this household'), to_char(as_of, 'YYYY-MM-DD'))
             ELSE 'every municipality with places left that meets the needs is paused on ' || to_char(as_of, 'YYYY-MM-DD')
           END;
    RETURN QUERY SELECT NULL::integer, NULL::settle.kommunkod, NULL::settle.lanskod, NULL::boolean, NULL::boolean,
                        NULL::numeric, NULL::integer, NULL::integer, NULL::boolean, why;
END
$fn$;
COMMENT ON FUNCTION settle.candidates(bigint, date, integer) IS
    'The feasible municipalities for one household on a day (its stream; room under quota, plan, intake), best first by proximity, with reasons; a row with municipality NULL says why none is.';

CREATE FUNCTION settle.match_core(persons integer[], residence integer[], needs bigint[], fixed integer[],
                                  capacity integer[], planned integer[], able bigint[], paused boolean[],
                                  cost double precision[], mode text DEFAULT 'chronological',
                                  unplaced_km double precision DEFAULT 10000, max_extra_km double precision DEFAULT -1,
                                  counted_uses integer[] DEFAULT '{}', counted integer[] DEFAULT '{}',
                                  first_count integer DEFAULT 0, zones boolean[] DEFAULT '{}', link integer[] DEFAULT '{}')
RETURNS TABLE (placement integer, municipality integer, choice_rank integer)
AS 'MODULE_PATHNAME', 'settle_match_core'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE
ROWS 100000;   -- one row per placement: the planner then hashes its joins
COMMENT ON FUNCTION settle.match_core(integer[], integer[], bigint[], integer[], integer[], integer[], bigint[], boolean[], double precision[], text, double precision, double precision, integer[], integer[], integer, boolean[], integer[]) IS
    'Internal (C): matching over settle.match_problem''s arrays (limits, counted places, priority, zones, split groups); each placement''s municipality and rank.';

CREATE FUNCTION settle.match_core_summary(persons integer[], residence integer[], needs bigint[], fixed integer[],
                                          capacity integer[], planned integer[], able bigint[], paused boolean[],
                                          cost double precision[], mode text DEFAULT 'chronological',
                                          unplaced_km double precision DEFAULT 10000, max_extra_km double precision DEFAULT -1,
                                          counted_uses integer[] DEFAULT '{}', counted integer[] DEFAULT '{}',
                                          first_count integer DEFAULT 0, zones boolean[] DEFAULT '{}', link integer[] DEFAULT '{}',
                                          OUT placements integer, OUT placed integer, OUT persons_placed bigint,
                                          OUT persons_unplaced bigint, OUT distance_km double precision,
                                          OUT objective_km double precision, OUT lower_bound_km double precision,
                                          OUT core_ms double precision, OUT classes integer, OUT pivots bigint,
                                          OUT chronology_swaps integer, OUT chronological_kept boolean)
AS 'MODULE_PATHNAME', 'settle_match_core_summary'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION settle.match_core_summary(integer[], integer[], bigint[], integer[], integer[], integer[], bigint[], boolean[], double precision[], text, double precision, double precision, integer[], integer[], integer, boolean[], integer[]) IS
    'Internal (C): the figures of settle.match_core''s proposal on the same arrays, with the core''s time; used by settle.match_summary and the benchmarks.';

-- the matching problem of a year and stream on a day, as arrays for the C core
CREATE FUNCTION settle.match_problem(year integer, as_of date, stream text DEFAULT 'ordinary',
                                     OUT persons integer[], OUT residence integer[], OUT needs bigint[], OUT fixed integer[],
                                     OUT capacity integer[], OUT planned integer[], OUT able bigint[], OUT paused boolean[],
                                     OUT cost double precision[], OUT member_household bigint[], OUT member_placement integer[],
                                     OUT counted_uses integer[], OUT counted integer[], OUT first_count integer,
                                     OUT zones boolean[], OUT link integer[], OUT split_groups text[],
                                     OUT member_queue bigint[])
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, settle, pg_temp
AS $fn$
DECLARE
    y integer := year;
    s text := stream;
    n_need integer;
    -- matching.max_passed_over_days (NULL: none): its one home is here
    first_days integer := settle.max_passed_over_days();
    -- matching.linked_split (NULL: none, -1: county, else km)
    split_km double precision := settle.linked_split_km();
BEGIN
    PERFORM settle.require_stream(y, s);
    IF as_of IS NULL OR NOT isfinite(as_of) THEN
        RAISE EXCEPTION 'as_of must be a date, not %', coalesce(as_of::text, 'NULL')
            USING ERRCODE = CASE WHEN as_of IS NULL THEN 'null_value_not_allowed' ELSE 'invalid_parameter_value' END,
                  HINT = 'The day of the proposal; the default is settle.today().';
    END IF;
    SELECT count(*) INTO n_need FROM settle.need;
    IF n_need > 63 THEN
        RAISE EXCEPTION 'matching handles at most 63 needs; settle.need has %', n_need
            USING ERRCODE = 'program_limit_exceeded', HINT = 'Merge rarely used needs.';
    END IF;
    WITH m AS MATERIALIZED (SELECT * FROM settle.match_municipalities(y, as_of, s)),
    -- municipality index (0-based, code order) by code, so that no join is needed per household
    ci AS (SELECT array_agg(coalesce(m.idx - 1, -1) ORDER BY g.g) AS a FROM generate_series(0, 9999) g LEFT JOIN m ON m.code::integer = g.g),
    -- waiting on as_of, and not referred since (a proposal for a past day,
    -- e.g. a simulated batch, never proposes a household referred later)
    -- (bits: the household's needs as settle.needs_mask has them, once per household)
    -- (only the columns used: the CTE is read several times and, past
    -- work_mem, from a temporary file)
    w AS MATERIALIZED (SELECT x.household, x.queue_position, x.persons, x.residence, x.linked_group, x.hard_to_place,
                              x.days_waited, x.needs, CASE WHEN cardinality(x.needs) = 0 THEN 0::bigint
                                        ELSE (SELECT coalesce(bit_or(nb.bit), 0) FROM settle.need_bit nb WHERE nb.code = ANY (x.needs)) END AS bits
                         FROM settle.waiting(as_of) x
                        WHERE x.stream = s
                          AND NOT EXISTS (SELECT 1 FROM settle.referral r WHERE r.household = x.household AND r.status <> 'withdrawn')),
    -- a linked group is placed as one, in its earliest member's turn; if a
    -- member already has an active referral, the others follow it there
    grp AS (
        -- one row per member (persons counted once), the members' needs OR-ed
        SELECT w.linked_group, min(w.queue_position) AS pos, sum(w.persons)::integer AS persons,
               coalesce(bool_or(w.hard_to_place AND w.days_waited >= first_days), false) AS first,
               bit_or(w.bits) AS needs,
               (array_agg(w.residence ORDER BY w.queue_position) FILTER (WHERE w.residence IS NOT NULL))[1] AS residence,
               (SELECT r.municipality FROM settle.referral r JOIN settle.household o ON o.id = r.household
                 WHERE o.linked_group = w.linked_group AND r.status <> 'withdrawn' AND r.stream = s
                 ORDER BY r.decided_at LIMIT 1) AS fixed_to
          FROM w
         WHERE w.linked_group IS NOT NULL
         GROUP BY w.linked_group),
    -- a group no single municipality can take (room, needs, no pause) is
    -- split when matching.linked_split allows: its members are placed one by
    -- one in its turn, all or none, within the zone around its residence
    grps AS MATERIALIZED (
        SELECT grp.*, split_km IS NOT NULL AND grp.fixed_to IS NULL AND grp.residence IS NOT NULL
                      AND NOT EXISTS (SELECT 1 FROM m WHERE NOT m.paused AND m.room >= grp.persons
                                                         AND (grp.needs & ~coalesce(m.able, 0)) = 0) AS split
          FROM grp),
    pl AS (
        SELECT w.household, NULL::text AS linked_group, w.queue_position AS pos, 0::bigint AS sub, w.persons, w.residence,
               coalesce(w.hard_to_place AND w.days_waited >= first_days, false) AS first,
               NULL::settle.kommunkod AS fixed_to, NULL::settle.kommunkod AS zone, w.bits AS needs
          FROM w WHERE w.linked_group IS NULL
        UNION ALL
        SELECT NULL, g.linked_group, g.pos, 0, g.persons, g.residence, g.first, g.fixed_to, NULL, g.needs FROM grps g WHERE NOT g.split
        UNION ALL
        -- the members of a split group, in its turn, in queue order
        SELECT w.household, g.linked_group, g.pos, w.queue_position, w.persons, w.residence, g.first, NULL, g.residence, w.bits
          FROM grps g JOIN w ON w.linked_group = g.linked_group WHERE g.split),
    -- per split group: its zone's number (zones in code order of the
    -- residence around which they lie) and its link (groups in name order);
    -- ranked over the few split groups, not over every placement
    zr AS (SELECT g.linked_group, dense_rank() OVER (ORDER BY g.residence)::integer AS zone_no,
                  dense_rank() OVER (ORDER BY g.linked_group)::integer - 1 AS link_no
             FROM grps g WHERE g.split),
    plo AS MATERIALIZED (
        SELECT pl.household, pl.linked_group, pl.persons, pl.needs, pl.pos, pl.first, pl.zone,
               coalesce((SELECT ci.a FROM ci)[pl.residence::integer + 1], -1) AS res,
               -- a zone z is fixed -2 - z
               CASE WHEN pl.zone IS NOT NULL THEN -1 - zr.zone_no
                    ELSE coalesce((SELECT ci.a FROM ci)[pl.fixed_to::integer + 1], -1) END AS fix,
               coalesce(zr.link_no, -1) AS link,
               -- the placements' order: hard-to-place ones that waited first_days first, then the queue
               row_number() OVER (ORDER BY pl.first DESC, pl.pos, pl.sub)::integer AS i
          FROM pl LEFT JOIN zr ON pl.zone IS NOT NULL AND zr.linked_group = pl.linked_group),
    -- zones: per split group's residence, the municipalities in its county or within split_km of it
    zl AS (SELECT DISTINCT plo.zone, -1 - plo.fix AS k FROM plo WHERE plo.zone IS NOT NULL),
    -- (two small sets: whatever join the planner picks stays cheap)
    wl AS MATERIALIZED (SELECT w.household, w.queue_position, w.linked_group FROM w WHERE w.linked_group IS NOT NULL),
    gi AS MATERIALIZED (SELECT plo.linked_group, plo.i FROM plo WHERE plo.linked_group IS NOT NULL AND plo.household IS NULL),
    members AS (
        SELECT plo.household, plo.pos, plo.i FROM plo WHERE plo.household IS NOT NULL
        UNION ALL
        SELECT wl.household, wl.queue_position, gi.i FROM wl JOIN gi ON gi.linked_group = wl.linked_group),
    -- counted places (settle.capability_room): the counted needs in code order
    cr AS MATERIALIZED (SELECT * FROM settle.capability_room(y, as_of)),
    cn AS MATERIALIZED (SELECT x.need, row_number() OVER (ORDER BY x.need) AS j FROM (SELECT DISTINCT cr.need FROM cr) x)
    -- one sort for the four placement arrays (aggregates read a sorted subquery in its order)
    SELECT pa.persons, pa.res, pa.needs, pa.fix, pa.link,
           ARRAY(SELECT CASE WHEN split_km < 0 THEN m.county = settle.lanskod(zl.zone)
                             ELSE settle.distance_km(zl.zone, m.code) <= split_km END
                   FROM zl CROSS JOIN m ORDER BY zl.k, m.idx),
           ARRAY(SELECT DISTINCT plo.linked_group FROM plo WHERE plo.zone IS NOT NULL ORDER BY 1),
           ARRAY(SELECT greatest(m.room, 0) FROM m ORDER BY m.idx),
           ARRAY(SELECT m.planned_remaining FROM m ORDER BY m.idx),
           ARRAY(SELECT coalesce(m.able, 0) FROM m ORDER BY m.idx),
           ARRAY(SELECT m.paused FROM m ORDER BY m.idx),
           -- the cost matrix, row by residence (m holds every municipality,
           -- idx in code order, so code order is index order)
           ARRAY(SELECT px.cost_km FROM settle.proximity px ORDER BY px.residence, px.municipality),
           ma.household, ma.i, (SELECT count(*)::integer FROM plo WHERE plo.first),
           -- per placement and counted need: the persons of its members with the need
           ARRAY(SELECT coalesce(sum(x.persons) FILTER (WHERE cn.need = ANY (x.needs)), 0)::integer
                   FROM plo CROSS JOIN cn JOIN members mb ON mb.i = plo.i JOIN w x ON x.household = mb.household
                  GROUP BY plo.i, cn.j ORDER BY plo.i, cn.j),
           -- per municipality and counted need: places left for the need
           -- (-1: not counted there), places left for others: the kommuntal's
           -- places left beyond them (-1: not held)
           ARRAY(SELECT v FROM m CROSS JOIN cn LEFT JOIN cr ON cr.municipality = m.code AND cr.need = cn.need
                  CROSS JOIN LATERAL (VALUES (1, CASE WHEN cr.need IS NULL THEN -1 ELSE greatest(cr.places_left, 0) END),
                                             (2, CASE WHEN cr.reserved THEN greatest(m.remaining - greatest(cr.places_left, 0), 0)
                                                      ELSE -1 END)) AS t(k, v)
                  ORDER BY m.idx, cn.j, t.k)
      FROM (SELECT array_agg(o.persons) AS persons, array_agg(o.res) AS res, array_agg(o.needs) AS needs, array_agg(o.fix) AS fix,
                   CASE WHEN bool_or(o.link >= 0) THEN array_agg(o.link) ELSE '{}' END AS link
              FROM (SELECT * FROM plo ORDER BY plo.i) o) pa,
           (SELECT array_agg(o.household) AS household, array_agg(o.i) AS i, array_agg(o.pos) AS pos
              FROM (SELECT * FROM members ORDER BY members.pos) o) ma
      INTO persons, residence, needs, fixed, link, zones, split_groups, capacity, planned, able, paused, cost, member_household, member_placement,
           first_count, counted_uses, counted, member_queue;
    persons := coalesce(persons, '{}');
    residence := coalesce(residence, '{}');
    needs := coalesce(needs, '{}');
    fixed := coalesce(fixed, '{}');
    member_household := coalesce(member_household, '{}');
    member_placement := coalesce(member_placement, '{}');
    member_queue := coalesce(member_queue, '{}');
    link := coalesce(link, '{}');
END
$fn$;
COMMENT ON FUNCTION settle.match_problem(integer, date, text) IS
    'Internal: a stream''s waiting households as placements (a linked group as one; priority ones first) and the municipalities'' places, plans, needs, pauses, costs and counted places, as match_core''s arrays.';

CREATE FUNCTION settle.require_mode(mode text) RETURNS text
AS 'MODULE_PATHNAME', 'settle_require_mode'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION settle.require_mode(text) IS 'Internal: a matching mode, or 22023 (22004 for NULL) with the list of modes (src/match.c, the modes'' one home).';

-- one stream's proposal (settle.match runs it per stream)
CREATE FUNCTION settle.match_stream(year integer, as_of date, mode text, stream text)
RETURNS TABLE (household bigint, municipality settle.kommunkod, persons integer, distance_km numeric,
               same_county boolean, choice_rank integer, reason text, queue_position bigint)
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, settle, pg_temp
AS $fn$
#variable_conflict use_column
DECLARE
    y integer := year;
    md text := settle.require_mode(mode);
    pr record;
    muni integer[];
    rank integer[];
BEGIN
    pr := settle.match_problem(y, as_of, match_stream.stream);
    -- the core's answer as arrays by placement, read by subscript below: a
    -- join of two row sets whose keys the planner cannot see would be
    -- estimated at placements x placements / 200 rows (and JIT-compiled);
    -- 0 for none, as an array without NULLs is read in constant time
    SELECT array_agg(coalesce(c.municipality, 0) ORDER BY c.placement), array_agg(coalesce(c.choice_rank, 0) ORDER BY c.placement)
      INTO muni, rank
      FROM settle.match_core(pr.persons, pr.residence, pr.needs, pr.fixed, pr.capacity, pr.planned,
                             pr.able, pr.paused, pr.cost, md, settle.setting_km('matching.unplaced_km'),
                             CASE WHEN md = 'optimal' THEN settle.max_extra_km() ELSE -1 END,
                             pr.counted_uses, pr.counted, pr.first_count, pr.zones, pr.link) c;
    RETURN QUERY
    WITH m AS MATERIALIZED (SELECT * FROM settle.match_municipalities(y, as_of, match_stream.stream)),
    mem AS (SELECT x.household, x.queue, x.queue_position, muni[x.placement] AS municipality, nullif(rank[x.placement], 0) AS choice_rank
              FROM unnest(pr.member_household, pr.member_placement, pr.member_queue) WITH ORDINALITY AS x(household, placement, queue_position, queue))
    SELECT h.id, mm.code, h.persons,
           round(px.distance_km::numeric, 1),
           px.relation = 'same county',
           mem.choice_rank,
           CASE WHEN mm.code IS NULL THEN 'no feasible municipality left (places, needs, counted places or pauses)' || coalesce(', linked group ' || h.linked_group || sp.why, '')
                WHEN h.residence IS NULL THEN format('quota refugee: %s', CASE WHEN md = 'optimal' THEN 'no proximity to keep' ELSE format('most planned places left (%s)', mm.planned_remaining) END)
                ELSE format('%s, %s km%s%s', px.relation, round(px.distance_km::numeric),
                            CASE WHEN mem.choice_rank > 1 AND md = 'optimal' THEN format(', choice %s (better ones went to others at less total cost)', mem.choice_rank)
                                 WHEN mem.choice_rank > 1 THEN format(', choice %s (better ones had too few places)', mem.choice_rank) ELSE '' END,
                            coalesce(', linked group ' || h.linked_group || sp.why, '')) END,
           mem.queue_position
      FROM mem
      JOIN settle.household h ON h.id = mem.household
      LEFT JOIN m mm ON mm.idx = mem.municipality
      LEFT JOIN settle.proximity px ON px.residence = h.residence AND px.municipality = mm.code
      -- a split group says so (settle.match_problem decides; matching.linked_split)
      LEFT JOIN (SELECT g.linked_group,
                        format(' split (no municipality had room for all): members within %s, all placed or none',
                               CASE WHEN settle.linked_split_km() < 0 THEN settle.county_label(settle.lanskod(g.residence))
                                    ELSE settle.linked_split_km() || ' km of ' || settle.municipality_label(g.residence) END) AS why
                   FROM (SELECT DISTINCT ON (x.linked_group) x.linked_group, x.residence
                           FROM settle.household x
                          WHERE x.linked_group = ANY (pr.split_groups) AND x.residence IS NOT NULL
                          ORDER BY x.linked_group, x.permit_date, x.registered_at, x.id) g) sg ON sg.linked_group = h.linked_group
      CROSS JOIN LATERAL (SELECT coalesce(sg.why, '') AS why) sp
     ORDER BY mem.queue;
END
$fn$;
COMMENT ON FUNCTION settle.match_stream(integer, date, text, text) IS
    'Internal: settle.match for one stream: its waiting households against its kommuntal, in queue order (queue_position: settle.waiting''s).';

CREATE FUNCTION settle.match(year integer, as_of date DEFAULT settle.today(), mode text DEFAULT 'chronological',
                             streams text[] DEFAULT NULL)
RETURNS TABLE (household bigint, municipality settle.kommunkod, persons integer, distance_km numeric,
               same_county boolean, choice_rank integer, reason text, stream text)
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, settle, pg_temp
AS $fn$
#variable_conflict use_column
DECLARE
    md text := settle.require_mode(mode);
BEGIN
    -- each stream's households against its own quotas, then in queue order
    -- (settle.waiting's queue positions, passed through by match_stream)
    RETURN QUERY
    SELECT r.household, r.municipality, r.persons, r.distance_km, r.same_county, r.choice_rank, r.reason, x.s
      FROM unnest(settle.streams_of_year(match.year, match.streams)) AS x(s)
     CROSS JOIN LATERAL settle.match_stream(match.year, as_of, md, x.s) r
     ORDER BY r.queue_position;
END
$fn$;
COMMENT ON FUNCTION settle.match(integer, date, text, text[]) IS
    'Proposes a municipality for every waiting household of settle.waiting(as_of) against its stream''s kommuntal of year, in mode chronological or optimal (docs/matching.md). Writes nothing.';

-- How fair a proposal is (one stream): hard-to-place households it leaves
-- waiting while a later, easier household takes a place they could have had
-- (room, needs, no pause: the municipality was feasible for them), the
-- longest wait among them, and against the chronological proposal the
-- households placed nearer and farther and the largest extra distance.
CREATE FUNCTION settle.match_fairness(year integer, as_of date, mode text, stream text)
RETURNS TABLE (passed_over integer, passed_over_max_days integer, better_off integer, worse_off integer, max_extra_km numeric)
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, settle, pg_temp
AS $$
    WITH w AS MATERIALIZED (SELECT * FROM settle.waiting(match_fairness.as_of) x WHERE x.stream = match_fairness.stream),
    m AS MATERIALIZED (SELECT * FROM settle.match_municipalities(match_fairness.year, match_fairness.as_of, match_fairness.stream)),
    p AS MATERIALIZED (SELECT * FROM settle.match_stream(match_fairness.year, match_fairness.as_of, match_fairness.mode, match_fairness.stream)),
    c AS MATERIALIZED (SELECT * FROM settle.match_stream(match_fairness.year, match_fairness.as_of, 'chronological', match_fairness.stream)
                        WHERE match_fairness.mode <> 'chronological'),
    passed AS (
        SELECT h.household, h.days_waited
          FROM w h JOIN p ph ON ph.household = h.household
         WHERE h.hard_to_place AND ph.municipality IS NULL
           AND EXISTS (SELECT 1 FROM w e JOIN p pe ON pe.household = e.household JOIN m ON m.code = pe.municipality
                        WHERE e.queue_position > h.queue_position AND NOT e.hard_to_place
                          AND m.room >= h.persons AND NOT m.paused
                          AND (settle.needs_mask(h.needs) & ~coalesce(m.able, 0)) = 0))
    -- nearer and farther by proximity cost (km, county penalties included:
    -- what matching.max_individual_extra_km limits)
    SELECT (SELECT count(*) FROM passed)::integer, (SELECT max(x.days_waited) FROM passed x),
           (count(*) FILTER (WHERE pp.cost_km < pc.cost_km))::integer,
           (count(*) FILTER (WHERE pp.cost_km > pc.cost_km))::integer,
           coalesce(round(max(pp.cost_km - pc.cost_km) FILTER (WHERE pp.cost_km > pc.cost_km)::numeric, 1), 0)
      FROM p
      JOIN c ON c.household = p.household
      JOIN settle.household h ON h.id = p.household
      JOIN settle.proximity pp ON pp.residence = h.residence AND pp.municipality = p.municipality
      JOIN settle.proximity pc ON pc.residence = h.residence AND pc.municipality = c.municipality
$$;
COMMENT ON FUNCTION settle.match_fairness(integer, date, text, text) IS
    'Internal: a proposal''s hard-to-place households passed over (longest wait), and households nearer, farther, the most farther (proximity cost, km) than chronologically.';

CREATE FUNCTION settle.match_summary(year integer, as_of date DEFAULT settle.today(), mode text DEFAULT 'chronological',
                                     streams text[] DEFAULT NULL)
RETURNS TABLE (households integer, placements integer, placed integer, persons_placed bigint, persons_unplaced bigint,
               proximity_km numeric, objective_km numeric, lower_bound_km numeric, gap_pct numeric, core_ms numeric,
               stream text, passed_over integer, passed_over_max_days integer, better_off integer, worse_off integer,
               max_extra_km numeric)
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, settle, pg_temp
AS $fn$
#variable_conflict use_column
DECLARE
    md text := settle.require_mode(mode);
    pr record;
    s text;
BEGIN
    FOREACH s IN ARRAY settle.streams_of_year(year, streams) LOOP
        pr := settle.match_problem(year, as_of, s);
        RETURN QUERY
        SELECT cardinality(pr.member_household), x.placements, x.placed, x.persons_placed, x.persons_unplaced,
               round(x.distance_km::numeric, 1), round(x.objective_km::numeric, 1), round(x.lower_bound_km::numeric, 1),
               CASE WHEN x.lower_bound_km > 0 THEN round(((x.objective_km - x.lower_bound_km) / x.lower_bound_km * 100)::numeric, 3)
                    WHEN x.lower_bound_km = 0 AND x.objective_km = 0 THEN 0 END,
               round(x.core_ms::numeric, 1), s, f.passed_over, f.passed_over_max_days, f.better_off, f.worse_off, f.max_extra_km
          FROM settle.match_core_summary(pr.persons, pr.residence, pr.needs, pr.fixed, pr.capacity, pr.planned,
                                         pr.able, pr.paused, pr.cost, md, settle.setting_km('matching.unplaced_km'),
                                         CASE WHEN md = 'optimal' THEN settle.max_extra_km() ELSE -1 END,
                                         pr.counted_uses, pr.counted, pr.first_count, pr.zones, pr.link) x,
               settle.match_fairness(year, as_of, md, s) f;
    END LOOP;
END
$fn$;
COMMENT ON FUNCTION settle.match_summary(integer, date, text, text[]) IS
    'settle.match''s figures per stream: placed and unplaced, km, the optimal bound and gap, hard-to-place households passed over, households nearer or farther than chronologically.';

CREATE FUNCTION settle.refer_matches(year integer, as_of date DEFAULT settle.today(), mode text DEFAULT 'chronological',
                                     streams text[] DEFAULT NULL)
RETURNS integer
    LANGUAGE plpgsql
    SET search_path = pg_catalog, settle, pg_temp
AS $fn$
DECLARE
    r record;
    n integer := 0;
    -- effective time (045_time.sql): the day's own time when as_of is today
    at timestamptz := CASE WHEN as_of = settle.today() THEN settle.effective_now()
                           ELSE settle.local_instant(as_of + time '12:00') END;
    households bigint[];
    municipalities settle.kommunkod[];
BEGIN
    SELECT array_agg(x.household ORDER BY x.ord), array_agg(x.municipality ORDER BY x.ord)
      INTO households, municipalities
      FROM (SELECT m.household, m.municipality, row_number() OVER () AS ord
              FROM settle.match(year, as_of, mode, streams) m WHERE m.municipality IS NOT NULL) x;
    -- take the quota rows in code order first, so that concurrent batches
    -- queue instead of deadlocking (settle.lock_quotas)
    PERFORM settle.lock_quotas(year, municipalities);
    FOR r IN SELECT p.household, p.municipality FROM unnest(households, municipalities) AS p(household, municipality) LOOP
        BEGIN
            PERFORM settle.refer(r.household, r.municipality, at, 'match ' || mode || ' ' || to_char(as_of, 'YYYY-MM-DD'));
        EXCEPTION WHEN check_violation OR unique_violation THEN
            RAISE EXCEPTION 'the proposal changed before it was committed: household % to %: %', r.household, r.municipality, SQLERRM
                USING ERRCODE = 'serialization_failure',
                      DETAIL = 'Quotas, pauses or referrals changed concurrently since the proposal was computed; nothing was referred.',
                      HINT = 'Run settle.refer_matches again: it proposes afresh.';
        END;
        n := n + 1;
    END LOOP;
    RETURN n;
END
$fn$;
COMMENT ON FUNCTION settle.refer_matches(integer, date, text, text[]) IS
    'Refers every placed household of settle.match(year, as_of, mode, streams), all or nothing (40001 if something changed meanwhile: run it again); returns how many.';

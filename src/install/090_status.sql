-- 090_status.sql: follow-up (quota status) and the audit.

CREATE FUNCTION settle.quota_status(year integer, as_of date DEFAULT settle.today(), streams text[] DEFAULT NULL)
RETURNS TABLE (level text, county settle.lanskod, municipality settle.kommunkod, name text,
               quota integer, referred integer, received integer, remaining integer,
               planned_to_date integer, deviation integer, fulfilment_pct numeric, kommuntal_awaiting boolean,
               stream text)
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, settle, pg_temp
AS $$
    WITH f AS MATERIALIZED (SELECT settle.require_streams(quota_status.year, quota_status.streams) AS streams),
    m AS (
        SELECT mq.stream, mq.county, mq.municipality, mu.name,
               h.quota,
               coalesce(r.referred, 0)::integer AS referred,
               coalesce(r.received, 0)::integer AS received,
               coalesce(p.planned, 0)::integer AS planned_to_date
          FROM settle.municipal_quota mq
          CROSS JOIN f
          JOIN settle.municipality mu ON mu.code = mq.municipality
          -- the quota in force at the end of as_of
          CROSS JOIN LATERAL (
              SELECT x.quota FROM settle.quota_history x
               WHERE x.year = mq.year AND x.stream = mq.stream AND x.municipality = mq.municipality
                 AND x.valid_from < settle.local_instant((as_of + 1)::timestamp)
               ORDER BY x.valid_from DESC, x.id DESC LIMIT 1) h
          LEFT JOIN LATERAL (
              SELECT sum(rf.persons) FILTER (WHERE rf.withdrawn_at IS NULL
                                               OR settle.local_date(rf.withdrawn_at) > as_of) AS referred,
                     sum(rf.persons) FILTER (WHERE rf.received_on <= as_of) AS received
                FROM settle.referral rf
               WHERE rf.year = mq.year AND rf.stream = mq.stream AND rf.municipality = mq.municipality
                 AND settle.local_date(rf.decided_at) <= as_of) r ON true
          LEFT JOIN LATERAL (
              SELECT sum(ap.planned) AS planned FROM settle.annual_plan ap
               WHERE ap.year = mq.year AND ap.stream = mq.stream AND ap.municipality = mq.municipality
                 AND make_date(mq.year, ap.month, 1) <= as_of) p ON true
         WHERE mq.year = quota_status.year AND h.quota IS NOT NULL
           AND (f.streams IS NULL OR mq.stream = ANY (f.streams))),
    c AS (   -- (the awaiting state once per county, not per municipality)
        SELECT m.stream, m.county, sum(m.quota)::integer AS quota, sum(m.referred)::integer AS referred,
               sum(m.received)::integer AS received, sum(m.planned_to_date)::integer AS planned_to_date,
               settle.kommuntal_awaiting(quota_status.year, m.county, m.stream) AS awaiting
          FROM m GROUP BY m.stream, m.county)
    SELECT 'municipality', m.county, m.municipality, m.name, m.quota, m.referred, m.received,
           m.quota - m.referred, m.planned_to_date, m.referred - m.planned_to_date,
           CASE WHEN m.quota > 0 THEN round(100.0 * m.referred / m.quota, 1) END, c.awaiting, m.stream
      FROM m JOIN c ON c.county = m.county AND c.stream = m.stream
    UNION ALL
    SELECT 'county', c.county, NULL, co.name, c.quota, c.referred, c.received,
           c.quota - c.referred, c.planned_to_date, c.referred - c.planned_to_date,
           CASE WHEN c.quota > 0 THEN round(100.0 * c.referred / c.quota, 1) END, c.awaiting, c.stream
      FROM c JOIN settle.county co ON co.code = c.county
     ORDER BY 13, 2, 3 NULLS FIRST
$$;
COMMENT ON FUNCTION settle.quota_status(integer, date, text[]) IS
    'Per stream, county and municipality as of a date: quota in force, referred, received, remaining, planned to date, deviation, fulfilment %, whether kommuntal await re-decision.';

CREATE TYPE settle.audit_finding AS (rule text, year integer, subject text, detail text, stream text);
COMMENT ON TYPE settle.audit_finding IS 'One finding of settle.audit(): the rule that does not hold, the year, the subject (county, municipality, household, log entry), what is wrong, and the stream.';

CREATE FUNCTION settle.audit(year integer DEFAULT NULL, streams text[] DEFAULT NULL)
RETURNS SETOF settle.audit_finding
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, settle, pg_temp
AS $fn$
DECLARE
    y integer := audit.year;
    st text[] := settle.require_streams(audit.year, audit.streams);
    v record;
BEGIN
    -- every rule holds per stream; findings not of one stream (pauses, the
    -- log) are reported whatever the filter
    -- county quotas sum to the national volume
    RETURN QUERY
    SELECT 'county_quotas_sum_to_national_volume', py.year, NULL::text,
           format('county quotas sum to %s over %s counties, national volume %s', s.total, s.n, py.national_volume), py.stream
      FROM settle.year_streams py
      JOIN (SELECT cq.year, cq.stream, sum(cq.quota) AS total, count(*) AS n FROM settle.county_quota cq GROUP BY cq.year, cq.stream) s
        ON s.year = py.year AND s.stream = py.stream
     WHERE (y IS NULL OR py.year = y) AND (st IS NULL OR py.stream = ANY (st)) AND s.total <> py.national_volume;

    -- municipal quotas of a county sum to its county quota, unless they await
    -- re-decision after a change of the länstal (settle.kommuntal_awaiting),
    -- which is shown as such
    RETURN QUERY
    SELECT CASE WHEN settle.kommuntal_awaiting(s.year, s.county, s.stream) THEN 'kommuntal_awaiting_redecision'
                ELSE 'municipal_quotas_sum_to_county_quota' END, s.year, s.county::text,
           format('municipal quotas sum to %s, county quota %s%s', s.total, coalesce(cq.quota::text, 'missing'),
                  CASE WHEN settle.kommuntal_awaiting(s.year, s.county, s.stream)
                       THEN ' (the länstal changed; the county board has not decided new kommuntal yet)' ELSE '' END), s.stream
      FROM (SELECT mq.year, mq.stream, mq.county, sum(mq.quota) AS total FROM settle.municipal_quota mq
             GROUP BY mq.year, mq.stream, mq.county) s
      LEFT JOIN settle.county_quota cq ON cq.year = s.year AND cq.stream = s.stream AND cq.county = s.county
     WHERE (y IS NULL OR s.year = y) AND (st IS NULL OR s.stream = ANY (st)) AND s.total IS DISTINCT FROM cq.quota::numeric;

    -- the maintained count of referred persons matches the referrals
    RETURN QUERY
    SELECT 'referred_count_matches_referrals', mq.year, mq.municipality::text,
           format('municipal_quota.referred is %s but active referrals hold %s persons', mq.referred, coalesce(r.persons, 0)), mq.stream
      FROM settle.municipal_quota mq
      LEFT JOIN (SELECT rf.year, rf.stream, rf.municipality, sum(rf.persons) AS persons FROM settle.referral rf
                  WHERE rf.status <> 'withdrawn' GROUP BY rf.year, rf.stream, rf.municipality) r
             ON r.year = mq.year AND r.stream = mq.stream AND r.municipality = mq.municipality
     WHERE (y IS NULL OR mq.year = y) AND (st IS NULL OR mq.stream = ANY (st)) AND mq.referred <> coalesce(r.persons, 0);

    -- no quota below the persons referred, now or at any moment of its history:
    -- on the recorded clock (what the database held when), see 045_time.sql
    RETURN QUERY
    WITH moments AS (
        SELECT h.year, h.stream, h.municipality, h.recorded_at AS t FROM settle.quota_history h WHERE h.municipality IS NOT NULL
        UNION
        SELECT rf.year, rf.stream, rf.municipality, rf.recorded_at FROM settle.referral rf
        UNION
        SELECT mq.year, mq.stream, mq.municipality, 'infinity'::timestamptz FROM settle.municipal_quota mq),
    checked AS (
        SELECT mo.year, mo.stream, mo.municipality, mo.t,
               CASE WHEN mo.t = 'infinity'     -- the present: the quota as it stands
                    THEN (SELECT mq.quota FROM settle.municipal_quota mq
                           WHERE mq.year = mo.year AND mq.stream = mo.stream AND mq.municipality = mo.municipality)
                    ELSE (SELECT h.quota FROM settle.quota_history h
                           WHERE h.year = mo.year AND h.stream = mo.stream AND h.municipality = mo.municipality AND h.recorded_at <= mo.t
                           ORDER BY h.recorded_at DESC, h.id DESC LIMIT 1) END AS quota,
               (SELECT coalesce(sum(rf.persons), 0) FROM settle.referral rf
                 WHERE rf.year = mo.year AND rf.stream = mo.stream AND rf.municipality = mo.municipality AND rf.recorded_at <= mo.t
                   AND (rf.withdraw_recorded_at IS NULL OR rf.withdraw_recorded_at > mo.t)) AS referred
          FROM moments mo WHERE (y IS NULL OR mo.year = y) AND (st IS NULL OR mo.stream = ANY (st)))
    SELECT DISTINCT ON (c.year, c.stream, c.municipality) 'quota_never_below_referred', c.year, c.municipality::text,
           format('at %s the kommuntal in force was %s but %s persons were referred',
                  CASE WHEN c.t = 'infinity' THEN 'present' ELSE c.t::text END, coalesce(c.quota::text, 'none'), c.referred), c.stream
      FROM checked c
     WHERE c.referred > 0 AND (c.quota IS NULL OR c.quota < c.referred)
     ORDER BY c.year, c.stream, c.municipality, c.t;

    -- the reception register holds every received referral, once, as received
    RETURN QUERY
    SELECT 'reception_matches_referral', rf.year, rf.municipality::text,
           format('referral %s (received %s, %s persons) has %s in the reception register', rf.id, rf.received_on, rf.persons,
                  coalesce(format('a row of %s persons on %s in %s', rc.persons, rc.received_on, rc.municipality), 'no row')), rf.stream
      FROM settle.referral rf
      LEFT JOIN settle.reception rc ON rc.referral = rf.id
     WHERE (y IS NULL OR rf.year = y) AND (st IS NULL OR rf.stream = ANY (st)) AND rf.status = 'received'
       AND (rc.id IS NULL OR (rc.municipality, rc.received_on, rc.persons) IS DISTINCT FROM (rf.municipality, rf.received_on, rf.persons))
    UNION ALL
    SELECT 'reception_matches_referral', rf.year, rf.municipality::text,
           format('reception %s names referral %s, which is %s', rc.id, rf.id, rf.status), rf.stream
      FROM settle.reception rc JOIN settle.referral rf ON rf.id = rc.referral
     WHERE (y IS NULL OR rf.year = y) AND (st IS NULL OR rf.stream = ANY (st)) AND rf.status <> 'received';

    -- history: the current value of every quota is the latest history row
    RETURN QUERY
    SELECT 'history_matches_current_quota', cur.year, coalesce(cur.municipality::text, cur.county::text),
           format('current quota %s, latest history %s', coalesce(cur.quota::text, 'none'), coalesce(h.quota::text, 'none')),
           coalesce(cur.stream, h.stream)
      FROM (SELECT cq.year, cq.stream, cq.county, NULL::settle.kommunkod AS municipality, cq.quota FROM settle.county_quota cq
            UNION ALL
            SELECT mq.year, mq.stream, mq.county, mq.municipality, mq.quota FROM settle.municipal_quota mq) cur
      FULL JOIN (SELECT DISTINCT ON (x.year, x.stream, x.county, x.municipality) x.year, x.stream, x.county, x.municipality, x.quota
                   FROM settle.quota_history x ORDER BY x.year, x.stream, x.county, x.municipality, x.valid_from DESC, x.id DESC) h
             ON h.year = cur.year AND h.stream = cur.stream AND h.county = cur.county AND h.municipality IS NOT DISTINCT FROM cur.municipality
     WHERE (y IS NULL OR coalesce(cur.year, h.year) = y) AND (st IS NULL OR coalesce(cur.stream, h.stream) = ANY (st))
       AND cur.quota IS DISTINCT FROM h.quota;

    -- history: periods follow each other (valid_from never goes back as ids grow)
    RETURN QUERY
    SELECT 'history_in_order', a.year, coalesce(a.municipality::text, a.county::text),
           format('history row %s (valid from %s) comes after row %s (valid from %s)', a.id, a.valid_from, a.prev_id, a.prev_from), a.stream
      FROM (SELECT x.*, lag(x.id) OVER w AS prev_id, lag(x.valid_from) OVER w AS prev_from
              FROM settle.quota_history x WINDOW w AS (PARTITION BY x.year, x.stream, x.county, x.municipality ORDER BY x.id)) a
     WHERE (y IS NULL OR a.year = y) AND (st IS NULL OR a.stream = ANY (st)) AND a.valid_from < a.prev_from;

    -- annual plans sum to the quota
    RETURN QUERY
    SELECT 'annual_plan_sums_to_quota', p.year, p.municipality::text,
           format('plan has %s months summing to %s, kommuntal %s', p.n, p.total, coalesce(mq.quota::text, 'none')), p.stream
      FROM (SELECT ap.year, ap.stream, ap.municipality, count(*) AS n, sum(ap.planned) AS total FROM settle.annual_plan ap
             GROUP BY ap.year, ap.stream, ap.municipality) p
      LEFT JOIN settle.municipal_quota mq ON mq.year = p.year AND mq.stream = p.stream AND mq.municipality = p.municipality
     WHERE (y IS NULL OR p.year = y) AND (st IS NULL OR p.stream = ANY (st)) AND (p.n <> 12 OR p.total IS DISTINCT FROM mq.quota::numeric);

    -- one active referral per household (the subject is the household id:
    -- the audit needs no case numbers, so analysts can run it)
    RETURN QUERY
    SELECT 'one_active_referral_per_household', min(rf.year), rf.household::text,
           format('%s active referrals', count(*)), min(rf.stream)
      FROM settle.referral rf
     WHERE rf.status <> 'withdrawn' AND (y IS NULL OR rf.year = y) AND (st IS NULL OR rf.stream = ANY (st))
     GROUP BY rf.household HAVING count(*) > 1;

    -- every referral as settle.referral_issue / referral_status would have
    -- written it: re-checked from the data, so that a write with the
    -- triggers disabled is caught
    RETURN QUERY
    SELECT 'referral_as_issued', rf.year, rf.id::text, f.problem, rf.stream
      FROM settle.referral rf
      JOIN settle.household h ON h.id = rf.household
      CROSS JOIN LATERAL (
        SELECT settle.local_date(rf.decided_at) AS day,
               settle.unmet_needs(h.needs, rf.year, rf.municipality) AS unmet) d
      CROSS JOIN LATERAL (
        SELECT CASE
          WHEN rf.status <> 'withdrawn' AND rf.persons <> h.persons
            THEN format('counts %s persons but household %s has %s', rf.persons, h.id, h.persons)
          WHEN rf.status <> 'withdrawn' AND h.stream IS NOT NULL AND rf.stream <> h.stream
            THEN format('counts in stream %s but household %s belongs to stream %s', rf.stream, h.id, h.stream)
          WHEN rf.status <> 'withdrawn' AND d.unmet IS NOT NULL AND NOT (rf.forced AND btrim(coalesce(rf.force_reason, '')) <> '')
            THEN format('needs %s not met and not forced with a reason', array_to_string(d.unmet, ', '))
          WHEN EXISTS (SELECT 1 FROM settle.pause pz WHERE pz.municipality = rf.municipality AND pz.max_persons IS NULL
                          AND d.day BETWEEN pz.from_date AND pz.to_date AND pz.reported_at <= rf.recorded_at)
            THEN format('issued on %s while the municipality was paused', d.day)
          WHEN rf.deadline <= d.day
            THEN format('deadline %s is not after the decision day %s', rf.deadline, d.day)
          WHEN rf.status = 'received' AND (NOT isfinite(rf.received_on) OR rf.received_on < d.day)
            THEN format('received on %s, decided on %s', rf.received_on, d.day)
          WHEN rf.status = 'withdrawn' AND btrim(coalesce(rf.withdraw_reason, '')) = ''
            THEN 'withdrawn without a reason'
          END AS problem) f
     WHERE (y IS NULL OR rf.year = y) AND (st IS NULL OR rf.stream = ANY (st)) AND f.problem IS NOT NULL;

    -- every revision moved every quota it names ('revised' history rows)
    RETURN QUERY
    SELECT 'revision_applied', rv.year, rv.id::text,
           format('revision %s (%s) names %s municipalities but moved %s', rv.id, rv.agreement_ref,
                  cardinality(rv.municipalities), count(h.id) FILTER (WHERE h.stream = rv.stream)), rv.stream
      FROM settle.revision rv
      LEFT JOIN settle.quota_history h ON h.revision = rv.id
     WHERE (y IS NULL OR rv.year = y) AND (st IS NULL OR rv.stream = ANY (st))
     GROUP BY rv.id HAVING count(h.id) FILTER (WHERE h.stream = rv.stream) <> cardinality(rv.municipalities);

    -- reduced intake (settle.intake_left): no referral recorded under a pause
    -- with max_persons took a month of it past the limit (referrals made
    -- before the pause was reported may exceed it; none may be added then)
    RETURN QUERY
    SELECT 'reduced_intake_respected', pz.year, pz.municipality::text,
           format('pause %s allows %s persons a month but %s were referred in %s', pz.id, pz.max_persons, x.persons, x.month),
           NULL::text
      FROM settle.pause pz
      CROSS JOIN LATERAL (
          SELECT to_char(d.day, 'YYYY-MM') AS month, settle.intake_used(pz, d.day) AS persons
            FROM (SELECT date_trunc('month', settle.local_date(rf.decided_at))::date AS day
                    FROM settle.referral rf
                   WHERE rf.municipality = pz.municipality AND rf.status <> 'withdrawn' AND rf.recorded_at >= pz.reported_at
                     AND settle.local_date(rf.decided_at) BETWEEN pz.from_date AND pz.to_date
                   GROUP BY 1) d) x
     WHERE pz.max_persons IS NOT NULL AND (y IS NULL OR pz.year = y) AND x.persons > pz.max_persons;

    -- counted places (settle.capability.places): the persons referred with
    -- the need, not forced, fit the places (settle.capability_used)
    RETURN QUERY
    SELECT 'capability_places_respected', c.year, c.municipality::text,
           format('%s places for %s but %s persons with that need referred (not forced)', c.places, c.need, u.used),
           NULL::text
      FROM settle.capability c
     CROSS JOIN LATERAL (SELECT settle.capability_used(c.year, c.municipality, c.need, false) AS used) u
     WHERE c.places IS NOT NULL AND (y IS NULL OR c.year = y) AND u.used > c.places;

    -- pauses do not overlap
    RETURN QUERY
    SELECT 'pauses_do_not_overlap', a.year, a.municipality::text,
           format('pause %s (%s to %s) overlaps pause %s (%s to %s)', a.id, a.from_date, a.to_date, b.id, b.from_date, b.to_date),
           NULL::text
      FROM settle.pause a JOIN settle.pause b
        ON a.municipality = b.municipality AND a.id < b.id
       AND daterange(a.from_date, a.to_date, '[]') && daterange(b.from_date, b.to_date, '[]')
     WHERE y IS NULL OR a.year = y;

    -- the decision log's chain
    SELECT * INTO v FROM settle.verify_log();
    IF NOT v.intact THEN
        RETURN QUERY SELECT 'decision_log_intact', NULL::integer, coalesce('entry ' || v.first_bad_id, 'position ' || v.first_bad_seq), v.problem, NULL::text;
    END IF;
END
$fn$;
COMMENT ON FUNCTION settle.audit(integer, text[]) IS
    'Every rule that does not hold, one row per finding, for one year or all (NULL) and some streams or all (NULL); no rows means every rule holds (docs/yearly-cycle.md).';

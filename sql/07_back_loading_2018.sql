-- Back-loading a past year: the published kommuntal of 2018 (shipped in
-- settle.published_municipal_quota, sources in src/data/SOURCES.md), recorded
-- long afterwards as decisions that took effect in 2017, then the 2018
-- follow-up as of dates in 2018.  The sources give the figures, not the
-- decision dates: here the länstal are dated 2017-06-15 and the kommuntal
-- 2017-11-15 (the county boards decided in late 2017).
CREATE EXTENSION IF NOT EXISTS settle;
SET search_path = settle, public;
\set SHOW_CONTEXT never
-- recorded on the day the 2018 reception figures were published
SET settle.today = '2019-03-25';

INSERT INTO planning_year (year, national_volume, decision_ref)
SELECT 2018, sum(quota), 'national volume 2018' FROM published_municipal_quota WHERE year = 2018;
-- the länstal: each county's published kommuntal summed (the 2018 annex is not shipped)
INSERT INTO county_quota (year, county, quota, decision_ref, decision_date)
SELECT 2018, c.code, coalesce(sum(p.quota), 0), 'länstal 2018', '2017-06-15'
  FROM county c
  JOIN municipality m ON m.county = c.code
  LEFT JOIN published_municipal_quota p ON p.year = 2018 AND p.municipality = m.code
 GROUP BY c.code;
-- the kommuntal (the 23 municipalities the source does not list had 0)
INSERT INTO municipal_quota (year, municipality, quota, decision_ref, decision_date)
SELECT 2018, m.code, coalesce(p.quota, 0), 'kommuntal 2018', '2017-11-15'
  FROM municipality m LEFT JOIN published_municipal_quota p ON p.year = 2018 AND p.municipality = m.code;

-- Effective time: 15,200 places in force through 2018, none before the decision.
SELECT d.as_of, sum(s.quota) FILTER (WHERE s.level = 'county') AS places_in_force,
       count(s.municipality) AS municipalities
  FROM unnest(ARRAY['2017-11-14', '2017-11-15', '2018-01-01', '2018-06-30', '2018-12-31']::date[]) AS d(as_of)
  LEFT JOIN LATERAL quota_status(2018, d.as_of) s ON true
 GROUP BY d.as_of ORDER BY d.as_of;
-- The länstal were in force from June 2017, the kommuntal from November.
SELECT count(*) FILTER (WHERE municipality IS NULL) AS lanstal, count(municipality) AS kommuntal
  FROM quota_as_of(2018, '2017-07-01 12:00+02');
-- Recorded time: written today, long after the decisions took effect.
SELECT count(*) AS history_rows, bool_and(recorded_at > valid_from) AS recorded_after_effect,
       local_date(min(valid_from)) AS first_effective, local_date(max(valid_from)) AS last_effective
  FROM quota_history WHERE year = 2018;

-- A value cannot take effect before the one it replaces (nor a kommuntal
-- before its county's länstal): a back-dated change is refused.
UPDATE municipal_quota SET quota = quota, decision_ref = 'back-dated', decision_date = '2017-01-01'
 WHERE year = 2018 AND municipality = '1080';

-- The 2018 follow-up from the published figures: persons received under the
-- kommuntal, per county, against the kommuntal in force at the end of 2018.
SELECT s.county, s.name, s.quota AS kommuntal, sum(p.received_under_quota) AS received_under_kommuntal,
       round(100.0 * sum(p.received_under_quota) / nullif(s.quota, 0), 1) AS fulfilment_pct
  FROM quota_status(2018, '2018-12-31') s
  JOIN municipality m ON m.county = s.county
  LEFT JOIN published_municipal_quota p ON p.year = 2018 AND p.municipality = m.code
 WHERE s.level = 'county'
 GROUP BY s.county, s.name, s.quota ORDER BY s.county;
-- The reception register takes the published 2018 figures, one row per
-- municipality and category (totals dated on the year's last day), loaded
-- through a staging table as the agency would load a CSV file.
CREATE TEMP TABLE staged AS
SELECT r.municipality, c.category, c.persons, c.unaccompanied
  FROM published_reception r
 CROSS JOIN LATERAL (VALUES ('quota_refugee', r.quota_refugees, 0), ('from_accommodation', r.from_accommodation, 0),
                            ('own_housing', r.own_housing, 0), ('other', r.others, 0), ('relatives', r.relatives, 0)) c(category, persons, unaccompanied)
 WHERE r.year = 2018 AND c.persons > 0;
INSERT INTO reception (municipality, received_on, category, persons, source)
SELECT municipality, '2018-12-31', category, persons, 'Migrationsverket, kommunmottagna 2018' FROM staged;
SELECT category, sum(persons) AS persons FROM reception WHERE received_on BETWEEN '2018-01-01' AND '2018-12-31'
 GROUP BY ROLLUP (category) ORDER BY category NULLS LAST;
-- Per 1,000 inhabitants over all reception, against referred reception only:
-- the median rule (Coordinators' report 2014, §3.2) reads very differently.
SELECT (SELECT national_median FROM reception_per_capita(2018) WHERE level = 'national') AS median_all,
       (SELECT national_median FROM reception_per_capita(2018, ARRAY['quota_refugee', 'from_accommodation']) WHERE level = 'national') AS median_referred,
       (SELECT count(*) FROM reception_per_capita(2018) a
          JOIN reception_per_capita(2018, ARRAY['quota_refugee', 'from_accommodation']) b USING (municipality)
         WHERE a.level = 'municipality' AND a.above_median <> b.above_median) AS other_side_of_the_median;
-- All persons received in 2018 (every category), per 1,000 inhabitants: the five highest.
SELECT r.municipality, m.name, r.total AS received, r.quota_refugees, r.from_accommodation,
       round(1000.0 * r.total / p.population, 2) AS per_1000
  FROM published_reception r
  JOIN municipality m ON m.code = r.municipality
  JOIN population p ON p.municipality = r.municipality AND p.year = 2018
 WHERE r.year = 2018 ORDER BY per_1000 DESC, r.municipality LIMIT 5;

-- Every rule holds for the back-loaded year.
SELECT * FROM audit(2018);

-- test/lib/referral_setup.sql: a committed year for the referral concurrency
-- test and benchmark.  Blekinge's municipalities Olofström, Ronneby,
-- Karlshamn and Sölvesborg get :small places each (the rest goes to
-- Karlskrona); try_refer() registers a household and refers it, recording
-- the outcome (or the error) in attempt.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS settle;
INSERT INTO settle.planning_year (year, national_volume) VALUES (2027, :volume);
INSERT INTO settle.model_weight VALUES (2027, 'population', 1);
INSERT INTO settle.model_input SELECT 2027, code, 'population', population FROM settle.municipality;
SELECT count(*) FROM settle.decide_county_quotas(2027, 'Ju-1');
SELECT count(*) FROM settle.county c, settle.decide_municipal_quotas(2027, c.code, 'Lst-1');
SELECT count(*) FROM settle.revise_quotas(2027, 'small', ARRAY['1060', '1081', '1082', '1083', '1080']::settle.kommunkod[],
    (SELECT array_agg((CASE WHEN municipality = '1080' THEN (SELECT sum(quota) FROM settle.municipal_quota
                                                              WHERE year = 2027 AND county = '10') - 4 * :small - quota
                           ELSE :small - quota END)::integer ORDER BY array_position(ARRAY['1060', '1081', '1082', '1083', '1080'], municipality::text))
       FROM settle.municipal_quota WHERE year = 2027 AND county = '10'));

CREATE SEQUENCE household_seq;
CREATE TABLE attempt (client integer, municipality settle.kommunkod, persons integer, outcome text, message text, referral bigint);
CREATE FUNCTION try_refer(c integer, p integer, m settle.kommunkod) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    h bigint := settle.register_household('S-' || nextval('household_seq'), 'abo', p, m, '2026-10-01');
    r bigint;
BEGIN
    r := settle.refer(h, m, '2027-01-10 10:00+01');
    INSERT INTO attempt VALUES (c, m, p, 'ok', NULL, r);
EXCEPTION WHEN OTHERS THEN
    INSERT INTO attempt VALUES (c, m, p, SQLSTATE, SQLERRM, NULL);
END $$;

-- the naive alternative of the benchmark: check the remaining places with a
-- SELECT, then INSERT, no locking
CREATE TABLE naive_quota (municipality settle.kommunkod PRIMARY KEY, quota integer);
CREATE TABLE naive_referral (id bigserial PRIMARY KEY, municipality settle.kommunkod, persons integer);
INSERT INTO naive_quota SELECT municipality, quota FROM settle.municipal_quota WHERE year = 2027;
CREATE FUNCTION naive_refer(p integer, m settle.kommunkod) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
    IF (SELECT quota FROM naive_quota WHERE municipality = m)
       - (SELECT coalesce(sum(persons), 0) FROM naive_referral WHERE municipality = m) >= p THEN
        INSERT INTO naive_referral (municipality, persons) VALUES (m, p);
        RETURN true;
    END IF;
    RETURN false;
END $$;

-- 065_settings_needs.sql: settle's settings, the needs vocabulary, and which
-- needs each municipality can meet.
--
-- settle.setting holds every tunable parameter (keys: docs/settings.md);
-- settle.need the special needs a household may have (accessibility,
-- medical care, ...); settle.capability which of them a municipality can
-- meet in a year.  Shipped rows of setting and need are marked unedited, so
-- pg_dump keeps only what a user added or changed (890_dump.sql).

CREATE TABLE settle.setting (
    name        text PRIMARY KEY,
    value       text NOT NULL,
    description text,
    edited      boolean NOT NULL DEFAULT false
);
INSERT INTO settle.setting (name, value, description) VALUES
    ('deadline.abo', '2 months', 'time from referral to reception: households in the agency''s accommodation'),
    ('deadline.quota_refugee', '2 months', 'time from referral to reception: resettled quota refugees'),
    ('deadline.temporary_protection', '2 months', 'time from referral to reception: persons with temporary protection'),
    ('deadline.other', '2 months', 'time from referral to reception: other households'),
    ('matching.neighbour_county_km', '500', 'proximity cost (km) added when a candidate lies in a county neighbouring the residence''s'),
    ('matching.other_county_km', '1000', 'proximity cost (km) added when a candidate lies in any other county'),
    ('matching.linked_split', 'none', 'matching: a linked group no single municipality can take may be split, all members placed or none, within the county of its residence (county) or within this many km of it; none: kept whole'),
    ('matching.max_passed_over_days', 'none', 'matching: a hard-to-place household that has waited this many days goes first in its stream''s queue, in both modes (0-3650); none: the queue order alone'),
    ('matching.max_individual_extra_km', 'none', 'optimal matching: how much farther (km) than the chronological proposal any one household may be placed; none: no limit'),
    ('matching.reserve_counted_until_month', '10', 'matching holds a municipality''s counted places (settle.capability.places) for households with that need through this month (0-12; 0: never); afterwards anyone may use them'),
    ('matching.plan_lead_months', '0', 'months past the month of as_of whose planned places matching may use (0-12; 12: the plan never holds it back)'),
    ('matching.unplaced_km', '10000', 'optimal matching: the cost (km) of each person left unplaced; must exceed every proximity cost');
CREATE TRIGGER setting_edited BEFORE INSERT OR UPDATE ON settle.setting
    FOR EACH ROW EXECUTE FUNCTION settle.reference_row_write('name');
ALTER TABLE settle.setting ENABLE ALWAYS TRIGGER setting_edited;
COMMENT ON TABLE settle.setting IS
    'Parameters of settle, e.g. deadline.<category>: the time limit (an interval) from a referral to the reception.';

CREATE TABLE settle.need (
    code        text PRIMARY KEY CHECK (code ~ '^[a-z][a-z0-9_]*$'),
    description text NOT NULL,
    edited      boolean NOT NULL DEFAULT false
);
INSERT INTO settle.need (code, description) VALUES
    ('accessible_housing', 'a dwelling accessible with a wheelchair or walking aid'),
    ('specialist_care', 'access to specialist health care nearby'),
    ('large_dwelling', 'a dwelling for a large family (five rooms or more)'),
    ('psychiatric_care', 'access to psychiatric care, e.g. for survivors of torture'),
    ('unaccompanied_minor', 'care for a child without a guardian');
CREATE TRIGGER need_edited BEFORE INSERT OR UPDATE ON settle.need
    FOR EACH ROW EXECUTE FUNCTION settle.reference_row_write('code');
ALTER TABLE settle.need ENABLE ALWAYS TRIGGER need_edited;
COMMENT ON TABLE settle.need IS
    'The vocabulary of special needs a household may have and a municipality may be able to meet; extensible: insert a row for a new need.';

CREATE TABLE settle.capability (
    year          integer NOT NULL REFERENCES settle.planning_year,
    municipality  settle.kommunkod NOT NULL REFERENCES settle.municipality,
    need          text NOT NULL REFERENCES settle.need,
    -- since 0.3.0: how many places (persons, as in the kommuntal) the
    -- municipality has for households with this need in the year; NULL:
    -- not counted (any number).  Rules: settle.referral_issue, settle.capability_record.
    places        integer CONSTRAINT capability_places_nonnegative CHECK (places >= 0),
    PRIMARY KEY (year, municipality, need)
);
COMMENT ON TABLE settle.capability IS
    'Which needs a municipality can meet in a year, with its places for them (persons; NULL: not counted). A household with a need is referred only where it is met and places are left for it (unless forced).';

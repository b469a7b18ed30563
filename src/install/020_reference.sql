-- 020_reference.sql: the Swedish geography settle works on: 21 counties,
-- 290 municipalities, their land borders and population history.
-- The rows are loaded by the generated part 025_reference_data.sql (from
-- src/data/*.csv, provenance in src/data/SOURCES.md); 027_reference_guard.sql
-- then makes user edits survive pg_dump/pg_restore.

CREATE TABLE settle.county (
    code    settle.lanskod PRIMARY KEY,
    name    text NOT NULL UNIQUE CHECK (btrim(name) <> ''),
    letter  text NOT NULL,
    edited  boolean NOT NULL DEFAULT false,
    CONSTRAINT county_letter_matches_code CHECK (letter = settle.letter(code))
);
COMMENT ON TABLE settle.county IS
    'The 21 Swedish counties (län). Shipped with settle; rows a user inserts or updates are marked edited and kept by pg_dump.';
COMMENT ON COLUMN settle.county.code IS 'County code (länskod), e.g. 01.';
COMMENT ON COLUMN settle.county.name IS 'Official name, e.g. Stockholms län.';
COMMENT ON COLUMN settle.county.letter IS 'Registration letter code (länsbokstav), e.g. AB; always settle.letter(code).';
COMMENT ON COLUMN settle.county.edited IS 'True for rows inserted or changed after CREATE EXTENSION; these are the rows pg_dump saves.';

CREATE TABLE settle.municipality (
    code            settle.kommunkod PRIMARY KEY,
    name            text NOT NULL CHECK (btrim(name) <> ''),
    county          settle.lanskod NOT NULL REFERENCES settle.county (code),
    population      integer NOT NULL CHECK (population >= 0),
    population_year integer NOT NULL CHECK (population_year BETWEEN 1900 AND 2200),
    lat             double precision NOT NULL CHECK (lat BETWEEN -90 AND 90),
    lon             double precision NOT NULL CHECK (lon BETWEEN -180 AND 180),
    area_km2        numeric CHECK (area_km2 > 0),
    edited          boolean NOT NULL DEFAULT false,
    CONSTRAINT municipality_code_in_county CHECK (county = settle.lanskod(code))
);
CREATE INDEX municipality_county_idx ON settle.municipality (county);
COMMENT ON TABLE settle.municipality IS
    'The 290 Swedish municipalities (kommuner) with population and centroid. Users may update population and coordinates; edited rows are kept by pg_dump.';
COMMENT ON COLUMN settle.municipality.code IS 'Municipality code (kommunkod); its first two digits are the county code.';
COMMENT ON COLUMN settle.municipality.name IS 'Name, e.g. Göteborg.';
COMMENT ON COLUMN settle.municipality.county IS 'County; must equal the first two digits of code.';
COMMENT ON COLUMN settle.municipality.population IS 'Population on 31 December of population_year (SCB).';
COMMENT ON COLUMN settle.municipality.population_year IS 'The year whose 31 December population is in population.';
COMMENT ON COLUMN settle.municipality.lat IS 'Centroid latitude, WGS84 degrees (area-weighted polygon centroid).';
COMMENT ON COLUMN settle.municipality.lon IS 'Centroid longitude, WGS84 degrees.';
COMMENT ON COLUMN settle.municipality.area_km2 IS 'Approximate area in km² (from simplified outlines).';
COMMENT ON COLUMN settle.municipality.edited IS 'True for rows inserted or changed after CREATE EXTENSION; these are the rows pg_dump saves.';

CREATE TABLE settle.neighbour (
    a       settle.kommunkod NOT NULL REFERENCES settle.municipality (code),
    b       settle.kommunkod NOT NULL REFERENCES settle.municipality (code),
    edited  boolean NOT NULL DEFAULT false,
    PRIMARY KEY (a, b),
    CONSTRAINT neighbour_pair_ordered CHECK (a < b)
);
CREATE INDEX neighbour_b_idx ON settle.neighbour (b);
COMMENT ON TABLE settle.neighbour IS
    'Pairs of municipalities that share a land border, each pair once with a < b. Use the view settle.neighbours for both directions.';
COMMENT ON COLUMN settle.neighbour.a IS 'The lower municipality code of the pair.';
COMMENT ON COLUMN settle.neighbour.b IS 'The higher municipality code of the pair.';
COMMENT ON COLUMN settle.neighbour.edited IS 'True for pairs inserted or changed after CREATE EXTENSION; these are the rows pg_dump saves.';

CREATE VIEW settle.neighbours AS
    SELECT a AS municipality, b AS neighbour FROM settle.neighbour
    UNION ALL
    SELECT b, a FROM settle.neighbour;
COMMENT ON VIEW settle.neighbours IS
    'Land neighbours in both directions: one row (municipality, neighbour) per direction of every pair in settle.neighbour.';

-- Factor series for the distribution model (since 0.3.0): a value per
-- municipality and year.  Shipped: the Kolada series of src/data/factors
-- (provenance in src/data/SOURCES.md); analysts add their own series in the
-- same shape.  settle.factor_values also offers population and the 2018
-- reception by category; settle.model_input_from turns a series into a
-- planning year's model input.
CREATE TABLE settle.factor_series (
    code        text PRIMARY KEY CHECK (code ~ '^[a-z][a-z0-9_]*$'),
    description text NOT NULL,
    unit        text NOT NULL,
    source      text,
    edited      boolean NOT NULL DEFAULT false
);
COMMENT ON TABLE settle.factor_series IS
    'Factor series for the distribution model: code, description, unit and source. Shipped series are Kolada''s (src/data/SOURCES.md); add your own.';
INSERT INTO settle.factor_series (code, description, unit, source) VALUES
    ('employment_rate', 'gainfully employed residents aged 20-64, share of the age group (RAMS, November; source changed KU to AGI from 2019)', 'percent', 'Kolada N00914 (SCB RAMS)'),
    ('employment_rate_foreign_born', 'gainfully employed foreign-born residents aged 20-64, share of the group (RAMS)', 'percent', 'Kolada N00713 (SCB RAMS)'),
    ('unemployment', 'openly unemployed or in a programme with activity support aged 18-64, yearly mean, share of the population 18-64', 'percent', 'Kolada N03920 (Arbetsförmedlingen, SCB)'),
    ('housing_market_balance', 'the housing market as the municipality judges it early in the year: 0 shortage, 1 balance, 2 surplus', 'code 0-2', 'Kolada U30446 (Boverket, Bostadsmarknadsenkäten)'),
    ('asylum_seekers', 'asylum seekers registered in the agency''s reception system on 31 December', 'persons', 'Kolada N01990 (Migrationsverket)'),
    ('asylum_seekers_per_1000', 'asylum seekers in the agency''s reception on 31 December per 1,000 inhabitants (population of the year before)', 'per 1,000 inhabitants', 'Kolada N01993 (SKR, Migrationsverket, SCB)'),
    ('refugees_received', 'persons with a residence permit received by the municipality in the year (refugee reception)', 'persons', 'Kolada N01986 (Migrationsverket)'),
    ('refugees_received_per_1000', 'persons received in the year per 1,000 inhabitants', 'per 1,000 inhabitants', 'Kolada N02006 (SKR, Migrationsverket, SCB)');

CREATE TABLE settle.factor_value (
    series       text NOT NULL REFERENCES settle.factor_series ON UPDATE CASCADE,
    year         integer NOT NULL CHECK (year BETWEEN 1900 AND 2200),
    municipality settle.kommunkod NOT NULL REFERENCES settle.municipality,
    value        numeric NOT NULL CHECK (value >= 0),
    edited       boolean NOT NULL DEFAULT false,
    PRIMARY KEY (series, year, municipality)
);
COMMENT ON TABLE settle.factor_value IS
    'A factor series'' value per municipality and year (a missing value is no row). Shipped rows: 2015-2021, src/data/factors.';

CREATE TABLE settle.population (
    municipality settle.kommunkod NOT NULL REFERENCES settle.municipality (code),
    year         integer NOT NULL CHECK (year BETWEEN 1900 AND 2200),
    population   integer NOT NULL CHECK (population >= 0),
    edited       boolean NOT NULL DEFAULT false,
    PRIMARY KEY (municipality, year)
);
COMMENT ON TABLE settle.population IS
    'Population on 31 December per municipality and year (SCB, on today''s municipal division, 1950-2019). Users may add later years.';
COMMENT ON COLUMN settle.population.municipality IS 'Municipality code.';
COMMENT ON COLUMN settle.population.year IS 'Year; the figure is the population on 31 December.';
COMMENT ON COLUMN settle.population.population IS 'Inhabitants.';
COMMENT ON COLUMN settle.population.edited IS 'True for rows inserted or changed after CREATE EXTENSION; these are the rows pg_dump saves.';

-- ------------------------------------------------- figures the state published
-- Shipped, read-only facts to compare a model with and to back-load past years
-- (sql/07_back_loading_2018.sql, sql/08_mid_year_change_2017.sql); sources in
-- src/data/SOURCES.md.  Not dumped: CREATE EXTENSION ships them again.

CREATE TABLE settle.published_county_quota (
    year            integer NOT NULL,
    statute         text NOT NULL,            -- the SFS number of the ordinance's annex
    revised         boolean NOT NULL,         -- true: a change of the year's länstal during the year
    national_volume integer NOT NULL CHECK (national_volume >= 0),
    county          settle.lanskod NOT NULL REFERENCES settle.county,
    quota           integer NOT NULL CHECK (quota >= 0),
    PRIMARY KEY (statute, county)
);
COMMENT ON TABLE settle.published_county_quota IS
    'Published länstal: 2017 (SFS 2016:874), 2017 revised (SFS 2017:27), 2019, 2020 and 2022, per county, each statute summing to its national volume.';

CREATE TABLE settle.published_municipal_quota (
    year                 integer NOT NULL,
    municipality         settle.kommunkod NOT NULL REFERENCES settle.municipality,
    quota                integer NOT NULL CHECK (quota >= 0),
    received_under_quota integer NOT NULL CHECK (received_under_quota >= 0),
    PRIMARY KEY (year, municipality)
);
COMMENT ON TABLE settle.published_municipal_quota IS
    'Published kommuntal of 2018 with the persons received under them (Migrationsverket); the 23 municipalities not listed had kommuntal 0.';

CREATE TABLE settle.published_reception (
    year               integer NOT NULL,
    municipality       settle.kommunkod NOT NULL REFERENCES settle.municipality,
    quota_refugees     integer NOT NULL,
    from_accommodation integer NOT NULL,      -- from the agency's accommodation (ABO)
    own_housing        integer NOT NULL,      -- who found housing themselves (EBO)
    others             integer NOT NULL,
    relatives          integer NOT NULL,
    total              integer NOT NULL,
    unaccompanied      integer NOT NULL,      -- of total: unaccompanied minors
    PRIMARY KEY (year, municipality),
    CHECK (total = quota_refugees + from_accommodation + own_housing + others + relatives)
);
COMMENT ON TABLE settle.published_reception IS
    'Persons received by each municipality in 2018 under the compensation ordinance, by category (Migrationsverket, updated 2019-03-25).';


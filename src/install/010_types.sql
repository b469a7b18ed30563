-- 010_types.sql: settle.kommunkod and settle.lanskod, the Swedish
-- municipality and county codes (C: src/kommunkod.c, src/lanskod.c,
-- src/code_ops.c).

\echo Use "CREATE EXTENSION settle" to load this file. \quit

-- ---------------------------------------------------------------- kommunkod
CREATE TYPE settle.kommunkod;

CREATE FUNCTION settle.kommunkod_in(cstring) RETURNS settle.kommunkod
    AS 'MODULE_PATHNAME', 'kommunkod_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION settle.kommunkod_out(settle.kommunkod) RETURNS cstring
    AS 'MODULE_PATHNAME', 'kommunkod_out' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION settle.kommunkod_recv(internal) RETURNS settle.kommunkod
    AS 'MODULE_PATHNAME', 'kommunkod_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION settle.kommunkod_send(settle.kommunkod) RETURNS bytea
    AS 'MODULE_PATHNAME', 'settle_code_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE settle.kommunkod (
    INPUT = settle.kommunkod_in,
    OUTPUT = settle.kommunkod_out,
    RECEIVE = settle.kommunkod_recv,
    SEND = settle.kommunkod_send,
    INTERNALLENGTH = 2,
    PASSEDBYVALUE,
    ALIGNMENT = int2,
    STORAGE = plain
);
COMMENT ON TYPE settle.kommunkod IS
    'Swedish municipality code (kommunkod): four digits, the first two a county code, e.g. 0180 Stockholm. Stored in 2 bytes.';

-- ------------------------------------------------------------------ lanskod
CREATE TYPE settle.lanskod;

CREATE FUNCTION settle.lanskod_in(cstring) RETURNS settle.lanskod
    AS 'MODULE_PATHNAME', 'lanskod_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION settle.lanskod_out(settle.lanskod) RETURNS cstring
    AS 'MODULE_PATHNAME', 'lanskod_out' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION settle.lanskod_recv(internal) RETURNS settle.lanskod
    AS 'MODULE_PATHNAME', 'lanskod_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION settle.lanskod_send(settle.lanskod) RETURNS bytea
    AS 'MODULE_PATHNAME', 'settle_code_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE settle.lanskod (
    INPUT = settle.lanskod_in,
    OUTPUT = settle.lanskod_out,
    RECEIVE = settle.lanskod_recv,
    SEND = settle.lanskod_send,
    INTERNALLENGTH = 2,
    PASSEDBYVALUE,
    ALIGNMENT = int2,
    STORAGE = plain
);
COMMENT ON TYPE settle.lanskod IS
    'Swedish county code (länskod): two digits, e.g. 01 Stockholms län; input also accepts the county letter code (AB), case-insensitive. Stored in 2 bytes.';

COMMENT ON FUNCTION settle.kommunkod_in(cstring) IS 'Text input of settle.kommunkod.';
COMMENT ON FUNCTION settle.kommunkod_out(settle.kommunkod) IS 'Text output of settle.kommunkod (four digits).';
COMMENT ON FUNCTION settle.kommunkod_recv(internal) IS 'Binary input of settle.kommunkod (int2).';
COMMENT ON FUNCTION settle.kommunkod_send(settle.kommunkod) IS 'Binary output of settle.kommunkod (int2).';
COMMENT ON FUNCTION settle.lanskod_in(cstring) IS 'Text input of settle.lanskod (two digits or letter code).';
COMMENT ON FUNCTION settle.lanskod_out(settle.lanskod) IS 'Text output of settle.lanskod (two digits).';
COMMENT ON FUNCTION settle.lanskod_recv(internal) IS 'Binary input of settle.lanskod (int2).';
COMMENT ON FUNCTION settle.lanskod_send(settle.lanskod) IS 'Binary output of settle.lanskod (int2).';

-- ---------------------------------------------------------------- operators
-- Both types are an int2 underneath; one C function serves each operator.
CREATE FUNCTION settle.kommunkod_eq(settle.kommunkod, settle.kommunkod) RETURNS boolean
    AS 'MODULE_PATHNAME', 'settle_code_eq' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION settle.kommunkod_ne(settle.kommunkod, settle.kommunkod) RETURNS boolean
    AS 'MODULE_PATHNAME', 'settle_code_ne' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION settle.kommunkod_lt(settle.kommunkod, settle.kommunkod) RETURNS boolean
    AS 'MODULE_PATHNAME', 'settle_code_lt' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION settle.kommunkod_le(settle.kommunkod, settle.kommunkod) RETURNS boolean
    AS 'MODULE_PATHNAME', 'settle_code_le' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION settle.kommunkod_gt(settle.kommunkod, settle.kommunkod) RETURNS boolean
    AS 'MODULE_PATHNAME', 'settle_code_gt' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION settle.kommunkod_ge(settle.kommunkod, settle.kommunkod) RETURNS boolean
    AS 'MODULE_PATHNAME', 'settle_code_ge' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION settle.kommunkod_cmp(settle.kommunkod, settle.kommunkod) RETURNS integer
    AS 'MODULE_PATHNAME', 'settle_code_cmp' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION settle.kommunkod_hash(settle.kommunkod) RETURNS integer
    AS 'MODULE_PATHNAME', 'settle_code_hash' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION settle.kommunkod_hash_extended(settle.kommunkod, bigint) RETURNS bigint
    AS 'MODULE_PATHNAME', 'settle_code_hash_extended' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;

CREATE FUNCTION settle.lanskod_eq(settle.lanskod, settle.lanskod) RETURNS boolean
    AS 'MODULE_PATHNAME', 'settle_code_eq' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION settle.lanskod_ne(settle.lanskod, settle.lanskod) RETURNS boolean
    AS 'MODULE_PATHNAME', 'settle_code_ne' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION settle.lanskod_lt(settle.lanskod, settle.lanskod) RETURNS boolean
    AS 'MODULE_PATHNAME', 'settle_code_lt' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION settle.lanskod_le(settle.lanskod, settle.lanskod) RETURNS boolean
    AS 'MODULE_PATHNAME', 'settle_code_le' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION settle.lanskod_gt(settle.lanskod, settle.lanskod) RETURNS boolean
    AS 'MODULE_PATHNAME', 'settle_code_gt' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION settle.lanskod_ge(settle.lanskod, settle.lanskod) RETURNS boolean
    AS 'MODULE_PATHNAME', 'settle_code_ge' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION settle.lanskod_cmp(settle.lanskod, settle.lanskod) RETURNS integer
    AS 'MODULE_PATHNAME', 'settle_code_cmp' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION settle.lanskod_hash(settle.lanskod) RETURNS integer
    AS 'MODULE_PATHNAME', 'settle_code_hash' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION settle.lanskod_hash_extended(settle.lanskod, bigint) RETURNS bigint
    AS 'MODULE_PATHNAME', 'settle_code_hash_extended' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;

DO $ops$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['kommunkod', 'lanskod'] LOOP
        EXECUTE format($f$
            COMMENT ON FUNCTION settle.%1$s_eq(settle.%1$s, settle.%1$s) IS 'Equality of settle.%1$s (operator =).';
            COMMENT ON FUNCTION settle.%1$s_ne(settle.%1$s, settle.%1$s) IS 'Inequality of settle.%1$s (operator <>).';
            COMMENT ON FUNCTION settle.%1$s_lt(settle.%1$s, settle.%1$s) IS 'Less than for settle.%1$s (operator <), numeric code order.';
            COMMENT ON FUNCTION settle.%1$s_le(settle.%1$s, settle.%1$s) IS 'Less or equal for settle.%1$s (operator <=).';
            COMMENT ON FUNCTION settle.%1$s_gt(settle.%1$s, settle.%1$s) IS 'Greater than for settle.%1$s (operator >).';
            COMMENT ON FUNCTION settle.%1$s_ge(settle.%1$s, settle.%1$s) IS 'Greater or equal for settle.%1$s (operator >=).';
            COMMENT ON FUNCTION settle.%1$s_cmp(settle.%1$s, settle.%1$s) IS 'Three-way comparison of settle.%1$s (btree support).';
            COMMENT ON FUNCTION settle.%1$s_hash(settle.%1$s) IS 'Hash of settle.%1$s (hash index and hash aggregation support).';
            COMMENT ON FUNCTION settle.%1$s_hash_extended(settle.%1$s, bigint) IS 'Seeded 64-bit hash of settle.%1$s (hash partitioning support).';

            CREATE OPERATOR pg_catalog.= (LEFTARG = settle.%1$s, RIGHTARG = settle.%1$s,
                PROCEDURE = settle.%1$s_eq, COMMUTATOR = OPERATOR(pg_catalog.=), NEGATOR = OPERATOR(pg_catalog.<>),
                RESTRICT = eqsel, JOIN = eqjoinsel, HASHES, MERGES);
            CREATE OPERATOR pg_catalog.<> (LEFTARG = settle.%1$s, RIGHTARG = settle.%1$s,
                PROCEDURE = settle.%1$s_ne, COMMUTATOR = OPERATOR(pg_catalog.<>), NEGATOR = OPERATOR(pg_catalog.=),
                RESTRICT = neqsel, JOIN = neqjoinsel);
            CREATE OPERATOR pg_catalog.< (LEFTARG = settle.%1$s, RIGHTARG = settle.%1$s,
                PROCEDURE = settle.%1$s_lt, COMMUTATOR = OPERATOR(pg_catalog.>), NEGATOR = OPERATOR(pg_catalog.>=),
                RESTRICT = scalarltsel, JOIN = scalarltjoinsel);
            CREATE OPERATOR pg_catalog.<= (LEFTARG = settle.%1$s, RIGHTARG = settle.%1$s,
                PROCEDURE = settle.%1$s_le, COMMUTATOR = OPERATOR(pg_catalog.>=), NEGATOR = OPERATOR(pg_catalog.>),
                RESTRICT = scalarlesel, JOIN = scalarlejoinsel);
            CREATE OPERATOR pg_catalog.> (LEFTARG = settle.%1$s, RIGHTARG = settle.%1$s,
                PROCEDURE = settle.%1$s_gt, COMMUTATOR = OPERATOR(pg_catalog.<), NEGATOR = OPERATOR(pg_catalog.<=),
                RESTRICT = scalargtsel, JOIN = scalargtjoinsel);
            CREATE OPERATOR pg_catalog.>= (LEFTARG = settle.%1$s, RIGHTARG = settle.%1$s,
                PROCEDURE = settle.%1$s_ge, COMMUTATOR = OPERATOR(pg_catalog.<=), NEGATOR = OPERATOR(pg_catalog.<),
                RESTRICT = scalargesel, JOIN = scalargejoinsel);

            CREATE OPERATOR CLASS settle.%1$s_ops DEFAULT FOR TYPE settle.%1$s USING btree AS
                OPERATOR 1 pg_catalog.<, OPERATOR 2 pg_catalog.<=, OPERATOR 3 pg_catalog.=,
                OPERATOR 4 pg_catalog.>=, OPERATOR 5 pg_catalog.>,
                FUNCTION 1 settle.%1$s_cmp(settle.%1$s, settle.%1$s);
            CREATE OPERATOR CLASS settle.%1$s_hash_ops DEFAULT FOR TYPE settle.%1$s USING hash AS
                OPERATOR 1 pg_catalog.=,
                FUNCTION 1 settle.%1$s_hash(settle.%1$s),
                FUNCTION 2 settle.%1$s_hash_extended(settle.%1$s, bigint);
        $f$, t);
    END LOOP;
END
$ops$;

-- -------------------------------------------------------------------- casts
CREATE FUNCTION settle.kommunkod(integer) RETURNS settle.kommunkod
    AS 'MODULE_PATHNAME', 'kommunkod_from_int4' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION settle.lanskod(integer) RETURNS settle.lanskod
    AS 'MODULE_PATHNAME', 'lanskod_from_int4' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION settle.to_integer(settle.kommunkod) RETURNS integer
    AS 'MODULE_PATHNAME', 'settle_code_to_int4' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION settle.to_integer(settle.lanskod) RETURNS integer
    AS 'MODULE_PATHNAME', 'settle_code_to_int4' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION settle.lanskod(settle.kommunkod) RETURNS settle.lanskod
    AS 'MODULE_PATHNAME', 'kommunkod_to_lanskod' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;

CREATE CAST (integer AS settle.kommunkod) WITH FUNCTION settle.kommunkod(integer);
CREATE CAST (integer AS settle.lanskod) WITH FUNCTION settle.lanskod(integer);
CREATE CAST (settle.kommunkod AS integer) WITH FUNCTION settle.to_integer(settle.kommunkod);
CREATE CAST (settle.lanskod AS integer) WITH FUNCTION settle.to_integer(settle.lanskod);
CREATE CAST (settle.kommunkod AS settle.lanskod) WITH FUNCTION settle.lanskod(settle.kommunkod);

COMMENT ON FUNCTION settle.kommunkod(integer) IS
    'Municipality code from an integer, zero-padded: settle.kommunkod(180) = ''0180''. Also the cast integer::settle.kommunkod.';
COMMENT ON FUNCTION settle.lanskod(integer) IS
    'County code from an integer: settle.lanskod(1) = ''01''. Also the cast integer::settle.lanskod.';
COMMENT ON FUNCTION settle.to_integer(settle.kommunkod) IS
    'The municipality code as an integer (''0180'' -> 180). Also the cast kommunkod::integer.';
COMMENT ON FUNCTION settle.to_integer(settle.lanskod) IS
    'The county code as an integer (''01'' -> 1). Also the cast lanskod::integer.';
COMMENT ON FUNCTION settle.lanskod(settle.kommunkod) IS
    'The county of a municipality code: its first two digits (''1480'' -> ''14''). Also the cast kommunkod::settle.lanskod.';

CREATE FUNCTION settle.letter(settle.lanskod) RETURNS text
    AS 'MODULE_PATHNAME', 'lanskod_letter' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION settle.letter(settle.lanskod) IS
    'The county''s registration letter code (länsbokstav): settle.letter(''14'') = ''O''.';

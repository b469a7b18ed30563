# settle: PostgreSQL extension (PGXS).
#
#   make                 build the module and the extension script
#   make install         install into the PostgreSQL that pg_config names
#   make installcheck    pg_regress scenarios (sql/, expected/) on a running server
#   make prove           pgTAP suites (test/pgtap) on a running server
#   make fuzz            build and run the libFuzzer targets (test/fuzz)
#
# The README's two commands (test/demo.sh, test/check.sh) do all of it,
# including installing packages and starting a throwaway cluster.

EXTENSION   = settle
EXTVERSION  = $(shell sed -n "s/^default_version *= *'\(.*\)'/\1/p" settle.control)

MODULE_big  = settle
OBJS        = src/settle.o src/cancel.o src/codes.o src/code_ops.o src/kommunkod.o \
              src/apportion_core.o src/apportion.o src/match_core.o src/match.o \
              src/lanskod.o src/distance.o src/match_optimal.o src/mcf.o

# The install script is built from these parts, in this order.
SQL_PARTS   = src/sql/010_types.sql \
              src/sql/020_reference.sql \
              build/025_reference_data.sql \
              src/sql/027_reference_guard.sql \
              src/sql/030_distance.sql \
              src/sql/040_apportion.sql \
              src/sql/050_planning.sql \
              src/sql/055_decision_log.sql \
              src/sql/060_quotas.sql \
              src/sql/070_referrals.sql \
              src/sql/075_referral_followup.sql \
              src/sql/080_plan.sql \
              src/sql/090_status.sql \
              src/sql/100_matching.sql \
              src/sql/110_followup.sql \
              src/sql/095_security.sql \
              src/sql/099_dump.sql

REFERENCE_CSV = src/data/counties.csv src/data/municipalities.csv \
                src/data/municipality_neighbours.csv src/data/population_1950_2019.csv

DATA_built  = build/$(EXTENSION)--$(EXTVERSION).sql
EXTRA_CLEAN = build

REGRESS     = $(patsubst sql/%.sql,%,$(sort $(wildcard sql/*.sql)))

PG_CONFIG  ?= pg_config
PG_CPPFLAGS = -I$(srcdir)/src
SHLIB_LINK += -lm

PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

build/025_reference_data.sql: src/reference_data.awk $(REFERENCE_CSV)
	@mkdir -p build
	awk -f src/reference_data.awk $(REFERENCE_CSV) > $@.tmp && mv $@.tmp $@

build/$(EXTENSION)--$(EXTVERSION).sql: $(SQL_PARTS) settle.control
	@mkdir -p build
	cat $(SQL_PARTS) > $@.tmp && mv $@.tmp $@

# pgTAP suites, one file per concern, against the server in PGHOST/PGPORT.
PROVE_FLAGS ?= --failures
prove:
	pg_prove $(PROVE_FLAGS) test/pgtap/*.sql

fuzz:
	$(MAKE) -C test/fuzz run

.PHONY: prove fuzz

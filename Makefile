# settle: PostgreSQL extension (PGXS).
#
#   make                 build the module and the extension script
#   make STRICT=1        the same with -Wall -Wextra -Werror on settle's own
#                        code and its internal checks (SETTLE_ASSERT) compiled
#                        in: the build test/check.sh tests
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
              src/lanskod.o src/distance.o src/match_lp.o src/match_optimal.o src/mcf.o \
              src/fit_core.o src/fit.o

# The install script is the parts of src/install/ in the order of their
# numbers, with the generated reference data (build/025_...) in its place.
INSTALL_PARTS = $(sort $(notdir $(wildcard src/install/*.sql)) 025_reference_data.sql)
SQL_PARTS   = $(foreach f,$(INSTALL_PARTS),$(if $(filter 025_reference_data.sql,$(f)),build/$(f),src/install/$(f)))

REFERENCE_CSV = src/data/counties.csv src/data/municipalities.csv \
                src/data/municipality_neighbours.csv src/data/population_1950_2019.csv \
                src/data/county_quotas_published.csv src/data/municipal_quotas_2018.csv \
                src/data/municipal_reception_2018.csv \
                src/data/municipality_outlines.csv src/data/county_borders.csv \
                $(sort $(wildcard src/data/factors/*.csv))

DATA_built  = build/$(EXTENSION)--$(EXTVERSION).sql
# upgrade scripts, one per released step (test/upgrade.sh tests them)
DATA        = $(wildcard src/upgrade/$(EXTENSION)--*--*.sql)
EXTRA_CLEAN = build

REGRESS     = $(patsubst sql/%.sql,%,$(sort $(wildcard sql/*.sql)))

PG_CONFIG  ?= pg_config
PG_CPPFLAGS = -I$(srcdir)/src
SHLIB_LINK += -lm

ifdef STRICT
# PostgreSQL's headers as system headers: -Wextra is for settle's code only
PG_CPPFLAGS += -isystem $(shell $(PG_CONFIG) --includedir-server) -DSETTLE_ASSERTS
PG_CFLAGS   += -Wall -Wextra -Werror
endif

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

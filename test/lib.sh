# test/lib.sh: shared set-up for test/demo.sh and test/check.sh.
#
#   settle_setup           install missing Debian packages (root) or print the
#                          exact apt-get line and stop (not root); build; install
#   settle_in_cluster CMD  run CMD in a throwaway PostgreSQL cluster, with
#                          PGHOST/PGPORT/PGUSER/PGDATABASE set; the cluster is
#                          removed afterwards, whatever CMD returns
#
# As root the extension is installed into the system PostgreSQL and the
# throwaway cluster runs as the postgres user.  As any other user nothing
# outside the work tree is touched: the extension is installed into a private
# copy of the server under build/pgroot (PostgreSQL finds its share and lib
# directories relative to its own binary) and the cluster runs from there.

PG_MAJOR=${PG_MAJOR:-15}
SETTLE_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PG_BIN=/usr/lib/postgresql/$PG_MAJOR/bin
PG_CONFIG=$PG_BIN/pg_config
SETTLE_LIBFAKETIME=/usr/lib/$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || echo x86_64-linux-gnu)/faketime/libfaketime.so.1
SETTLE_PACKAGES="postgresql-$PG_MAJOR postgresql-server-dev-$PG_MAJOR postgresql-$PG_MAJOR-pgtap libtap-parser-sourcehandler-pgtap-perl make gcc libclang-rt-14-dev"
export PG_CONFIG

say() { printf '\n==> %s\n' "$*" >&2; }
die() { printf 'settle: %s\n' "$*" >&2; exit 1; }
# benchmarks: the minimum and the median of the numbers on stdin, "min median"
min_median() {
    sort -g | awk '{ v[NR] = $1 } END { printf "%.0f %.0f", v[1], (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

settle_missing_packages() {
    local p
    for p in $SETTLE_PACKAGES; do
        dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' || printf '%s ' "$p"
    done
}

settle_packages() {
    local missing
    missing=$(settle_missing_packages)
    [ -z "$missing" ] && return 0
    if [ "$(id -u)" -ne 0 ]; then
        printf 'settle: these Debian packages are missing: %s\n' "$missing" >&2
        printf 'Install them as root, then run this command again:\n\n' >&2
        printf '    sudo apt-get update && sudo apt-get install -y --no-install-recommends %s\n\n' "$missing" >&2
        exit 2
    fi
    say "installing Debian packages: $missing"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq || die "apt-get update failed"
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends $missing >/dev/null || die "apt-get install failed"
}

# The private server tree for non-root runs: a copy of the server binaries
# beside symlinks to everything else, plus settle installed with DESTDIR.
SETTLE_PGROOT=$SETTLE_TOP/build/pgroot

# settle_private_tree [DEB]: settle's files from `make install`, or from DEB
settle_private_tree() {
    local share lib d f
    share=$("$PG_CONFIG" --sharedir)
    lib=$("$PG_CONFIG" --pkglibdir)
    rm -rf "$SETTLE_PGROOT"
    mkdir -p "$SETTLE_PGROOT$PG_BIN"
    cp "$PG_BIN/postgres" "$PG_BIN/initdb" "$PG_BIN/pg_ctl" "$SETTLE_PGROOT$PG_BIN/"
    if [ -n "${1:-}" ]; then
        dpkg-deb -x "$1" "$SETTLE_PGROOT"
    else
        make -s -C "$SETTLE_TOP" install DESTDIR="$SETTLE_PGROOT" >/dev/null
    fi
    # link every system file the copy has not got (plpgsql, pgtap, catalogs, ...)
    for d in "$share" "$share/extension" "$lib" "$lib/bitcode"; do
        mkdir -p "$SETTLE_PGROOT$d"
        for f in "$d"/*; do
            [ -e "$SETTLE_PGROOT$f" ] || ln -s "$f" "$SETTLE_PGROOT$f"
        done
    done
}

# SETTLE_MAKE_ARGS: extra make variables for the build (test/check.sh: STRICT=1,
# warnings as errors and the internal checks compiled in); such a build
# starts from a clean tree, so no object of another build is reused
SETTLE_MAKE_ARGS=${SETTLE_MAKE_ARGS:-}

settle_setup() {
    settle_packages
    say "building settle${SETTLE_MAKE_ARGS:+ ($SETTLE_MAKE_ARGS)}"
    if [ -n "$SETTLE_MAKE_ARGS" ]; then
        make -s -C "$SETTLE_TOP" clean >/dev/null
    fi
    # shellcheck disable=SC2086
    make -s -C "$SETTLE_TOP" $SETTLE_MAKE_ARGS >/dev/null || die "build failed"
    if [ "$(id -u)" -eq 0 ]; then
        say "installing settle into PostgreSQL $PG_MAJOR"
        make -s -C "$SETTLE_TOP" install >/dev/null || die "make install failed"
    else
        say "installing settle into a private server tree (not root): $SETTLE_PGROOT"
        settle_private_tree || die "private install failed"
    fi
}

# settle_in_cluster CMD...: CMD runs with the cluster's connection settings
# (PGHOST is the cluster's private socket directory; no TCP port is opened, so
# runs never collide).  The cluster is stopped and deleted on any exit.
SETTLE_CLUSTER=
settle_cluster_cleanup() {
    [ -n "$SETTLE_CLUSTER" ] || return 0
    $SETTLE_AS "$SETTLE_BIN/pg_ctl" -D "$SETTLE_CLUSTER/data" -m immediate -w stop >/dev/null 2>&1 || true
    rm -rf "$SETTLE_CLUSTER"
    SETTLE_CLUSTER=
}

settle_in_cluster() {
    local rc=0
    if [ "$(id -u)" -eq 0 ]; then
        SETTLE_BIN=$PG_BIN            # the server runs as postgres, never as root
        SETTLE_AS="runuser -u postgres --"
    else
        SETTLE_BIN=$SETTLE_PGROOT$PG_BIN
        SETTLE_AS=
    fi
    SETTLE_CLUSTER=$(mktemp -d "${TMPDIR:-/tmp}/settle-cluster.XXXXXX")
    trap settle_cluster_cleanup EXIT
    trap 'settle_cluster_cleanup; exit 130' INT TERM
    [ -z "$SETTLE_AS" ] || chown postgres "$SETTLE_CLUSTER"
    $SETTLE_AS "$SETTLE_BIN/initdb" -D "$SETTLE_CLUSTER/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 \
        >"$SETTLE_CLUSTER/initdb.log" 2>&1 \
        || { cat "$SETTLE_CLUSTER/initdb.log" >&2; die "initdb failed"; }
    # SETTLE_FAKETIME="@2029-02-14 10:00:00": the server's clock starts there
    # (libfaketime, Debian package faketime); test/any_day.sh uses it
    local fake=()
    [ -z "${SETTLE_FAKETIME:-}" ] || fake=(LD_PRELOAD="$SETTLE_LIBFAKETIME" FAKETIME="$SETTLE_FAKETIME" FAKETIME_DONT_FAKE_MONOTONIC=1)
    $SETTLE_AS env "${fake[@]}" \
        "$SETTLE_BIN/pg_ctl" -D "$SETTLE_CLUSTER/data" -l "$SETTLE_CLUSTER/data/server.log" -w \
        -o "-k $SETTLE_CLUSTER -c listen_addresses= -p 5432" start >/dev/null \
        || { cat "$SETTLE_CLUSTER/data/server.log" >&2; die "the server did not start"; }
    # (SETTLE_CLUSTER, SETTLE_BIN, SETTLE_AS: for the crash test, which restarts the server)
    SETTLE_CLUSTER=$SETTLE_CLUSTER SETTLE_BIN=$SETTLE_BIN SETTLE_AS=$SETTLE_AS \
        PGHOST=$SETTLE_CLUSTER PGPORT=5432 PGUSER=postgres PGDATABASE=postgres "$@" || rc=$?
    settle_cluster_cleanup
    return "$rc"
}

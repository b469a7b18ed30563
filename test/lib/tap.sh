# test/lib/tap.sh: the little TAP helper the shell suites in test/scripts share.
#   check DESCRIPTION GOT EXPECTED   prints "ok N - ..." or "not ok N - ..." with both values
# $n counts the checks; $failed is 1 once one failed (exit with it).
n=0 failed=0
check() {
    n=$((n + 1))
    if [ "$2" = "$3" ]; then echo "ok $n - $1"; else echo "not ok $n - $1"; echo "#   got:      '$2'"; echo "#   expected: '$3'"; failed=1; fi
}

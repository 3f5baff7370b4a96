#!/usr/bin/env bash
# Runs every fuzz target in the module briefly (make test): FUZZ_TOTAL
# seconds (default 60) shared between them. A failure leaves the input
# under <package>/testdata/fuzz/<Target>/, where `go test` replays it from
# then on: fix the bug and commit that file beside the test, so the corpus
# of found cases is kept.
set -euo pipefail
cd "$(dirname "$0")/.."
total=${FUZZ_TOTAL:-60}
mapfile -t targets < <(git grep -E '^func Fuzz[A-Za-z0-9_]+\(' -- '*_test.go' |
	sed -E 's#^(.*)/[^/]+_test\.go:func (Fuzz[A-Za-z0-9_]+)\(.*#./\1 \2#' | sort -u)
if [ ${#targets[@]} -eq 0 ]; then
	echo "fuzz.sh: no fuzz targets found" >&2
	exit 1
fi
per=$(( total / ${#targets[@]} ))
[ "$per" -ge 1 ] || per=1
echo "fuzzing ${#targets[@]} targets for ${per}s each"
failed=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT
# fuzz_once PKG NAME: 0 passed; 1 failed; 2 Go's own end-of-fuzztime race
# (go.dev/issue/75804, unfixed in Go 1.26: on a loaded machine the
# coordinator can report "context deadline exceeded" when -fuzztime ends,
# with no failing input written). A real failure always writes its input
# under testdata/fuzz/<Target>/, so that is what tells them apart.
fuzz_once() {
	local pkg=$1 name=$2 dir before after
	dir="$pkg/testdata/fuzz/$name"
	before=$(ls "$dir" 2>/dev/null | wc -l)
	if go test -run '^$' -fuzz "^${name}\$" -fuzztime "${per}s" "$pkg" >"$log" 2>&1; then
		return 0
	fi
	after=$(ls "$dir" 2>/dev/null | wc -l)
	if [ "$after" -eq "$before" ] && grep -q 'context deadline exceeded' "$log"; then
		return 2
	fi
	return 1
}
for t in "${targets[@]}"; do
	pkg=${t% *} name=${t#* }
	rc=0
	fuzz_once "$pkg" "$name" || rc=$?
	if [ $rc -eq 2 ]; then
		echo "again $pkg $name (Go's fuzztime race, go.dev/issue/75804; no failing input written)"
		rc=0
		fuzz_once "$pkg" "$name" || rc=$?
	fi
	case $rc in
	0) echo "ok   $pkg $name" ;;
	2) echo "ok   $pkg $name (Go's fuzztime race twice, no failing input written: see go.dev/issue/75804)" ;;
	*) echo "FAIL $pkg $name"; cat "$log"; failed=1 ;;
	esac
done
exit $failed

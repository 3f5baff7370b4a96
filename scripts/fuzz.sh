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
for t in "${targets[@]}"; do
	pkg=${t% *} name=${t#* }
	if ! go test -run '^$' -fuzz "^${name}\$" -fuzztime "${per}s" "$pkg" >"$log" 2>&1; then
		echo "FAIL $pkg $name"; cat "$log"; failed=1
	else
		echo "ok   $pkg $name"
	fi
done
exit $failed

#!/usr/bin/env bash
# Fails if generated code is stale: each templ component's Go
# (<name>_templ.go, by the templ version go.mod pins as a tool) and the UI's
# pages rendered from their html/template sources (internal/web/rendered).
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/templ" github.com/a-h/templ/cmd/templ
status=0
while IFS= read -r f; do
	# Generate a copy in a scratch directory, as go generate does in the
	# package's own (the generated code records the file's relative name).
	name=$(basename "${f%.templ}")
	mkdir "$work/$name"
	cp "$f" "$work/$name/"
	(cd "$work/$name" && "$work/templ" generate -f "$name.templ" >/dev/null 2>&1)
	if ! cmp -s "$work/$name/${name}_templ.go" "${f%.templ}_templ.go"; then
		echo "${f%.templ}_templ.go is stale: run go generate ./$(dirname "$f")"
		status=1
	fi
done < <(git ls-files '*.templ')
go test -count=1 -run '^TestPagesAreRendered$' ./internal/web >/dev/null || {
	echo "internal/web/rendered is stale: run go generate ./internal/web"
	status=1
}
exit $status

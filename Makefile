# carebill — the two commands a newcomer needs: `make dev` and `make test`.
SHELL := /bin/bash
GO ?= go
export GOFLAGS := -buildvcs=false
# The CJK fonts PDFs load only when a document needs them (scripts/fetch-fonts.sh).
export CAREBILL_FONT_DIR ?= $(CURDIR)/.fonts
GOBIN := $(shell $(GO) env GOPATH)/bin
export PATH := $(GOBIN):$(PATH)

# Lambda binaries: linux/arm64, static, stripped, as SAM's makefile build method expects.
LAMBDA_BUILD := GOOS=linux GOARCH=arm64 CGO_ENABLED=0 $(GO) build -trimpath -ldflags='-s -w' -tags lambda.norpc

.PHONY: dev test tools-dev tools-test fonts vet lint staticcheck fuzz unit bench clean

## dev: run the whole system locally (moto + API on http://localhost:3000)
dev: tools-dev
	$(GO) run ./infra/local

## test: vet, lint the code and the template, run every test, fuzz briefly
test: tools-test vet staticcheck lint
	$(GO) test -count=1 -timeout 25m ./...
	@bash scripts/fuzz.sh

tools-dev: fonts
	@bash scripts/ensure-tools.sh moto stripe-mock

tools-test: fonts
	@bash scripts/ensure-tools.sh moto stripe-mock chromium poppler qpdf

## fonts: fetch the pinned CJK fonts into $(CAREBILL_FONT_DIR)
fonts:
	@bash scripts/fetch-fonts.sh "$(CAREBILL_FONT_DIR)"

vet:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || (echo "gofmt needed:"; gofmt -l $$(git ls-files '*.go'); exit 1)
	$(GO) vet ./...
	@$(GO) mod tidy -diff >/dev/null || (echo "go.mod/go.sum are not tidy: run go mod tidy"; $(GO) mod tidy -diff; exit 1)
	@# Generated code (templ components, the UI's rendered pages) matches its sources.
	@bash scripts/check-generated.sh
	@# No built binary (go build ./bench/x leaves ./x) or other file over 1 MiB is tracked.
	@big=$$(git ls-files -z | xargs -0 -r du -k -- 2>/dev/null | awk '$$1 > 1024 {print $$2}'); \
	  test -z "$$big" || (echo "files over 1 MiB are tracked (a built binary?):"; echo "$$big"; exit 1)

lint:
	cfn-lint template.yaml

# staticcheck, pinned; go run builds it without touching go.mod.
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2
staticcheck:
	$(GO) run $(STATICCHECK) ./...

## fuzz: every fuzz target for a share of FUZZ_TOTAL seconds (60)
fuzz:
	bash scripts/fuzz.sh

## bench: the benchmarks recorded in BENCHMARKS.md
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

# SAM: `sam build` calls build-<LogicalId> with ARTIFACTS_DIR set.
build-InvoicingFunction:
	$(LAMBDA_BUILD) -o $(ARTIFACTS_DIR)/bootstrap ./functions/invoicing

build-PaymentsFunction:
	$(LAMBDA_BUILD) -o $(ARTIFACTS_DIR)/bootstrap ./functions/payments

build-DocumentsFunction:
	$(LAMBDA_BUILD) -o $(ARTIFACTS_DIR)/bootstrap ./functions/documents

build-PortalFunction:
	$(LAMBDA_BUILD) -o $(ARTIFACTS_DIR)/bootstrap ./functions/portal

build-WebFunction:
	$(LAMBDA_BUILD) -o $(ARTIFACTS_DIR)/bootstrap ./functions/web

# The fonts layer: Lambda mounts it at /opt, so the fonts are in /opt/fonts.
build-FontsLayer:
	bash scripts/fetch-fonts.sh "$(ARTIFACTS_DIR)/fonts"

build-NotifierFunction:
	$(LAMBDA_BUILD) -o $(ARTIFACTS_DIR)/bootstrap ./functions/notifier

build-CycleCloseFunction:
	$(LAMBDA_BUILD) -o $(ARTIFACTS_DIR)/bootstrap ./functions/cycle-close

build-RunWorkerFunction:
	$(LAMBDA_BUILD) -o $(ARTIFACTS_DIR)/bootstrap ./functions/run-worker

clean:
	rm -rf .aws-sam

# Tessera. `make run` starts it with no setup (SQLite in ./data, keys in
# ./keys); `make test` runs every test (Postgres ones too when
# TESSERA_TEST_POSTGRES_URL is set).
GO      ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X main.version=$(VERSION)

.PHONY: run build test lint fmt fuzz

run:
	$(GO) run -ldflags "$(LDFLAGS)" ./cmd/tessera serve

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o bin/tessera ./cmd/tessera

test:
	$(GO) test -race -count=1 -timeout 15m ./...

# lint fails on vet findings, unformatted files and an untidy module (a
# requirement marked // indirect that the code imports, or one it no
# longer needs): `go mod tidy` fixes the last.
lint:
	$(GO) vet ./...
	@$(GO) mod tidy -diff >/dev/null || { echo "go.mod or go.sum untidy: run go mod tidy"; $(GO) mod tidy -diff; exit 1; }
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

fmt:
	gofmt -w $$(git ls-files '*.go')

# `make bench`: a short benchmark (well under 2 minutes) on SQLite and, when
# TESSERA_BENCH_POSTGRES_URL or TESSERA_TEST_POSTGRES_URL is set, on Postgres
# in a schema of its own. Reports go to bench-results/ (git-ignored). The
# full run is bin/tessera-bench with its defaults; see README, Benchmarks.
BENCH_FLAGS ?= --clients 8 --duration 2s --warmup 500ms
.PHONY: bench
bench:
	$(GO) build -o bin/tessera-bench ./cmd/tessera-bench
	bin/tessera-bench $(BENCH_FLAGS)
	@pg="$${TESSERA_BENCH_POSTGRES_URL:-$$TESSERA_TEST_POSTGRES_URL}"; \
	if [ -n "$$pg" ]; then echo "bin/tessera-bench $(BENCH_FLAGS) --database-url <postgres>"; \
		bin/tessera-bench $(BENCH_FLAGS) --database-url "$$pg"; \
	else echo "bench: TESSERA_BENCH_POSTGRES_URL and TESSERA_TEST_POSTGRES_URL unset: Postgres skipped"; fi

# Each fuzz target for FUZZTIME (a duration, or an iteration count such as
# 2000x, which CI uses so a loaded machine cannot turn it into a timeout).
FUZZTIME ?= 60s
FUZZ_TARGETS = \
	./internal/httpapi:FuzzSchemeCredential \
	./internal/httpapi:FuzzParseBasic \
	./internal/httpapi:FuzzBind \
	./internal/httpapi:FuzzAppendLoginResponse \
	./internal/token:FuzzParseRefresh \
	./internal/token:FuzzAppendAccessClaims \
	./internal/store/sqlstore:FuzzDecodeList \
	./internal/oidc:FuzzParseAuthorizationRequest \
	./internal/oidc:FuzzClientAuth \
	./pkg/jwtverify:FuzzVerify \
	./pkg/jwtverify:FuzzClaimDecoders \
	./internal/password:FuzzVerify \
	./internal/password:FuzzVerifyForeign \
	./internal/identifier:FuzzNormalizeEmail \
	./internal/identifier:FuzzNormalizeUsername

fuzz:
	@for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%:*}; fn=$${t##*:}; \
		echo "fuzz $$fn ($$pkg, $(FUZZTIME))"; \
		$(GO) test -run '^$$' -fuzz "^$$fn\$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
	done

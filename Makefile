# Tessera. `make run` starts it with no setup (SQLite in ./data, keys in
# ./keys); `make test` runs every test (Postgres ones too when
# TESSERA_TEST_POSTGRES_URL is set).
GO      ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X main.version=$(VERSION)

.PHONY: run build test lint fmt

run:
	$(GO) run -ldflags "$(LDFLAGS)" ./cmd/tessera serve

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o bin/tessera ./cmd/tessera

test:
	$(GO) test -race -count=1 -timeout 15m ./...

lint:
	$(GO) vet ./...
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

fmt:
	gofmt -w $$(git ls-files '*.go')

# The two commands of the README:
#   make run   installs what is missing, builds, serves on :8080 with the demo data
#   make test  installs what is missing and runs every test
.PHONY: run test deps build web e2e bench fmt fuzz

ADDR ?= :8080
DATA_DIR ?= ./var

run: deps build
	./bin/coalmap serve --addr $(ADDR) --data-dir $(DATA_DIR)

test: deps
	./scripts/test.sh

deps:
	./scripts/install-deps.sh

build: web
	go build -o bin/coalmap ./cmd/coalmap

# The web map's assets (web/ → api/web/dist), embedded by the next go build.
web:
	./scripts/build-web.sh

# The web map's end-to-end suites alone, in headless Chromium: the planner's
# map, then the MapLibre styles and CORS from pages on other origins.
e2e: build
	cd web && node e2e/run.mjs && node e2e/styles.mjs

fmt:
	gofmt -w .

# Every fuzz target for FUZZTIME each (plain `go test` replays their seeds
# and what earlier runs found, in testdata/fuzz/).
FUZZTIME ?= 30s
fuzz:
	FUZZTIME=$(FUZZTIME) ./scripts/fuzz.sh

# The two commands of the README:
#   make run   installs what is missing, builds, serves on :8080 with the demo data
#   make test  installs what is missing and runs every test
.PHONY: run test deps build bench fmt

ADDR ?= :8080
DATA_DIR ?= ./var

run: deps build
	./bin/coalmap serve --addr $(ADDR) --data-dir $(DATA_DIR)

test: deps
	./scripts/test.sh

deps:
	./scripts/install-deps.sh

build:
	go build -o bin/coalmap ./cmd/coalmap

fmt:
	gofmt -w .

# csgw — two commands on a fresh Debian 12 machine:
#   make run    install what is missing, build (Release), start the gateway on 127.0.0.1:8080
#   make test   install what is missing, build, run every test through ctest
# Also: make test-asan (ASan+UBSan build of the tests), make bench (ingest benchmark, wrk vs nginx).

SHELL := /bin/bash
JOBS ?= $(shell nproc)
CONFIG ?= config/csgw.json

# Build, test and run dependencies: Debian 12 packages (see DESIGN.md and TOOLCHAIN.md).
DEB_PACKAGES := build-essential cmake ninja-build pkg-config \
  libboost-dev libcurl4-openssl-dev libprotobuf-dev protobuf-compiler librocksdb-dev libsimdjson-dev libssl-dev \
  libhowardhinnant-date-dev tzdata prometheus-cpp-dev libicu-dev libcld2-dev libgtest-dev libgmock-dev libbenchmark-dev \
  libical-dev
BENCH_PACKAGES := wrk nginx python3 curl
# Only the tests need these: headless Chromium drives the dashboard (gateway/api/dashboard_test.cc).
TEST_PACKAGES := chromium

SUDO := $(if $(filter 0,$(shell id -u)),,sudo)

.PHONY: all deps bench-deps test-deps build build-test build-asan run test test-asan bench clean

all: build

# Installs only what is missing, so repeated runs cost a dpkg query.
deps:
	@missing=$$(for p in $(DEB_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing:" $$missing; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi

test-deps:
	@missing=$$(for p in $(TEST_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing:" $$missing; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi

bench-deps:
	@missing=$$(for p in $(BENCH_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi

build: deps
	cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release
	cmake --build build/release -j $(JOBS)

build-test: deps
	cmake -S . -B build/test -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCSGW_BUILD_BENCH=OFF
	cmake --build build/test -j $(JOBS)

build-asan: deps
	cmake -S . -B build/asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCSGW_SANITIZE=ON -DCSGW_BUILD_BENCH=OFF
	cmake --build build/asan -j $(JOBS)

run: build
	mkdir -p var
	./build/release/gateway/csgw serve --config $(CONFIG)

test: build-test test-deps
	cd build/test && ctest --output-on-failure -j $(JOBS) --timeout 300

test-asan: build-asan test-deps
	cd build/asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ctest --output-on-failure -j $(JOBS) --timeout 600

bench: build bench-deps
	bench/ingest/run.sh

clean:
	rm -rf build

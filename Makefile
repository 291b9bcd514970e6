# Strata's two front-door commands: `make run` and `make test`. Both install what is missing first.
#   make run        build (release) and serve on 127.0.0.1:3100 with data in ./data
#   make test       the ASan/UBSan build, then its unit tests, the integration tests against that binary (real
#                   protocols, crash test, promtool), a short run of every fuzz target and a benchmark smoke run
#   make unit | integration         the same tests against the release build
#   make build | debug | asan     the three build configurations, in build/release, build/debug, build/asan
#   make fuzz       libFuzzer targets with clang (FUZZ_SECONDS per target, default 10)
#   make bench-ingest               native ingest load test (docs/benchmarks.md)
#   make bench-protocols            ingest throughput per protocol on the same records (docs/benchmarks.md)
#   make bench-storage              storage engine: ingest, disk size, scans (LINES, default 10000000; bench/README.md)
#   make bench                      side by side with VictoriaLogs: ingest, disk, queries, tail (LINES, default 2000000)
#   make crash-soak                 the crash test with more kill cycles (CRASH_CYCLES, default 100)

JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=
STRATA_ARGS ?=

.PHONY: bootstrap build debug asan run test unit unit-asan integration integration-asan fuzz bench-smoke bench \
	bench-ingest bench-protocols bench-storage crash-soak clean

bootstrap:
	@scripts/bootstrap

define configure
	@test -f $(1)/build.ninja || cmake -S . -B $(1) -G Ninja $(2) $(CMAKE_FLAGS)
endef

build: bootstrap
	$(call configure,build/release,-DCMAKE_BUILD_TYPE=Release)
	ninja -C build/release -j$(JOBS)

debug: bootstrap
	$(call configure,build/debug,-DCMAKE_BUILD_TYPE=Debug)
	ninja -C build/debug -j$(JOBS)

asan: bootstrap
	$(call configure,build/asan,-DCMAKE_BUILD_TYPE=Debug -DSTRATA_SANITIZE=ON)
	ninja -C build/asan -j$(JOBS)

run: build
	./build/release/programs/strata serve $(STRATA_ARGS)

unit: build
	cd build/release && ctest --output-on-failure -j$(JOBS)

unit-asan: asan
	cd build/asan && ASAN_OPTIONS=detect_leaks=1 ctest --output-on-failure -j$(JOBS)

integration: build
	STRATA_BIN=$(CURDIR)/build/release/programs/strata python3 -m pytest -q tests/integration

# Leak checking is for the unit tests; a server stopped by SIGTERM in a test would report gRPC's process-lifetime
# allocations as leaks.
integration-asan: asan
	ASAN_OPTIONS=detect_leaks=0 STRATA_BIN=$(CURDIR)/build/asan/programs/strata python3 -m pytest -q tests/integration

fuzz: bootstrap
	scripts/fuzz

# Keeps the benchmark harness from rotting: seconds, tiny data, no results written.
bench-smoke: asan
	build/asan/bench/storage/storage_bench --lines 20000 --smoke --no-results > /dev/null
	ASAN_OPTIONS=detect_leaks=0 python3 bench/side_by_side/side_by_side.py --smoke --build-dir build/asan > /dev/null

# One build (ASan/UBSan) serves every test; `make unit integration` runs the same tests on the release build.
test: unit-asan integration-asan bench-smoke
	FUZZ_SECONDS=$${FUZZ_SECONDS:-5} scripts/fuzz
	@echo "make test: all tests passed"

bench-ingest: build
	bench/ingest/run_native_ingest.sh

bench-protocols: build
	python3 bench/ingest/protocol_bench.py --seconds $${SECONDS_PER_PROTOCOL:-10}

bench-storage: build
	build/release/bench/storage/storage_bench --lines $${LINES:-10000000}

# Side by side with VictoriaLogs (installed by bench/peers/install_victorialogs); writes bench/results/.
bench: build
	python3 bench/side_by_side/side_by_side.py --lines $${LINES:-2000000}

crash-soak: build
	STRATA_BIN=$(CURDIR)/build/release/programs/strata CRASH_CYCLES=$${CRASH_CYCLES:-100} \
	  python3 -m pytest -q tests/integration/test_crash_recovery.py

clean:
	rm -rf build

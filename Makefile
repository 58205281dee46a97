# sanqu — two commands: `make run` and `make test` (see README.md). Everything else is a helper.
# The C build is Meson + Ninja in build/ (build-asan/ for the sanitizer run); the web UI is Vite
# in web/ (output web/dist/, served by the binary).

BUILD      ?= build
ASAN_BUILD ?= build-asan
DB         ?= data/sanqu.db
LISTEN     ?= 127.0.0.1:8080
SANQU      := $(BUILD)/sanqu

.PHONY: all deps deps-test deps-bench build web run test test-native test-unit test-api test-asan test-e2e test-crash test-faults test-backup test-fuzz crash soak valgrind \
        bench fuzz clean routes docs

all: build

deps:
	@scripts/setup.sh

deps-test:
	@scripts/setup.sh test

deps-bench:
	@scripts/setup.sh bench

$(BUILD)/build.ninja:
	meson setup $(BUILD) --buildtype=debugoptimized

build: $(BUILD)/build.ninja
	ninja -C $(BUILD)
	@$(MAKE) --no-print-directory web

web:
	@if [ -f web/package.json ]; then \
	  if [ ! -f web/dist/index.html ] || [ -n "$$(find web/src web/index.html web/vite.config.* web/package-lock.json -newer web/dist/index.html 2>/dev/null | head -1)" ]; then \
	    echo "building the web UI"; (cd web && npm run --silent build); \
	  fi; \
	fi

run: deps build
	@if [ ! -f $(DB) ]; then $(SANQU) demo --db $(DB) > /dev/null && echo "Created the demo database $(DB)."; fi
	@echo
	@echo "sanqu is serving on http://$(LISTEN)/"
	@if [ -f $(DB).accounts ]; then echo "Demo accounts (user name, role, password):"; sed 's/^/  /' $(DB).accounts; fi
	@echo
	$(SANQU) serve --db $(DB) --listen $(LISTEN)

# Every test: unit and API tests, the same under AddressSanitizer + UBSan, crash consistency,
# resource faults, the backup drill and the browser tests. Each suite runs even if an earlier one
# failed; the last line counts them.
SUITES = test-native test-asan test-crash test-faults test-backup test-fuzz test-e2e

test: deps-test build
	@scripts/run-suites.sh $(SUITES)

test-native: build
	meson test -C $(BUILD) --print-errorlogs

test-unit: build
	meson test -C $(BUILD) --suite unit --print-errorlogs

test-api: build
	meson test -C $(BUILD) --suite api --print-errorlogs

$(ASAN_BUILD)/build.ninja:
	meson setup $(ASAN_BUILD) --buildtype=debug -Db_sanitize=address,undefined -Db_lundef=false

test-asan: $(ASAN_BUILD)/build.ninja
	ninja -C $(ASAN_BUILD)
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  meson test -C $(ASAN_BUILD) --print-errorlogs

test-e2e: build
	bash tests/e2e/run.sh $(SANQU)

# kill -9 during 64 concurrent writers: 3 cycles in make test, 20 (or CYCLES=N) in make crash.
test-crash: build
	python3 tests/crash/crash.py $(SANQU) --cycles 3
	python3 tests/crash/crash_dossier.py $(SANQU) --cycles 3

crash: build
	python3 tests/crash/crash.py $(SANQU) --cycles $(or $(CYCLES),20)
	python3 tests/crash/crash_dossier.py $(SANQU) --cycles $(or $(CYCLES),20)

# libFuzzer targets (clang, ASan, UBSan): a 10-second smoke each in make test; make fuzz runs
# them for FUZZ_SECONDS (default 600) each.
test-fuzz:
	bash tests/fuzz/run.sh 10

fuzz:
	bash tests/fuzz/run.sh $(or $(FUZZ_SECONDS),600)

# Disk full and read-only database: writes answer 503, reads go on, writes resume (root: tmpfs).
test-faults: build
	python3 tests/faults/faults.py $(SANQU)

# sanqu backup under concurrent writes: the copy opens, checks out and serves the same data.
test-backup: build
	python3 tests/backup/drill.py $(SANQU)

# Ten minutes of mixed load (SECONDS=N to change); memory and descriptors must stay flat.
soak: deps-bench build
	python3 tests/soak/soak.py $(SANQU) --seconds $(or $(SECONDS),600)

# The API suites with the server under valgrind memcheck: any error or definite leak makes the
# server exit 99, and the harness fails a group whose server does not exit 0 on SIGTERM.
VALGRIND ?= valgrind --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite --track-fds=no -q
valgrind: build
	SANQU_TEST_WRAPPER="$(VALGRIND)" meson test -C $(BUILD) --suite api --print-errorlogs --timeout-multiplier 4

bench: deps-bench build
	bash tests/bench/run.sh $(SANQU)

routes: build
	@$(SANQU) routes

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) build-fuzz web/dist

# Regenerates the route table in docs/api.md from the binary.
docs: build
	@python3 scripts/docs_routes.py $(SANQU) docs/api.md

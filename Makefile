# transmog: a SQLite extension that stream-flattens JSON and JSONL files.
#
#   make          build transmog.so
#   make run      build and run the demo (sql/demo.sql) on a bundled file
#   make test     build and run every test; ends with "N passed, N failed"
#   make asan     the tests under AddressSanitizer + UndefinedBehaviorSanitizer
#   make valgrind the tests under valgrind (memcheck, leaks)
#   make lossless the lossless property on every real-world file at every
#                 max_columns from 3 to 60 (`make test` runs a sample)
#   make bench    benchmarks against peers (see bench/README.md)
#   make fuzz     the libFuzzer targets, FUZZ_SECONDS each (default 60)
#   make lint     clang-format (check only) and clang-tidy; fails on findings
#   make tsan     the threaded unit tests under ThreadSanitizer
#   make soak     a > 2 GB file scanned, joined, exported; peak RSS
#   make install  copy transmog.so where `.load transmog` finds it

CC      ?= cc
CFLAGS  ?= -O2 -g
WARN     = -std=c11 -Wall -Wextra -Werror
LIBS    := -lz -lpthread -lm
PREFIX  ?= /usr/local
LIBDIR  ?= $(PREFIX)/lib

# ISA-L's inflate (Debian libisal-dev), several times faster than zlib, is
# used when it is installed; zlib is always there as the fallback.
ISAL    := $(if $(wildcard /usr/include/isa-l/igzip_lib.h),1,)
ifeq ($(ISAL),1)
  CPPFLAGS += -DTM_ISAL
  LIBS     += -lisal
endif

SRC     := $(wildcard src/*.c)
EXT     := $(wildcard ext/*.c)
HDR     := $(wildcard src/*.h ext/*.h)
UNIT    := $(wildcard tests/unit/test_*.c)

all: transmog.so

transmog.so: $(SRC) $(EXT) $(HDR)
	$(CC) $(WARN) $(CPPFLAGS) $(CFLAGS) -fPIC -shared -o $@ $(SRC) $(EXT) $(LIBS)

# The unit tests link the engine directly (no SQLite).
UNIT_DIR ?= build/unit

$(UNIT_DIR)/%: tests/unit/%.c tests/unit/check.h tests/unit/util.h tests/unit/infercheck.h tests/unit/losslesscheck.h $(SRC) $(HDR)
	@mkdir -p $(UNIT_DIR)
	$(CC) $(WARN) $(CPPFLAGS) $(CFLAGS) -Isrc -o $@ $< $(SRC) $(LIBS)

UNIT_BIN := $(patsubst tests/unit/%.c,build/unit/%,$(UNIT))

# Every fuzz target also replays its regression inputs in `make test`.
$(UNIT_DIR)/replay_%: tests/fuzz/fuzz_%.c tests/fuzz/replay.c tests/unit/infercheck.h tests/unit/losslesscheck.h $(SRC) $(HDR)
	@mkdir -p $(UNIT_DIR)
	$(CC) $(WARN) $(CPPFLAGS) $(CFLAGS) -Isrc -o $@ $< tests/fuzz/replay.c $(SRC) $(LIBS)

UNIT_BIN += $(patsubst tests/fuzz/fuzz_%.c,build/unit/replay_%,$(wildcard tests/fuzz/fuzz_*.c))

run: transmog.so
	sqlite3 -batch :memory: < sql/demo.sql

# Generated test data (deterministic: gen.py's default seed).
GEN      = ../shared/bench/gen.py
TESTDATA = build/data/orders3k.jsonl build/data/orders3k.jsonl.gz \
           build/data/orders16k.jsonl build/data/orders16k.jsonl.gz

build/data/orders3k.%: $(GEN)
	@mkdir -p build/data
	python3 $(GEN) --records 3000 --out $@

# Over 8 MiB: the schema pass reads it in two halves (src/infer.c).
build/data/orders16k.%: $(GEN)
	@mkdir -p build/data
	python3 $(GEN) --records 16000 --out $@

test: transmog.so $(UNIT_BIN) $(TESTDATA)
	@TM_ISAL=$(ISAL) tests/run.sh

# The sanitizer build lives in build/asan (the extension in
# build/asan/ext/transmog.so, loaded by name there), never in ./transmog.so.
ASAN_CFLAGS = -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

asan: $(TESTDATA)
	@mkdir -p build/asan/ext build/asan/unit
	clang $(WARN) $(CPPFLAGS) $(ASAN_CFLAGS) -fPIC -shared -o build/asan/ext/transmog.so $(SRC) $(EXT) $(LIBS)
	$(MAKE) CC=clang CFLAGS="$(ASAN_CFLAGS)" UNIT_DIR=build/asan/unit asan-units
	TM_SO=build/asan/ext/transmog TM_BUILD=build/asan TM_ISAL=$(ISAL) \
	  TM_PRELOAD="$$(clang -print-file-name=libclang_rt.asan-x86_64.so)" \
	  ASAN_OPTIONS=detect_leaks=1 LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp \
	  UBSAN_OPTIONS=print_stacktrace=1 tests/run.sh

asan-units: $(patsubst build/unit/%,$(UNIT_DIR)/%,$(UNIT_BIN))

# ThreadSanitizer (clang) on the unit tests whose code runs a second thread:
# the background scan, the schema pass in halves, the gzip reader's read-ahead ring
# (with ISA-L, test_source runs once more on zlib).  Built in build/tsan.
TSAN_UNITS  := test_bgscan test_infer test_source
TSAN_CFLAGS  = -O1 -g -fsanitize=thread -fno-omit-frame-pointer

tsan: $(TESTDATA)
	$(MAKE) CC=clang CFLAGS="$(TSAN_CFLAGS)" UNIT_DIR=build/tsan/unit \
	  $(patsubst %,build/tsan/unit/%,$(TSAN_UNITS))
	@status=0; \
	for run in $(TSAN_UNITS) $(if $(ISAL),test_source:zlib); do \
	  t=$${run%:*}; inflate=$${run#$$t}; inflate=$${inflate#:}; \
	  TM_INFLATE=$$inflate TSAN_OPTIONS="halt_on_error=0 second_deadlock_stack=1" \
	    build/tsan/unit/$$t >build/tsan/$$run.out 2>build/tsan/$$run.err; rc=$$?; \
	  echo "tsan: $$run: $$(grep -c '^ok ' build/tsan/$$run.out) ok, $$(grep -c '^not ok ' build/tsan/$$run.out) not ok," \
	    "$$(grep -c '^WARNING: ThreadSanitizer' build/tsan/$$run.err) reports, exit $$rc"; \
	  if [ $$rc != 0 ]; then status=1; grep -m1 -A30 ThreadSanitizer build/tsan/$$run.err; fi; \
	done; exit $$status

# tests/unit/test_lossless.c with every max_columns, not only its sample.
lossless: build/unit/test_lossless $(TESTDATA)
	@build/unit/test_lossless all > build/lossless.log; rc=$$?; \
	  grep -v '^ok' build/lossless.log; \
	  echo "$$(grep -c '^ok' build/lossless.log) passed, $$(grep -c '^not ok' build/lossless.log) failed"; exit $$rc

valgrind: transmog.so $(UNIT_BIN) $(TESTDATA)
	TM_VALGRIND=1 TM_ISAL=$(ISAL) tests/run.sh

# BENCH_BASELINE=<rev> builds that revision with the same CC and CFLAGS.
bench: transmog.so
	BENCH_CC='$(CC)' BENCH_CFLAGS='$(CFLAGS)' bench/run.sh

# Not part of `make test`: a > 2 GB file scanned, joined and exported.
soak: transmog.so
	bench/soak.sh

# libFuzzer targets (clang), each run for FUZZ_SECONDS on a corpus seeded
# from ../shared/data; findings are written to build/fuzz/<target>/.
FUZZ_SECONDS ?= 60
FUZZ         := json flatten options cache split lossless
FUZZFLAGS     = -std=c11 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -Isrc

build/fuzz/fuzz_%: tests/fuzz/fuzz_%.c tests/unit/infercheck.h tests/unit/losslesscheck.h $(SRC) $(HDR)
	@mkdir -p build/fuzz
	clang $(CPPFLAGS) $(FUZZFLAGS) -o $@ $< $(SRC) $(LIBS)

fuzz: $(patsubst %,build/fuzz/fuzz_%,$(FUZZ))
	tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ)

# Not part of `make test`: clang-format in check mode (.clang-format) over
# the C sources, and clang-tidy (.clang-tidy) on src/ and ext/, one stamp
# per checked file so that a second run checks only what changed; every
# file is checked (make -k), and any finding fails the target.
CLANG_FORMAT ?= $(firstword $(shell command -v clang-format-16 clang-format))
CLANG_TIDY   ?= clang-tidy
FORMATTED    := $(wildcard src/*.[ch] ext/*.[ch] tests/unit/*.[ch] tests/fuzz/*.c)
TIDIED       := $(patsubst %.c,build/lint/%.tidy,$(SRC) $(EXT))

lint:
	@status=0; \
	$(MAKE) --no-print-directory lint-format || status=1; \
	$(MAKE) -k --no-print-directory lint-tidy || status=1; \
	exit $$status

lint-format:
	$(CLANG_FORMAT) --dry-run -Werror $(FORMATTED)

lint-tidy: $(TIDIED)

# Rewrite the C sources as .clang-format says (what lint-format checks).
format:
	$(CLANG_FORMAT) -i $(FORMATTED)

build/lint/%.tidy: %.c $(HDR) .clang-tidy
	@mkdir -p $(@D)
	$(CLANG_TIDY) --quiet $< -- $(WARN) $(CPPFLAGS) -Isrc -Iext
	@touch $@

install: transmog.so
	install -d $(DESTDIR)$(LIBDIR)
	install -m 644 transmog.so $(DESTDIR)$(LIBDIR)/transmog.so

clean-build:
	rm -rf build transmog.so

clean: clean-build

.PHONY: all run test asan asan-units lossless valgrind bench soak fuzz lint lint-format lint-tidy format tsan install clean clean-build

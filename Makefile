# confiture - parallel, masked, crash-safe PostgreSQL copies.
#
#   make            build bin/confiture, bin/confiture-coordinator, bin/confiture-worker
#   make check      unit tests (Check, then again under valgrind) and integration tests on
#                   throwaway PostgreSQL clusters
#   make unit       unit tests only;  make valgrind: unit tests under valgrind
#   make bench      benchmark against COPY|COPY, pg_dump/pg_restore, pgcopydb -> docs/benchmarks.md
#   make demo       install what is missing, start two sample clusters, run a parallel sync
#   make lint       clang-format check and cppcheck
#   make fuzz       run each libFuzzer target FUZZ_SECONDS (default 300); make fuzz-smoke, part
#                   of make check, runs each a few seconds
#   make install PREFIX=/usr/local

PREFIX ?= /usr/local
CC ?= cc
PKGS := libpq libzmq libczmq msgpack yaml-0.1 libsodium

PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CHECK_CFLAGS := $(shell pkg-config --cflags check 2>/dev/null)
CHECK_LIBS := $(shell pkg-config --libs check 2>/dev/null)

CFLAGS ?= -O2 -g
CFLAGS += -std=gnu11 -Wall -Wextra -Wformat=2 -Wno-unused-parameter -Wmissing-prototypes \
          -fstack-protector-strong -fPIE -MMD -MP
CPPFLAGS += -I. -D_FORTIFY_SOURCE=2 -D_GNU_SOURCE $(PKG_CFLAGS)
LDFLAGS += -pie -Wl,-z,relro,-z,now
LDLIBS += $(PKG_LIBS) -lm

BUILD := build
MAINS := cli/main.c coordinator/main.c worker/main.c
LIB_SRC := $(filter-out $(MAINS),$(wildcard common/*.c proto/*.c coordinator/*.c worker/*.c cli/*.c))
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/%.o)
LIB := $(BUILD)/libconfiture.a
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_OBJ := $(UNIT_SRC:%.c=$(BUILD)/%.o) $(BUILD)/tests/unit/runner.o $(BUILD)/tests/unit/testdir.o
BINS := bin/confiture bin/confiture-coordinator bin/confiture-worker

.PHONY: all check unit valgrind integration bench demo lint format install clean fuzz \
        fuzz-smoke

all: $(BINS)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(LIB): $(LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

bin/confiture: $(BUILD)/cli/main.o $(LIB)
	@mkdir -p bin
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

bin/confiture-coordinator: $(BUILD)/coordinator/main.o $(LIB)
	@mkdir -p bin
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

bin/confiture-worker: $(BUILD)/worker/main.o $(LIB)
	@mkdir -p bin
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# Each tests/unit/test_NAME.c defines `Suite *test_NAME_suite(void)`; the list is generated.
$(BUILD)/tests/unit/suites.h: $(UNIT_SRC)
	@mkdir -p $(dir $@)
	@for f in $(UNIT_SRC); do n=$$(basename $$f .c); echo "SUITE($${n})"; done > $@.tmp
	@cmp -s $@.tmp $@ || mv $@.tmp $@; rm -f $@.tmp

$(BUILD)/tests/unit/runner.o: tests/unit/runner.c $(BUILD)/tests/unit/suites.h
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -I$(BUILD)/tests/unit $(CHECK_CFLAGS) $(CFLAGS) -c -o $@ $<

$(BUILD)/tests/unit/%.o: tests/unit/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CHECK_CFLAGS) $(CFLAGS) -c -o $@ $<

$(BUILD)/run_unit: $(UNIT_OBJ) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(CHECK_LIBS) $(LDLIBS)

unit: $(BUILD)/run_unit
	$(BUILD)/run_unit

valgrind: $(BUILD)/run_unit
	CK_FORK=no valgrind --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite \
	    --show-leak-kinds=definite -q $(BUILD)/run_unit

# Test tools: programs the integration tests drive (not installed).
bin/badframes: $(BUILD)/tests/tools/badframes.o $(LIB)
	@mkdir -p bin
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/tools/%.o: tests/tools/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

integration: all bin/badframes
	tests/integration/run.sh

check: all unit valgrind integration fuzz-smoke

# Micro-benchmarks (no database), run by scripts/bench.sh and reported in docs/benchmarks.md.
BENCH_TOOLS := $(BUILD)/copyrow_bench $(BUILD)/mask_bench

$(BUILD)/%_bench: $(BUILD)/tests/bench/%_bench.o $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/bench/%.o: tests/bench/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

bench: all $(BENCH_TOOLS)
	scripts/bench.sh

demo:
	scripts/demo.sh

# Fuzzing: each tests/fuzz/fuzz_NAME.c is a libFuzzer target, built with clang, ASan and UBSan
# against the library compiled again with the same flags into build/fuzz/ (never into
# build/libconfiture.a). tests/fuzz/run.sh runs them from the seeds in tests/fuzz/corpus/NAME/;
# what they find goes to tmp/ (crashes to tmp/fuzz*/crashes/), never into the committed corpus.
# make fuzz FUZZ_NAMES=fuzz_rules FUZZ_SECONDS=60 runs one target for a minute. fuzz-smoke
# is skipped, with a message, when clang or its libFuzzer runtime is missing.
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 300
FUZZ_SMOKE_SECONDS ?= 5
FUZZ_BUILD := $(BUILD)/fuzz
FUZZ_FLAGS := -g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer,address,undefined
FUZZ_CFLAGS := -std=gnu11 -Wall -Wextra -Wno-unused-parameter -MMD -MP $(FUZZ_FLAGS)
FUZZ_CPPFLAGS := $(filter-out -D_FORTIFY_SOURCE=%,$(CPPFLAGS))
FUZZ_NAMES := $(patsubst tests/fuzz/%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BINS := $(FUZZ_NAMES:%=$(FUZZ_BUILD)/%)
FUZZ_LIB := $(FUZZ_BUILD)/libconfiture.a

$(FUZZ_BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CPPFLAGS) $(FUZZ_CFLAGS) -c -o $@ $<

$(FUZZ_LIB): $(LIB_SRC:%.c=$(FUZZ_BUILD)/%.o)
	@rm -f $@
	$(AR) rcs $@ $^

$(FUZZ_BINS): $(FUZZ_BUILD)/%: $(FUZZ_BUILD)/tests/fuzz/%.o $(FUZZ_LIB)
	$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ $^ $(LDLIBS)

fuzz: $(FUZZ_BINS)
	tests/fuzz/run.sh long $(FUZZ_SECONDS) $(FUZZ_BINS)

fuzz-smoke:
	@if tests/fuzz/run.sh probe $(FUZZ_CC); then \
	    $(MAKE) --no-print-directory $(FUZZ_BINS) && \
	    tests/fuzz/run.sh smoke $(FUZZ_SMOKE_SECONDS) $(FUZZ_BINS); \
	else \
	    echo "fuzz-smoke: skipped"; \
	fi

LINT_SRC = $(wildcard common/*.[ch] proto/*.[ch] coordinator/*.[ch] worker/*.[ch] cli/*.[ch] \
           tests/unit/*.[ch] tests/tools/*.[ch] tests/bench/*.[ch] tests/fuzz/*.[ch])

lint:
	clang-format --dry-run --Werror $(LINT_SRC)
	cppcheck --quiet --error-exitcode=1 --enable=warning,performance,portability \
	    --inline-suppr --suppress=missingIncludeSystem -I. $(filter %.c,$(LINT_SRC))

format:
	clang-format -i $(LINT_SRC)

install: all
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 0755 $(BINS) $(DESTDIR)$(PREFIX)/bin/

clean:
	rm -rf $(BUILD) bin

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

# slotmail: one build. `make` builds every binary into bin/; `make test` runs
# every test; `make run` starts the example cluster of production.dat; `make bench` the benchmarks.
# Sources are found by convention, so adding a file never needs this file:
#   <module>/*.cc        library code        (modules listed in MODULES)
#   <module>/*_test.cc   doctest unit tests  -> bin/unit_tests
#   t/unit/*.cc          more unit tests     -> bin/unit_tests
#   t/bin/*.cc           test helper mains   -> bin/t_<name>
#   tools/*.cc           tool mains          -> bin/<name>
#   bench/*.cc           benchmark mains     -> bin/<name>

CXX      ?= g++
MODULES  := common store mime imap imapd admin lmtpd pop3d loadgen slots slotd replication dirsvc
BUILD    ?= build
BIN      ?= bin
OPT      ?= -O2 -g
JOBS     ?= $(shell nproc)  # parallel compiles for the build inside test/run/bench
SAN      ?=
CXXFLAGS := -std=c++20 $(OPT) $(SAN) -Wall -Wextra -Werror -pthread -I. -MMD -MP
LDLIBS   := -levent_openssl -levent_pthreads -levent -lsqlite3 -lssl -lcrypto -lz -pthread

LIB_SRCS   := $(filter-out %_test.cc,$(foreach m,$(MODULES),$(wildcard $(m)/*.cc)))
TEST_SRCS  := $(foreach m,$(MODULES),$(wildcard $(m)/*_test.cc)) $(wildcard t/unit/*.cc)
TBIN_SRCS  := $(wildcard t/bin/*.cc)
TOOL_SRCS  := $(wildcard tools/*.cc)
BENCH_SRCS := $(wildcard bench/*.cc)

LIB        := $(BUILD)/libslotmail.a
LIB_OBJS   := $(LIB_SRCS:%.cc=$(BUILD)/%.o)
TEST_OBJS  := $(TEST_SRCS:%.cc=$(BUILD)/%.o)
UNIT_TESTS := $(BIN)/unit_tests
TBINS      := $(patsubst t/bin/%.cc,$(BIN)/t_%,$(TBIN_SRCS))
TOOLS      := $(patsubst tools/%.cc,$(BIN)/%,$(TOOL_SRCS))
BENCHES    := $(patsubst bench/%.cc,$(BIN)/%,$(BENCH_SRCS))

.PHONY: all deps test asan bench run clean soak
all: $(UNIT_TESTS) $(TBINS) $(TOOLS) $(BENCHES)

deps:
	@./scripts/deps.sh

$(BUILD)/%.o: %.cc
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS) -c $< -o $@

# The version of `slotd --version` and `mailctl --version`. Only
# common/version.o gets these defines, and it depends on a stamp rewritten
# only when they change: a new commit recompiles that one file and relinks.
# Outside a git checkout (a tarball) the build is "unknown".
SLOTMAIL_VERSION := 0.1.0
SLOTMAIL_BUILD   := $(shell test -e .git && git describe --always --dirty 2>/dev/null || echo unknown)
VERSION_DEFS     := -DSLOTMAIL_VERSION='"$(SLOTMAIL_VERSION)"' -DSLOTMAIL_BUILD='"$(SLOTMAIL_BUILD)"'
$(BUILD)/common/version.o: CXXFLAGS += $(VERSION_DEFS)
$(BUILD)/common/version.o: $(BUILD)/version.stamp
$(BUILD)/version.stamp: FORCE
	@mkdir -p $(dir $@)
	@echo '$(VERSION_DEFS)' | cmp -s - $@ || echo '$(VERSION_DEFS)' > $@
.PHONY: FORCE
FORCE:

$(LIB): $(LIB_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(UNIT_TESTS): $(TEST_OBJS) $(LIB)
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS) -o $@ $(TEST_OBJS) $(LIB) $(LDLIBS)

$(BIN)/t_%: $(BUILD)/t/bin/%.o $(LIB)
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS) -o $@ $< $(LIB) $(LDLIBS)

$(BIN)/%: $(BUILD)/tools/%.o $(LIB)
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS) -o $@ $< $(LIB) $(LDLIBS)

$(BIN)/%: $(BUILD)/bench/%.o $(LIB)
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS) -o $@ $< $(LIB) $(LDLIBS)

# Every test, ending with the line "N passed, N failed".
test: deps
	$(MAKE) -j$(JOBS) all $(BUILD)/fuzz/imap_parser_fuzz
	@BIN=$(BIN) FUZZ_SMOKE="$(MAKE) --no-print-directory fuzz-smoke" ./t/run_all.sh

# The unit tests under AddressSanitizer + UndefinedBehaviorSanitizer.
asan: deps
	$(MAKE) -j$(JOBS) BUILD=build/asan BIN=build/asan/bin OPT="-O1 -g" \
	  SAN="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" all
	@BIN=build/asan/bin SLOTMAIL_ASAN=1 ./t/run_all.sh

# The example cluster of production.dat under var/, in the foreground (Ctrl-C stops it).
run: deps
	$(MAKE) -j$(JOBS) all
	@BIN=$(BIN) ./scripts/run.sh

# The chaos test for 10 minutes instead of 40 s (CHAOS_SEED=N replays a run).
soak: deps
	$(MAKE) -j$(JOBS) all
	cd t/e2e && SLOTMAIL_BIN=$(abspath $(BIN)) CHAOS_SECONDS=$${CHAOS_SECONDS:-600} python3 chaos_test.py

bench:
	@./scripts/deps.sh bench
	$(MAKE) -j$(JOBS) all
	@BIN=$(BIN) ./bench/run_all.sh

clean:
	rm -rf $(BUILD) $(BIN)

-include $(LIB_OBJS:.o=.d) $(TEST_OBJS:.o=.d) $(TBIN_SRCS:%.cc=$(BUILD)/%.d) \
         $(TOOL_SRCS:%.cc=$(BUILD)/%.d) $(BENCH_SRCS:%.cc=$(BUILD)/%.d)

# ---- fuzz (imap parser) ----
# libFuzzer target for the IMAP command parser and its sub-parsers, compiled
# with clang straight from the sources (not from the g++ archive).
# `make fuzz`: about 5 minutes, new inputs kept in $(BUILD)/fuzz/corpus.
# `make fuzz-smoke`: a fixed 20000 inputs grown from t/fuzz/corpus.
# Crashing inputs are written to $(BUILD)/fuzz/ (crash-*, leak-*, ...).
FUZZ_CXX        ?= clang++
FUZZ_IMAP       := $(BUILD)/fuzz/imap_parser_fuzz
FUZZ_IMAP_SRCS  := t/fuzz/imap_parser_fuzz.cc imap/parser.cc imap/sequence_set.cc \
                   imap/mutf7.cc imap/fetch_items.cc imap/search_parse.cc imap/quote.cc \
                   imap/object_id.cc imap/condstore_args.cc common/status.cc
FUZZ_IMAP_HDRS  := imap/parser.h imap/sequence_set.h imap/mutf7.h imap/fetch_items.h \
                   imap/search_parse.h imap/quote.h imap/object_id.h imap/condstore_args.h \
                   common/status.h common/limits.h \
                   common/check.h
FUZZ_IMAP_FLAGS := -std=c++20 -O1 -g -fno-omit-frame-pointer -Wall -Wextra -Werror -I. \
                   -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
FUZZ_IMAP_RUN   := -dict=t/fuzz/imap.dict -artifact_prefix=$(BUILD)/fuzz/

.PHONY: fuzz fuzz-smoke
$(FUZZ_IMAP): $(FUZZ_IMAP_SRCS) $(FUZZ_IMAP_HDRS)
	@mkdir -p $(dir $@)
	$(FUZZ_CXX) $(FUZZ_IMAP_FLAGS) -o $@ $(FUZZ_IMAP_SRCS)

fuzz: $(FUZZ_IMAP)
	@mkdir -p $(BUILD)/fuzz/corpus
	$(FUZZ_IMAP) -max_total_time=300 $(FUZZ_IMAP_RUN) $(BUILD)/fuzz/corpus t/fuzz/corpus

fuzz-smoke: $(FUZZ_IMAP)
	@rm -rf $(BUILD)/fuzz/smoke && mkdir -p $(BUILD)/fuzz/smoke
	$(FUZZ_IMAP) -runs=20000 -seed=1 $(FUZZ_IMAP_RUN) $(BUILD)/fuzz/smoke t/fuzz/corpus
# ---- end fuzz (imap parser) ----

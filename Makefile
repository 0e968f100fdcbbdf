# protosim — build, test, benchmark, install.
#
#   make              build ./protosim
#   make test         unit tests (Check), scenario checks, goldens, pcap/tshark, UI
#   make sanitize     the whole test suite under AddressSanitizer + UBSan (build-san/)
#   make bench        engine and TCP-lifecycle benchmarks
#   make fuzz         libFuzzer targets under build-fuzz/ (clang, libclang-rt-14-dev)
#   make install      PREFIX=/usr/local DESTDIR= (scenarios go to $(DATADIR))
#
# CC=clang works too.  WERROR=1 (set by .ci/run) turns warnings into errors.

PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
DATADIR ?= $(PREFIX)/share/protosim
VERSION := 0.1.0

CC      ?= cc
PKG_CONFIG ?= pkg-config
B       ?= build
SAN     ?=
WERROR  ?=

NCURSES_CFLAGS := $(shell $(PKG_CONFIG) --cflags ncursesw)
NCURSES_LIBS   := $(shell $(PKG_CONFIG) --libs ncursesw)
CHECK_CFLAGS   := $(shell $(PKG_CONFIG) --cflags check 2>/dev/null)
CHECK_LIBS     := $(shell $(PKG_CONFIG) --libs check 2>/dev/null)

WARN    := -Wall -Wextra -Wshadow -Wpointer-arith -Wstrict-prototypes \
           -Wmissing-prototypes -Wformat=2 -Wvla
ifneq ($(WERROR),)
WARN    += -Werror
endif
ifneq ($(SAN),)
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
OPT     ?= -O1
else
OPT     ?= -O2
endif

CFLAGS  ?= $(OPT) -g
ALL_CFLAGS := -std=gnu11 $(WARN) $(CFLAGS) $(SANFLAGS) -Isim -Iui -MMD -MP \
              -DPROTOSIM_VERSION='"$(VERSION)"' -DPROTOSIM_DATADIR='"$(DATADIR)"'
ALL_LDFLAGS := $(LDFLAGS) $(SANFLAGS)

SIM_SRC  := $(sort $(wildcard sim/*.c sim/real/*.c))
UI_SRC   := $(sort $(wildcard ui/*.c))
UI_MAIN  := ui/main.c
UI_LIB_SRC := $(filter-out $(UI_MAIN),$(UI_SRC))
TEST_SRC := $(sort $(wildcard tests/*.c))
BENCH_SRC := $(sort $(wildcard bench/*.c))

SIM_OBJ  := $(SIM_SRC:%.c=$(B)/%.o)
UI_LIB_OBJ := $(UI_LIB_SRC:%.c=$(B)/%.o)
MAIN_OBJ := $(UI_MAIN:%.c=$(B)/%.o)
TEST_OBJ := $(TEST_SRC:%.c=$(B)/%.o)
BENCH_OBJ := $(BENCH_SRC:%.c=$(B)/%.o)

LIB      := $(B)/libprotosim.a
PROG     := $(if $(filter build,$(B)),protosim,$(B)/protosim)
TESTBIN  := $(B)/run_tests
BENCHBIN := $(B)/run_bench

.PHONY: all test unit sanitize bench fuzz install uninstall clean check-deps

all: $(PROG)

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(NCURSES_CFLAGS) $(CHECK_CFLAGS) -c $< -o $@

$(LIB): $(SIM_OBJ) $(UI_LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(PROG): $(MAIN_OBJ) $(LIB)
	$(CC) $(ALL_LDFLAGS) -o $@ $(MAIN_OBJ) $(LIB) $(NCURSES_LIBS) -lm

$(TESTBIN): $(TEST_OBJ) $(LIB)
	@test -n "$(CHECK_LIBS)" || { echo "Check not found: apt-get install check pkg-config" >&2; exit 1; }
	$(CC) $(ALL_LDFLAGS) -o $@ $(TEST_OBJ) $(LIB) $(NCURSES_LIBS) $(CHECK_LIBS)

$(BENCHBIN): $(BENCH_OBJ) $(LIB)
	$(CC) $(ALL_LDFLAGS) -o $@ $(BENCH_OBJ) $(LIB) $(NCURSES_LIBS) -lm

# The whole suite: Check unit tests, then the shell-driven tests that run the
# real program (scenario self-checks, goldens, determinism, tshark, tmux UI).
test: $(PROG) $(TESTBIN)
	CK_TIMEOUT_MULTIPLIER=$(if $(SAN),4,1) $(TESTBIN)
	PROTOSIM=./$(PROG) sh tests/run_shell_tests.sh
	PROTOSIM=./$(PROG) sh tests/ui_tmux.sh

unit: $(TESTBIN)
	$(TESTBIN)

sanitize:
	$(MAKE) B=build-san SAN=1 CC=$(CC) test

bench: $(BENCHBIN)
	$(BENCHBIN)

# Fuzz targets: each tests/fuzz/*.c linked against the library built with
# clang's fuzzer and sanitizer instrumentation.  Run one with a scratch
# corpus, e.g. build-fuzz/fuzz_scenario -max_total_time=60 /tmp/corpus
FUZZ_SRC := $(sort $(wildcard tests/fuzz/*.c))
fuzz:
	$(MAKE) B=build-fuzz CC=clang SAN= CFLAGS="-O1 -g" \
	    SANFLAGS="-fsanitize=fuzzer-no-link,address,undefined" build-fuzz/libprotosim.a
	@for f in $(FUZZ_SRC); do \
	    n=$$(basename $$f .c); \
	    echo "clang ... $$f -> build-fuzz/$$n"; \
	    clang -std=gnu11 -O1 -g -fsanitize=fuzzer,address,undefined -Isim -Iui \
	        $$f build-fuzz/libprotosim.a $(NCURSES_LIBS) -lm -o build-fuzz/$$n || exit 1; \
	done

install: $(PROG)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR)/scenarios
	install -m 755 $(PROG) $(DESTDIR)$(BINDIR)/protosim
	install -m 644 scenarios/*.scn scenarios/README.md $(DESTDIR)$(DATADIR)/scenarios/

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/protosim
	rm -rf $(DESTDIR)$(DATADIR)

clean:
	rm -rf build build-san build-clang build-fuzz protosim

-include $(SIM_OBJ:.o=.d) $(UI_LIB_OBJ:.o=.d) $(MAIN_OBJ:.o=.d) $(TEST_OBJ:.o=.d) $(BENCH_OBJ:.o=.d)

# protosim — build, test, benchmark, install.
#
#   make              build ./protosim
#   make test         unit tests (Check), scenario checks, goldens, pcap/tshark, UI
#   make sanitize     the whole test suite under AddressSanitizer + UBSan (build-san/)
#   make bench        engine, TCP-lifecycle and UI benchmarks, and cold runs of
#                     ./protosim at N connections beside the kernel and ns-3
#   make fuzz         libFuzzer targets under build-fuzz/ (clang, libclang-rt-14-dev)
#   make fuzz-smoke   each fuzz target for FUZZ_SECONDS (60) on a copy of its corpus
#   make fuzz-replay  kept fuzz corpora and regressions under ASan+UBSan, no libFuzzer
#   make fuzz-cov     coverage of the simulator by fuzz_lesson's corpus (build-cov/)
#   make install      PREFIX=/usr/local DESTDIR= (scenarios go to $(DATADIR))
#
# CC=clang works too.  WERROR=1 (set by .ci/run) turns warnings into errors.

PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
DATADIR ?= $(PREFIX)/share/protosim
LOCALEDIR ?= $(PREFIX)/share/locale
VERSION := 0.1.0

CC      ?= cc
PKG_CONFIG ?= pkg-config
B       ?= build
SAN     ?=
WERROR  ?=

NCURSES_CFLAGS := $(shell $(PKG_CONFIG) --cflags ncursesw)
NCURSES_LIBS   := $(shell $(PKG_CONFIG) --libs ncursesw)
NCURSES_STATIC_LIBS := $(shell $(PKG_CONFIG) --static --libs ncursesw)
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

# ./protosim is linked statically (STATIC=1, the default without SAN): most
# of a short run is process start-up, and a static program skips the dynamic
# loader's work for libncursesw, libtinfo and libc (README.md, "Measured",
# gives the figures).  STATIC= links it dynamically; the sanitizers need that.
STATIC  ?= $(if $(SAN),,1)
ifneq ($(STATIC),)
PROG_LINK := -static $(NCURSES_STATIC_LIBS)
else
PROG_LINK := $(NCURSES_LIBS)
endif
COMMON_CFLAGS := $(WARN) $(CFLAGS) $(SANFLAGS) -MMD -MP
ALL_LDFLAGS := $(LDFLAGS) $(SANFLAGS)

# The layers (ARCHITECTURE.md), each its own folder, library and flags.  A
# layer sees only the headers of the layers below it:
#
#   ui/    front end: command line, curses view, text/JSON/pcap writers
#   real/  the --real driver: loopback sockets, Linux only
#   lang/  the scenario language: parser, checks, `expect`
#   sim/   the model: engine, wire formats, protocols, host glue
#
# The model is C11 plus POSIX, without curses or Check flags, and the
# layer check (tests/layers.sh) refuses curses, socket and stdio-output
# symbols in its library.
MODEL_DIRS := sim/engine sim/wire sim/proto sim/host
MODEL_INC  := $(addprefix -I,$(MODEL_DIRS))
LANG_INC   := -Ilang $(MODEL_INC)
REAL_INC   := -Ireal $(MODEL_INC)
UI_INC     := -Iui -Ilang -Ireal $(MODEL_INC)

MODEL_CFLAGS := -std=c11 -D_POSIX_C_SOURCE=200809L $(MODEL_INC) $(COMMON_CFLAGS)
LANG_CFLAGS  := -std=c11 -D_POSIX_C_SOURCE=200809L $(LANG_INC) $(COMMON_CFLAGS)
REAL_CFLAGS  := -std=gnu11 $(REAL_INC) $(COMMON_CFLAGS)
UI_CFLAGS    := -std=gnu11 $(UI_INC) $(COMMON_CFLAGS) $(NCURSES_CFLAGS) \
                -DPROTOSIM_VERSION='"$(VERSION)"' -DPROTOSIM_DATADIR='"$(DATADIR)"' \
                -DPROTOSIM_LOCALEDIR='"$(LOCALEDIR)"'
TEST_CFLAGS  := $(UI_CFLAGS) $(CHECK_CFLAGS)

SIM_SRC  := $(sort $(wildcard $(addsuffix /*.c,$(MODEL_DIRS))))
LANG_SRC := $(sort $(wildcard lang/*.c))
REAL_SRC := $(sort $(wildcard real/*.c))
UI_SRC   := $(sort $(wildcard ui/*.c))
UI_MAIN  := ui/main.c
UI_LIB_SRC := $(filter-out $(UI_MAIN),$(UI_SRC))
# the narration suite also runs generated lessons (tests/fuzz/lessongen.c)
TEST_SRC := $(sort $(wildcard tests/*.c)) tests/fuzz/lessongen.c
BENCH_SRC := $(sort $(wildcard bench/*.c))

SIM_OBJ  := $(SIM_SRC:%.c=$(B)/%.o)
LANG_OBJ := $(LANG_SRC:%.c=$(B)/%.o)
REAL_OBJ := $(REAL_SRC:%.c=$(B)/%.o)
UI_LIB_OBJ := $(UI_LIB_SRC:%.c=$(B)/%.o)
MAIN_OBJ := $(UI_MAIN:%.c=$(B)/%.o)
TEST_OBJ := $(TEST_SRC:%.c=$(B)/%.o)
BENCH_OBJ := $(BENCH_SRC:%.c=$(B)/%.o)

SIM_LIB  := $(B)/libsim.a
LANG_LIB := $(B)/liblang.a
REAL_LIB := $(B)/libreal.a
UI_LIB   := $(B)/libui.a
# link order: each library before the ones it uses
LIBS     := $(UI_LIB) $(REAL_LIB) $(LANG_LIB) $(SIM_LIB)
PROG     := $(if $(filter build,$(B)),protosim,$(B)/protosim)
TESTBIN  := $(B)/run_tests
BENCHBIN := $(B)/run_bench
# the model and the language linked with no curses: the linker refuses a
# model that calls it
LAYERBIN := $(B)/layer_model

# Translations (README.md, "Adding a language"): po/LANG.po compiled with
# msgfmt into LANG/LC_MESSAGES/protosim.mo under `locale` beside the
# program, where it looks first; `make install` puts them in $(LOCALEDIR).
PO_LANGS := $(sort $(basename $(notdir $(wildcard po/*.po))))
MO_DIR   := $(dir $(PROG))locale
MO_FILES := $(PO_LANGS:%=$(MO_DIR)/%/LC_MESSAGES/protosim.mo)
MSGFMT   ?= msgfmt
XGETTEXT ?= xgettext

.PHONY: all test unit sanitize bench fuzz fuzz-smoke fuzz-replay fuzz-cov install \
        uninstall clean check-deps libs pot po-update po-check FORCE

all: $(PROG) $(MO_FILES)

libs: $(LIBS)

$(B)/sim/%.o: sim/%.c
	@mkdir -p $(dir $@)
	$(CC) $(MODEL_CFLAGS) -c $< -o $@

$(B)/lang/%.o: lang/%.c
	@mkdir -p $(dir $@)
	$(CC) $(LANG_CFLAGS) -c $< -o $@

$(B)/real/%.o: real/%.c
	@mkdir -p $(dir $@)
	$(CC) $(REAL_CFLAGS) -c $< -o $@

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(TEST_CFLAGS) -c $< -o $@

# Where the program looks for its lessons and catalogs is compiled in
# (ui/scnpath.c, ui/language.c).  This stamp holds those paths and is
# rewritten only when they change, so that `make install PREFIX=/usr`
# after a plain `make` recompiles the two files instead of installing a
# program that looks under /usr/local.
PATHS_STAMP := $(B)/paths.stamp
$(PATHS_STAMP): FORCE
	@mkdir -p $(dir $@)
	@[ "$$(cat $@ 2>/dev/null)" = '$(DATADIR) $(LOCALEDIR)' ] || \
	    echo '$(DATADIR) $(LOCALEDIR)' > $@
$(B)/ui/scnpath.o $(B)/ui/language.o: $(PATHS_STAMP)
FORCE:

$(SIM_LIB): $(SIM_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(LANG_LIB): $(LANG_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(REAL_LIB): $(REAL_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(UI_LIB): $(UI_LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(PROG): $(MAIN_OBJ) $(LIBS)
	$(CC) $(ALL_LDFLAGS) -o $@ $(MAIN_OBJ) $(LIBS) $(PROG_LINK) -lm

$(MO_DIR)/%/LC_MESSAGES/protosim.mo: po/%.po
	@command -v $(MSGFMT) >/dev/null || { echo "msgfmt not found: apt-get install gettext" >&2; exit 1; }
	@mkdir -p $(dir $@)
	$(MSGFMT) --check -o $@ $<

# The template: every _() and N_() in the sources, the scenario language's
# error messages (ERR_AT and lang_perr_*, which translate their format),
# and the narration tables (their X(id, "text") entries: sim/proto/narrate.h,
# real/realrec.h).
POT_SRC := $(SIM_SRC) $(LANG_SRC) $(REAL_SRC) $(UI_SRC) \
           $(sort $(wildcard $(addsuffix /*.h,$(MODEL_DIRS)) lang/*.h real/*.h ui/*.h))
POT_OUT ?= po/protosim.pot
pot:
	@mkdir -p $(dir $(POT_OUT))
	$(XGETTEXT) --language=C --from-code=UTF-8 --no-wrap --sort-by-file \
	    --package-name=protosim --package-version=$(VERSION) \
	    --keyword= --keyword=_ --keyword=N_ --keyword=P_:1,2 --keyword=NP_:1,2 --add-comments=TRANSLATORS: \
	    --keyword=ERR_AT:3 --flag=ERR_AT:3:c-format \
	    --keyword=lang_perr_at:4 --flag=lang_perr_at:4:c-format \
	    --keyword=lang_perr_ref:3 --flag=lang_perr_ref:3:c-format \
	    --keyword=lang_perr_in:5 --flag=lang_perr_in:5:c-format \
	    --keyword=lang_want_text:2 --keyword=lang_want_uint:2 \
	    --keyword=lang_want_ref:2 --keyword=want_int64:2 --keyword=lang_want_addr:2 \
	    -o $(POT_OUT) $(POT_SRC)
	$(XGETTEXT) --language=C --from-code=UTF-8 --no-wrap --sort-by-file -j \
	    --keyword= --keyword=X:2 -o $(POT_OUT) sim/proto/narrate.h real/realrec.h

# Every catalogue complete: each English text in the sources as they are
# now (a template made afresh) has a translation that is neither missing
# nor fuzzy, msgfmt --check passes, and the narration placeholders match.
po-check:
	@$(MAKE) --no-print-directory pot POT_OUT=$(B)/po/protosim.pot >/dev/null
	@for l in $(PO_LANGS); do \
	    printf 'po/%s.po: ' $$l; \
	    $(MSGFMT) --check --statistics -o /dev/null po/$$l.po || exit 1; \
	    n=$$(msgattrib --only-fuzzy --no-obsolete po/$$l.po | grep -c '^msgid '); \
	    [ "$$n" -eq 0 ] || { echo "po/$$l.po: $$n fuzzy translations"; exit 1; }; \
	    msgcmp po/$$l.po $(B)/po/protosim.pot || \
	        { echo "po/$$l.po: texts above have no translation (make po-update, then translate)"; exit 1; }; \
	done
	python3 tests/po_check.py $(PO_LANGS:%=po/%.po)

# Brings every po/LANG.po up to the template (new texts untranslated).
po-update: pot
	@for l in $(PO_LANGS); do \
	    echo "msgmerge po/$$l.po"; \
	    msgmerge --quiet --no-wrap --no-fuzzy-matching --update --backup=none po/$$l.po po/protosim.pot || exit 1; \
	done

$(TESTBIN): $(TEST_OBJ) $(LIBS)
	@test -n "$(CHECK_LIBS)" || { echo "Check not found: apt-get install check pkg-config" >&2; exit 1; }
	$(CC) $(ALL_LDFLAGS) -o $@ $(TEST_OBJ) $(LIBS) $(NCURSES_LIBS) $(CHECK_LIBS)

$(BENCHBIN): $(BENCH_OBJ) $(LIBS)
	$(CC) $(ALL_LDFLAGS) -o $@ $(BENCH_OBJ) $(LIBS) $(NCURSES_LIBS) -lm

$(B)/tests/layers/%.o: tests/layers/%.c
	@mkdir -p $(dir $@)
	$(CC) $(LANG_CFLAGS) -c $< -o $@

$(LAYERBIN): $(B)/tests/layers/model_only.o $(LANG_LIB) $(SIM_LIB)
	$(CC) $(ALL_LDFLAGS) -o $@ $< $(LANG_LIB) $(SIM_LIB) -lm

# The whole suite: Check unit tests, then the shell-driven tests that run the
# real program (scenario self-checks, goldens, determinism, tshark, tmux UI).
test: $(PROG) $(MO_FILES) $(TESTBIN) $(LAYERBIN)
	LAYER_MODEL=./$(LAYERBIN) SIM_LIB=$(SIM_LIB) LANG_LIB=$(LANG_LIB) sh tests/layers.sh
	$(MAKE) --no-print-directory po-check
	CK_TIMEOUT_MULTIPLIER=$(if $(SAN),4,1) $(TESTBIN)
	PROTOSIM=./$(PROG) sh tests/run_shell_tests.sh
	PROTOSIM=./$(PROG) sh tests/ui_tmux.sh
	PROTOSIM=./$(PROG) sh tests/export.sh

unit: $(TESTBIN)
	$(TESTBIN)

sanitize:
	$(MAKE) B=build-san SAN=1 CC=$(CC) test

# ns-3 (Debian's libns3-dev) is a benchmark peer: bench/ns3/lifecycle.cc is
# built only when pkg-config finds it, and without it `make bench` says so
# and skips ns-3's rows.  Debian 12's ns-3 .pc files carry a stray "-I/usr\;"
# and absolute paths to libgsl.so and libsqlite3.so, whose -dev packages need
# not be installed; the ns-3 libraries bring their own dependencies, so only
# -I, -D and -l are taken.
NS3_MODULES := ns3-core ns3-network ns3-internet ns3-point-to-point
NS3_FOUND   := $(shell $(PKG_CONFIG) --exists $(NS3_MODULES) 2>/dev/null && echo yes)
ifneq ($(NS3_FOUND),)
NS3_VERSION := $(shell $(PKG_CONFIG) --modversion ns3-core)
NS3_CFLAGS  := $(filter -I% -D%,$(filter-out %;,$(shell $(PKG_CONFIG) --cflags $(NS3_MODULES))))
NS3_LIBS    := $(filter -L% -l%,$(shell $(PKG_CONFIG) --libs $(NS3_MODULES)))
NS3BIN      := $(B)/bench/ns3/lifecycle
endif
CXXWARN := -Wall -Wextra $(if $(WERROR),-Werror)

$(B)/bench/ns3/lifecycle: bench/ns3/lifecycle.cc
	@mkdir -p $(dir $@)
	$(CXX) -std=c++17 $(CXXWARN) $(OPT) -MMD -MP $(NS3_CFLAGS) -o $@ $< $(NS3_LIBS)

# BENCH_MAX_N caps the cold runs' N, BENCH_TIMEOUT their seconds (README.md).
bench: $(BENCHBIN) $(PROG) $(NS3BIN)
	PROTOSIM=./$(PROG) NS3_LIFECYCLE=$(NS3BIN) NS3_VERSION=$(NS3_VERSION) $(BENCHBIN)

# Fuzz targets: each tests/fuzz/fuzz_*.c (with the helpers FUZZ_HELPERS)
# linked against the library built with clang's fuzzer and sanitizer
# instrumentation, in build-fuzz/.  Run one on a scratch copy of its kept
# corpus; see README.md ("Fuzzing").
FUZZ_TARGETS := $(sort $(basename $(notdir $(wildcard tests/fuzz/fuzz_*.c))))
FUZZ_HELPERS := tests/fuzz/lessongen.c tests/fuzz/fuzzopts.c
FUZZ_SECONDS ?= 60
FUZZ_TIMEOUT ?= 10
FUZZ_FLAGS   ?= -rss_limit_mb=1024 -timeout=$(FUZZ_TIMEOUT) -print_final_stats=1
FUZZ_NICE    ?= nice -n 10
# undefined behaviour stops the fuzzer (and leaves an input) as a crash does:
# tests/fuzz/fuzzopts.c sets UBSan's halt_on_error
FUZZ_SANFLAGS := -fsanitize=fuzzer,address,undefined
FUZZ_LIBFLAGS := -fsanitize=fuzzer-no-link,address,undefined
fuzz:
	$(MAKE) B=build-fuzz CC=clang SAN= CFLAGS="-O1 -g" \
	    SANFLAGS="$(FUZZ_LIBFLAGS)" build-fuzz/libui.a build-fuzz/libreal.a build-fuzz/liblang.a build-fuzz/libsim.a
	@for n in $(FUZZ_TARGETS); do \
	    echo "clang ... tests/fuzz/$$n.c -> build-fuzz/$$n"; \
	    clang -std=gnu11 -O1 -g $(FUZZ_SANFLAGS) $(UI_INC) \
	        tests/fuzz/$$n.c $(FUZZ_HELPERS) build-fuzz/libui.a build-fuzz/libreal.a build-fuzz/liblang.a build-fuzz/libsim.a \
	        $(NCURSES_LIBS) -lm -o build-fuzz/$$n || exit 1; \
	done

# Each target for FUZZ_SECONDS on a scratch copy of its kept corpus, one at
# a time; new crashes and timeouts land in build-fuzz/artifacts/TARGET/.
# Undefined behaviour already reported (FUZZ_UBSAN_SUPP) is stepped over;
# FUZZ_UBSAN_SUPP=/dev/null stops at it too.
FUZZ_UBSAN_SUPP ?= tests/fuzz/known-ub.supp
fuzz-smoke: fuzz
	@fail=; for n in $(FUZZ_TARGETS); do \
	    rm -rf build-fuzz/corpus/$$n; mkdir -p build-fuzz/corpus/$$n build-fuzz/artifacts/$$n; \
	    cp tests/fuzz/corpus/$$n/* build-fuzz/corpus/$$n/ 2>/dev/null; \
	    echo "== $$n, $(FUZZ_SECONDS) s"; \
	    UBSAN_OPTIONS=suppressions=$(FUZZ_UBSAN_SUPP) \
	    $(FUZZ_NICE) build-fuzz/$$n $(FUZZ_FLAGS) -max_total_time=$(FUZZ_SECONDS) \
	        -artifact_prefix=build-fuzz/artifacts/$$n/ build-fuzz/corpus/$$n \
	        > build-fuzz/$$n.log 2>&1 || fail="$$fail $$n"; \
	    grep -E '^stat::(number_of_executed_units|average_exec_per_sec)|^(==[0-9]+==ERROR|SUMMARY)' \
	        build-fuzz/$$n.log; \
	done; \
	if [ -n "$$fail" ]; then echo "fuzz-smoke: findings in:$$fail (see build-fuzz/*.log)"; exit 1; fi

# The kept corpora and regression lessons, replayed without libFuzzer in the
# sanitizer build: tests/fuzz/replay.c feeds each file to the target's
# LLVMFuzzerTestOneInput; each tests/fuzz/regress/*.scn runs through
# build-san/protosim --batch.  Any sanitizer report fails it.
# tests/fuzz/regress/pending/ holds lessons the simulator cannot stop yet.
FUZZ_SAN_B := build-san
fuzz-replay:
	$(MAKE) B=$(FUZZ_SAN_B) SAN=1 CC=$(CC) libs $(FUZZ_SAN_B)/protosim
	@mkdir -p $(FUZZ_SAN_B)/fuzz
	@for n in $(FUZZ_TARGETS); do \
	    $(CC) -std=gnu11 $(WARN) -O1 -g -fsanitize=address,undefined \
	        -fno-omit-frame-pointer -fno-sanitize-recover=undefined $(UI_INC) \
	        tests/fuzz/$$n.c $(FUZZ_HELPERS) tests/fuzz/replay.c $(FUZZ_SAN_B)/libui.a $(FUZZ_SAN_B)/libreal.a $(FUZZ_SAN_B)/liblang.a $(FUZZ_SAN_B)/libsim.a \
	        $(NCURSES_LIBS) -lm -o $(FUZZ_SAN_B)/fuzz/$$n || exit 1; \
	    printf '%s: ' $$n; \
	    $(FUZZ_SAN_B)/fuzz/$$n tests/fuzz/corpus/$$n || exit 1; \
	done
	@for f in tests/fuzz/regress/*.scn; do \
	    [ -e "$$f" ] || continue; \
	    timeout 60 $(FUZZ_SAN_B)/protosim --batch "$$f" > /dev/null; rc=$$?; \
	    case "$$f" in *-runaway.scn) want=3;; *) want=0;; esac; \
	    [ $$rc -eq $$want ] || \
	        { echo "fuzz-replay: $$f exited $$rc, wanted $$want"; exit 1; }; \
	    echo "regress: $$f ok"; \
	done

# Line coverage of the simulator by fuzz_lesson over its kept corpus (clang
# source-based coverage); the report for the TCP files sim/proto/tcp*.c goes to build-cov/.
fuzz-cov:
	$(MAKE) B=build-cov CC=clang SAN= CFLAGS="-O1 -g -fprofile-instr-generate -fcoverage-mapping" \
	    libs
	clang -std=gnu11 -O1 -g -fprofile-instr-generate -fcoverage-mapping $(UI_INC) \
	    tests/fuzz/fuzz_lesson.c $(FUZZ_HELPERS) tests/fuzz/replay.c build-cov/libui.a build-cov/libreal.a build-cov/liblang.a build-cov/libsim.a \
	    $(NCURSES_LIBS) -lm -o build-cov/fuzz_lesson
	rm -f build-cov/*.profraw
	LLVM_PROFILE_FILE=build-cov/lesson.profraw build-cov/fuzz_lesson tests/fuzz/corpus/fuzz_lesson
	llvm-profdata-14 merge -o build-cov/lesson.profdata build-cov/lesson.profraw
	llvm-cov-14 report build-cov/fuzz_lesson -instr-profile=build-cov/lesson.profdata \
	    $(SIM_SRC) | tee build-cov/report.txt
	llvm-cov-14 report -show-functions build-cov/fuzz_lesson \
	    -instr-profile=build-cov/lesson.profdata $(wildcard sim/proto/tcp*.c) > build-cov/tcp-functions.txt
	llvm-cov-14 show -format=html -output-dir=build-cov/html build-cov/fuzz_lesson \
	    -instr-profile=build-cov/lesson.profdata $(SIM_SRC)
	@echo "sim/proto/tcp*.c functions never reached:"
	@awk 'NR > 2 && $$1 != "TOTAL" && $$7 == "0.00%" { print "  " $$1 }' \
	    build-cov/tcp-functions.txt

install: $(PROG) $(MO_FILES)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR)/scenarios
	install -m 755 $(PROG) $(DESTDIR)$(BINDIR)/protosim
	install -m 644 scenarios/*.scn scenarios/README.md $(DESTDIR)$(DATADIR)/scenarios/
	@for l in $(PO_LANGS); do \
	    echo "install $(MO_DIR)/$$l/LC_MESSAGES/protosim.mo"; \
	    install -d $(DESTDIR)$(LOCALEDIR)/$$l/LC_MESSAGES || exit 1; \
	    install -m 644 $(MO_DIR)/$$l/LC_MESSAGES/protosim.mo \
	        $(DESTDIR)$(LOCALEDIR)/$$l/LC_MESSAGES/protosim.mo || exit 1; \
	done

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/protosim
	rm -rf $(DESTDIR)$(DATADIR)
	rm -f $(PO_LANGS:%=$(DESTDIR)$(LOCALEDIR)/%/LC_MESSAGES/protosim.mo)

clean:
	rm -rf build build-san build-clang build-fuzz build-cov protosim locale

-include $(SIM_OBJ:.o=.d) $(LANG_OBJ:.o=.d) $(REAL_OBJ:.o=.d) $(UI_LIB_OBJ:.o=.d) $(MAIN_OBJ:.o=.d) $(TEST_OBJ:.o=.d) $(BENCH_OBJ:.o=.d) $(B)/tests/layers/model_only.d $(if $(NS3BIN),$(NS3BIN).d)

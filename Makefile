# rblforge: mail logs to DNSBL zones, firewall sets and abuse reports.
#   make            build ./rblforge
#   make demo       install missing build deps, build, run on datasets/
#   make check      build and run the whole test suite (prove, TAP)
#   make check-live only the closed loops with real Postfix/qmail (tests/e2e/5*.t)
#   make asan       the same tests on an ASan+UBSan build
#   make bench      throughput and memory against gzip/igzip/mawk/pflogsumm (scripts/bench)
#   make install    PREFIX=/usr/local DESTDIR=

PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
MANDIR  ?= $(PREFIX)/share/man
CC      ?= cc
B       ?= build
PKGS    := zlib libmaxminddb inih
# ISA-L's igzip inflate when present (Debian libisal-dev); zlib otherwise.
# ISAL=no builds without it.
ISAL    ?= $(shell pkg-config --exists libisal && echo yes)
ifeq ($(ISAL),yes)
PKGS    += libisal
CPPFLAGS += -DHAVE_ISAL
endif

# zstd input when libzstd is present (Debian libzstd-dev); ZSTD=no builds
# without it (zstd files are then refused with a clear message).
ZSTD    ?= $(shell pkg-config --exists libzstd && echo yes)
ifeq ($(ZSTD),yes)
PKGS    += libzstd
CPPFLAGS += -DHAVE_ZSTD
endif

CFLAGS  ?= -O2 -g
WARN    := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2
CPPFLAGS += -Iinclude -D_GNU_SOURCE -DRBLFORGE_DATADIR='"$(PREFIX)/share/rblforge"'
ALL_CFLAGS = -std=c11 $(WARN) -fopenmp $(CFLAGS) $(shell pkg-config --cflags $(PKGS)) -MMD -MP
LIBS    = $(shell pkg-config --libs $(PKGS)) -lJudy -lm
LDFLAGS += -fopenmp
# analyze/judy_mem.c replaces libJudy's allocator: nothing calls it by
# name, so the linker must be told to take it from the library (also when
# LDFLAGS comes from the command line, as in make asan).
override LDFLAGS += -Wl,-u,JudyMalloc

# The layers, lowest first (scripts/check-layers): util < ingest < analyze
# < export < driver < cli. Everything below cli/ goes into the library the
# tests link against.
LIB_SRC := $(wildcard util/*.c ingest/*.c analyze/*.c export/*.c driver/*.c)
CLI_SRC := $(wildcard cli/*.c)
LIB_OBJ := $(LIB_SRC:%.c=$(B)/%.o)
CLI_OBJ := $(CLI_SRC:%.c=$(B)/%.o)
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(B)/tests/%.t)
HELPER_BIN := $(patsubst tests/helpers/%.c,$(B)/tests/helpers/%,$(wildcard tests/helpers/*.c))
# The fuzz targets with a replay main instead of libFuzzer (see replay.c).
REPLAY_BIN := $(patsubst tests/fuzz/fuzz_%.c,$(B)/tests/replay_%,$(wildcard tests/fuzz/fuzz_*.c))

# ./rblforge is the default build's binary: a build in another directory
# (B=build-clang, B=build-asan) must not replace it behind make's back.
ifeq ($(B),build)
all: rblforge
else
all: $(B)/rblforge
endif

rblforge: $(B)/rblforge
	cp $< $@

$(B)/rblforge: $(CLI_OBJ) $(B)/librblforge.a
	$(CC) $(LDFLAGS) $(CFLAGS) -o $@ $^ $(LIBS)

$(B)/librblforge.a: $(LIB_OBJ)
	rm -f $@
	$(AR) rcs $@ $^

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -c -o $@ $<

$(B)/tests/%.t: tests/unit/%.c $(B)/librblforge.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(shell pkg-config --cflags cmocka) -o $@ $< \
		$(LDFLAGS) $(B)/librblforge.a $(LIBS) $(shell pkg-config --libs cmocka)

$(B)/tests/helpers/%: tests/helpers/%.c $(B)/librblforge.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -o $@ $< $(LDFLAGS) $(B)/librblforge.a $(LIBS)

$(B)/tests/replay_%: tests/fuzz/fuzz_%.c tests/fuzz/replay.c $(B)/librblforge.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -o $@ $< tests/fuzz/replay.c $(LDFLAGS) $(B)/librblforge.a $(LIBS)

$(B)/genlog: scripts/genlog.c
	@mkdir -p $(dir $@)
	$(CC) -std=c11 $(WARN) -O2 -o $@ $<

# The sample day is generated, seeded and committed; `make datasets`
# regenerates it (a test checks that the committed copy matches).
SAMPLE_DAY1 = --seed 20261123 --date 2026-11-23 --sessions 6000
SAMPLE_DAY2 = --seed 20261124 --date 2026-11-24 --sessions 2000 --stamp rfc3339 --tz-offset +09:00
datasets: $(B)/genlog
	mkdir -p datasets/sample
	$(B)/genlog $(SAMPLE_DAY1) | gzip -n -9 > datasets/sample/mail.log.1.gz
	$(B)/genlog $(SAMPLE_DAY2) > datasets/sample/mail.log
	scripts/mkasn-db datasets/asn/asn.csv datasets/asn/asn-test.mmdb
	python3 datasets/rdns/make-labelled.py > datasets/rdns/labelled.csv

deps:
	scripts/install-deps test

demo:
	scripts/install-deps build
	$(MAKE) all
	./rblforge run -v --year 2026 --tz JST-9 --now logs --allowlist datasets/sample/allowlist.txt \
		--asn-db datasets/asn/asn-test.mmdb --customers datasets/sample/customers.tsv \
		-o out datasets/sample/mail.log.1.gz datasets/sample/mail.log
	@echo; echo "published (out/NAME -> out/current/NAME, switched in at once):"; ls -lL out/
	@cat out/customers/index.csv

# The default build also refreshes ./rblforge; sanitizer builds stay in $(B).
CHECK_BIN = $(B)/rblforge $(if $(filter build,$(B)),rblforge)
check: deps
	$(MAKE) $(CHECK_BIN) $(UNIT_BIN) $(HELPER_BIN) $(REPLAY_BIN) $(B)/genlog
	scripts/check-layers --objects $(B)
	CMOCKA_MESSAGE_OUTPUT=TAP RBLFORGE=$(abspath $(B))/rblforge B=$(B) \
		prove -e '' $(UNIT_BIN) tests/e2e/*.t

# The closed loops with real mail servers (tests/e2e/5*.t, also part of
# check): Postfix, Dovecot, rblsmtpd, BIND and rbldnsd in a network
# namespace of their own; root, and the live group of install-deps.
check-live:
	scripts/install-deps live
	$(MAKE) $(CHECK_BIN)
	RBLFORGE=$(abspath $(B))/rblforge B=$(B) prove -e '' tests/e2e/5*.t

# Sanitizers: a separate build tree, the same tests.
asan:
	$(MAKE) B=build-asan CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" \
		LDFLAGS="-fopenmp -fsanitize=address,undefined" check

# Not a test: figures only (corpora cached in $(BENCH_DIR)).
BENCH_DIR ?= $(B)/bench
bench:
	BENCH_DIR=$(BENCH_DIR) scripts/bench

install: rblforge
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1
	install -m 0755 rblforge $(DESTDIR)$(BINDIR)/rblforge
	install -m 0644 rblforge.1 $(DESTDIR)$(MANDIR)/man1/rblforge.1
	install -d $(DESTDIR)$(PREFIX)/share/rblforge/templates
	install -m 0644 datasets/templates/letter.*.txt $(DESTDIR)$(PREFIX)/share/rblforge/templates/

# libFuzzer targets, one per parser (tests/fuzz/fuzz_*.c), built with clang
# and ASan+UBSan in build-fuzz/, each run for FUZZ_SECONDS on its seeds
# (tests/fuzz/seeds/NAME) plus what it found before (build-fuzz/corpus-NAME).
FUZZ_CC      ?= clang
comma        := ,
FUZZ_SECONDS ?= 60
FUZZ_FLAGS   := -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
FUZZ_SRC     := $(wildcard ingest/parse*.c) ingest/scan.c ingest/unknown.c ingest/event.c ingest/tstamp.c util/ipaddr.c \
	util/msg.c util/xalloc.c export/escape.c util/outbuf.c export/event_print.c
FUZZ_BIN     := $(patsubst tests/fuzz/%.c,build-fuzz/%,$(wildcard tests/fuzz/fuzz_*.c))

build-fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_SRC) $(wildcard include/*.h)
	@mkdir -p build-fuzz
	$(FUZZ_CC) $(CPPFLAGS) -std=c11 $(WARN) $(FUZZ_FLAGS) -o $@ $< $(FUZZ_SRC)

# The reader as well: gzip (both backends), zstd, chunker, then the parser.
FUZZ_INPUT_SRC := ingest/input.c ingest/inflate.c ingest/unzstd.c ingest/chunk.c util/hugemem.c
build-fuzz/fuzz_input: tests/fuzz/fuzz_input.c $(FUZZ_SRC) $(FUZZ_INPUT_SRC) $(wildcard include/*.h)
	@mkdir -p build-fuzz
	$(FUZZ_CC) $(CPPFLAGS) -std=c11 $(WARN) $(FUZZ_FLAGS) $(shell pkg-config --cflags $(PKGS)) \
		-o $@ $< $(FUZZ_SRC) $(FUZZ_INPUT_SRC) $(shell pkg-config --libs $(PKGS))

# The readers of our own files (the state, the config, the customer map)
# and the escaping functions need most of the library (the config names
# every evidence class, the state its policy): every module below driver/,
# compiled once with the fuzzer's instrumentation.
FUZZ_LIB_SRC := $(wildcard util/*.c ingest/*.c analyze/*.c export/*.c)
FUZZ_LIB_OBJ := $(FUZZ_LIB_SRC:%.c=build-fuzz/obj/%.o)
FUZZ_WHOLE   := $(addprefix build-fuzz/fuzz_,state config custmap escape)
build-fuzz/obj/%.o: %.c $(wildcard include/*.h)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(CPPFLAGS) -std=c11 $(WARN) $(subst fuzzer$(comma),fuzzer-no-link$(comma),$(FUZZ_FLAGS)) \
		$(shell pkg-config --cflags $(PKGS)) -c -o $@ $<
$(FUZZ_WHOLE): build-fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_LIB_OBJ)
	$(FUZZ_CC) $(CPPFLAGS) -std=c11 $(WARN) $(FUZZ_FLAGS) -o $@ $< $(FUZZ_LIB_OBJ) \
		$(shell pkg-config --libs $(PKGS)) -lJudy -lm

fuzz: $(FUZZ_BIN)
	for t in $(FUZZ_BIN); do \
		n=$${t#build-fuzz/fuzz_}; mkdir -p build-fuzz/corpus-$$n; \
		$$t -max_total_time=$(FUZZ_SECONDS) -max_len=8192 -print_final_stats=1 \
			build-fuzz/corpus-$$n tests/fuzz/seeds/$$n || exit 1; \
	done

clean:
	rm -rf build build-asan build-fuzz rblforge out

.PHONY: all demo check check-live asan bench install clean deps datasets fuzz
-include $(shell find $(B) -name '*.d' 2>/dev/null)

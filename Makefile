# Makefile: builds libeas.a and every tool under tools/, runs tests, benchmarks, installs.
#
# Tools and libraries are discovered: each tools/NAME/ holds NAME's .c files
# and a build.mk that names its pkg-config packages (PKGS_NAME) and the Debian
# packages it needs (DEBS).  lib/build.mk does the same for libeas.a.

PREFIX  ?= /usr/local
DESTDIR ?=
BUILD   ?= build
CC      ?= cc
CFLAGS  ?= -O2 -g
SAN     ?=

BINDIR  := $(BUILD)/bin
LIBEAS  := $(BUILD)/libeas.a

# Debian packages: build, test and bench dependencies common to all tools.
DEBS := build-essential pkg-config bats jq multimon-ng python3-numpy \
        python3-scipy espeak-ng sox ffmpeg time bc
LIB_PKGS :=

include lib/build.mk
include $(wildcard tools/*/build.mk)

TOOLS    := $(notdir $(patsubst %/,%,$(dir $(wildcard tools/*/build.mk))))
ALL_PKGS := $(sort $(LIB_PKGS) $(foreach t,$(TOOLS),$(PKGS_$(t))))
# Evaluated when make reads the Makefile: the targets that may install packages first (run,
# check, sanitize, bench) build in a sub-make started after `deps`, so it sees the new -dev files.
PKG_CFLAGS := $(if $(ALL_PKGS),$(shell pkg-config --cflags $(ALL_PKGS) 2>/dev/null))
PKG_MISSING := $(if $(ALL_PKGS),$(if $(shell pkg-config --exists $(ALL_PKGS) 2>/dev/null || echo no),\
                 $(foreach p,$(ALL_PKGS),$(if $(shell pkg-config --exists $(p) 2>/dev/null && echo y),,$(p)))))

ifeq ($(SAN),1)
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
endif

WARN     := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes
ALL_CFLAGS := -std=c11 -D_DEFAULT_SOURCE -D_GNU_SOURCE $(WARN) $(CFLAGS) $(SANFLAGS) \
              -Ilib -I$(BUILD)/gen $(PKG_CFLAGS)
ALL_LDFLAGS := $(LDFLAGS) $(SANFLAGS)

LIB_SRC := $(wildcard lib/*.c)
LIB_OBJ := $(patsubst %.c,$(BUILD)/%.o,$(LIB_SRC)) $(BUILD)/gen/fips_table.o $(BUILD)/gen/store_lua.o

UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRC))

BINS := $(addprefix $(BINDIR)/,$(TOOLS))

.PHONY: all deps check check-build unit bats sanitize bench fuzz install uninstall run demo fresh-check systemd-check \
        clean format pkg-guard FORCE
all: pkg-guard $(BINS)

# A plain `make` on a machine without the -dev packages: say what to do instead of a compiler error.
pkg-guard:
	@$(if $(strip $(PKG_MISSING)),echo "make: libraries missing ($(strip $(PKG_MISSING))):" \
	  $(if $(AFTER_DEPS),"still missing after make deps: a -dev package is missing from DEBS in a build.mk",\
	  "'make deps' installs them (make run and make check do it themselves)") >&2; exit 1,:)

$(BUILD)/%.o: %.c | $(BUILD)/gen/version.h
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

# The version, set once: scripts/version.sh (git describe in a checkout, else the VERSION file).
# version.h is rewritten only when the version changes, so only the files printing it rebuild.
EAS_VERSION := $(shell sh scripts/version.sh)
$(BUILD)/gen/version.h: FORCE
	@mkdir -p $(dir $@)
	@echo '#define EAS_VERSION "$(EAS_VERSION)"' > $@.tmp; \
	  if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; fi
FORCE:

# The place-name table: 2023 county-equivalents, retired codes, marine zones (data/PROVENANCE.md).
# It prints the table's size and sources; the generator refuses data it cannot account for.
FIPS_DATA := data/fips_changes.txt data/national_county.txt data/us_counties_2023_us-atlas.txt \
             data/nws_marine_zones_same.csv
$(BUILD)/gen/fips_table.c: $(FIPS_DATA) scripts/gen-fips.awk
	@mkdir -p $(dir $@)
	LC_ALL=C awk -f scripts/gen-fips.awk $(FIPS_DATA) > $@.tmp && mv $@.tmp $@

$(BUILD)/gen/fips_table.o: $(BUILD)/gen/fips_table.c
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

# The Redis script, embedded as a C string so that no file is looked up at run time.
$(BUILD)/gen/store_lua.c: lib/store.lua
	@mkdir -p $(dir $@)
	{ echo '/* generated from lib/store.lua by the Makefile */'; echo '#include "store.h"'; \
	  echo 'const char eas_store_lua[] ='; \
	  sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/    "/' -e 's/$$/\\n"/' lib/store.lua; \
	  echo ';'; } > $@.tmp && mv $@.tmp $@

$(BUILD)/gen/store_lua.o: $(BUILD)/gen/store_lua.c lib/store.h
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(LIBEAS): $(LIB_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@
	ar rcs $@ $^

define tool_rule
$(BINDIR)/$(1): $(patsubst %.c,$(BUILD)/%.o,$(wildcard tools/$(1)/*.c)) $(LIBEAS)
	@mkdir -p $(BINDIR)
	$(CC) $(ALL_LDFLAGS) -o $$@ $$^ $$(if $$(PKGS_$(1))$$(LIB_PKGS),$$(shell pkg-config --libs $$(PKGS_$(1)) $$(LIB_PKGS))) $(LIBS_$(1)) -lm
endef
$(foreach t,$(TOOLS),$(eval $(call tool_rule,$(t))))

$(BUILD)/tests/%: tests/unit/%.c $(LIBEAS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(LIBEAS) $(if $(LIB_PKGS),$(shell pkg-config --libs $(LIB_PKGS))) -lm

# eas-ctl's messages and signatures are tested on their own: msg.c, sign.c and their libraries.
$(BUILD)/tests/test_ctl: tests/unit/test_ctl.c $(BUILD)/tools/eas-ctl/msg.o $(BUILD)/tools/eas-ctl/sign.o $(LIBEAS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Itools/eas-ctl $(ALL_LDFLAGS) -o $@ $< $(BUILD)/tools/eas-ctl/msg.o \
	  $(BUILD)/tools/eas-ctl/sign.o $(LIBEAS) $(shell pkg-config --libs libcrypto $(LIB_PKGS)) -lm

# eas-capture's playlist parser is tested on its own (no libav).
$(BUILD)/tests/test_playlist: tests/unit/test_playlist.c $(BUILD)/tools/eas-capture/playlist.o $(LIBEAS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Itools/eas-capture $(ALL_LDFLAGS) -o $@ $< $(BUILD)/tools/eas-capture/playlist.o

# bench/ctl.sh times eas-ctl's send path in one process too (no process start in the figure).
$(BUILD)/bench/ctl_loop: bench/ctl_loop.c $(filter-out $(BUILD)/tools/eas-ctl/eas-ctl.o,\
  $(patsubst %.c,$(BUILD)/%.o,$(wildcard tools/eas-ctl/*.c))) $(LIBEAS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Itools/eas-ctl $(ALL_LDFLAGS) -o $@ $^ \
	  $(shell pkg-config --libs libcrypto $(LIB_PKGS)) -lm

# Install what is missing; silent when everything is present.
deps:
	@sh scripts/deps.sh $(sort $(DEBS))

# check, run, sanitize and bench install what is missing first, then build in a sub-make that
# reads the Makefile again (and so the pkg-config flags of what deps just installed).
check: deps
	@$(MAKE) --no-print-directory AFTER_DEPS=1 check-build
	@EAS_BIN=$(abspath $(BINDIR)) EAS_UNIT=$(abspath $(BUILD)/tests) sh tests/run.sh

check-build: all $(UNIT_BIN)

unit: $(UNIT_BIN)
	@EAS_UNIT=$(abspath $(BUILD)/tests) sh tests/run.sh unit

sanitize: deps
	$(MAKE) BUILD=build/san SAN=1 CFLAGS="-O1 -g" check

FUZZ_BIN := $(BUILD)/fuzz/fuzz_header
FUZZ_SRC := lib/same_header.c lib/fips.c lib/json.c lib/lines.c lib/lines_read.c lib/timeutil.c
FUZZ_CC  := clang -std=c11 -D_DEFAULT_SOURCE -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined \
            -Ilib -I$(BUILD)/gen
# Five targets, FUZZ_SECONDS each: the SAME header parser, the line reader with eas-publish's
# spool records, eas-ctl's command and reply parsers with its signature check, eas-watch's
# threshold ranges, and eas-capture's playlist parser.
fuzz: $(BUILD)/gen/fips_table.c
	@mkdir -p $(BUILD)/fuzz/corpus $(BUILD)/fuzz/corpus-publine $(BUILD)/fuzz/corpus-ctl
	$(FUZZ_CC) $$(pkg-config --cflags yajl) -o $(FUZZ_BIN) fuzz/fuzz_header.c $(FUZZ_SRC) \
	  $(BUILD)/gen/fips_table.c $$(pkg-config --libs yajl) -lm
	$(FUZZ_BIN) -max_total_time=$${FUZZ_SECONDS:-60} -max_len=300 $(BUILD)/fuzz/corpus fuzz/corpus
	$(FUZZ_CC) $$(pkg-config --cflags yajl) -o $(BUILD)/fuzz/fuzz_publine \
	  fuzz/fuzz_publine.c $(FUZZ_SRC) $(BUILD)/gen/fips_table.c \
	  $$(pkg-config --libs yajl) -lm
	$(BUILD)/fuzz/fuzz_publine -max_total_time=$${FUZZ_SECONDS:-60} -max_len=2048 \
	  $(BUILD)/fuzz/corpus-publine fuzz/corpus-publine
	$(FUZZ_CC) -Itools/eas-ctl $$(pkg-config --cflags yajl) -o $(BUILD)/fuzz/fuzz_ctl \
	  fuzz/fuzz_ctl.c tools/eas-ctl/msg.c tools/eas-ctl/sign.c $(FUZZ_SRC) \
	  $(BUILD)/gen/fips_table.c $$(pkg-config --libs yajl libcrypto) -lm
	$(BUILD)/fuzz/fuzz_ctl -max_total_time=$${FUZZ_SECONDS:-60} -max_len=4096 \
	  $(BUILD)/fuzz/corpus-ctl fuzz/corpus-ctl
	@mkdir -p $(BUILD)/fuzz/corpus-range
	$(FUZZ_CC) -o $(BUILD)/fuzz/fuzz_range fuzz/fuzz_range.c lib/range.c -lm
	$(BUILD)/fuzz/fuzz_range -max_total_time=$${FUZZ_SECONDS:-60} -max_len=64 \
	  $(BUILD)/fuzz/corpus-range fuzz/corpus-range
	@mkdir -p $(BUILD)/fuzz/corpus-playlist
	$(FUZZ_CC) -Itools/eas-capture -o $(BUILD)/fuzz/fuzz_playlist fuzz/fuzz_playlist.c \
	  tools/eas-capture/playlist.c
	$(BUILD)/fuzz/fuzz_playlist -max_total_time=$${FUZZ_SECONDS:-60} -max_len=4096 \
	  $(BUILD)/fuzz/corpus-playlist fuzz/corpus-playlist

bench: deps
	@$(MAKE) --no-print-directory AFTER_DEPS=1 all $(BUILD)/bench/ctl_loop
	@EAS_BIN=$(abspath $(BINDIR)) sh bench/run.sh

# A live station on this box until Ctrl-C (EAS_RUN_SECONDS=N: N seconds, exit 0 iff all was up).
run: deps
	@$(MAKE) --no-print-directory AFTER_DEPS=1 all
	@EAS_BIN=$(abspath $(BINDIR)) sh scripts/run-station.sh

# The one-shot demo: eas-encode | eas-decode | eas-publish into a private redis-server.
demo: deps
	@$(MAKE) --no-print-directory AFTER_DEPS=1 all
	@EAS_BIN=$(abspath $(BINDIR)) sh scripts/demo.sh

# The README's two commands, first on a fresh Debian 12 root (debootstrap, chroot; needs root).
fresh-check:
	@sh scripts/fresh-check.sh

# The systemd units under a booted systemd (systemd-nspawn on a copy of fresh-check's base root;
# needs root; not part of check).
systemd-check:
	@sh scripts/systemd-check.sh

# install, uninstall: in install.mk (tools, eas-station, man pages, completions, systemd units,
# polkit rule, CGI scripts, lighttpd snippet, example configs).
include install.mk

format:
	clang-format -i $(wildcard lib/*.c lib/*.h tools/*/*.c tests/unit/*.c tests/unit/*.h fuzz/*.c)

clean:
	rm -rf build

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

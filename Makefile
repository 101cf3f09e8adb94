# pou: one build for the agent, the bridge, pouctl, their tests and the demo.
# The user's CFLAGS (default -O2 -g) stay apart from the project's flags;
# packagers may drop -Werror with WERROR=.
# make CROSS=aarch64-linux-gnu (or arm-linux-gnueabihf) cross-builds into
# build-$(CROSS) with Debian's cross gcc and pkg-config (the foreign
# architecture's -dev packages installed, multiarch).

CROSS	?=
ifneq ($(CROSS),)
CC	= $(CROSS)-gcc
PKG_CONFIG = $(CROSS)-pkg-config
B	?= build-$(CROSS)
endif
CC	?= cc
PKG_CONFIG ?= pkg-config
CFLAGS	?= -O2 -g
LDFLAGS	?=
WERROR	?= -Werror
B	?= build

PKGS	= sqlite3 libmosquitto jansson inih libusb-1.0 libnfc libgpiod \
	  libcurl
WARN	= -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	  -Wpointer-arith -Wcast-qual -Wformat=2 $(WERROR)
# Each program's sources see only the headers they may use, so the
# compiler refuses a wrong arrow: common/ includes nothing of the programs,
# the bridge nothing of the agent; the uplink needs the agent's store (see
# docs/decisions.md); pouctl works on both sides; tests see everything.
INC_ALL	= -Icommon -Iagent -Idrivers -Isync -Isync/bridge -Iboard
INC	= $(INC_ALL)
INC_COMMON = -Icommon
INC_AGENT = -Icommon -Iagent -Idrivers -Iboard -Isync
INC_SYNC = -Icommon -Isync
INC_BRIDGE = -Icommon -Isync -Isync/bridge
$(B)/common/%.o: INC = $(INC_COMMON)
$(B)/agent/%.o $(B)/drivers/%.o $(B)/board/%.o: INC = $(INC_AGENT)
$(B)/sync/%.o: INC = $(INC_SYNC)
$(B)/sync/uplink.o: INC = $(INC_AGENT)
$(B)/sync/bridge/%.o: INC = $(INC_BRIDGE)
$(B)/sync/pouctl/%.o: INC = $(INC_ALL)
# 64-bit file offsets on 32-bit boards (armhf): a store, ledger or CSV over
# 2 GiB. No library pou uses passes an off_t.
POU_CFLAGS = -std=c11 -D_GNU_SOURCE -D_FILE_OFFSET_BITS=64 -pthread $(WARN) \
	  $(INC) \
	  $(shell $(PKG_CONFIG) --cflags $(PKGS))
POU_LIBS = $(shell $(PKG_CONFIG) --libs $(PKGS)) -lmbedx509 -lmbedcrypto \
	  -pthread

COMMON	= common/log.c common/buf.c common/util.c common/conf.c common/event.c \
	  common/evsql.c common/sqlmig.c common/csv.c common/hash.c
# The fleet's signed commands: the agent verifies, pouctl signs.
FLEET	= sync/jws.c sync/fleetcmd.c
DAEMON	= common/daemon.c
STORE	= agent/store.c agent/store_space.c agent/store_epoch.c \
	  agent/store_ref.c agent/store_cmd.c agent/store_config.c
CODES	= agent/codes/codes.c agent/codes/gs1.c agent/codes/gs1_ai.c \
	  agent/codes/gs1_lint.c agent/codes/hibc.c agent/codes/isbt.c
DRIVERS	= drivers/driver.c drivers/sim.c drivers/hidpos.c \
	  drivers/hidpos_report.c drivers/hid_desc.c drivers/ndef.c \
	  drivers/serial.c drivers/wedge.c drivers/nfc.c
AGENT	= agent/main.c agent/conf.c agent/session.c $(STORE) \
	  agent/housekeeping.c agent/salvage.c agent/checks.c agent/command.c \
	  agent/refdata.c agent/watchdog.c agent/feedback.c agent/schedule.c \
	  agent/fleet.c agent/fleet_ops.c agent/cert.c $(DRIVERS) \
	  board/board.c board/output.c sync/wire.c \
	  sync/uplink.c sync/mqttc.c $(FLEET) $(CODES) $(DAEMON) $(COMMON)
BRIDGE	= sync/bridge/main.c sync/bridge/conf.c sync/bridge/db.c \
	  sync/bridge/db_guard.c sync/bridge/db_ops.c sync/bridge/db_fleet.c \
	  sync/bridge/fleet.c sync/bridge/ident.c \
	  sync/bridge/ingest.c sync/bridge/reference.c sync/bridge/reftab.c \
	  sync/bridge/hl7.c sync/bridge/replenish.c \
	  sync/bridge/erp.c sync/bridge/outbox.c sync/bridge/out_file.c \
	  sync/bridge/out_mllp.c sync/bridge/out_http.c sync/bridge/out_csv.c \
	  sync/bridge/clock.c \
	  sync/bridge/rules.c sync/bridge/vouch.c sync/bridge/ledger.c \
	  sync/bridge/dest.c \
	  sync/wire.c sync/mqttc.c $(FLEET) $(DAEMON) $(COMMON)
POUCTL	= sync/pouctl/main.c sync/pouctl/status.c sync/pouctl/decode.c \
	  sync/pouctl/exceptions.c sync/pouctl/devices.c \
	  sync/pouctl/outbox.c sync/pouctl/refdata.c sync/pouctl/bridge.c \
	  sync/pouctl/fleet.c sync/pouctl/fleet_set.c \
	  sync/pouctl/fleet_bridge.c agent/refdata.c \
	  $(STORE) sync/bridge/conf.c sync/bridge/reference.c \
	  sync/bridge/reftab.c sync/bridge/rules.c sync/bridge/db.c \
	  sync/bridge/db_guard.c sync/bridge/db_ops.c sync/bridge/db_fleet.c \
	  sync/bridge/ident.c \
	  sync/bridge/dest.c sync/bridge/erp.c sync/bridge/replenish.c \
	  sync/bridge/hl7.c sync/wire.c $(FLEET) $(CODES) $(COMMON)

UNIT	= store wire gs1 codes hl7 hidpos ndef board db ingest driver \
	  checks session command conf rules reference outbox jws fleetcmd
UNIT_SRC_store = $(STORE) $(COMMON)
UNIT_SRC_wire  = sync/wire.c $(COMMON)
UNIT_SRC_gs1   = $(CODES) $(COMMON)
UNIT_SRC_codes = $(CODES) $(COMMON)
UNIT_SRC_hidpos = drivers/hidpos_report.c drivers/hid_desc.c
UNIT_SRC_ndef  = drivers/ndef.c
UNIT_SRC_hl7   = sync/bridge/hl7.c sync/bridge/erp.c sync/bridge/ident.c \
	  sync/wire.c $(COMMON)
UNIT_SRC_board = board/board.c board/output.c $(COMMON)
UNIT_SRC_db    = sync/bridge/db.c sync/bridge/db_guard.c sync/bridge/db_ops.c \
	  sync/bridge/db_fleet.c \
	  sync/bridge/ident.c sync/wire.c $(COMMON)
UNIT_SRC_ingest = $(filter-out sync/bridge/main.c,$(BRIDGE))
UNIT_SRC_driver = $(DRIVERS) $(COMMON)
UNIT_SRC_checks = agent/checks.c $(STORE) $(COMMON)
# The agent's scan path; agent_fx.c stands in for feedback.c and the uplink.
AGENT_SCAN = tests/unit/agent_fx.c agent/session.c agent/command.c \
	  agent/checks.c agent/housekeeping.c $(STORE) $(CODES) $(COMMON)
UNIT_SRC_session = $(AGENT_SCAN)
UNIT_SRC_command = $(AGENT_SCAN)
UNIT_SRC_conf  = common/conf.c common/log.c common/util.c
UNIT_SRC_rules = sync/bridge/rules.c sync/bridge/conf.c $(UNIT_SRC_db)
UNIT_SRC_reference = sync/bridge/reference.c sync/bridge/reftab.c \
	  common/csv.c common/hash.c common/log.c common/util.c
UNIT_SRC_outbox = $(filter-out sync/bridge/main.c,$(BRIDGE))
# test_outbox takes the outbox thread's own connection, to fail its
# steps, by wrapping db_open.
UNIT_LIBS_outbox = -Wl,--wrap=db_open
UNIT_SRC_jws   = $(FLEET) $(COMMON)
UNIT_SRC_fleetcmd = $(FLEET) $(COMMON)

BINS	= $(B)/pou-agent $(B)/pou-bridge $(B)/pouctl
TESTS	= $(UNIT:%=$(B)/test_%)
# The power-cut VFS (tests/faults/powercut.c) and its self-test's helpers.
POWERCUT = $(B)/libpowercut.so $(B)/powercut_threads $(B)/powercut_vfs

obj	= $(patsubst %.c,$(B)/%.o,$(1))

# V=1 shows the full commands.
ifeq ($(V),1)
Q	=
else
Q	= @
endif

FUZZ_TARGETS = codes bracketed assemble wire hl7_ack hidpos ndef csv refdata \
	       ident fleetcmd
FUZZ_SRC_codes     = tests/fuzz/fuzz_codes.c $(CODES)
FUZZ_SRC_bracketed = tests/fuzz/fuzz_bracketed.c $(CODES)
FUZZ_SRC_assemble  = tests/fuzz/fuzz_assemble.c $(CODES)
FUZZ_SRC_wire      = tests/fuzz/fuzz_wire.c sync/wire.c common/event.c common/buf.c \
		     common/util.c
FUZZ_SRC_hl7_ack   = tests/fuzz/fuzz_hl7_ack.c sync/bridge/hl7.c \
		     sync/bridge/ident.c sync/wire.c common/event.c \
		     common/buf.c common/util.c common/hash.c
FUZZ_LIBS_hl7_ack  = -lmbedcrypto
FUZZ_SRC_ident     = tests/fuzz/fuzz_ident.c sync/bridge/ident.c \
		     sync/wire.c common/event.c common/buf.c common/util.c
FUZZ_SRC_fleetcmd  = tests/fuzz/fuzz_fleetcmd.c $(FLEET) common/hash.c \
		     common/log.c common/util.c
FUZZ_LIBS_fleetcmd = -lmbedcrypto
FUZZ_SRC_hidpos    = tests/fuzz/fuzz_hidpos.c drivers/hidpos_report.c \
		     drivers/hid_desc.c
FUZZ_SRC_ndef      = tests/fuzz/fuzz_ndef.c drivers/ndef.c
FUZZ_SRC_csv       = tests/fuzz/fuzz_csv.c common/csv.c common/log.c
FUZZ_SRC_refdata   = tests/fuzz/fuzz_refdata.c sync/bridge/reference.c \
		     sync/bridge/reftab.c common/csv.c common/hash.c \
		     common/log.c common/util.c
FUZZ_LIBS_refdata  = -lmbedcrypto
FUZZ_FLAGS = -g -O1 -fsanitize=fuzzer,address,undefined \
	     -fno-sanitize-recover=all
FUZZ_SECONDS ?= 30

.PHONY: all deps check test unit demo asan fuzz fuzz-build bench faults clean
all: $(BINS)

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $(POU_CFLAGS) -MMD -MP -c -o $@ $<

LINK	= @$(if $(Q),echo "  LD      $@")
$(B)/pou-agent: $(call obj,$(AGENT))
	$(LINK)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(POU_LIBS)
$(B)/pou-bridge: $(call obj,$(BRIDGE))
	$(LINK)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(POU_LIBS)
$(B)/pouctl: $(call obj,$(POUCTL))
	$(LINK)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(POU_LIBS)

.SECONDEXPANSION:
$(B)/test_%: $(B)/tests/unit/test_%.o $$(call obj,$$(UNIT_SRC_$$*))
	$(LINK)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(POU_LIBS) \
	    $(shell $(PKG_CONFIG) --libs cmocka) $(UNIT_LIBS_$*)

deps:
	@packaging/deps.sh

# check and demo install what they need first, then build in a fresh make
# so pkg-config sees the installed libraries.
check: deps
	@$(MAKE) --no-print-directory all $(TESTS) $(POWERCUT)
	@B=$(B) tests/run.sh

test: all $(TESTS) $(POWERCUT)
	@B=$(B) tests/run.sh

# The unit tests alone (the package build runs them), each through
# $(RUN_UNIT): for a cross build qemu-user-static's qemu-aarch64-static or
# qemu-arm-static, which finds the foreign libraries multiarch under /.
RUN_UNIT ?= $(if $(CROSS),qemu-$(firstword $(subst -, ,$(CROSS)))-static)
unit: $(TESTS)
	@for t in $(TESTS); do \
	    CMOCKA_MESSAGE_OUTPUT=TAP $(RUN_UNIT) $$t > $$t.tap 2>&1 || \
	    { cat $$t.tap; echo "FAILED: $$t"; exit 1; }; \
	    echo "  PASS    $$t: $$(grep -c '^ok ' $$t.tap) tests"; done

$(B)/libpowercut.so: tests/faults/powercut.c
	@mkdir -p $(dir $@)
	$(LINK)
	$(Q)$(CC) $(CFLAGS) -std=c11 -D_GNU_SOURCE -fPIC -shared $(WARN) -o $@ $< \
	    $(shell $(PKG_CONFIG) --cflags --libs sqlite3) -pthread
$(B)/powercut_%: tests/faults/powercut_%.c
	@mkdir -p $(dir $@)
	$(LINK)
	$(Q)$(CC) $(CFLAGS) -std=c11 -D_GNU_SOURCE $(WARN) -o $@ $< \
	    $(shell $(PKG_CONFIG) --cflags --libs sqlite3) -pthread

demo: deps
	@$(MAKE) --no-print-directory all
	@B=$(B) tests/system/demo.sh

asan:
	$(MAKE) B=build-asan CFLAGS="-O1 -g -fsanitize=address,undefined \
	    -fno-omit-frame-pointer" LDFLAGS="-fsanitize=address,undefined" \
	    all $(UNIT:%=build-asan/test_%) $(POWERCUT:$(B)/%=build-asan/%)
	@# umockdev preloads its library ahead of ASan's runtime.
	ASAN_OPTIONS=verify_asan_link_order=0 B=build-asan tests/run.sh

# The long fault runs: 200 SIGKILL cycles, 1000 power cuts and 100 kills
# during fleet commands (make check runs 8, 20 and 4).
faults: deps
	@$(MAKE) --no-print-directory all $(POWERCUT)
	@FAULT_CYCLES=$${FAULT_CYCLES:-200} B=$(B) bash tests/system/test_faults.sh
	@POWERCUT_CYCLES=$${POWERCUT_CYCLES:-1000} B=$(B) \
	    bash tests/system/test_powercut.sh
	@FLEET_KILL_CYCLES=$${FLEET_KILL_CYCLES:-100} B=$(B) \
	    bash tests/system/test_fleet_kill.sh

# Figures, each beside a baseline measured in the same run; never asserted.
bench: deps
	@$(MAKE) --no-print-directory $(B)/bench_codes $(B)/bench_store \
	    $(B)/bench_mqtt_plain all
	@$(B)/bench_codes
	@d=$$(mktemp -d $(CURDIR)/build/bench.XXXXXX) && \
	    $(B)/bench_store $$d; rm -rf $$d
	@B=$(B) bash tests/bench/feedback.sh
	@B=$(B) bash tests/bench/e2e.sh
	@B=$(B) bash tests/bench/drain.sh
	@B=$(B) bash tests/bench/fleet_scan.sh
	@B=$(B) bash tests/bench/fleet.sh

$(B)/bench_mqtt_plain: $(call obj,tests/bench/bench_mqtt_plain.c $(STORE) \
	    sync/wire.c $(COMMON))
	$(LINK)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(POU_LIBS)

$(B)/bench_store: $(call obj,tests/bench/bench_store.c $(STORE) $(COMMON))
	$(LINK)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(POU_LIBS)

$(B)/bench_codes: $(call obj,tests/bench/bench_codes.c $(CODES) common/util.c)
	$(LINK)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(POU_LIBS)

# make fuzz FUZZ_SECONDS=600 for the long run.
fuzz:
	@packaging/deps.sh fuzz
	@$(MAKE) --no-print-directory fuzz-build
	@tests/fuzz/run.sh $(FUZZ_SECONDS)

fuzz-build: $(FUZZ_TARGETS:%=build-fuzz/fuzz_%)

build-fuzz/fuzz_%: $$(FUZZ_SRC_$$*)
	@mkdir -p build-fuzz
	$(LINK)
	$(Q)clang $(FUZZ_FLAGS) -std=c11 -D_GNU_SOURCE $(INC) \
	    $(shell pkg-config --cflags jansson) -o $@ $(FUZZ_SRC_$*) \
	    $(shell pkg-config --libs jansson) $(FUZZ_LIBS_$*)

# make install [PREFIX=/usr/local] [DESTDIR=] [sysconfdir=]: the programs,
# man pages, example configuration, systemd units, udev rules, sysusers and
# tmpfiles where Debian puts them (PREFIX=/usr). Existing configuration in
# sysconfdir is never overwritten. The Debian packages take the first three
# parts (install-bin, install-man, install-conf); debhelper places the rest.
PREFIX	?= /usr/local
bindir	?= $(PREFIX)/bin
sbindir	?= $(PREFIX)/sbin
mandir	?= $(PREFIX)/share/man
docdir	?= $(PREFIX)/share/doc/pou
sysconfdir ?= $(if $(filter /usr,$(PREFIX)),/etc,$(PREFIX)/etc)
libdir_sys ?= $(if $(filter /usr,$(PREFIX)),/usr/lib,$(PREFIX)/lib)
unitdir	?= $(libdir_sys)/systemd/system
udevrulesdir ?= $(libdir_sys)/udev/rules.d
sysusersdir ?= $(libdir_sys)/sysusers.d
tmpfilesdir ?= $(libdir_sys)/tmpfiles.d
INSTALL	?= install
MAN8	= pou-agent.8 pou-bridge.8 pouctl.8 pou-cert-request.8
MAN5	= pou-agent.conf.5 pou-bridge.conf.5
SYS	= packaging/systemd

.PHONY: deb package-test debian13 cross-test install install-bin install-man install-conf install-system man
install: install-bin install-man install-conf install-system

install-bin: $(BINS)
	$(INSTALL) -d $(DESTDIR)$(bindir) $(DESTDIR)$(sbindir)
	$(INSTALL) -m 0755 $(B)/pou-agent $(B)/pou-bridge \
	    packaging/pou-cert-request $(DESTDIR)$(sbindir)
	$(INSTALL) -m 0755 $(B)/pouctl $(DESTDIR)$(bindir)

# The pages are mdoc(7): man-db renders them as they are; make man checks
# them (groff's warnings are errors).
man:
	@for m in $(MAN8) $(MAN5); do \
	    out=$$(groff -mdoc -ww -z -Tutf8 packaging/man/$$m 2>&1); \
	    if [ -n "$$out" ]; then echo "$$m: $$out"; exit 1; fi; done

install-man:
	$(INSTALL) -d $(DESTDIR)$(mandir)/man8 $(DESTDIR)$(mandir)/man5
	$(INSTALL) -m 0644 $(MAN8:%=packaging/man/%) $(DESTDIR)$(mandir)/man8
	$(INSTALL) -m 0644 $(MAN5:%=packaging/man/%) $(DESTDIR)$(mandir)/man5

# agent.conf and bridge.conf are the daemons' (root-owned, world-readable:
# no secrets, keys are files of their own); the CSVs and broker files are examples.
install-conf:
	$(INSTALL) -d $(DESTDIR)$(sysconfdir)/pou/boards \
	    $(DESTDIR)$(docdir)/examples/mosquitto
	@for f in agent.conf bridge.conf boards/cart-v2.conf; do \
	    t=$(DESTDIR)$(sysconfdir)/pou/$$f; \
	    if [ -e "$$t" ]; then echo "  KEEP    $$t"; \
	    else $(INSTALL) -m 0644 configs/$$f "$$t"; fi; done
	$(INSTALL) -m 0644 configs/*.csv $(DESTDIR)$(docdir)/examples
	$(INSTALL) -m 0644 configs/mosquitto/* \
	    $(DESTDIR)$(docdir)/examples/mosquitto

install-system:
	$(INSTALL) -d $(DESTDIR)$(unitdir) $(DESTDIR)$(udevrulesdir) \
	    $(DESTDIR)$(sysusersdir) $(DESTDIR)$(tmpfilesdir)
	sed 's|/usr/sbin/|$(sbindir)/|; s|/etc/pou/|$(sysconfdir)/pou/|' \
	    $(SYS)/pou-agent.service > $(DESTDIR)$(unitdir)/pou-agent.service
	sed 's|/usr/sbin/|$(sbindir)/|; s|/etc/pou/|$(sysconfdir)/pou/|' \
	    $(SYS)/pou-bridge.service > $(DESTDIR)$(unitdir)/pou-bridge.service
	$(INSTALL) -m 0644 $(SYS)/60-pou.rules $(DESTDIR)$(udevrulesdir)
	$(INSTALL) -m 0644 $(SYS)/pou.sysusers $(DESTDIR)$(sysusersdir)/pou.conf
	$(INSTALL) -m 0644 $(SYS)/pou.tmpfiles $(DESTDIR)$(tmpfilesdir)/pou.conf

# The Debian packages (packaging/debian): make deb [ARCH=arm64|armhf].
deb:
	@packaging/deps.sh deb
	@B=$(B) ARCH=$(ARCH) packaging/deb.sh

# The packages installed, run, upgraded and purged in a clean Debian root
# (mmdebstrap): SUITE=bookworm (the default) or trixie.
package-test:
	@packaging/deps.sh deb
	@B=$(B) bash tests/package/test_package.sh

# pou built and unit-tested in a Debian 13 root (mmdebstrap; in make check
# too, skipped when the Debian archive cannot be reached).
debian13:
	@packaging/deps.sh deb
	@B=$(B) bash tests/system/test_debian13.sh

# arm64 and armhf: built, unit-tested under qemu and packaged in a Debian
# 12 root with the cross toolchains (mmdebstrap).
cross-test:
	@packaging/deps.sh deb
	@B=$(B) bash tests/package/test_cross.sh

# --one-file-system: never through a build root's /proc or /dev left
# mounted by a test that was killed.
clean:
	rm -rf --one-file-system build build-asan build-fuzz build-*-linux-*

# The compiler's dependency files; not the Debian roots the tests keep
# under $(B) (their /etc holds directories named *.d).
-include $(shell find $(B) -name '*-root*' -prune -o -name '*.d' -type f \
	    -print 2>/dev/null)

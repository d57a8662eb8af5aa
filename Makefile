# SPDX-License-Identifier: GPL-2.0
#
# iSCSI reflection: top-level build.
#
#   make [KVER=<release>]     modules for one kernel, and the user tools
#   make demo                 the worked example end to end in a VM (installs
#                             what is missing, builds, prints the result table)
#   make check                the whole test suite (installs what is missing)
#   make unit                 userspace unit tests (ASan + UBSan)
#   make fuzz                 every libFuzzer harness for FUZZ_SECONDS each
#   make checkpatch           checkpatch.pl --strict over the kernel sources
#   make debug-kernel         build the cached debug kernel (slow)
#   make check-debug          the VM suite on the debug kernel, results in
#     [CHECK_DEBUG_FLAGS=...]  selftests/reflect/debug-kernel-results and
#                             -last-run.txt (flags: -j LANES, --resume)
#   make soak [SOAK_MIN=30]   verified I/O with random faults (one VM)
#   make install              modules (updates/), depmod, reflectctl, unit,
#                             man pages, modprobe/modules-load snippets;
#                             DESTDIR honoured
#   make install-dkms         the module sources under /usr/src for DKMS
#
# KVER defaults to the newest distro kernel whose headers are installed.

TOP := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
SELFTESTS := $(TOP)/tools/testing/selftests/reflect

# Distro kernels only (not a debug build that may also sit in /lib/modules).
KVER ?= $(shell ls -d /usr/src/linux-headers-*-amd64 2>/dev/null | \
	sed 's,.*/linux-headers-,,' | sort -V | tail -n 1)
KDIR ?= /lib/modules/$(KVER)/build
BUILD := $(TOP)/build/$(KVER)
FUZZ_SECONDS ?= 60

.PHONY: all modules tools unit fuzz check checkpatch clean debug-kernel help \
	install install-dkms demo check-debug soak

all: modules tools

# Kbuild writes objects next to the sources; a private copy of the tree per
# kernel release keeps the 6.1 and 6.12 (and debug) builds apart.
modules:
	@test -d $(KDIR) || { echo "no kernel build tree at $(KDIR) (KVER=$(KVER)); run scripts/setup" >&2; exit 1; }
	@mkdir -p $(BUILD)
	@rsync -a --delete --exclude='*.o' --exclude='*.ko' --exclude='*.cmd' \
		--exclude='*.mod*' --exclude='modules.order' --exclude='Module.symvers' \
		--include='/Kbuild' --include='/kernel/***' \
		--include='/tools/' --include='/tools/testing/' \
		--include='/tools/testing/selftests/' \
		--include='/tools/testing/selftests/reflect/' \
		--include='/tools/testing/selftests/reflect/modules/***' \
		--exclude='*' $(TOP)/ $(BUILD)/src/
	$(MAKE) -C $(KDIR) M=$(BUILD)/src modules
	@echo "modules for $(KVER) in $(BUILD)/src"

tools:
	$(MAKE) -C $(SELFTESTS)/unit
	$(MAKE) -C $(TOP)/tools/reflectctl

unit:
	$(MAKE) -C $(SELFTESTS)/unit run

fuzz:
	$(MAKE) -C $(SELFTESTS)/fuzz run FUZZ_SECONDS=$(FUZZ_SECONDS)

# The README's test command. Installs what is missing first, so on a fresh
# machine this is the only command needed.
check:
	@$(TOP)/scripts/setup --check >/dev/null || $(TOP)/scripts/setup
	$(SELFTESTS)/run_tests

demo:
	$(TOP)/scripts/demo

check-debug:
	$(TOP)/scripts/check-debug $(CHECK_DEBUG_FLAGS)

SOAK_MIN ?= 30
soak:
	$(TOP)/scripts/soak -m $(SOAK_MIN)

checkpatch:
	$(TOP)/scripts/checkpatch

debug-kernel:
	$(TOP)/scripts/build-debug-kernel

# Installation. Modules go to /lib/modules/$(KVER)/updates/reflect (found
# before in-tree ones), then depmod; DESTDIR stages into a tree (depmod
# -b then works on that tree).
PREFIX ?= /usr
SBINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
UNITDIR ?= /lib/systemd/system
DKMS_VERSION := $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' $(TOP)/dkms.conf)
DKMS_SRC ?= /usr/src/reflect-$(DKMS_VERSION)
MODULES := kernel/proto/reflect_proto.ko kernel/target/reflect_target.ko \
	kernel/initiator/reflect_initiator.ko kernel/vvol/target_core_reflect.ko

install: modules tools
	@for m in $(MODULES); do \
		if [ -f $(BUILD)/src/$$m ]; then \
			install -D -m 0644 $(BUILD)/src/$$m \
				$(DESTDIR)/lib/modules/$(KVER)/updates/reflect/$$(basename $$m) || exit 1; \
		fi; \
	done
	depmod $(if $(DESTDIR),-b $(DESTDIR)) $(KVER)
	$(MAKE) -C $(TOP)/tools/reflectctl install DESTDIR=$(DESTDIR) SBINDIR=$(SBINDIR)
	install -D -m 0644 $(TOP)/packaging/reflect.service $(DESTDIR)$(UNITDIR)/reflect.service
	install -D -m 0644 $(TOP)/packaging/modprobe.reflect.conf $(DESTDIR)/etc/modprobe.d/reflect.conf
	install -D -m 0644 $(TOP)/packaging/modules-load.reflect.conf $(DESTDIR)/etc/modules-load.d/reflect.conf
	install -D -m 0644 $(TOP)/Documentation/man/reflectctl.8 $(DESTDIR)$(MANDIR)/man8/reflectctl.8
	install -D -m 0644 $(TOP)/Documentation/man/reflect.conf.5 $(DESTDIR)$(MANDIR)/man5/reflect.conf.5
	install -d -m 0755 $(DESTDIR)/etc/reflect
	@echo "installed for $(KVER); enable at boot: systemctl enable reflect.service"

# The sources DKMS builds from: Kbuild, kernel/, the test-only modules
# (Kbuild names them), dkms.conf. Then dkms add/build/install unless
# DESTDIR is set or NO_DKMS=1.
install-dkms:
	rm -rf $(DESTDIR)$(DKMS_SRC)
	mkdir -p $(DESTDIR)$(DKMS_SRC)
	rsync -a --exclude='*.o' --exclude='*.ko' --exclude='*.cmd' --exclude='*.mod*' \
		--include='/Kbuild' --include='/dkms.conf' --include='/kernel/***' \
		--include='/tools/' --include='/tools/testing/' \
		--include='/tools/testing/selftests/' \
		--include='/tools/testing/selftests/reflect/' \
		--include='/tools/testing/selftests/reflect/modules/***' \
		--exclude='*' $(TOP)/ $(DESTDIR)$(DKMS_SRC)/
	@if [ -z "$(DESTDIR)" ] && [ -z "$(NO_DKMS)" ]; then \
		dkms add reflect/$(DKMS_VERSION) && \
		dkms build reflect/$(DKMS_VERSION) -k $(KVER) && \
		dkms install reflect/$(DKMS_VERSION) -k $(KVER); \
	fi

clean:
	rm -rf $(TOP)/build
	-$(MAKE) -C $(SELFTESTS)/unit clean
	-$(MAKE) -C $(SELFTESTS)/fuzz clean
	-$(MAKE) -C $(TOP)/tools/reflectctl clean

help:
	@sed -n '3,21p' $(TOP)/Makefile | sed 's/^# \{0,1\}//'

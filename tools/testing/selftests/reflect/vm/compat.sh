#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The compat layer (kernel/include/rfl_compat.h) on the running kernel:
# rfl_compat_test.ko exercises the wrappers at load against a brd ramdisk
# and a scsi_debug disk and reports per area through its read-only
# parameters (see the module's header comment); this script turns that into
# TAP and proves that unloading leaves nothing held.
# smoke

. "$(dirname "$0")/../lib/vmlib.sh"

MOD=$RFL_MODDIR/tools/testing/selftests/reflect/modules/rfl_compat_test.ko
PARAMS=/sys/module/rfl_compat_test/parameters
SDEBUG=/sys/bus/pseudo/drivers/scsi_debug

t_plan 11

# The module's own log lines, as TAP diagnostics.
module_log() {
	dmesg | sed -n 's/^\[[ 0-9.]*\] //; s/^rfl_compat_test: /# /p'
}

load_brd() {
	modprobe brd rd_nr=1 rd_size=4096 && wait_for 20 test -b /dev/ram0
}

# host number of the first scsi_debug adapter, once LUN 0:0:0 is there
sdebug_host() {
	local h
	for h in "$SDEBUG"/adapter0/host*; do
		break
	done
	[ -d "$h" ] || return 1
	h=${h##*/host}
	[ -d "/sys/class/scsi_device/$h:0:0:0" ] || return 1
	echo "$h"
}

load_scsi_debug() {
	modprobe scsi_debug dev_size_mb=16 num_tgts=1 max_luns=1 &&
		wait_for 60 sdebug_host
}

# area NAME: the module's P/N for one area; ok when all N passed, N > 0.
area_ok() {
	local r
	r=$(tr ' ' '\n' <"$PARAMS/results" | sed -n "s/^$1=//p")
	echo "$1: $r passed"
	[ -n "$r" ] && [ "${r%/*}" = "${r#*/}" ] && [ "${r#*/}" -gt 0 ]
}

summary_ok() {
	local p f
	p=$(cat "$PARAMS/passed") f=$(cat "$PARAMS/failed")
	echo "passed=$p failed=$f"
	[ "$f" -eq 0 ] && [ "$p" -gt 0 ] &&
		dmesg | grep -q "rfl_compat_test: all $p checks passed"
}

# Unloading brd fails while anything holds /dev/ram0: proves that
# rfl_bdev_close() released every open.
unload_all() {
	rmmod rfl_compat_test && rmmod brd && modprobe -r scsi_debug
}

log "kernel $RFL_KERNEL, module $MOD"
t_run "rfl_compat_test.ko was built for this kernel" \
	sh -c "modinfo -F vermagic '$MOD' | grep -q '^$RFL_KERNEL '" ||
	t_bail "no module for $RFL_KERNEL: make modules KVER=$RFL_KERNEL"
t_run "brd: a 4 MiB ramdisk at /dev/ram0" load_brd || t_bail "no brd"
t_run "scsi_debug: one 16 MiB disk" load_scsi_debug || t_bail "no scsi_debug"
HOST=$(sdebug_host)
log "scsi_debug is host$HOST"

# insmod does not resolve dependencies.
modprobe -a scsi_mod libcrc32c
t_run "insmod rfl_compat_test bdev=/dev/ram0 scsi_host=$HOST" \
	insmod "$MOD" bdev=/dev/ram0 bdev_sectors=8192 scsi_host="$HOST"
rc=$?
module_log
[ $rc -eq 0 ] || t_bail "module did not load"

t_run "sock: kernel TCP pair, rfl_sock_send_page() zero-copy, bytes verified" \
	area_ok sock
t_run "bdev: rfl_bdev_open() claims, sector I/O, rfl_bdev_close()" area_ok bdev
t_run "scsi: rfl_scsi_exec() on scsi_debug, target blocking, host template" \
	area_ok scsi
t_run "misc: crc32c, md5/sha256 shash, unaligned, timers" area_ok misc
t_run "no check failed" summary_ok
t_run "rmmod rfl_compat_test, brd (nothing left open) and scsi_debug" \
	unload_all
t_run "the kernel log has no report from the module" \
	sh -c "! dmesg | grep -E 'WARNING|BUG|Oops|refcount_t' >&2"
t_done

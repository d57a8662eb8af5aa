#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# reflect_initiator's internal API (kernel/include/rfl_initiator.h)
# against stock LIO: rfl_exec_test.ko opens LUN 0 of three iscsi_target_mod
# targets through the LU pool, writes a pattern through rfl_exec_start()
# with a script interleaving pieces over the three, reads it back through
# the executor and piece by piece, and runs the failure cases (unreachable
# portal, wrong VPD 0x83 id, invalid scripts, absent LUN, refused login,
# a second portal after a refusing one), and first that an open does not
# wait for another target's connect in progress (a portal whose SYNs an
# nftables rule drops); see the module's header comment.
# This script then checks the backing files independently at the physical
# offsets, that the pooled LUs got no sd disk, and that unloading
# reflect_initiator logs every pooled session out.

. "$(dirname "$0")/../lib/vmlib.sh"

MOD=$RFL_MODDIR/tools/testing/selftests/reflect/modules/rfl_exec_test.ko
PARAMS=/sys/module/rfl_exec_test/parameters
PORTAL=127.0.0.1:3260
PFX=iqn.2026-11.org.reflect.test:lu
SEED=7
DIR=/tmp/rfl_lu_api

module_log() {
	dmesg | sed -n 's/^\[[ 0-9.]*\] //; s/^rfl_exec_test: /# /p'
}

ini_load() {
	modprobe libcrc32c && modprobe sg || return 1
	insmod "$RFL_MODDIR/kernel/proto/reflect_proto.ko" || return 1
	# Idle LUs stay for the whole test however slow the kernel: the
	# checks below count them (unloading still logs every one out).
	insmod "$RFL_MODDIR/kernel/initiator/reflect_initiator.ko" pool_idle=3600
}

targets() {
	local i b
	mkdir -p $DIR || return 1
	for i in 0 1 2 3; do
		b=$(lio_fileio lu$i $DIR/lu$i.img 8) || return 1
		# A unit serial makes LIO report an NAA designator.
		echo "5a1e0000-0000-4000-8000-00000000000$i" \
			>"$b/wwn/vpd_unit_serial" || return 1
		lio_iscsi_target $PFX$i $PORTAL "$b" || return 1
	done
}

load_test() {
	local ok
	# Connection attempts to port 3997 get no answer at all.
	nft add table inet rfl_lu_silent &&
		nft add chain inet rfl_lu_silent out \
			'{ type filter hook output priority 0; }' &&
		nft add rule inet rfl_lu_silent out tcp dport 3997 counter drop ||
		return 1
	insmod "$MOD" iqn=${PFX}0,${PFX}1,${PFX}2 mp_iqn=${PFX}3 \
		portal=$PORTAL bad_portal=127.0.0.1:3999 \
		silent_portal=127.0.0.1:3997 seed=$SEED || return 1
	module_log | tail -n 40
	nft list table inet rfl_lu_silent | grep -o 'packets [0-9]*' |
		sed 's/^/# silent portal: dropped /'
	nft delete table inet rfl_lu_silent
	ok=$(cat $PARAMS/passed)
	[ "$(cat $PARAMS/failed)" = 0 ] && [ "$ok" -ge 23 ]
}

# The pattern at its physical place in each backing file (the module's
# map: piece i on target i % 3, 8 * (1 + i % 3) blocks at LBA 100 + 48 i).
backing_check() {
	python3 - "$DIR" "$SEED" <<'EOF'
import struct, sys
d, seed = sys.argv[1], int(sys.argv[2])
mix = (seed * 0x9e3779b97f4a7c15) & (2**64 - 1)
off = 0
bad = 0
for i in range(12):
    n = 8 * (1 + i % 3) * 512
    with open("%s/lu%d.img" % (d, i % 3), "rb") as f:
        f.seek((100 + 48 * i) * 512)
        data = f.read(n)
    for v in range(0, n, 8):
        if struct.unpack_from("<Q", data, v)[0] != (off + v) ^ mix:
            print("piece %d differs at buffer offset %d" % (i, off + v))
            bad += 1
            break
    off += n
sys.exit(1 if bad else 0)
EOF
}

# The pool's SCSI hosts have devices, none of them an sd disk.
no_sd() {
	local h n=0 d
	for h in /sys/class/scsi_host/host*; do
		grep -qx reflect_initiator "$h/proc_name" || continue
		for d in "$h"/device/target*/*:*:*:*; do
			[ -e "$d" ] || continue
			n=$((n + 1))
			if ls "$d"/block >/dev/null 2>&1; then
				echo "${d##*/} has a block device"
				return 1
			fi
		done
	done
	echo "$n pooled LUs"
	[ "$n" -ge 4 ]
}

# LIO's view: sessions of a target (dynamic ACLs list them).
lio_sessions() {
	cat "$LIO/iscsi/$1/tpgt_1/dynamic_sessions" 2>/dev/null
}

logged_out() {
	local i
	for i in 0 1 2 3; do
		[ -z "$(lio_sessions $PFX$i)" ] || { echo "$PFX$i: $(lio_sessions $PFX$i)"; return 1; }
	done
}

t_plan 7
t_run "LIO iscsi_target_mod loads" lio_load || t_bail "no LIO"
t_run "four LIO targets, an 8 MiB fileio LUN each, on $PORTAL" targets || t_bail "no target"
t_run "reflect_proto and reflect_initiator load" ini_load || t_bail "no module"
echo iqn.2026-11.org.reflect.test:host >/sys/kernel/config/reflect_initiator/initiator_name
t_run "rfl_exec_test: pool, executor and failure cases" load_test
t_run "backing files hold the pattern at the physical offsets" backing_check
t_run "pooled LUs have no sd disk" no_sd
t_run "unload: every pooled session logged out, LIO teardown" \
	eval 'rmmod rfl_exec_test && rmmod reflect_initiator && wait_for 20 logged_out && rmmod reflect_proto && lio_teardown'
t_done

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Network faults between a reflect_initiator host and a reflect_target
# manager, each in its own namespace over a veth pair: packet loss, delay
# and reordering (netem); a partition (nftables drop) shorter than the
# timeouts, during writes; a partition longer than replacement_timeout
# (I/O fails, then the session comes back by itself when the network
# heals); disabling while partitioned; teardown of a target whose host has
# vanished. Every case ends with the data verified.
# Expected behaviour of each case: Documentation/faults.rst.
# timeout: 900

. "$(dirname "$0")/../lib/vmlib.sh"

IQN=iqn.2026-11.org.reflect.test:fault-target
TADDR=10.9.0.1
HADDR=10.9.0.2
INI=/sys/kernel/config/reflect_initiator
T=$INI/targets/mgr
RFL=$LIO/reflect

load_all() {
	modprobe sd_mod && modprobe nf_tables && reflect_target_load || return 1
	insmod "$RFL_MODDIR/kernel/initiator/reflect_initiator.ko" || return 1
	test -d "$INI/targets"
}

topology() {
	topo_ns t && topo_ns h && topo_link t $TADDR/24 h $HADDR/24
}

ini_disk() {
	local h d
	h=$(cat "$T/host") && [ -n "$h" ] || return 1
	for d in /sys/class/scsi_host/host"$h"/device/target*/*/block/*; do
		[ -b "/dev/${d##*/}" ] || continue
		echo "/dev/${d##*/}"
		return 0
	done
	return 1
}

ini_stat() {
	sed -n "s/^$1 //p" "$T/stats"
}

# The initiator's socket belongs to the namespace of the process that
# enables it: enable from h.
ini_enable() {
	mkdir -p "$T" || return 1
	echo $IQN >"$T/target_iqn" && echo $TADDR:3260 >"$T/portal" || return 1
	echo 2 >"$T/nop_interval" && echo 3 >"$T/nop_timeout" || return 1
	# Long enough for any reconnect after a short partition, however slow
	# the kernel (the debug kernel under load needs tens of seconds).
	echo "${1:-120}" >"$T/replacement_timeout" || return 1
	in_ns h sh -c "echo 1 >$T/enable" || { cat "$T/last_error"; return 1; }
	wait_for 60 ini_disk
}

# ini_reenable SECONDS: a new session with that replacement_timeout (the
# values in force are those of enable time).
ini_reenable() {
	echo 0 >"$T/enable" && ini_enable "$1"
}

# partition on|off: drop everything between h and t, both directions.
partition() {
	if [ "$1" = on ]; then
		ip netns exec h nft -f - <<-EOF
		table inet rflfault {
			chain in { type filter hook input priority 0; ip saddr $TADDR drop; }
			chain out { type filter hook output priority 0; ip daddr $TADDR drop; }
		}
		EOF
	else
		ip netns exec h nft delete table inet rflfault
	fi
}

netem_on() {
	ip netns exec h tc qdisc replace dev vh-t root netem delay 2ms 2ms loss 1% reorder 5% 50% &&
		ip netns exec t tc qdisc replace dev vt-h root netem delay 2ms 2ms loss 1% reorder 5% 50%
}

netem_off() {
	ip netns exec h tc qdisc del dev vh-t root && ip netns exec t tc qdisc del dev vt-h root
}

# short_partition DEV: a 6 s partition in the middle of fio's writes; the
# ping times out, the session is reinstated, every block verifies.
short_partition() {
	local before pid rc
	before=$(ini_stat reconnects)
	fio_verify "$1" --size=16m &
	pid=$!
	sleep 3
	partition on || { kill $pid; wait $pid; return 1; }
	sleep 6
	partition off
	wait $pid
	rc=$?
	[ $rc -eq 0 ] || { dmesg | tail -n 20; return 1; }
	wait_for 60 grep -qx logged-in "$T/state" || return 1
	[ "$(ini_stat reconnects)" -gt "$before" ] ||
		{ echo "no reconnect counted"; return 1; }
}

# long_partition DEV: the partition outlasts replacement_timeout: a read
# fails instead of hanging, state is failed; once the network heals the
# session comes back and the data written before is still there.
long_partition() {
	local rc
	dd if=/dev/urandom of=/tmp/pat bs=64k count=16 2>/dev/null &&
		dd if=/tmp/pat of="$1" bs=64k seek=10 oflag=direct conv=fsync 2>/dev/null || return 1
	partition on || return 1
	timeout 300 dd if="$1" of=/dev/null bs=4k count=1 skip=999 iflag=direct 2>/dev/null
	rc=$?
	[ $rc -ne 124 ] || { partition off; echo "read hung"; return 1; }
	[ $rc -ne 0 ] || { partition off; echo "read succeeded while partitioned"; return 1; }
	grep -qx failed "$T/state" || { partition off; cat "$T/state"; return 1; }
	partition off || return 1
	wait_for 120 grep -qx logged-in "$T/state" || { cat "$T/state" "$T/last_error"; return 1; }
	# The session's return set the disk running again.
	grep -qx running "/sys/block/${1#/dev/}/device/state" ||
		{ cat "/sys/block/${1#/dev/}/device/state"; return 1; }
	dd if="$1" of=/tmp/back bs=64k skip=10 count=16 iflag=direct 2>/dev/null &&
		cmp /tmp/pat /tmp/back
}

# disable_partitioned: echo 0 >enable returns (no hang) while the target
# cannot be reached, and the target object can be removed.
disable_partitioned() {
	partition on || return 1
	timeout 300 sh -c "echo 0 >$T/enable"
	local rc=$?
	partition off
	[ $rc -eq 0 ] || { echo "disable failed or hung (rc $rc)"; return 1; }
	[ "$(cat "$T/state")" = disabled ] && rmdir "$T"
}

teardown_all() {
	local t=$RFL/$IQN/tpgt_1 l np
	rmmod reflect_initiator || return 1
	echo 0 >"$t/enable" || return 1
	for l in "$t"/lun/lun_*; do
		find "$l" -maxdepth 1 -type l -delete
		rmdir "$l" || return 1
	done
	for np in "$t"/np/*; do [ -d "$np" ] && { rmdir "$np" || return 1; }; done
	rmdir "$t" && rmdir "$RFL/$IQN" && rmdir "$RFL" || return 1
	lio_teardown
	rmmod reflect_target && rmmod reflect_proto
}

t_plan 10
t_run "modules load, two namespaces joined by veth" eval 'load_all && topology' || t_bail "no setup"
BS=$(lio_ramdisk rd0 32)
t_run "reflect target in namespace t on $TADDR:3260" \
	in_ns t reflect_target_demo $IQN $TADDR:3260 "$BS" || t_bail "no target"
echo iqn.2026-11.org.reflect.test:fault-host >"$INI/initiator_name"
t_run "host in namespace h logs in, sd disk" ini_enable || t_bail "no disk"
DEV=$(ini_disk)
t_run "loss 1%, delay 2±2 ms, reordering 5% both ways: fio verify" \
	eval 'netem_on && fio_verify "$DEV" --size=16m; rc=$?; netem_off; [ $rc -eq 0 ]'
t_run "6 s partition during writes: reinstated, data verified" short_partition "$DEV"
t_run "fio verify after the partition" fio_verify "$DEV" --size=8m
t_run "new session with replacement_timeout 12 s" ini_reenable 12
DEV=$(ini_disk)
t_run "partition past replacement_timeout: I/O fails, session returns, data kept" \
	long_partition "$DEV"
log "stats: $(tr '\n' ' ' <"$T/stats")"
t_run "disable while partitioned returns, object removed" disable_partitioned
t_run "target with a vanished host tears down, every module unloads" teardown_all
t_done

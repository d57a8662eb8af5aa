#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# reflect_initiator with more than one portal per target object, against
# stock LIO reachable on 127.0.0.1:3260 and 127.0.0.2:3260: the list is
# parsed and read back, login goes through the first portal, the portal in
# use is removed (LIO np rmdir, the session dropped) during fio verify and
# I/O goes on through the other one, data verified, the reconnect counted;
# with the first portal unreachable at enable, login goes through the
# second.

. "$(dirname "$0")/../lib/vmlib.sh"

IQN=iqn.2026-11.org.reflect.test:portals
P1=127.0.0.1:3260
P2=127.0.0.2:3260
INI=/sys/kernel/config/reflect_initiator
T=$INI/targets/multi
TPG=$LIO/iscsi/$IQN/tpgt_1

ini_load() {
	modprobe libcrc32c && modprobe sd_mod || return 1
	insmod "$RFL_MODDIR/kernel/proto/reflect_proto.ko" || return 1
	insmod "$RFL_MODDIR/kernel/initiator/reflect_initiator.ko" || return 1
	test -d "$INI/targets"
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

# in_use ADDR: the portal in use is ADDR.
in_use() {
	[ "$(cat "$T/portal_in_use")" = "$1" ] ||
		{ echo "portal_in_use: $(cat "$T/portal_in_use"), not $1"; return 1; }
}

# portal_parsing: lists of one to four portals, read back as written; a
# bad entry or a fifth portal refused and the old list kept.
portal_parsing() {
	echo "$P2" >"$T/portal" && [ "$(cat "$T/portal")" = "$P2" ] || return 1
	echo "$P1  [::1]:3261 $P2" >"$T/portal" || return 1
	[ "$(cat "$T/portal")" = "$P1 [::1]:3261 $P2" ] || { cat "$T/portal"; return 1; }
	if echo "$P1 bogus" >"$T/portal" 2>/dev/null ||
		echo "$P1 $P1 $P1 $P1 $P1" >"$T/portal" 2>/dev/null; then
		echo "bad list accepted"
		return 1
	fi
	[ "$(cat "$T/portal")" = "$P1 [::1]:3261 $P2" ] || { cat "$T/portal"; return 1; }
	echo "$P1 $P2" >"$T/portal" && [ "$(cat "$T/portal")" = "$P1 $P2" ]
}

ini_enable() {
	echo 1 >"$T/enable" || { cat "$T/last_error"; return 1; }
	[ "$(cat "$T/state")" = logged-in ] || return 1
	wait_for 60 ini_disk
}

# portal_lost DEV: during fio verify, the portal in use (P1) goes (np
# rmdir; LIO keeps established connections, so the TPG is cycled to drop
# the session); recovery moves on to P2, every block verifies.
portal_lost() {
	local before pid rc
	before=$(ini_stat reconnects)
	fio_verify "$1" --size=32m &
	pid=$!
	sleep 2
	rmdir "$TPG/np/$P1" || { kill $pid; wait $pid; return 1; }
	echo 0 >"$TPG/enable"
	sleep 1
	echo 1 >"$TPG/enable"
	wait $pid
	rc=$?
	[ $rc -eq 0 ] || { dmesg | tail -n 20; return 1; }
	wait_for 60 grep -qx logged-in "$T/state" || return 1
	in_use "$P2" || return 1
	[ "$(ini_stat reconnects)" -gt "$before" ] ||
		{ echo "no reconnect counted"; return 1; }
	fio_verify "$1" --size=8m
}

# first_unreachable: P1 has no listener now; enable logs in through P2,
# and last_error tells why P1 was passed over.
first_unreachable() {
	echo 0 >"$T/enable" || return 1
	[ "$(cat "$T/portal")" = "$P1 $P2" ] || return 1
	ini_enable || return 1
	in_use "$P2" || return 1
	grep -q "cannot connect to $P1" "$T/last_error" || { cat "$T/last_error"; return 1; }
	fio_verify "$(ini_disk)" --size=8m
}

t_plan 8
t_run "LIO iscsi_target_mod loads" lio_load || t_bail "no LIO"
BS=$(lio_ramdisk rd0 64)
t_run "LIO target on $P1 and $P2" \
	eval 'lio_iscsi_target $IQN $P1 "$BS" && mkdir "$TPG/np/$P2"' || t_bail "no target"
t_run "reflect_initiator loads" ini_load || t_bail "no module"
echo iqn.2026-11.org.reflect.test:portals-host >"$INI/initiator_name"
mkdir "$T" && echo $IQN >"$T/target_iqn"
echo 60 >"$T/replacement_timeout"
t_run "portal lists parsed, read back, bad ones refused" portal_parsing
t_run "enable with two portals: logged in through the first" \
	eval 'ini_enable && in_use $P1'
DEV=$(ini_disk)
[ -b "$DEV" ] || t_bail "no disk"
t_run "portal in use removed during fio verify: I/O goes on through the other, data verified" \
	portal_lost "$DEV"
t_run "first portal unreachable at enable: login through the second" first_unreachable
log "stats: $(tr '\n' ' ' <"$T/stats")"
t_run "disable, rmdir, unload, LIO teardown" \
	eval 'echo 0 >"$T/enable" && [ -z "$(cat "$T/portal_in_use")" ] && rmdir "$T" && rmmod reflect_initiator && rmmod reflect_proto && lio_teardown'
t_done

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Session churn and unloading with live sessions, on both sides:
#   - while fio verifies a steady reflect_initiator session to a
#     reflect_target LUN, four more initiator target objects (each its own
#     ISID) and a stock open-iscsi host (another initiator name) log in
#     and out in a loop; the steady session must see no error (no
#     reconnect, no connection failure), and the target must end with the
#     steady session alone in tpgt_1/sessions;
#   - rmmod of reflect_initiator and of reflect_target while sessions are
#     live is refused (the configuration pins the modules) and the
#     sessions keep working (data verified);
#   - after rmdir of an enabled target object (logout) and of the target's
#     configuration with a session still logged in (Async logout), both
#     modules unload.
# Expected behaviour: Documentation/faults.rst.
# timeout: 900

. "$(dirname "$0")/../lib/vmlib.sh"

IQN=iqn.2026-11.org.reflect.test:churn
PORTAL=127.0.0.1:3261
RFL=$LIO/reflect
TPG=$RFL/$IQN/tpgt_1
INI=/sys/kernel/config/reflect_initiator
CHURN=4
ROUNDS=6

load() {
	modprobe sd_mod && reflect_target_load || return 1
	insmod "$RFL_MODDIR/kernel/initiator/reflect_initiator.ko" || return 1
	BS=$(lio_ramdisk rd0 64) || return 1
	reflect_target_demo $IQN $PORTAL "$BS" || return 1
	echo iqn.2026-11.org.reflect.test:churn-host >"$INI/initiator_name"
}

# obj_new NAME: a target object for the churn target.
obj_new() {
	mkdir "$INI/targets/$1" && echo $IQN >"$INI/targets/$1/target_iqn" &&
		echo $PORTAL >"$INI/targets/$1/portal"
}

obj_disk() {
	local h d
	h=$(cat "$INI/targets/$1/host") && [ -n "$h" ] || return 1
	for d in /sys/class/scsi_host/host"$h"/device/target*/*/block/*; do
		[ -b "/dev/${d##*/}" ] || continue
		echo "/dev/${d##*/}"
		return 0
	done
	return 1
}

steady() {
	obj_new steady && echo 1 >"$INI/targets/steady/enable" || return 1
	wait_for 60 obj_disk steady >/dev/null
}

# churn: ROUNDS times, every churn object and open-iscsi log in, read a
# block, and log out, while fio verifies on the steady session.
churn_round() {
	local i d
	for i in $(seq 1 $CHURN); do
		echo 1 >"$INI/targets/c$i/enable" || { cat "$INI/targets/c$i/last_error"; return 1; }
	done
	iscsiadm -m node -T $IQN -p $PORTAL --login >/dev/null || return 1
	for i in $(seq 1 $CHURN); do
		wait_for 60 obj_disk "c$i" >/dev/null || return 1
		d=$(obj_disk "c$i")
		dd if="$d" of=/dev/null bs=64k count=4 iflag=direct 2>/dev/null || return 1
	done
	for i in $(seq 1 $CHURN); do
		echo 0 >"$INI/targets/c$i/enable" || return 1
	done
	iscsiadm -m node -T $IQN -p $PORTAL --logout >/dev/null
}

churn_case() {
	local i pid r=0
	for i in $(seq 1 $CHURN); do obj_new "c$i" || return 1; done
	iscsi_start || return 1
	iscsiadm -m discovery -t sendtargets -p $PORTAL >/dev/null || return 1
	fio_verify "$DEV" --size=48m --loops=2 &
	pid=$!
	for i in $(seq 1 $ROUNDS); do
		churn_round || { r=1; break; }
	done
	wait $pid || { echo "fio on the steady session failed"; r=1; }
	log "steady: $(tr '\n' ' ' <"$INI/targets/steady/stats")"
	for i in $(seq 1 $CHURN); do rmdir "$INI/targets/c$i" || r=1; done
	wait_for 60 only_steady_left || { echo "sessions left:"; cat "$TPG/sessions"; r=1; }
	return $r
}

# The target ends with the steady session only: every churned session,
# open-iscsi's included, is gone from tpgt_1/sessions.
only_steady_left() {
	local s
	s=$(cat "$TPG/sessions")
	[ "$(grep -c . <<<"$s")" = 1 ] &&
		grep -q "^iqn.2026-11.org.reflect.test:churn-host .*type=normal.*state=up" <<<"$s"
}

# The steady session never dropped: logged in, no reconnect, no
# connection failure. (Its non_good_status may count a CHECK CONDITION: a
# UNIT ATTENTION is legal while other initiators come and go, and the
# midlayer retries it.)
steady_untouched() {
	local st=$INI/targets/steady/stats
	[ "$(cat "$INI/targets/steady/state")" = logged-in ] || return 1
	awk '$1 == "reconnects" || $1 == "connection_failures" {
			if ($2 != 0) bad = 1; seen++ }
		END { exit bad || seen != 2 }' "$st" || { cat "$st"; return 1; }
}

rmmod_live_case() {
	rmmod_refused reflect_initiator && rmmod_refused reflect_target &&
		rmmod_refused reflect_proto || return 1
	fio_verify "$DEV" --size=16m
}

# rmdir of the enabled target object logs out; then the target's whole
# configuration goes with open-iscsi still logged in (Async logout, then
# the connection is cut); then every module unloads.
unload_case() {
	local l np
	iscsiadm -m node -T $IQN -p $PORTAL --login >/dev/null || return 1
	rmdir "$INI/targets/steady" || return 1
	rmmod reflect_initiator || return 1
	echo 0 >"$TPG/enable" || return 1
	for l in "$TPG"/lun/lun_*; do
		find "$l" -maxdepth 1 -type l -delete
		rmdir "$l" || return 1
	done
	for np in "$TPG"/np/*; do [ -d "$np" ] && { rmdir "$np" || return 1; }; done
	rmdir "$TPG" "$RFL/$IQN" "$RFL" || return 1
	rmmod reflect_target && rmmod reflect_proto || return 1
	iscsiadm -m node --logoutall=all >/dev/null 2>&1
	iscsiadm -m node -o delete >/dev/null 2>&1
	iscsi_stop
	lio_teardown
}

t_plan 6
t_run "reflect_target with a 64 MiB LUN; reflect_initiator" load || t_bail "no target"
t_run "steady session with a disk" steady || t_bail "no steady session"
DEV=$(obj_disk steady)
t_run "$CHURN target objects and open-iscsi log in and out $ROUNDS times under verified I/O" churn_case
t_run "the steady session never dropped (logged in, no reconnect, no connection failure)" steady_untouched
t_run "rmmod with live sessions refused on both sides; I/O verified after" rmmod_live_case
t_run "rmdir with live sessions, then every module unloads" unload_case
t_done

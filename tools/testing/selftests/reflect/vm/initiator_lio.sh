#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# reflect_initiator against stock LIO (iscsi_target_mod) over loopback:
# configfs layout, login and the sd disk it exposes, fio verify over mixed
# block sizes, a filesystem round trip, a second enable cycle with CRC32C
# header and data digests, a refused login with its reason, a stock
# open-iscsi session beside ours (both disks verified, iscsiadm still
# works), disable and unload.
# smoke

. "$(dirname "$0")/../lib/vmlib.sh"

IQN_A=iqn.2026-11.org.reflect.test:lio-ours
IQN_B=iqn.2026-11.org.reflect.test:lio-stock
PORTAL=127.0.0.1:3260
INI=/sys/kernel/config/reflect_initiator
T=$INI/targets/lio

# ini_load: both modules of this project that the host side needs.
ini_load() {
	modprobe libcrc32c && modprobe sd_mod || return 1
	insmod "$RFL_MODDIR/kernel/proto/reflect_proto.ko" || return 1
	insmod "$RFL_MODDIR/kernel/initiator/reflect_initiator.ko" || return 1
	test -d "$INI/targets"
}

# ini_layout: the target object's attributes and their defaults.
ini_layout() {
	local f
	for f in target_iqn portal header_digest data_digest max_recv_dlength \
		max_burst first_burst immediate_data initial_r2t \
		max_outstanding_r2t queue_depth nop_interval nop_timeout \
		replacement_timeout chap_userid chap_password \
		chap_mutual_userid chap_mutual_password enable state \
		negotiated stats last_error host; do
		[ -e "$T/$f" ] || { echo "missing $f"; return 1; }
	done
	[ "$(cat "$T/state")" = disabled ] || return 1
	[ "$(cat "$T/header_digest")" = None ] || return 1
	echo secret >"$T/chap_password" || return 1
	[ "$(cat "$T/chap_password")" = "[set]" ] || { echo "secret shown"; return 1; }
	echo >"$T/chap_password"
	if echo bogus >"$T/portal" 2>/dev/null; then
		echo "bad portal accepted"
		return 1
	fi
	echo "[::1]:3260" >"$T/portal" && [ "$(cat "$T/portal")" = "[::1]:3260" ] || return 1
	return 0
}

# ini_disk: the sd disk of our SCSI host, e.g. /dev/sdb.
ini_disk() {
	local h d
	h=$(cat "$T/host") && [ -n "$h" ] || return 1
	for d in /sys/class/scsi_host/host"$h"/device/target*/*/block/*; do
		[ -e "$d" ] || continue
		[ -b "/dev/${d##*/}" ] || return 1
		echo "/dev/${d##*/}"
		return 0
	done
	return 1
}

# ini_enable [DIGEST]: configure the target object, enable, wait for the disk.
ini_enable() {
	echo "$PORTAL" >"$T/portal" && echo $IQN_A >"$T/target_iqn" || return 1
	echo "${1:-None}" >"$T/header_digest" && echo "${1:-None}" >"$T/data_digest" || return 1
	echo 1 >"$T/enable" || { cat "$T/last_error"; return 1; }
	[ "$(cat "$T/state")" = logged-in ] || return 1
	wait_for 60 ini_disk || return 1
}

ini_negotiated() {
	grep -qx "$1" "$T/negotiated" || { cat "$T/negotiated"; return 1; }
}

ini_disable() {
	echo 0 >"$T/enable" || return 1
	[ "$(cat "$T/state")" = disabled ] || return 1
	[ -z "$(cat "$T/host")" ]
}

# ini_refused: a login to a target LIO does not have fails with the reason.
ini_refused() {
	echo "$PORTAL" >"$T/portal" && echo iqn.2026-11.org.reflect.test:nosuch >"$T/target_iqn" || return 1
	if echo 1 >"$T/enable" 2>/dev/null; then
		echo "login to an unknown target succeeded"
		return 1
	fi
	# LIO answers an unknown name with "service unavailable".
	grep -q "login refused by .*(class 0x0[23] detail" "$T/last_error" ||
		{ cat "$T/last_error"; return 1; }
	[ "$(cat "$T/state")" = disabled ]
}

# lio_tpg_flap IQN SECONDS: disable a LIO target (its sessions drop), wait,
# enable it again.
lio_tpg_flap() {
	echo 0 >"$LIO/iscsi/$1/tpgt_1/enable" || return 1
	sleep "$2"
	echo 1 >"$LIO/iscsi/$1/tpgt_1/enable"
}

ini_stat() {
	sed -n "s/^$1 //p" "$T/stats"
}

# stat_causes DEV: a command the target refuses (vendor opcode 0xc0:
# CHECK CONDITION, INVALID COMMAND OPERATION CODE) counts one
# non_good_status and nothing else; nothing counts a failure yet.
stat_causes() {
	local n0 c0 out
	n0=$(ini_stat non_good_status)
	c0=$(ini_stat connection_failures)
	out=$(sg_raw "$1" c0 00 00 00 00 00 2>&1)
	log "sg_raw opcode 0xc0: $(echo "$out" | tr '\n' ' ')"
	log "stats: $(tr '\n' ' ' <"$T/stats")"
	grep -qi 'check condition' <<<"$out" || { echo "opcode 0xc0 not refused"; return 1; }
	[ "$(ini_stat non_good_status)" = $((n0 + 1)) ] || return 1
	[ "$(ini_stat connection_failures)" = "$c0" ] || return 1
	[ "$(ini_stat target_failures)" = 0 ]
}

# restart_during_writes DEV: the target goes away twice during fio's
# writes (the second time while the first recovery may still run); the
# session comes back and every block verifies.
restart_during_writes() {
	local before cf pid rc
	before=$(ini_stat reconnects)
	cf=$(ini_stat connection_failures)
	fio_verify "$1" --size=16m &
	pid=$!
	sleep 2
	lio_tpg_flap $IQN_A 2
	sleep 1
	lio_tpg_flap $IQN_A 1
	wait $pid
	rc=$?
	[ $rc -eq 0 ] || { dmesg | tail -n 20; return 1; }
	wait_for 60 grep -qx logged-in "$T/state" || return 1
	[ "$(ini_stat reconnects)" -gt "$before" ] ||
		{ echo "no reconnect counted"; return 1; }
	[ "$(ini_stat connection_failures)" -gt "$cf" ] ||
		{ echo "no connection failure counted"; return 1; }
}

# past_replacement_timeout DEV: the target stays away; I/O fails (no
# hang) once replacement_timeout (30 s) has passed.
past_replacement_timeout() {
	echo 0 >"$LIO/iscsi/$IQN_A/tpgt_1/enable" || return 1
	if timeout 300 dd if="$1" of=/dev/null bs=4k count=1 skip=77 \
		iflag=direct 2>/dev/null; then
		echo "read succeeded without a target"
		return 1
	fi
	[ $? -ne 124 ] || { echo "read hung"; return 1; }
	grep -qx failed "$T/state" || { cat "$T/state"; return 1; }
}

# both_verify DEV1 DEV2: fio verify on both disks at once.
both_verify() {
	fio_verify "$1" --size=16m &
	local pid=$!
	fio_verify "$2" --size=16m || { wait $pid; return 1; }
	wait $pid
}

t_plan 17
t_run "LIO iscsi_target_mod loads" lio_load || t_bail "no LIO"
BS_A=$(lio_ramdisk rd0 32)
BS_B=$(lio_ramdisk rd1 32)
t_run "two LIO targets with a 32 MiB ramdisk LUN each on $PORTAL" \
	eval 'lio_iscsi_target $IQN_A $PORTAL "$BS_A" && lio_iscsi_target $IQN_B $PORTAL "$BS_B"' ||
	t_bail "no target"
t_run "reflect_proto and reflect_initiator load" ini_load || t_bail "no module"
echo "$(sed -n 's/^InitiatorName=//p' /etc/iscsi/initiatorname.iscsi 2>/dev/null | head -n 1)" \
	>"$INI/initiator_name"
[ -n "$(cat "$INI/initiator_name")" ] || echo iqn.2026-11.org.reflect.test:host >"$INI/initiator_name"
mkdir "$T"
t_run "configfs layout, defaults, secrets hidden, portal parsing" ini_layout
t_run "refused login: reason decoded in last_error" ini_refused
t_run "enable: login, SCSI host, sd disk" ini_enable
DEV=$(ini_disk)
log "our disk: ${DEV:-none}; $(tr '\n' ' ' <"$T/negotiated")"
[ -b "$DEV" ] || t_bail "no disk"
t_run "fio verify over mixed block sizes" fio_verify "$DEV"
t_run "mkfs.ext4, checksummed files survive remount, fsck clean" fs_roundtrip "$DEV"
t_run "disable: logout, host removed" ini_disable
# Unsolicited Data-Out as well this time: LIO says InitialR2T=No.
echo No >"$LIO/iscsi/$IQN_A/tpgt_1/param/InitialR2T"
# Long enough that a flap's outage (seconds, however slow the kernel: the
# debug kernel needs ~16 s to reconnect) never outlasts it.
echo 30 >"$T/replacement_timeout"
t_run "enable with CRC32C digests, InitialR2T=No" eval 'ini_enable CRC32C && ini_negotiated HeaderDigest=CRC32C && ini_negotiated DataDigest=CRC32C && ini_negotiated InitialR2T=No'
DEV=$(ini_disk)
t_run "fio verify with digests and unsolicited data" fio_verify "$DEV" --size=16m
t_run "a refused command counts in non_good_status, not as a failure" stat_causes "$DEV"
iscsi_start || t_bail "iscsid did not start"
SDEV=$(iscsi_login $IQN_B $PORTAL)
t_result $? "open-iscsi logs in beside us (disk ${SDEV:-none})"
t_run "both disks verified at once, iscsiadm -m session still works" \
	eval 'both_verify "$DEV" "$SDEV" && iscsiadm -m session | grep -q $IQN_B'
iscsi_logout_all
iscsi_stop
t_run "target flaps twice during writes: session reinstated, data verified" \
	restart_during_writes "$DEV"
t_run "target gone past replacement_timeout: I/O errors, no hang" \
	past_replacement_timeout "$DEV"
log "stats: $(tr '\n' ' ' <"$T/stats")"
t_run "disable with the target unreachable, rmdir, unload, LIO teardown" \
	eval 'ini_disable && rmdir "$T" && rmmod reflect_initiator && rmmod reflect_proto && lio_teardown'
t_done

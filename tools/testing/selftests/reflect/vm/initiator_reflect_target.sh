#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Both halves of this project against each other: reflect_initiator logged
# into reflect_target (demo mode, ramdisk LUN) over loopback; fio verify,
# a filesystem round trip, a second session with CRC32C digests, then
# logout, teardown and unloading every module.

. "$(dirname "$0")/../lib/vmlib.sh"

IQN=iqn.2026-11.org.reflect.test:rfl-target
PORTAL=127.0.0.1:3261
RFL=$LIO/reflect
INI=/sys/kernel/config/reflect_initiator
T=$INI/targets/rfl

load_all() {
	modprobe sd_mod && reflect_target_load || return 1
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

ini_enable() {
	echo "${1:-None}" >"$T/header_digest" && echo "${1:-None}" >"$T/data_digest" || return 1
	echo 1 >"$T/enable" || { cat "$T/last_error"; return 1; }
	wait_for 60 ini_disk
}

ini_disable() {
	echo 0 >"$T/enable" && [ "$(cat "$T/state")" = disabled ]
}

teardown_all() {
	local t=$RFL/$IQN/tpgt_1 l np
	rmdir "$T" && rmmod reflect_initiator || return 1
	echo 0 >"$t/enable"
	for l in "$t"/lun/lun_*; do
		find "$l" -maxdepth 1 -type l -delete
		rmdir "$l" || return 1
	done
	for np in "$t"/np/*; do [ -d "$np" ] && { rmdir "$np" || return 1; }; done
	rmdir "$t" && rmdir "$RFL/$IQN" && rmdir "$RFL" || return 1
	lio_teardown
	rmmod reflect_target && rmmod reflect_proto
}

t_plan 8
t_run "reflect_target, reflect_initiator and LIO core load" load_all || t_bail "no modules"
BS=$(lio_ramdisk rd0 32)
t_run "reflect target with a 32 MiB ramdisk LUN on $PORTAL" \
	reflect_target_demo $IQN $PORTAL "$BS" || t_bail "no target"
echo iqn.2026-11.org.reflect.test:rfl-host >"$INI/initiator_name"
mkdir "$T" && echo $IQN >"$T/target_iqn" && echo $PORTAL >"$T/portal"
t_run "login into reflect_target, sd disk" ini_enable || t_bail "no disk"
DEV=$(ini_disk)
log "$(tr '\n' ' ' <"$T/negotiated")"
t_run "fio verify over mixed block sizes" fio_verify "$DEV"
t_run "mkfs.ext4, checksummed files survive remount, fsck clean" fs_roundtrip "$DEV"
t_run "second session with CRC32C digests" eval 'ini_disable && ini_enable CRC32C'
DEV=$(ini_disk)
t_run "fio verify with digests" fio_verify "$DEV" --size=16m
t_run "logout, teardown, every module unloads" eval 'ini_disable && teardown_all'
t_done

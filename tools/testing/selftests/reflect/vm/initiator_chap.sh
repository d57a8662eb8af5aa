#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# reflect_initiator's CHAP against stock LIO (demo mode with
# authentication): one-way CHAP, a wrong secret refused with the decoded
# reason, mutual CHAP, a target that fails mutual authentication refused,
# and I/O on each session that logs in.
# smoke

. "$(dirname "$0")/../lib/vmlib.sh"

IQN=iqn.2026-11.org.reflect.test:lio-chap
PORTAL=127.0.0.1:3260
INI=/sys/kernel/config/reflect_initiator
T=$INI/targets/chap
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

# lio_chap USER PASS [MUSER MPASS]: demo-mode CHAP credentials of the TPG
# (LIO keeps a trailing newline as part of the value: none is written).
# The mutual pair is only ever set, never cleared: how LIO takes "NULL"
# differs between kernels.
lio_chap() {
	echo 1 >"$TPG/attrib/authentication" &&
		printf %s "$1" >"$TPG/auth/userid" &&
		printf %s "$2" >"$TPG/auth/password" || return 1
	[ -z "${3:-}" ] && return 0
	printf %s "$3" >"$TPG/auth/userid_mutual" &&
		printf %s "$4" >"$TPG/auth/password_mutual"
}

# ini_chap USER PASS [MUSER MPASS]: ours.
ini_chap() {
	echo "$1" >"$T/chap_userid" && echo "$2" >"$T/chap_password" &&
		echo "${3:-}" >"$T/chap_mutual_userid" &&
		echo "${4:-}" >"$T/chap_mutual_password"
}

# login_io: enable, wait for the disk, verify I/O on it, disable.
login_io() {
	local dev
	echo 1 >"$T/enable" || { cat "$T/last_error"; return 1; }
	wait_for 60 ini_disk || return 1
	dev=$(ini_disk)
	fio_verify "$dev" --size=4m || return 1
	echo 0 >"$T/enable" && [ "$(cat "$T/state")" = disabled ]
}

# refused PATTERN: enable fails and last_error matches PATTERN.
refused() {
	if echo 1 >"$T/enable" 2>/dev/null; then
		echo "login succeeded"
		echo 0 >"$T/enable"
		return 1
	fi
	grep -q "$1" "$T/last_error" || { cat "$T/last_error"; return 1; }
	[ "$(cat "$T/state")" = disabled ]
}

t_plan 8
t_run "LIO iscsi_target_mod loads" lio_load || t_bail "no LIO"
BS=$(lio_ramdisk rd0 16)
t_run "LIO target with CHAP on $PORTAL" \
	eval 'lio_iscsi_target $IQN $PORTAL "$BS" && lio_chap alice alice-secret-12' ||
	t_bail "no target"
t_run "reflect_initiator loads" ini_load || t_bail "no module"
echo iqn.2026-11.org.reflect.test:chap-host >"$INI/initiator_name"
mkdir "$T" && echo $IQN >"$T/target_iqn" && echo $PORTAL >"$T/portal"
# LIO draws its CHAP challenge with get_random_bytes_wait(): wait for the
# CRNG first.
timeout 600 head -c 1 /dev/random >/dev/null
ini_chap alice alice-secret-12
t_run "one-way CHAP: login and I/O" login_io
ini_chap alice wrong-secret-12
t_run "wrong CHAP secret refused: authentication failure" \
	refused "authentication failure"
lio_chap alice alice-secret-12 target-bob bob-secret-1234
ini_chap alice alice-secret-12 target-bob bob-secret-1234
t_run "mutual CHAP: login and I/O" login_io
ini_chap alice alice-secret-12 target-bob not-bobs-secret
t_run "target failing mutual CHAP refused" \
	refused "mutual CHAP: target .* failed authentication"
t_run "rmdir, unload, LIO teardown" \
	eval 'rmdir "$T" && rmmod reflect_initiator && rmmod reflect_proto && lio_teardown'
t_done

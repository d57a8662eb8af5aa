#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# reflect_target against stock open-iscsi: the fabric's configfs layout, an
# IPv4 and an IPv6 portal, discovery and login, fio verify over mixed block
# sizes (writes above FirstBurstLength and MaxBurstLength), a filesystem
# round trip, a second login with header and data digests and unsolicited
# data, logout, teardown and unloading both modules.
# smoke

. "$(dirname "$0")/../lib/vmlib.sh"

IQN=iqn.2026-11.org.reflect.test:target-rd
PORTAL=127.0.0.1:3261
RFL=$LIO/reflect
TPG=$RFL/$IQN/tpgt_1

# rfl_layout TPG: every configfs name a targetcli user expects.
rfl_layout() {
	local f
	for f in enable attrib/authentication attrib/generate_node_acls \
		attrib/cache_dynamic_acls attrib/demo_mode_write_protect \
		attrib/default_cmdsn_depth attrib/login_timeout \
		attrib/netif_timeout param/HeaderDigest param/DataDigest \
		param/MaxRecvDataSegmentLength param/MaxBurstLength \
		param/FirstBurstLength param/ImmediateData param/InitialR2T \
		param/MaxOutstandingR2T param/DataPDUInOrder \
		param/DataSequenceInOrder param/DefaultTime2Wait \
		param/DefaultTime2Retain param/ErrorRecoveryLevel \
		param/MaxConnections param/TargetAlias auth/userid \
		auth/password auth/userid_mutual auth/password_mutual; do
		[ -f "$1/$f" ] || { echo "missing $f"; return 1; }
	done
	[ "$(cat "$1/param/MaxBurstLength")" = 262144 ] || return 1
	# Values this target cannot do are refused.
	if echo 1 >"$1/param/ErrorRecoveryLevel" 2>/dev/null; then
		echo "ErrorRecoveryLevel=1 accepted"
		return 1
	fi
	if echo 2 >"$1/attrib/authentication" 2>/dev/null; then
		echo "authentication=2 accepted"
		return 1
	fi
	return 0
}

# rfl_ipv6 TPG: an IPv6 portal listens, and goes away with its directory.
rfl_ipv6() {
	ip link set lo up
	mkdir "$1/np/[::1]:3262" || return 1
	ss -ltnH | grep -q '\[::1\]:3262' || { ss -ltn; return 1; }
	rmdir "$1/np/[::1]:3262" || return 1
	! ss -ltnH | grep -q '\[::1\]:3262'
}

# rfl_teardown: every reflect target and backstore, then both modules.
rfl_teardown() {
	local t l np a
	for t in "$RFL"/*/tpgt_*; do
		[ -d "$t" ] || continue
		echo 0 >"$t/enable"
		for l in "$t"/lun/lun_*; do
			[ -d "$l" ] || continue
			find "$l" -maxdepth 1 -type l -delete
			rmdir "$l" || return 1
		done
		for a in "$t"/acls/*; do [ -d "$a" ] && { rmdir "$a" || return 1; }; done
		for np in "$t"/np/*; do [ -d "$np" ] && { rmdir "$np" || return 1; }; done
		rmdir "$t" || return 1
	done
	for t in "$RFL"/*; do
		[ -d "$t" ] && [ "${t##*/}" != discovery_auth ] && { rmdir "$t" || return 1; }
	done
	rmdir "$RFL" || return 1
	lio_teardown
	rmmod reflect_target && rmmod reflect_proto
}

# session_has KEY VALUE: the logged-in session negotiated KEY=VALUE.
session_has() {
	iscsiadm -m session -P2 | grep -q "$1: $2" ||
		{ iscsiadm -m session -P2 | grep -A20 Negotiated; return 1; }
}

t_plan 11
t_run "reflect_proto and reflect_target load, fabric registered" reflect_target_load ||
	t_bail "modules did not load"
BS=$(lio_ramdisk rd0 64)
t_run "target with a 64 MiB ramdisk LUN on $PORTAL" \
	reflect_target_demo $IQN $PORTAL "$BS" || t_bail "no target"
t_run "configfs layout: attrib, param, auth, enable" rfl_layout "$TPG"
t_run "IPv6 portal [::1]:3262 listens and goes" rfl_ipv6 "$TPG"
iscsi_start || t_bail "iscsid did not start"
DEV=$(iscsi_login $IQN $PORTAL)
t_result $? "open-iscsi discovery and login (disk ${DEV:-none})"
[ -b "$DEV" ] || t_bail "no disk"
t_run "fio verify over mixed block sizes up to 1 MiB" fio_verify "$DEV"
t_run "mkfs.ext4, checksummed files survive remount, fsck clean" \
	fs_roundtrip "$DEV"
iscsi_logout_all

# Second session: digests on, unsolicited data, two R2Ts outstanding.
echo No >"$TPG/param/InitialR2T"
echo 2 >"$TPG/param/MaxOutstandingR2T"
iscsiadm -m discovery -t sendtargets -p $PORTAL >/dev/null
for k in HeaderDigest DataDigest; do
	iscsiadm -m node -T $IQN -p $PORTAL -o update \
		-n "node.conn[0].iscsi.$k" -v CRC32C >/dev/null
done
iscsiadm -m node -T $IQN -p $PORTAL -o update \
	-n node.session.iscsi.InitialR2T -v No >/dev/null
iscsiadm -m node -T $IQN -p $PORTAL -o update \
	-n node.session.iscsi.MaxOutstandingR2T -v 2 >/dev/null
iscsiadm -m node -T $IQN -p $PORTAL --login >/dev/null &&
	wait_for 60 iscsi_disk_of $IQN >/dev/null
DEV=/dev/$(iscsi_disk_of $IQN)
wait_for 40 test -b "$DEV"
t_run "login with digests CRC32C, InitialR2T=No, MaxOutstandingR2T=2" \
	eval 'session_has HeaderDigest CRC32C && session_has DataDigest CRC32C &&
		session_has InitialR2T No && session_has MaxOutstandingR2T 2'
t_run "fio verify with digests and unsolicited data" fio_verify "$DEV"
t_run "logout" iscsi_logout_all
iscsi_stop
t_run "teardown and rmmod of both modules" rfl_teardown
t_done

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# reflect_target's CHAP against stock open-iscsi: AuthMethod=None, None
# refused when attrib/authentication=1, one-way CHAP with MD5 (open-iscsi's
# default CHAP_A) and SHA-256 (node.session.auth.chap_algs), a wrong
# secret and a wrong user name refused with the reason in the target's
# log, mutual CHAP, a target answer the initiator rejects, the tpg's auth/
# for demo-mode ACLs, and discovery_auth. Every session that logs in
# writes, reads back and compares data.

. "$(dirname "$0")/../lib/vmlib.sh"

IQN=iqn.2026-11.org.reflect.test:target-chap
PORTAL=127.0.0.1:3261
RFL=$LIO/reflect
TPG=$RFL/$IQN/tpgt_1
DA=$RFL/discovery_auth
INAME=$(sed -n 's/^InitiatorName=//p' /etc/iscsi/initiatorname.iscsi)
ACL=$TPG/acls/$INAME
SEEK=0

# tgt_setup BACKSTORE: the target with one explicit ACL for this host.
tgt_setup() {
	mkdir -p "$TPG/lun/lun_0" || return 1
	ln -s "$1" "$TPG/lun/lun_0/$(basename "$1")" || return 1
	mkdir "$TPG/np/$PORTAL" || return 1
	echo 0 >"$TPG/attrib/generate_node_acls" &&
		echo 0 >"$TPG/attrib/authentication" || return 1
	mkdir -p "$ACL/lun_0" || return 1
	ln -s "$TPG/lun/lun_0" "$ACL/lun_0/lun0" || return 1
	for f in userid password userid_mutual password_mutual; do
		[ -f "$ACL/auth/$f" ] && [ -f "$TPG/auth/$f" ] &&
			[ -f "$DA/$f" ] || { echo "no auth/$f"; return 1; }
	done
	[ -f "$DA/enforce_discovery_auth" ] || return 1
	echo 1 >"$TPG/enable"
}

# auth_set DIR USER PASS [MUSER MPASS]: target-side credentials.
auth_set() {
	echo "$2" >"$1/userid" && echo "$3" >"$1/password" &&
		echo "${4:-}" >"$1/userid_mutual" &&
		echo "${5:-}" >"$1/password_mutual"
}

node() {
	iscsiadm -m node -T $IQN -p $PORTAL -o update -n "$1" -v "$2" >/dev/null
}

logout() {
	iscsiadm -m node -T $IQN -p $PORTAL --logout >/dev/null 2>&1
	return 0
}

# ini_auth METHOD [USER PASS [MUSER MPASS [ALGS]]]: open-iscsi's node record
# (discovered first when there is none).
ini_auth() {
	iscsiadm -m node -T $IQN -p $PORTAL >/dev/null 2>&1 ||
		iscsiadm -m discovery -t sendtargets -p $PORTAL >/dev/null ||
		return 1
	node node.session.auth.authmethod "$1" &&
		node node.session.auth.username "${2:-}" &&
		node node.session.auth.password "${3:-}" &&
		node node.session.auth.username_in "${4:-}" &&
		node node.session.auth.password_in "${5:-}" &&
		node node.session.auth.chap_algs "${6:-MD5}"
}

# login_io: log in, write 4 MiB of random data at a fresh offset, read it
# back uncached and compare, log out.
login_io() {
	local dev rc=0
	iscsiadm -m node -T $IQN -p $PORTAL --login >/dev/null || return 1
	wait_for 60 iscsi_disk_of $IQN >/dev/null || { logout; return 1; }
	dev=/dev/$(iscsi_disk_of $IQN)
	wait_for 40 test -b "$dev" || { logout; return 1; }
	SEEK=$((SEEK + 4))
	head -c 4194304 /dev/urandom >/tmp/chap.data
	dd if=/tmp/chap.data of="$dev" bs=1M seek=$SEEK oflag=direct \
		status=none || rc=1
	dd if="$dev" of=/tmp/chap.back bs=1M skip=$SEEK count=4 iflag=direct \
		status=none || rc=1
	cmp /tmp/chap.data /tmp/chap.back || rc=1
	logout
	return $rc
}

# logged PATTERN: the target's log has PATTERN (since the last mark).
mark() { dmesg | wc -l >/tmp/chap.mark; }
logged() {
	dmesg | tail -n +$(($(cat /tmp/chap.mark) + 1)) | grep -E "$1" ||
		{ echo "target did not log: $1"; dmesg | tail -n 5; return 1; }
}

# refused PATTERN: the login fails and the target logs why.
refused() {
	mark
	if iscsiadm -m node -T $IQN -p $PORTAL --login >/dev/null 2>&1; then
		echo "login succeeded"
		logout
		return 1
	fi
	logged "refused: .*$1"
}

# authenticated PATTERN: a CHAP login with I/O, and the target's log line.
authenticated() {
	mark
	login_io && logged "authenticated with CHAP $1"
}

# refused_by_initiator: the target accepts the initiator, which then
# refuses the target's mutual CHAP answer.
refused_by_initiator() {
	mark
	if iscsiadm -m node -T $IQN -p $PORTAL --login >/dev/null 2>&1; then
		echo "login succeeded"
		logout
		return 1
	fi
	logged "authenticated with CHAP .*mutual"
}

disc_fails() {
	if iscsiadm -m discovery -t sendtargets -p $PORTAL >/dev/null 2>&1; then
		echo "discovery without credentials succeeded"
		return 1
	fi
	return 0
}

disc_chap() {
	local op="iscsiadm -m discoverydb -t sendtargets -p $PORTAL"
	$op -o new >/dev/null 2>&1
	$op -o update -n discovery.sendtargets.auth.authmethod -v CHAP &&
		$op -o update -n discovery.sendtargets.auth.username -v "$1" &&
		$op -o update -n discovery.sendtargets.auth.password -v "$2" &&
		$op -o update -n discovery.sendtargets.auth.username_in -v "${3:-}" &&
		$op -o update -n discovery.sendtargets.auth.password_in -v "${4:-}" ||
		return 1
	$op --discover | grep -q "$IQN"
}

t_plan 16
t_run "reflect_target loads" reflect_target_load || t_bail "modules did not load"
BS=$(lio_ramdisk rd0 64)
t_run "target with an ACL, auth/ names of LIO's iscsi fabric" tgt_setup "$BS" ||
	t_bail "no target"
iscsi_start || t_bail "iscsid did not start"
t_run "discovery without authentication" \
	eval "iscsiadm -m discovery -t sendtargets -p $PORTAL | grep -q $IQN" ||
	t_bail "no discovery"
ini_auth None || t_bail "no node record"
t_run "AuthMethod=None: login and data" login_io
echo 1 >"$TPG/attrib/authentication"
t_run "authentication=1: AuthMethod=None refused" refused "CHAP required"
auth_set "$ACL/auth" alice alice-secret-0123
ini_auth CHAP alice alice-secret-0123
t_run "CHAP MD5 (CHAP_A=5): login and data" authenticated "md5"
ini_auth CHAP alice alice-secret-0123 "" "" SHA256,MD5
t_run "CHAP SHA-256 (CHAP_A=7) chosen when offered: login and data" \
	authenticated "sha256"
ini_auth CHAP alice wrong-secret-0123
t_run "wrong secret refused, target logs the reason" refused "wrong response"
ini_auth CHAP mallory alice-secret-0123
t_run "unknown user name refused" refused "unknown user name"
ini_auth CHAP alice alice-secret-0123 "" "" SHA1
t_run "only algorithms the target lacks offered: refused" refused "CHAP_A"
auth_set "$ACL/auth" alice alice-secret-0123 target-bob bob-secret-4567
ini_auth CHAP alice alice-secret-0123 target-bob bob-secret-4567 SHA256,MD5
t_run "mutual CHAP SHA-256: login and data" authenticated "sha256, mutual"
ini_auth CHAP alice alice-secret-0123 target-bob not-bobs-secret SHA256
t_run "mutual CHAP: the initiator rejects a target answer with another secret" \
	refused_by_initiator
# Demo mode: the tpg's auth/ holds the credentials.
echo 0 >"$TPG/enable"
rm -f "$ACL/lun_0/lun0" && rmdir "$ACL/lun_0" "$ACL"
echo 1 >"$TPG/attrib/generate_node_acls"
echo 0 >"$TPG/attrib/demo_mode_write_protect"
auth_set "$TPG/auth" demo demo-secret-890
echo 1 >"$TPG/enable"
ini_auth CHAP demo demo-secret-890
t_run "demo mode: CHAP with tpgt_1/auth credentials, login and data" \
	authenticated "md5"
ini_auth CHAP alice alice-secret-0123
t_run "demo mode: the removed ACL's credentials refused" refused "unknown user name"
# Discovery sessions.
auth_set "$DA" disc disc-secret-456 target-disc tdisc-secret-789
echo 1 >"$DA/enforce_discovery_auth"
t_run "enforce_discovery_auth=1: discovery without CHAP refused" disc_fails
t_run "discovery with mutual CHAP finds the target" \
	disc_chap disc disc-secret-456 target-disc tdisc-secret-789
echo 0 >"$DA/enforce_discovery_auth"

iscsi_logout_all
iscsi_stop
t_done

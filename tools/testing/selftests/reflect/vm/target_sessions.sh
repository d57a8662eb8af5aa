#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# reflect_target session control: logins refused for an unknown target and
# for an initiator without an ACL, an ACL with a mapped LUN admits it, a
# tpg disabled under a live session ends the session (the initiator gets
# back in when it is enabled again, also in the middle of writes), a LUN
# reset under I/O, an ACL removed under a live session
# ends it, and teardown plus rmmod with iscsid still retrying.

. "$(dirname "$0")/../lib/vmlib.sh"

IQN=iqn.2026-11.org.reflect.test:target-acl
PORTAL=127.0.0.1:3261
RFL=$LIO/reflect
TPG=$RFL/$IQN/tpgt_1
INAME=$(sed -n 's/^InitiatorName=//p' /etc/iscsi/initiatorname.iscsi)

# An ACL target: generate_node_acls stays 0.
rfl_acl_target() {
	mkdir -p "$TPG/lun/lun_0" || return 1
	ln -s "$1" "$TPG/lun/lun_0/$(basename "$1")" || return 1
	mkdir "$TPG/np/$PORTAL" || return 1
	echo 0 >"$TPG/attrib/authentication" && echo 1 >"$TPG/enable"
}

login_fails() {
	iscsiadm -m node -T "$1" -p $PORTAL -o new >/dev/null 2>&1
	if iscsiadm -m node -T "$1" -p $PORTAL --login >/dev/null 2>&1; then
		echo "login to $1 succeeded"
		return 1
	fi
	iscsiadm -m node -T "$1" -p $PORTAL -o delete >/dev/null 2>&1
	dmesg | grep -q "refused" || { echo "no refusal logged"; return 1; }
}

acl_add() {
	mkdir -p "$TPG/acls/$INAME/lun_0" || return 1
	ln -s "$TPG/lun/lun_0" "$TPG/acls/$INAME/lun_0/lun0"
}

acl_login() {
	iscsiadm -m discovery -t sendtargets -p $PORTAL >/dev/null || return 1
	iscsiadm -m node -T $IQN -p $PORTAL -o update \
		-n node.session.timeo.replacement_timeout -v 60 >/dev/null
	iscsiadm -m node -T $IQN -p $PORTAL --login >/dev/null || return 1
	wait_for 60 iscsi_disk_of $IQN >/dev/null || return 1
	DEV=/dev/$(iscsi_disk_of $IQN)
	wait_for 40 test -b "$DEV" || return 1
	io_check "$DEV"
}

# io_check DEV: 4 MiB written and read back.
io_check() {
	head -c 4194304 /dev/urandom >/tmp/pat || return 1
	dd if=/tmp/pat of="$1" bs=1M oflag=direct status=none || return 1
	cmp <(dd if="$1" bs=1M count=4 iflag=direct status=none) /tmp/pat
}

conns() {
	ss -tnH state established "( sport = :3261 )" | wc -l
}

# conns_are N: exactly N established connections to the portal.
conns_are() {
	[ "$(conns)" -eq "$1" ]
}

disable_ends_session() {
	echo 0 >"$TPG/enable" || return 1
	wait_for 60 conns_are 0 || return 1
	echo 1 >"$TPG/enable" || return 1
	# open-iscsi reconnects by itself (same ISID: reinstatement).
	wait_for 120 conns_are 1 || return 1
	wait_for 60 iscsi_disk_of $IQN >/dev/null || return 1
	io_check "/dev/$(iscsi_disk_of $IQN)"
}

# lun_reset_under_io: a LOGICAL UNIT RESET (sg_reset -d) while fio
# writes and verifies; the midlayer retries what the reset ended.
lun_reset_under_io() {
	local dev pid rc i
	dev=/dev/$(iscsi_disk_of $IQN)
	fio_verify "$dev" --size=8m --loops=4 &
	pid=$!
	sleep 1
	for i in 1 2; do
		sg_reset -d "$dev" || { echo "sg_reset failed"; kill $pid; return 1; }
		sleep 1
	done
	wait $pid
	rc=$?
	dmesg | grep -q "LUN_RESET" || dmesg | grep -iq "reset" ||
		{ echo "no reset seen"; return 1; }
	return $rc
}

# disable_under_io: the tpg disabled while 1 MiB writes (several R2Ts
# each) are in flight; commands waiting for Data-Out end with the
# connection, and the initiator replays them after it reconnects.
disable_under_io() {
	local dev pid
	dev=/dev/$(iscsi_disk_of $IQN)
	fio --name=w --filename="$dev" --direct=1 --ioengine=libaio \
		--rw=randwrite --bs=1m --iodepth=16 --size=16m --loops=20 \
		--output=/dev/null &
	pid=$!
	sleep 2
	echo 0 >"$TPG/enable" || return 1
	wait_for 60 conns_are 0 || return 1
	echo 1 >"$TPG/enable" || return 1
	wait $pid || { echo "fio failed"; return 1; }
	io_check "/dev/$(iscsi_disk_of $IQN)"
}

acl_removal_ends_session() {
	find "$TPG/acls/$INAME/lun_0" -maxdepth 1 -type l -delete
	rmdir "$TPG/acls/$INAME/lun_0" || return 1
	[ "$(conns)" -eq 1 ] || { echo "no session to end"; return 1; }
	rmdir "$TPG/acls/$INAME" || return 1
	wait_for 60 conns_are 0
}

rfl_teardown() {
	echo 0 >"$TPG/enable"
	find "$TPG/lun/lun_0" -maxdepth 1 -type l -delete
	rmdir "$TPG/lun/lun_0" && rmdir "$TPG/np/$PORTAL" && rmdir "$TPG" &&
		rmdir "$RFL/$IQN" && rmdir "$RFL" || return 1
	lio_teardown
	rmmod reflect_target && rmmod reflect_proto
}

t_plan 10
t_run "modules load" reflect_target_load || t_bail "modules did not load"
BS=$(lio_ramdisk rd0 16)
t_run "ACL-mode target on $PORTAL" rfl_acl_target "$BS" || t_bail "no target"
iscsi_start || t_bail "iscsid did not start"
iscsiadm -m discovery -t sendtargets -p $PORTAL >/dev/null
t_run "login to an unknown target refused" \
	login_fails iqn.2026-11.org.reflect.test:nonexistent
t_run "login without an ACL refused" login_fails $IQN
t_run "ACL with mapped LUN: login and I/O" eval 'acl_add && acl_login'
t_run "disabling the tpg ends the session; re-enabled, it comes back" \
	disable_ends_session
t_run "LUN reset while fio verifies" lun_reset_under_io
t_run "tpg disabled under 1 MiB writes; the initiator recovers" \
	disable_under_io
t_run "removing the ACL ends the session" acl_removal_ends_session
t_run "teardown and rmmod while iscsid retries" rfl_teardown
iscsi_logout_all
iscsi_stop
t_done

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# reflect_initiator's SendTargets discovery objects against stock LIO: two
# targets (one on two portals) listed exactly, as iscsiadm lists them;
# discovery CHAP with the right secret and a wrong one (refused, the
# decoded reason in last_error); a discovered target enabled and a block
# read back and compared with its backing file; an answer longer than
# MaxRecvDataSegmentLength, continued over several Text Responses (F
# clear, Target Transfer Tag), gathered whole; rmdir and unload.

. "$(dirname "$0")/../lib/vmlib.sh"

IQN_A=iqn.2026-11.org.reflect.test:disc-a
IQN_B=iqn.2026-11.org.reflect.test:disc-b
P1=127.0.0.1:3260
P2=127.0.0.2:3260
INI=/sys/kernel/config/reflect_initiator
D=$INI/discovery/lio
T=$INI/targets/found
DA=$LIO/iscsi/discovery_auth

ini_load() {
	modprobe libcrc32c && modprobe sd_mod || return 1
	insmod "$RFL_MODDIR/kernel/proto/reflect_proto.ko" || return 1
	insmod "$RFL_MODDIR/kernel/initiator/reflect_initiator.ko" || return 1
	test -d "$INI/discovery"
}

# The configuration LIO was given, in our format, sorted.
expected() {
	printf '%s\n' "$IQN_A $P1,1" "$IQN_A $P2,1" "$IQN_B $P1,1" | sort
}

# discover: write discover=1; on failure print last_error.
discover() {
	echo 1 >"$D/discover" || { echo "refused: $(cat "$D/last_error")"; return 1; }
	[ -z "$(cat "$D/last_error")" ] || { cat "$D/last_error"; return 1; }
}

# disc_exact: discovery lists exactly the configured portals.
disc_exact() {
	local got
	discover || return 1
	got=$(sort "$D/targets")
	[ "$got" = "$(expected)" ] && return 0
	echo "got:"; echo "$got"; echo "expected:"; expected
	return 1
}

# disc_as_iscsiadm: the same list as open-iscsi's SendTargets discovery.
disc_as_iscsiadm() {
	local st ours
	st=$(iscsiadm -m discovery -t st -p $P1 | awk '{ print $2, $1 }' | sort) || return 1
	ours=$(sort "$D/targets")
	[ -n "$st" ] && [ "$st" = "$ours" ] && return 0
	echo "iscsiadm:"; echo "$st"; echo "ours:"; echo "$ours"
	return 1
}

# lio_disc_chap USER PASS: LIO enforces discovery CHAP.
lio_disc_chap() {
	printf %s "$1" >"$DA/userid" && printf %s "$2" >"$DA/password" &&
		echo 1 >"$DA/enforce_discovery_auth"
}

disc_layout() {
	local f
	for f in portal chap_userid chap_password chap_mutual_userid \
		chap_mutual_password discover targets last_error; do
		[ -e "$D/$f" ] || { echo "missing $f"; return 1; }
	done
	if cat "$D/discover" >/dev/null 2>&1; then
		echo "discover readable"
		return 1
	fi
	echo "$P1" >"$D/portal" && [ "$(cat "$D/portal")" = "$P1" ] || return 1
	[ -z "$(cat "$D/targets")" ]
}

# disc_chap_wrong: refused with the reason; no stale list.
disc_chap_wrong() {
	echo alice >"$D/chap_userid" && echo wrong-secret-12 >"$D/chap_password" || return 1
	[ "$(cat "$D/chap_password")" = "[set]" ] || { echo "secret shown"; return 1; }
	if echo 1 >"$D/discover" 2>/dev/null; then
		echo "discovery with a wrong secret succeeded"
		return 1
	fi
	grep -q "login refused by the discovery portal: initiator error: authentication failure" \
		"$D/last_error" || { cat "$D/last_error"; return 1; }
	[ -z "$(cat "$D/targets")" ] || { echo "stale targets"; return 1; }
	echo "refused: $(cat "$D/last_error")"
}

# disc_continued: twelve more targets and max_recv_dlength 512: LIO
# answers in several Text Responses; the list is still exact.
disc_continued() {
	local i got want
	want=$(expected)
	for i in $(seq -w 1 12); do
		lio_iscsi_target "$IQN_B-with-a-long-name-to-fill-the-pdu-$i" $P2 || return 1
		want=$(printf '%s\n' "$want" "$IQN_B-with-a-long-name-to-fill-the-pdu-$i $P2,1")
	done
	want=$(echo "$want" | sort)
	echo 512 >"$D/max_recv_dlength" || return 1
	discover || return 1
	got=$(sort "$D/targets")
	[ "$got" = "$want" ] || { echo "got:"; echo "$got"; return 1; }
	dmesg | grep "lio: discovery at" | tail -n 1
	dmesg | grep "lio: discovery at" | tail -n 1 |
		grep -q "15 target portals in \([2-9]\|[1-9][0-9]\) Text Responses"
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

# found_read: enable the target B line of the list, read blocks back and
# compare them with LIO's backing file.
found_read() {
	local line dev blk
	line=$(grep "^$IQN_B " "$D/targets") || return 1
	mkdir "$T" || return 1
	echo "${line%% *}" >"$T/target_iqn" || return 1
	line=${line#* }
	echo "${line%,*}" >"$T/portal" || return 1
	echo 1 >"$T/enable" || { cat "$T/last_error"; return 1; }
	wait_for 60 ini_disk || return 1
	dev=$(ini_disk)
	for blk in 0 17 1000 4095; do
		cmp <(dd if="$dev" bs=4096 skip=$blk count=1 iflag=direct status=none) \
			<(dd if=/tmp/disc-b.img bs=4096 skip=$blk count=1 status=none) ||
			{ echo "block $blk differs"; return 1; }
	done
	echo 0 >"$T/enable" && rmdir "$T"
}

t_plan 11
t_run "LIO iscsi_target_mod loads" lio_load || t_bail "no LIO"
head -c $((16 * 1048576)) /dev/urandom >/tmp/disc-b.img
BS_A=$(lio_ramdisk rd0 16)
BS_B=$(lio_fileio disc-b /tmp/disc-b.img 16)
t_run "LIO: $IQN_A on $P1 and $P2, $IQN_B on $P1" \
	eval 'lio_iscsi_target $IQN_A $P1 "$BS_A" && mkdir "$LIO/iscsi/$IQN_A/tpgt_1/np/$P2" && lio_iscsi_target $IQN_B $P1 "$BS_B"' ||
	t_bail "no target"
t_run "reflect_initiator loads" ini_load || t_bail "no module"
echo iqn.2026-11.org.reflect.test:disc-host >"$INI/initiator_name"
mkdir "$D"
t_run "discovery object: attributes, secrets write-only" disc_layout
t_run "SendTargets lists exactly the three target portals" disc_exact
if iscsi_start; then
	t_run "the same list as iscsiadm -m discovery -t st" disc_as_iscsiadm
	iscsi_logout_all
	iscsi_stop
else
	t_skip "the same list as iscsiadm -m discovery -t st" "no iscsid"
fi
# LIO draws its CHAP challenge with get_random_bytes_wait().
timeout 600 head -c 1 /dev/random >/dev/null
lio_disc_chap alice alice-secret-12
t_run "discovery CHAP: right secret lists the targets" \
	eval 'echo alice >"$D/chap_userid" && echo alice-secret-12 >"$D/chap_password" && disc_exact'
t_run "discovery CHAP: wrong secret refused, reason in last_error" disc_chap_wrong
echo 0 >"$DA/enforce_discovery_auth"
echo >"$D/chap_userid"
t_run "discovered target enabled, blocks read back match its backing file" \
	eval 'disc_exact && found_read'
t_run "an answer over several Text Responses (TTT continuation) gathered whole" \
	disc_continued
t_run "rmdir, unload, LIO teardown" \
	eval 'rmdir "$D" && rmmod reflect_initiator && rmmod reflect_proto && lio_teardown'
t_done

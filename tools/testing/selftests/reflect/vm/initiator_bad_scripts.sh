#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A malicious manager: reflect_initiator against lib/fake_manager.py, a
# raw-socket fake manager that negotiates reflection, serves an 8 MiB
# in-memory volume when asked to proxy, and answers every READ/WRITE
# without the proxy flag with a crafted script whose pieces name a stock
# LIO disk in the guest (fileio on /tmp/disk.img, 16 MiB, the volume at
# block 1024 of it). For each scenario a 64 KiB random pattern is written
# through the host's sd disk with O_DIRECT and read back, and checksums
# compared. A valid script must be executed on the disk (the data is in
# /tmp/disk.img); every invalid one must be refused before a piece is sent
# (the disk's bytes do not change), the command re-driven as proxy, each
# reflection status the fake sent counted exactly once (invalid_scripts
# and fallbacks for a script the checks refuse, fallbacks only for a LU
# that cannot be opened or is not the one named), and a log line naming
# the reason. A data segment above the host's MaxRecvDataSegmentLength
# drops the connection; the session is reinstated and the write completes.
# Everything is disabled, removed and unloaded at the end.
#
# timeout: 1200

. "$(dirname "$0")/../lib/vmlib.sh"

PORT=3270
FAKE=$RFL_REPO/tools/testing/selftests/reflect/lib/fake_manager.py
INI=/sys/kernel/config/reflect_initiator
DISK_IQN=iqn.2003-01.org.linux-iscsi.reflect:disk
MGR_IQN=iqn.2026-11.org.reflect.test:fake-manager
DBLOCKS=32768		# the LIO disk: 16 MiB
DOFF=1024		# the volume starts at this block of the disk
PAT_LBA=8192		# the test's 64 KiB at 4 MiB of the volume
PAT_BLOCKS=128
T=$INI/targets/mgr
FAKE_PID=
ID=

load() {
	lio_load && modprobe libcrc32c && modprobe sd_mod && modprobe sg || return 1
	insmod "$RFL_MODDIR/kernel/proto/reflect_proto.ko" || return 1
	insmod "$RFL_MODDIR/kernel/initiator/reflect_initiator.ko" || return 1
	# Keep the pool's LU of the disk open between scenarios.
	echo 3600 >/sys/module/reflect_initiator/parameters/pool_idle
	test -d "$INI/targets"
}

disk() {
	local b
	b=$(rvol_disk_file disk $DBLOCKS) || return 1
	lio_iscsi_target "$DISK_IQN" 127.0.0.1:3260 "$b" || return 1
	echo iqn.2026-11.org.reflect.test:host >"$INI/initiator_name"
}

hstat() { sed -n "s/^$1 //p" "$T/stats"; }

host_disk() {
	local h d
	h=$(cat "$T/host") && [ -n "$h" ] || return 1
	for d in /sys/class/scsi_host/host"$h"/device/target*/*/block/*; do
		[ -b "/dev/${d##*/}" ] || continue
		echo "/dev/${d##*/}"
		return 0
	done
	return 1
}

new_log() { dmesg | tail -n +"$((DMESG_BASE + 1))"; }
mlog() { cat "/tmp/mgr-$NAME.log"; }
nreflect() { mlog | grep -c "^# reflect "; }
listening() { mlog | grep -q "listening on"; }

# The bytes of the disk where the test's pattern would land.
disk_region() {
	dd if=/tmp/disk.img bs=512 skip=$((DOFF + PAT_LBA)) count=$PAT_BLOCKS \
		status=none | sha256sum
}

# start NAME SCENARIO [ARGS...]: the fake manager, a target object for it,
# logged in with reflection, its sd disk in $DEV.
start() {
	NAME=$1
	DMESG_BASE=$(dmesg | wc -l)
	python3 "$FAKE" $PORT "$2" --disk "$DISK_IQN,127.0.0.1:3260,$DBLOCKS,$DOFF" \
		"${@:3}" >"/tmp/mgr-$NAME.log" 2>&1 &
	FAKE_PID=$!
	wait_for 60 listening || { mlog; return 1; }
	mkdir "$T" && echo $MGR_IQN >"$T/target_iqn" &&
		echo 127.0.0.1:$PORT >"$T/portal" &&
		echo 30 >"$T/replacement_timeout" || return 1
	timeout 300 sh -c "echo 1 >$T/enable" ||
		{ echo "enable failed: $(cat "$T/last_error")"; mlog; return 1; }
	grep -q 'Reflection=Yes' "$T/negotiated" || { cat "$T/negotiated"; return 1; }
	wait_for 120 host_disk || { echo "no disk"; mlog; return 1; }
	DEV=$(host_disk)
}

stop() {
	timeout 300 sh -c "echo 0 >$T/enable" || { echo "disable failed"; return 1; }
	[ "$(cat "$T/state")" = disabled ] || return 1
	rmdir "$T" || return 1
	kill "$FAKE_PID"
	wait "$FAKE_PID" 2>/dev/null
	FAKE_PID=
}

cleanup() {
	[ -n "$FAKE_PID" ] && kill "$FAKE_PID" 2>/dev/null
	FAKE_PID=
	[ -d "$T" ] && { timeout 300 sh -c "echo 0 >$T/enable"; rmdir "$T"; }
	return 0
}

# The pattern written through the host's sd disk, read back, compared.
roundtrip() {
	head -c $((PAT_BLOCKS * 512)) /dev/urandom >/tmp/pat
	dd if=/tmp/pat of="$DEV" bs=$((PAT_BLOCKS * 512)) count=1 \
		seek=$((PAT_LBA * 512)) oflag=direct,seek_bytes status=none ||
		{ echo "write failed"; return 1; }
	dd if="$DEV" of=/tmp/got bs=$((PAT_BLOCKS * 512)) count=1 \
		skip=$((PAT_LBA * 512)) iflag=direct,skip_bytes status=none ||
		{ echo "read failed"; return 1; }
	[ "$(sha256sum </tmp/pat)" = "$(sha256sum </tmp/got)" ] ||
		{ echo "data read back differs"; return 1; }
}

# One reflection status of the fake for the test's WRITE and one for its
# READ (the others are the partition scan's).
test_cmds_reflected() {
	local w r
	w=$(mlog | grep -Ec "op 0x(2a|8a) lba $PAT_LBA blocks $PAT_BLOCKS ")
	r=$(mlog | grep -Ec "op 0x(28|88) lba $PAT_LBA blocks $PAT_BLOCKS ")
	[ "$w" = 1 ] && [ "$r" = 1 ] ||
		{ echo "test commands reflected: $w write(s), $r read(s)"; return 1; }
}

counted() { [ "$(hstat "$1")" = "$(nreflect)" ]; }

# bad NAME SCENARIO KIND PATTERN [ARGS...]: every reflection status is
# refused and re-driven; KIND "invalid" counts invalid_scripts and
# fallbacks, "nodev" fallbacks only; PATTERN is in the kernel log.
bad() {
	local name=$1 sc=$2 kind=$3 pat=$4 before n
	shift 4
	start "$name" "$sc" "$@" || return 1
	before=$(disk_region)
	roundtrip || { mlog; return 1; }
	test_cmds_reflected || return 1
	wait_for 60 counted fallbacks ||
		{ echo "fallbacks $(hstat fallbacks), fake sent $(nreflect)"; return 1; }
	n=$(nreflect)
	if [ "$kind" = invalid ]; then
		[ "$(hstat invalid_scripts)" = "$n" ] ||
			{ echo "invalid_scripts $(hstat invalid_scripts), fake sent $n"; return 1; }
	else
		[ "$(hstat invalid_scripts)" = 0 ] ||
			{ echo "invalid_scripts $(hstat invalid_scripts), expected 0"; return 1; }
	fi
	[ "$(hstat reflected)" = 0 ] || { echo "a bad script was executed"; return 1; }
	[ "$(disk_region)" = "$before" ] ||
		{ echo "the disk changed: a piece of a bad script was sent"; return 1; }
	new_log | grep -q "reflect_initiator: .*$pat" ||
		{ echo "no log line: $pat"; new_log | grep reflect_initiator | tail; return 1; }
	new_log | grep -q "reflect_initiator: .*re-driven through the manager" ||
		{ echo "no re-drive log line"; return 1; }
	log "$name: fake sent $n script(s); $(tr '\n' ' ' <"$T/stats")"
	log "$name: $(new_log | grep -m1 "reflect_initiator: .*$pat")"
	stop
}

# valid [ARGS...]: a correct script is executed on the disk.
valid() {
	local n
	start valid valid "$@" || return 1
	roundtrip || { mlog; return 1; }
	dd if=/tmp/disk.img bs=512 skip=$((DOFF + PAT_LBA)) count=$PAT_BLOCKS \
		status=none >/tmp/ondisk
	[ "$(sha256sum </tmp/pat)" = "$(sha256sum </tmp/ondisk)" ] ||
		{ echo "the write did not land on the disk"; return 1; }
	# Change the disk behind the host's back: a reflected read sees it.
	head -c $((PAT_BLOCKS * 512)) /dev/urandom >/tmp/pat2
	dd if=/tmp/pat2 of=/tmp/disk.img bs=512 seek=$((DOFF + PAT_LBA)) \
		conv=notrunc status=none
	dd if="$DEV" of=/tmp/got2 bs=$((PAT_BLOCKS * 512)) count=1 \
		skip=$((PAT_LBA * 512)) iflag=direct,skip_bytes status=none || return 1
	[ "$(sha256sum </tmp/pat2)" = "$(sha256sum </tmp/got2)" ] ||
		{ echo "the read did not come from the disk"; return 1; }
	n=$(nreflect)
	wait_for 60 counted reflected ||
		{ echo "reflected $(hstat reflected), fake sent $n"; return 1; }
	[ "$(hstat fallbacks)" = 0 ] && [ "$(hstat invalid_scripts)" = 0 ] ||
		{ cat "$T/stats"; return 1; }
	log "valid: fake sent $n script(s); $(tr '\n' ' ' <"$T/stats")"
	stop
}

# The LIO disk's preferred VPD 0x83 designator, into /tmp/disk-id: page
# 0x83 of the pool's LU of the disk (a scsi_device without sd) through
# its bsg or sg node when sysfs has no vpd_pg83.
pick_id() {
	local d g f=/tmp/vpd83
	for d in /sys/bus/scsi/devices/*:*:*:*; do
		grep -q '^LIO-ORG' "$d/vendor" 2>/dev/null || continue
		if [ -r "$d/vpd_pg83" ]; then
			cat "$d/vpd_pg83" >$f
		elif [ -c "/dev/bsg/${d##*/}" ]; then
			sg_inq -p 0x83 -r "/dev/bsg/${d##*/}" >$f || continue
		else
			g=$(ls "$d/scsi_generic" 2>/dev/null) && [ -c "/dev/$g" ] || continue
			sg_inq -p 0x83 -r "/dev/$g" >$f || continue
		fi
		ID=$(python3 "$FAKE" --pick-id $f) && [ -n "$ID" ] || continue
		echo "$ID" >/tmp/disk-id
		log "disk designator ${d##*/}: $ID"
		return 0
	done
	echo "no designator of a LIO-ORG LU"
	for d in /sys/bus/scsi/devices/*:*:*:*; do
		echo "${d##*/} $(cat "$d/vendor") $(ls "$d" | grep -E 'vpd|generic|bsg' | tr '\n' ' ')"
	done
	ls /dev/bsg /dev/sg* 2>&1 | tr '\n' ' '
	return 1
}

# huge: the data segment exceeds the host's MaxRecvDataSegmentLength.
huge() {
	local n
	start huge huge || return 1
	roundtrip || { mlog; return 1; }
	n=$(nreflect)
	[ "$n" = 1 ] || { echo "fake sent $n"; return 1; }
	new_log | grep -q "reflect_initiator: .*malformed SCSI Response PDU: data segment exceeds MaxRecvDataSegmentLength" ||
		{ echo "no log line"; new_log | grep reflect_initiator; return 1; }
	wait_for 60 eval '[ "$(cat $T/state)" = logged-in ]' || return 1
	[ "$(hstat reconnects)" = 1 ] && [ "$(hstat fallbacks)" = 0 ] &&
		[ "$(hstat invalid_scripts)" = 0 ] && [ "$(hstat reflected)" = 0 ] ||
		{ cat "$T/stats"; return 1; }
	log "huge: $(tr '\n' ' ' <"$T/stats")"
	stop
}

# proxy: reflection negotiated, the manager executes everything itself.
proxy() {
	start proxy proxy || return 1
	roundtrip || { mlog; return 1; }
	[ "$(nreflect)" = 0 ] && [ "$(hstat reflected)" = 0 ] &&
		[ "$(hstat fallbacks)" = 0 ] || { cat "$T/stats"; return 1; }
	stop
}

teardown() {
	local mods="iscsi_target_mod target_core_file target_core_iblock"
	rmmod reflect_initiator && rmmod reflect_proto || return 1
	lio_teardown
	# The fabric's configfs group holds iscsi_target_mod.
	rmdir "$LIO/iscsi" || return 1
	# sg is built in on the debug kernel (no initstate), a module on 6.1.
	[ -e /sys/module/sg/initstate ] && mods="$mods sg"
	wait_for 60 modprobe -r $mods ||
		{ lsmod | grep -E 'target|iscsi'; return 1; }
}

t_plan 22
t_run "LIO, reflect_proto and reflect_initiator load" load || t_bail "no modules"
t_run "a stock LIO disk for the pieces" disk || t_bail "no disk"
t_run "manager proxies everything: data right" proxy || cleanup
t_run "valid script: data lands on the disk and is read from it" valid || cleanup
t_run "the disk's VPD 0x83 designator" pick_id
ID=$(cat /tmp/disk-id 2>/dev/null)
if [ -n "$ID" ]; then
	t_run "valid script with the disk's identifier: executed" valid --id "$ID" || cleanup
else
	t_skip "valid script with the disk's identifier" "no designator"
fi
t_run "piece past the end of the LU: refused, proxied" \
	bad beyond beyond invalid "invalid script: piece goes past the end of its LU" || cleanup
t_run "gap between pieces: refused, proxied" \
	bad gap gap invalid "invalid script: gap between pieces" || cleanup
t_run "overlapping pieces: refused, proxied" \
	bad overlap overlap invalid "invalid script: pieces overlap" || cleanup
t_run "CDB direction differs from the command's: refused, proxied" \
	bad direction direction invalid "invalid script: piece direction differs" || cleanup
t_run "cdb_len differs from the opcode's group: refused, proxied" \
	bad cdblen cdblen invalid "invalid reflection script for ITT 0x[0-9a-f]*: piece CDB length differs from its opcode group" || cleanup
t_run "script version 2: refused, proxied" \
	bad version version invalid "invalid reflection script for ITT 0x[0-9a-f]*: bad header" || cleanup
t_run "piece count larger than the segment: refused, proxied" \
	bad npieces npieces invalid "invalid reflection script for ITT 0x[0-9a-f]*: bad header" || cleanup
t_run "truncated script: refused, proxied" \
	bad truncated truncated invalid "invalid reflection script for ITT 0x[0-9a-f]*: piece table length" || cleanup
t_run "target index out of the table: refused, proxied" \
	bad tindex tindex invalid "invalid reflection script for ITT 0x[0-9a-f]*: piece target index" || cleanup
t_run "target the host cannot reach: fallback" \
	bad unreachable unreachable nodev "reflection: cannot open iqn.2026-11.org.reflect.test:nowhere LUN 0" || cleanup
t_run "CDB with RDPROTECT/WRPROTECT bits: refused, proxied" \
	bad cdbbits cdbbits invalid "invalid script: piece CDB sets bits other than DPO and FUA" || cleanup
t_run "total_len differs from the command's: refused, proxied" \
	bad total total invalid "invalid script: script total length differs from the command's" || cleanup
t_run "LUN absent on the disk: fallback" \
	bad nolun nolun nodev "reflection: cannot open $DISK_IQN LUN 7" || cleanup
if [ -n "$ID" ]; then
	t_run "VPD 0x83 identifier differs: fallback" \
		bad vpd vpd nodev "is not the LU the script names (VPD 0x83 differs)" --id "$ID" || cleanup
else
	t_skip "VPD 0x83 identifier differs" "no designator"
fi
t_run "script above MaxRecvDataSegmentLength: dropped, reinstated, data right" huge || cleanup
t_run "rmmod reflect_initiator, reflect_proto, LIO" teardown
t_done

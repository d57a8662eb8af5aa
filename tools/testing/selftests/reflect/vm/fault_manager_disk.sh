#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Partitions between the manager and one backing disk (disk B), in the
# topology of vm/fault_reflect.sh (three stock LIO disks, a volume striped
# over them, a reflecting host in namespace "host") plus a stock
# open-iscsi host in the manager's namespace that uses the same volume
# through the manager's proxy. nftables drops what the manager's own
# sockets exchange with disk B; the reflecting host still reaches it.
#   a. a partition shorter than the manager's backing recovery timeout
#      (replacement_timeout 30 s of the disks' target objects) during I/O
#      of both hosts: reflected I/O goes on, proxied I/O stalls and
#      completes after the heal;
#   b. a partition that outlasts it: proxied commands fail with CHECK
#      CONDITION (LOGICAL UNIT COMMUNICATION FAILURE) and a log line names
#      disk B, reflected I/O still works, the manager's session to B comes
#      back by itself, proxied I/O works again, earlier data intact;
#   c. SYNCHRONIZE CACHE from the reflecting host during a partition: the
#      manager sends it to every backing LU; it ends (no hang): once
#      by sg_sync, once by fsync of the disk (sd's flush);
#   d. the stock host gives up on a proxied command the manager holds
#      (command timeout 5 s, partition 15 s): its SCSI error handling
#      sends ABORT TASK (and more if that is not answered in time); the
#      manager counts it, the write ends (no hang), and after the heal
#      proxied I/O works again.
# Every case ends with the data verified.
# Expected and observed behaviour: Documentation/faults.rst.
# timeout: 900

. "$(dirname "$0")/../lib/vmlib.sh"
. "$(dirname "$0")/../lib/reflect_fault.sh"

DB=$D:disk-b
# Regions of the 46 MiB volume (MiB): the reflecting host's fio, the
# stock host's fio, and a pattern written before the faults.
R_HOST="--offset=0 --size=16m"
R_STOCK="--offset=24m --size=8m"
PRE_MIB=40
PRE_LEN=4
SDEV=

# mark NAME: a line in the kernel log that later checks start from.
mark() {
	echo "fault_manager_disk: $1" >/dev/kmsg
}

# since NAME: the kernel log from mark NAME on.
since() {
	dmesg | sed -n "/fault_manager_disk: $1\$/,\$p"
}

# mpart on|off: the manager's sockets lose disk B (both directions: the
# manager's session to B runs over the loopback, its packets to and from
# B all leave through the output hook with B's address). The host's
# packets to B come in from its veth (input, forwarded to the local
# address) and B's answers go to 10.9.0.2: untouched.
mpart() {
	if [ "$1" = on ]; then
		nft -f - <<-EOF
		table inet rflmgrdisk {
			chain out {
				type filter hook output priority 0;
				ip daddr 10.0.0.12 drop;
				ip saddr 10.0.0.12 ip daddr != 10.9.0.2 drop;
			}
		}
		EOF
	else
		nft delete table inet rflmgrdisk
	fi
}

stock_login() {
	iscsi_start || return 1
	SDEV=$(iscsi_login "$P:vol" $MGR:3261) || return 1
	[ "$(blockdev --getsz "$SDEV")" = "$(blockdev --getsz "$DEV")" ] || return 1
	# The stock host's command timeout must outlast the manager's
	# backing recovery (ping timeout + replacement_timeout, 35 s here)
	# for the manager's CHECK CONDITION to reach it before its own
	# error handling aborts the command (default 30 s).
	echo 120 >"/sys/block/${SDEV#/dev/}/device/timeout"
	log "stock host: $SDEV, timeout $(cat "/sys/block/${SDEV#/dev/}/device/timeout") s"
}

# pre_write: a pattern written (reflected) before the faults.
pre_write() {
	head -c $((PRE_LEN << 20)) /dev/urandom >/tmp/pre || return 1
	dd if=/tmp/pre of="$DEV" bs=1M seek=$PRE_MIB oflag=direct conv=fsync status=none
}

# pre_intact DEV: the pattern reads back identical through DEV.
pre_intact() {
	dd if="$1" of=/tmp/pre.back bs=1M skip=$PRE_MIB count=$PRE_LEN iflag=direct status=none &&
		cmp /tmp/pre /tmp/pre.back
}

# b_back: the manager's session to disk B was reinstated since mark NAME.
b_back() {
	since "$1" | grep -q "session to $DB reinstated"
}

# proxied_ok: a proxied 1 MiB read (touches the three disks) succeeds.
proxied_ok() {
	dd if="$SDEV" of=/dev/null bs=1M count=1 skip=24 iflag=direct status=none
}

# a. Short partition during I/O of both hosts.
case_a() {
	local r0 f0 hp sp rc=0
	r0=$(hstat reflected)
	f0=$(hstat fallbacks)
	mark a
	fio_verify "$DEV" $R_HOST &
	hp=$!
	fio_verify "$SDEV" $R_STOCK &
	sp=$!
	sleep 2
	mpart on || { kill $hp $sp; wait; return 1; }
	mark a-cut
	log "partition on: proxied_cmds $(rvol_stat vol proxied_cmds)"
	sleep 8
	log "after 8 s: proxied_cmds $(rvol_stat vol proxied_cmds)"
	mpart off
	mark a-heal
	wait $hp || { echo "reflecting host's fio failed"; rc=1; }
	wait $sp || { echo "stock host's fio failed"; rc=1; }
	log "both done: proxied_cmds $(rvol_stat vol proxied_cmds)"
	log "host: $(tr '\n' ' ' <"$T/stats")"
	since a | grep -E "reflect|disk-b|10\.0\.0\.12" | head -n 20
	[ $rc -eq 0 ] || { dmesg | tail -n 30; return 1; }
	[ "$(hstat reflected)" -gt "$r0" ] || { echo "reflected did not move"; return 1; }
	[ "$(hstat fallbacks)" = "$f0" ] || echo "(note: $(($(hstat fallbacks) - f0)) fallbacks)"
	# The manager noticed (ping) and recovered within the timeout.
	wait_for 120 b_back a || { echo "manager's session to B not reinstated"; return 1; }
	! since a | grep -q "no session after replacement_timeout" ||
		{ echo "a backing session gave up"; return 1; }
}

# b. The partition outlasts the manager's recovery timeout.
case_b() {
	local r0 f0 e0 rc out
	r0=$(hstat reflected)
	f0=$(hstat fallbacks)
	e0=$(rvol_stat vol errors)
	head -c $((1 << 20)) /dev/urandom >/tmp/patb
	mark b
	mpart on || return 1
	# Proxied: must end with an error, not hang (bounded generously).
	out=$(timeout 400 dd if=/tmp/patb of="$SDEV" bs=1M seek=24 oflag=direct status=none 2>&1)
	rc=$?
	log "stock host's write: rc $rc: $out"
	if [ $rc -eq 124 ] || [ $rc -eq 0 ]; then
		mpart off
		echo "proxied write hung or succeeded while partitioned (rc $rc)"
		return 1
	fi
	# Reflected I/O still works while the manager has lost B.
	fio_verify "$DEV" $R_HOST || { mpart off; echo "reflected I/O failed"; return 1; }
	[ "$(hstat reflected)" -gt "$r0" ] || { mpart off; echo "reflected did not move"; return 1; }
	[ "$(hstat fallbacks)" = "$f0" ] || { mpart off; echo "fallbacks moved"; return 1; }
	mark b-heal
	mpart off || return 1
	since b | grep -E "reflect|disk-b|10\.0\.0\.12|${SDEV#/dev/}\]" | grep -v "fault_manager_disk" | head -n 25
	since b | grep -q "$DB: no session after replacement_timeout" ||
		{ echo "no log line naming disk B"; return 1; }
	since b | grep -q "${SDEV#/dev/}\].*Logical unit communication failure" ||
		{ echo "the stock host did not see LOGICAL UNIT COMMUNICATION FAILURE"; return 1; }
	[ "$(rvol_stat vol errors)" -gt "$e0" ] || { echo "volume errors did not move"; return 1; }
	# Back by itself.
	wait_for 240 b_back b-heal || { echo "manager's session to B not back"; return 1; }
	wait_for 60 proxied_ok || { echo "proxied I/O does not work again"; return 1; }
	fio_verify "$SDEV" $R_STOCK || { echo "proxied fio failed after the heal"; return 1; }
	pre_intact "$SDEV" && pre_intact "$DEV"
}

# c. SYNCHRONIZE CACHE from the reflecting host while the manager has
# lost B: the manager sends it to A, B and C.
case_c() {
	local rc out
	mark c
	mpart on || return 1
	out=$(timeout 400 sg_sync -v --16 --timeout=150 "$DEV" 2>&1)
	rc=$?
	log "sg_sync during the partition: rc $rc: $(echo "$out" | tr '\n' ' ')"
	mark c-heal
	mpart off
	since c | grep -E "reflect|disk-b|10\.0\.0\.12|SYNCHRONIZE" | grep -v "fault_manager_disk" | head -n 20
	log "volume: $(tr '\n' ' ' <"$RVOL_CFG/vol/stats")"
	[ $rc -ne 124 ] || { echo "SYNCHRONIZE CACHE hung"; return 1; }
	[ $rc -ne 0 ] || { echo "SYNCHRONIZE CACHE succeeded while B was unreachable"; return 1; }
	echo "$out" | grep -qi "communication failure" ||
		{ echo "no LOGICAL UNIT COMMUNICATION FAILURE"; return 1; }
	since c | grep -q "SYNCHRONIZE CACHE failed on a backing LU" || return 1
	wait_for 240 b_back c-heal || { echo "manager's session to B not back"; return 1; }
	# After the heal it reaches every LU again.
	wait_for 60 sg_sync --16 --timeout=150 "$DEV" || { echo "SYNCHRONIZE CACHE still fails"; return 1; }
	pre_intact "$DEV" && pre_intact "$SDEV"
}

# c2. The same through the block layer: fsync of the reflecting host's
# disk (what sync does for a mounted filesystem) sends SYNCHRONIZE CACHE
# with sd's flush timeout (twice the command timeout: 60 s by default).
case_c2() {
	local rc out
	log "host disk timeout: $(cat "/sys/block/${DEV#/dev/}/device/timeout") s"
	mark c2
	mpart on || return 1
	out=$(timeout 400 sync "$DEV" 2>&1)
	rc=$?
	log "sync $DEV during the partition: rc $rc: $out"
	mark c2-heal
	mpart off
	since c2 | grep -E "reflect|disk-b|10\.0\.0\.12|SYNCHRONIZE|${DEV#/dev/}\]" |
		grep -v "fault_manager_disk" | head -n 20
	[ $rc -ne 124 ] || { echo "sync hung"; return 1; }
	wait_for 240 b_back c2-heal || { echo "manager's session to B not back"; return 1; }
	wait_for 60 sync "$DEV" || { echo "sync still fails"; return 1; }
	pre_intact "$DEV"
}

# The manager's count of task management requests that abort or reset.
tmf_count() {
	awk '/^task_mgmt_(aborts|resets) / { n += $2 } END { print n + 0 }' \
		"$RFL/$P:vol/tpgt_1/statistics"
}

# d. The stock host's command timeout (5 s) runs out while the manager
# holds its proxied write (the manager's session to B is recovering). The
# host's SCSI error handling sends ABORT TASK; the manager's LIO core
# finishes the abort once the held backing command ends (after the heal,
# or at the backing replacement_timeout), and open-iscsi escalates (LU
# reset, session recovery) if that is later than its abort timeout.
case_d() {
	local t0 rc out hp dev=/sys/block/${SDEV#/dev/}/device
	t0=$(tmf_count)
	head -c $((1 << 20)) /dev/urandom >/tmp/patd
	echo 5 >"$dev/timeout" || return 1
	mark d
	mpart on || return 1
	(sleep 15; mpart off; mark d-heal) &
	hp=$!
	out=$(timeout 400 dd if=/tmp/patd of="$SDEV" bs=1M seek=24 oflag=direct status=none 2>&1)
	rc=$?
	wait $hp
	echo 120 >"$dev/timeout"
	log "stock host's write: rc $rc: $out"
	log "manager: $(grep -E '^task_mgmt' "$RFL/$P:vol/tpgt_1/statistics" | tr '\n' ' ')"
	log "stock host's device: $(cat "$dev/state")"
	since d | grep -E "reflect|disk-b|10\.0\.0\.12|${SDEV#/dev/}\]|connection[0-9]|session[0-9]" |
		grep -v "fault_manager_disk" | head -n 30
	[ $rc -ne 124 ] || { echo "the stock host's write hung"; return 1; }
	[ "$(tmf_count)" -gt "$t0" ] ||
		{ echo "the manager counted no abort or reset"; return 1; }
	wait_for 240 b_back d || { echo "manager's session to B not back"; return 1; }
	wait_for 120 proxied_ok || { echo "proxied I/O does not work again"; return 1; }
	# A write that succeeded is there; one that failed is written again.
	if [ $rc -ne 0 ]; then
		dd if=/tmp/patd of="$SDEV" bs=1M seek=24 oflag=direct status=none || return 1
	fi
	dd if="$SDEV" of=/tmp/patd.back bs=1M skip=24 count=1 iflag=direct status=none &&
		cmp /tmp/patd /tmp/patd.back || { echo "the write is not there"; return 1; }
	cmp <(dd if="$DEV" bs=1M skip=24 count=1 iflag=direct status=none) /tmp/patd ||
		{ echo "the reflecting host reads other data"; return 1; }
	pre_intact "$SDEV" && pre_intact "$DEV"
}

final_verify() {
	fio_verify "$DEV" $R_HOST && fio_verify "$SDEV" $R_STOCK &&
		pre_intact "$DEV" && pre_intact "$SDEV"
}

stock_logout() {
	iscsi_logout_all
	iscsi_stop
}

t_plan 12
t_run "manager modules and stock LIO load" eval 'modprobe nf_tables && rvol_load' || t_bail "no modules"
t_run "disks A, B, C; a striped volume exported by reflect" setup || t_bail "no volume"
t_run "reflect_initiator host logs in with reflection" login || t_bail "no disk"
DEV=$(host_disk)
t_run "stock open-iscsi host logs in (proxy), a pattern written" \
	eval 'stock_login && pre_write && pre_intact "$SDEV"' || t_bail "no stock host"
SDEV=$(iscsi_disk_of "$P:vol") && SDEV=/dev/$SDEV
t_run "a. manager cut from disk B for 8 s during I/O: reflected I/O goes on, proxied I/O completes after, data verified" \
	case_a
t_run "b. manager cut from disk B past its timeout: proxied I/O fails with CHECK CONDITION, reflected I/O works, recovery by itself, data intact" \
	case_b
t_run "c. SYNCHRONIZE CACHE from the reflecting host during the partition ends with an error, then succeeds after the heal" \
	case_c
t_run "c2. sync (fsync of the reflecting host's disk) during the partition ends, then succeeds after the heal" \
	case_c2
t_run "d. the stock host aborts a proxied write the manager holds: counted, the write ends, proxied I/O works after the heal, data verified" \
	case_d
t_run "fio verify on both hosts, the pattern intact" final_verify
log "host: $(tr '\n' ' ' <"$T/stats")"
log "volume: $(tr '\n' ' ' <"$RVOL_CFG/vol/stats")"
t_run "stock host logs out" stock_logout
t_run "logout, teardown, every module unloads" teardown
t_done

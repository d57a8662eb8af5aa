#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# reflect_initiator against a raw-socket fake target (lib/fake_target.py)
# that logs in properly and then misbehaves on the first SCSI command: a
# Data-In larger than the command's buffer, a response for an unknown ITT,
# a wrong header digest, a StatSN jump, a truncated PDU and close, a
# reserved opcode, and a late Data-In for a command whose ABORT TASK was
# answered "task does not exist". Each time the initiator logs one line
# naming the cause and, except for the StatSN jump and the late Data-In
# (logged, the session goes on), drops the connection and reinstates the
# session (connection_failures counts it once); the target object is then
# disabled and removed, and the module unloads at the end. The late
# Data-In must be counted in late_pdus, and the next command (a rescan's
# INQUIRY) must not carry the aborted command's ITT (else late data could
# land in it). The "reuse" case makes that happen: with a queue depth of
# 1 the next command has the aborted one's blk-mq tag, and the fake target
# sends the late Data-In only once that command has arrived; it must still
# be dropped and counted as late, not taken as the new command's data.
# The "window" case answers with an ExpCmdSN/MaxCmdSN pair that, taken
# one value at a time, would leave no command window: it must be logged,
# counted in ignored_windows and ignored, and the next command must still
# reach the target.

. "$(dirname "$0")/../lib/vmlib.sh"

PORT=3270
FAKE=$RFL_REPO/tools/testing/selftests/reflect/lib/fake_target.py
INI=/sys/kernel/config/reflect_initiator
FAKE_PID=

ini_load() {
	modprobe libcrc32c && modprobe sd_mod || return 1
	insmod "$RFL_MODDIR/kernel/proto/reflect_proto.ko" || return 1
	insmod "$RFL_MODDIR/kernel/initiator/reflect_initiator.ko" || return 1
	test -d "$INI/targets"
}

stat_of() {
	sed -n "s/^$2 //p" "$INI/targets/$1/stats"
}

fake_listening() {
	grep -q "listening on" "/tmp/fake-$1.log"
}

# new_log: the kernel log since the scenario started.
new_log() {
	dmesg | tail -n +"$((DMESG_BASE + 1))"
}

fake_misbehaved() {
	grep -q "misbehaving: $1" "/tmp/fake-$1.log"
}

logged_in_again() {
	[ "$(cat "$INI/targets/$1/state")" = logged-in ] &&
		[ "$(stat_of "$1" reconnects)" -ge 1 ]
}

# scenario NAME DIGEST DROPS PATTERN: the fake target misbehaves as NAME;
# dmesg shows PATTERN exactly once; with DROPS 1 the connection was
# dropped and the session came back; connection_failures is DROPS; then
# disable and rmdir.
scenario() {
	local rescan_pid=
	local name=$1 digest=$2 drops=$3 pattern=$4 t=$INI/targets/$1 n
	DMESG_BASE=$(dmesg | wc -l)
	python3 "$FAKE" $PORT "$name" >"/tmp/fake-$name.log" 2>&1 &
	FAKE_PID=$!
	wait_for 60 fake_listening "$name" ||
		{ cat "/tmp/fake-$name.log"; return 1; }
	mkdir "$t" || return 1
	echo iqn.2026-11.org.reflect.test:fake >"$t/target_iqn" &&
		echo 127.0.0.1:$PORT >"$t/portal" &&
		echo 5 >"$t/replacement_timeout" &&
		echo 0 >"$t/reflection" &&
		echo "$digest" >"$t/header_digest" || return 1
	if [ "$name" = reuse ]; then
		echo 1 >"$t/queue_depth" || return 1
	fi
	timeout 300 sh -c "echo 1 >$t/enable" ||
		{ echo "enable failed"; cat "$t/last_error"; return 1; }
	grep -qx "HeaderDigest=$digest" "$t/negotiated" ||
		{ cat "$t/negotiated"; return 1; }
	wait_for 120 fake_misbehaved "$name" ||
		{ echo "no SCSI command reached the fake target"; cat "/tmp/fake-$name.log"; return 1; }
	if [ "$name" = reuse ]; then
		# The late Data-In waits for a next command: a rescan's.
		wait_for 120 grep -q "ABORT TASK of ITT" "/tmp/fake-$name.log" ||
			{ echo "no ABORT TASK"; cat "/tmp/fake-$name.log"; return 1; }
		rescan &
		rescan_pid=$!
	fi
	wait_for 120 eval "new_log | grep -q \"reflect_initiator: .*$pattern\"" ||
		{ echo "no log line: $pattern"; new_log | tail -n 20; return 1; }
	if [ "$drops" = 1 ]; then
		wait_for 120 logged_in_again "$name" ||
			{ echo "session not reinstated: $(cat "$t/state")"; cat "$t/stats"; return 1; }
	fi
	# Give the scan time to settle, then count the lines.
	sleep 2
	n=$(new_log | grep -c "reflect_initiator: .*$pattern")
	log "$name: $n line(s): $(new_log | grep "reflect_initiator: .*$pattern" | head -n 1)"
	[ "$n" -eq 1 ] || { new_log | grep reflect_initiator; return 1; }
	log "$name: state $(cat "$t/state"), $(tr '\n' ' ' <"$t/stats")"
	# Each dropped connection is counted once, and only then.
	[ "$(stat_of "$name" connection_failures)" = "$drops" ] ||
		{ echo "connection_failures is not $drops"; cat "$t/stats"; return 1; }
	if [ "$name" = window ]; then
		[ "$(stat_of "$name" ignored_windows)" = 1 ] ||
			{ echo "ignored_windows is not 1"; cat "$t/stats"; return 1; }
		rescan
		wait_for 120 grep -q "next command after the window jump" "/tmp/fake-$name.log" ||
			{ echo "no command after the window jump"; cat "/tmp/fake-$name.log"; return 1; }
	fi
	if [ "$name" = late ] || [ "$name" = reuse ]; then
		[ "$(stat_of "$name" late_pdus)" = 1 ] ||
			{ echo "late_pdus is not 1"; cat "$t/stats"; return 1; }
		[ "$name" = late ] && rescan
		wait_for 60 grep -q "reused: " "/tmp/fake-$name.log" ||
			{ echo "no command after the abort"; cat "/tmp/fake-$name.log"; return 1; }
		grep -q "reused: no" "/tmp/fake-$name.log" ||
			{ echo "the aborted ITT was reused"; cat "/tmp/fake-$name.log"; return 1; }
		# Else the case did not test what it says.
		if [ "$name" = reuse ]; then
			grep -q "same tag: yes" "/tmp/fake-$name.log" ||
				{ echo "the next command had another tag"; cat "/tmp/fake-$name.log"; return 1; }
		fi
	fi
	[ -n "$rescan_pid" ] && wait "$rescan_pid"
	timeout 300 sh -c "echo 0 >$t/enable" || { echo "disable failed"; return 1; }
	[ "$(cat "$t/state")" = disabled ] || return 1
	rmdir "$t" || return 1
	kill "$FAKE_PID"
	wait "$FAKE_PID" 2>/dev/null
	FAKE_PID=
	sed 's/^/fake: /' "/tmp/fake-$name.log"
	return 0
}

rescan() {
	local n

	for n in /sys/class/scsi_host/host*/scan; do
		echo "- - -" >"$n"
	done
}

fake_cleanup() {
	[ -n "$FAKE_PID" ] && kill "$FAKE_PID" 2>/dev/null
	FAKE_PID=
	rmdir "$INI"/targets/* 2>/dev/null
	return 0
}

t_plan 11
t_run "reflect_proto and reflect_initiator load" ini_load || t_bail "no module"
echo iqn.2026-11.org.reflect.test:fake-host >"$INI/initiator_name"
t_run "Data-In beyond the command's buffer: dropped, reinstated" \
	scenario dataover None 1 "Data-In outside the buffer" || fake_cleanup
t_run "SCSI Response for an unknown ITT: dropped, reinstated" \
	scenario unknownitt None 1 "SCSI Response for unknown ITT" || fake_cleanup
t_run "wrong header digest: dropped, reinstated" \
	scenario hdigest CRC32C 1 "header digest error" || fake_cleanup
t_run "StatSN jump: logged, the session goes on" \
	scenario statsn None 0 "StatSN [0-9]*, expected" || fake_cleanup
t_run "truncated PDU and close: dropped, reinstated" \
	scenario truncated None 1 "connection failed" || fake_cleanup
t_run "reserved opcode: dropped, reinstated" \
	scenario opcode None 1 "malformed .* PDU: reserved opcode" || fake_cleanup
t_run "late Data-In for an aborted command: dropped, counted, the session goes on" \
	scenario late None 0 "Data-In for ITT 0x[0-9a-f]*, a task that task management ended: dropped" ||
	fake_cleanup
t_run "late Data-In after the next command with the same tag: dropped, not taken as its data" \
	scenario reuse None 0 "Data-In for ITT 0x[0-9a-f]*, a task that task management ended: dropped" ||
	fake_cleanup
t_run "ExpCmdSN/MaxCmdSN that would leave no window: ignored, counted, commands go on" \
	scenario window None 0 "ExpCmdSN [0-9]*, MaxCmdSN [0-9]* make no command window with ours .*: ignored" ||
	fake_cleanup
t_run "rmmod reflect_initiator and reflect_proto" \
	eval 'rmmod reflect_initiator && rmmod reflect_proto'
t_done

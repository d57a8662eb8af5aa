#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# reflect_target against a small raw-socket peer (lib/target_peer.py)
# that logs in and then sends what a target must refuse: a vendor-specific
# opcode, a Login PDU in full feature phase, a Data-Out for an unknown
# task, a command outside the CmdSN window, a data segment beyond
# MaxRecvDataSegmentLength, bad header and data digests. Each gets a
# Reject, is dropped, or drops the connection, with a log line and the
# exact change of tpgt_1/statistics; NOP-Out pings prove the connection
# still works in between, and a new session logs in and out afterwards.
# More adversaries: vm/target_adversary.sh.

. "$(dirname "$0")/../lib/vmlib.sh"

IQN=iqn.2026-11.org.reflect.test:target-raw
PORT=3261
TPG=$LIO/reflect/$IQN/tpgt_1
. "$RFL_REPO/tools/testing/selftests/reflect/lib/target_peer.sh"

t_plan 10
t_run "target up" tpeer_setup || t_bail "no target"
stats_snap
t_run "raw peer: login, Rejects, drops, pings, oversized segment" peer all
t_run "log: vendor opcode" new_log "vendor-specific opcode|opcode 0x1c" 1
t_run "log: Login in full feature phase" new_log "Login PDU in full feature phase" 1
t_run "log: Data-Out for an unknown task" new_log "Data-Out for unknown ITT" 1
t_run "log and statistics: CmdSN outside the window, oversized segment, Data-Out discarded" \
	eval 'new_log "CmdSN 2147418112, expected" 1 &&
	new_log "malformed NOP-Out PDU" 1 &&
	stats_delta logins=1 rejects_sent=2 cmdsn_drops=1 protocol_error_drops=1 \
		data_out_discards=1'
stats_snap
t_run "bad header digest drops the connection" \
	eval 'peer hdigest && new_log "header digest error" 1 &&
	stats_delta logins=1 header_digest_errors=1 protocol_error_drops=1'
stats_snap
t_run "bad data digest drops the connection" \
	eval 'peer ddigest && new_log "data digest error" 1 &&
	stats_delta logins=1 data_digest_errors=1 protocol_error_drops=1'
stats_snap
t_run "target keeps serving: a new session logs in and out" \
	eval 'peer ping && stats_delta logins=1 logouts=1'
t_run "teardown and rmmod" tpeer_teardown
t_done

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# timeout: 600
#
# reflect_target against a malicious initiator (lib/target_peer.py): a
# Data-Out with a forged TTT for a live WRITE, a command reusing the ITT
# of a live one, a DataSegmentLength of 0xffffff with no data (login and
# full feature phase), half a BHS and then a close or silence, slow-loris
# logins beside a normal one, and refused logins of each reason class.
# Each case asserts the outcome (Reject, drop, timeout), one log line of
# its cause and the exact change of every counter of tpgt_1/statistics;
# a normal session with I/O checks tpgt_1/sessions and that the target
# still serves. See Documentation/faults.rst, "Adversary initiators".

. "$(dirname "$0")/../lib/vmlib.sh"

IQN=iqn.2026-11.org.reflect.test:target-adv
PORT=3262
TPG=$LIO/reflect/$IQN/tpgt_1
. "$RFL_REPO/tools/testing/selftests/reflect/lib/target_peer.sh"

attrib() {
	echo "$2" >"$TPG/attrib/$1"
}

t_plan 13
t_run "target up" tpeer_setup || t_bail "no target"

stats_snap
t_run "normal session: WRITE, READ, sessions line, logout" \
	eval 'peer io && stats_delta logins=1 logouts=1 && sessions_gone'

stats_snap
t_run "forged TTT on a Data-Out of a live WRITE: connection dropped" \
	eval 'peer ttt && new_log "data not solicited by an R2T" 1 &&
	stats_delta logins=1 protocol_error_drops=1 && sessions_gone'

stats_snap
t_run "duplicate ITT of a live WRITE: Reject, the WRITE completes" \
	eval 'peer itt && new_log "ITT 0x40 of a live task: rejected" 1 &&
	stats_delta logins=1 rejects_sent=1 logouts=1'

stats_snap
t_run "DataSegmentLength 0xffffff without data in full feature phase" \
	eval 'peer hugedsl &&
	new_log "malformed NOP-Out PDU: data segment exceeds" 1 &&
	stats_delta logins=1 protocol_error_drops=1'

stats_snap
t_run "DataSegmentLength 0xffffff without data in a Login" \
	eval 'peer hugedsl_login &&
	new_log "malformed Login PDU: data segment exceeds" 1 &&
	stats_delta protocol_error_drops=1 login_failures_protocol=1'

stats_snap
t_run "half a BHS, then close: session ends, nothing counted" \
	eval 'peer half_close && sessions_gone && new_log "closed: " 0 &&
	stats_delta logins=1'

attrib nopin_timeout 1
attrib nopin_response_timeout 2
stats_snap
t_run "half a BHS, then silence: the NOP-In ping times out" \
	eval 'peer half_silence && new_log "no NOP-Out answer" 1 &&
	stats_delta logins=1 nopin_timeouts=1 && sessions_gone'
attrib nopin_timeout 0

attrib login_timeout 5
stats_snap
t_run "slow-loris logins time out, a normal login meanwhile succeeds" \
	eval 'peer slowloris && new_log "closed: login timed out" 2 &&
	stats_delta logins=1 logouts=1 login_timeouts=2'
attrib login_timeout 15

stats_snap
t_run "refused logins: unknown target, no InitiatorName" \
	eval 'peer badlogins && new_log "refused: no such target" 1 &&
	new_log "refused: no InitiatorName" 1 &&
	stats_delta login_failures_target=1 login_failures_protocol=1'

attrib authentication 1
stats_snap
t_run "refused login: CHAP required, none offered" \
	eval 'peer noauth && new_log "refused: CHAP required" 1 &&
	stats_delta login_failures_auth=1'
attrib authentication 0

stats_snap
t_run "target keeps serving: I/O on a new session" \
	eval 'peer io && stats_delta logins=1 logouts=1'
t_run "teardown and rmmod" tpeer_teardown
t_done

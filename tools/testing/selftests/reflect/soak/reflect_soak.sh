#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Soak: verified I/O on a reflected volume with random faults, for a chosen
# time. Runs in the guest (scripts/soak boots it): the topology of
# vm/fault_reflect.sh, then rounds of fio verified writes (mixed block
# sizes, queue depth 16) until SECONDS have passed; during each round one
# fault drawn at random is injected at a random moment:
#   disk     a backing disk's portal group off for 1-4 s
#   manager  the manager's portal group off for 1-3 s
#   map      the volume's map replaced twice (same placement)
#   netem    the host's link delayed 20-80 ms with 1-3 % loss and
#            reordering for 3-8 s
#   cut      the host cut off from the disks for 2-5 s (shorter than the
#            pool's replacement timeout)
# A last fault-free round verifies the whole volume again. Prints one
# summary line: rounds, faults by kind (those injected as drawn),
# injections that failed, MiB written and verified (rounds that verified),
# the host's and the volume's counters, and PASS or FAIL; exits non-zero
# on any verification failure, failed injection or kernel report (the
# runner checks those).
#
# Usage (guest): reflect_soak.sh SECONDS [SEED]

. "$(dirname "$0")/../lib/vmlib.sh"
. "$(dirname "$0")/../lib/reflect_fault.sh"

DURATION=${1:-1800}
SEED=${2:-$$}
RANDOM=$SEED
ROUND_MIB=16
HOSTDEV=vhost-mgr

declare -A FAULTS=([disk]=0 [manager]=0 [map]=0 [netem]=0 [cut]=0)

fault_disk() {
	local x=${1:-b} s=$2
	echo 0 >"$LIO/iscsi/$D:disk-$x/tpgt_1/enable" || return 1
	sleep "$s"
	echo 1 >"$LIO/iscsi/$D:disk-$x/tpgt_1/enable"
}

fault_manager() {
	echo 0 >"$RFL/$P:vol/tpgt_1/enable" || return 1
	sleep "$1"
	echo 1 >"$RFL/$P:vol/tpgt_1/enable"
}

fault_netem() {
	ip netns exec host tc qdisc replace dev $HOSTDEV root netem \
		delay "$1ms" 10ms loss "$2%" reorder 5% 50% || return 1
	sleep "$3"
	ip netns exec host tc qdisc del dev $HOSTDEV root
}

fault_cut() {
	cut on || return 1
	sleep "$1"
	cut off
}

# inject: one fault drawn at random, after a random delay into the round.
# Prints its kind, with "failed" after it when the injection itself failed
# (the rig is broken then: not counted as a fault, and the run fails).
inject() {
	local kinds=(disk manager map netem cut) k disks=(a b c)
	k=${kinds[RANDOM % 5]}
	sleep $((1 + RANDOM % 4))
	case $k in
	disk) fault_disk "${disks[RANDOM % 3]}" $((1 + RANDOM % 4)) ;;
	manager) fault_manager $((1 + RANDOM % 3)) ;;
	map) map_swap ;;
	netem) fault_netem $((20 + RANDOM % 61)) $((1 + RANDOM % 3)) $((3 + RANDOM % 6)) ;;
	cut) fault_cut $((2 + RANDOM % 4)) ;;
	esac || { echo "$k failed"; return; }
	echo "$k"
}

rounds=0
failed=0
bad_faults=0
mib=0
rvol_load && setup && login || { echo "soak: setup failed"; exit 1; }
DEV=$(host_disk)
log "soak: ${DURATION}s on $DEV, seed $SEED"
# Each round writes 16 MiB at one of eight offsets (up to 44 MiB; the
# volume has 46).
while [ "$SECONDS" -lt "$DURATION" ]; do
	inject >/tmp/fault.$rounds &
	ipid=$!
	ok=1
	if ! fio_verify "$DEV" --size=${ROUND_MIB}m --offset=$(( (RANDOM % 8) * 4 ))m; then
		failed=$((failed + 1))
		ok=0
		dmesg | tail -n 30
	fi
	wait $ipid
	read -r k kf </tmp/fault.$rounds
	if [ -n "$kf" ]; then
		echo "# fault $k: injection failed" >&2
		bad_faults=$((bad_faults + 1))
	else
		FAULTS[$k]=$((FAULTS[$k] + 1))
	fi
	rounds=$((rounds + 1))
	[ $ok -eq 1 ] && mib=$((mib + ROUND_MIB))
	log "round $rounds: fault $k${kf:+ (injection failed)}, $( [ $failed -eq 0 ] && echo verified || echo "$failed failed so far")"
done
# A fault-free pass over the whole volume.
if fio_verify "$DEV" --size=100%; then
	mib=$((mib + 96000 / 2048))
else
	failed=$((failed + 1))
fi
faults=0
summary=
for k in disk manager map netem cut; do
	faults=$((faults + FAULTS[$k]))
	summary+=" $k=${FAULTS[$k]}"
done
log "host: $(tr '\n' ' ' <"$T/stats")"
log "volume: $(tr '\n' ' ' <"$RVOL_CFG/vol/stats")"
teardown || { echo "soak: teardown failed"; failed=$((failed + 1)); }
result=PASS
[ $failed -eq 0 ] && [ $bad_faults -eq 0 ] || result=FAIL
echo "soak: ${SECONDS}s, $rounds rounds, $faults faults ($summary ), $bad_faults failed injection(s), ${mib} MiB written and verified, $failed verification failure(s): $result"
[ "$result" = PASS ]

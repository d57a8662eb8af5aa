#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The VM runner's own test: a failing script, a kernel oops, a kernel
# warning and a hang must each fail the run with the console log shown; a
# guest left hanging by an oops is stopped without waiting for the timeout;
# a clean script must pass; a boot that crashes before the script starts
# is booted again, named, and only that. Runs on the host; boots one VM
# per case. The
# kmemleak allowlist of known peer leaks (VM_PEER_LEAKS) is checked without
# a VM, on logs shaped like a debug-kernel guest's: a leak in allowlisted
# peer code passes, any other leak still fails.
# smoke

. "$(dirname "$0")/../lib/vmlib.sh"

KERNEL=${KERNEL:-6.1}
TOP=$(cd "$(dirname "$0")/../../../../.." && pwd)
VM=$TOP/scripts/vm
W=$(mktemp -d /tmp/rfl-runner.XXXXXX)
trap 'rm -rf "$W"' EXIT

. "$TOP/scripts/vm-lib.sh"
vm_resolve_kernel "$KERNEL" || t_bail "no kernel $KERNEL"
MOD=$TOP/build/$REL/src/tools/testing/selftests/reflect/modules/rfl_oops_test.ko
[ -f "$MOD" ] || t_bail "$MOD not built: make modules KVER=$REL"

t_plan 11

# run_case NAME EXPECTED_RC BODY TIMEOUT PATTERN...: the runner's stdout
# or stderr must match each PATTERN, and must not match a "!PATTERN".
run_case() {
	local name=$1 want=$2 body=$3 timeout=${4:-600}
	shift 4
	printf '%s\n' "$body" >"$W/$name.sh"
	"$VM" -k "$KERNEL" -t "$timeout" "$W/$name.sh" >"$W/$name.out" 2>"$W/$name.err"
	local rc=$?
	if [ "$rc" -ne "$want" ]; then
		echo "runner exited $rc, expected $want"
		sed 's/^/  /' "$W/$name.err" | tail -n 20
		return 1
	fi
	local pat
	for pat in "$@"; do
		case $pat in
		!*)	! grep -q -e "${pat#!}" "$W/$name.out" "$W/$name.err" ||
				{ echo "runner output has '${pat#!}'"; return 1; } ;;
		*)	grep -q -e "$pat" "$W/$name.out" "$W/$name.err" ||
				{ echo "runner output lacks '$pat'"; return 1; } ;;
		esac
	done
}

run_case_t() { local d=$1; shift; run_case "$@"; t_result $? "$d"; }

# A kmemleak record as the debug kernel writes it: leak_record FUNCTION
# MODULE, the allocating frame under __kmalloc.
leak_record() {
	cat <<-EOT
	unreferenced object 0xff1100000570f400 (size 512):
	  comm "iscsi_ttx", pid 279, jiffies 4294828687
	  hex dump (first 32 bytes):
	    54 61 72 67 65 74 4e 61 6d 65 3d 69 71 6e 2e 32  TargetName=iqn.2
	    30 32 36 2d 31 31 2e 6f 72 67 2e 72 65 66 6c 65  026-11.org.refle
	  backtrace:
	    [<00000000cb123abc>] __kmalloc+0x48/0x160
	    [<0000000066f927b1>] $1+0x192/0x990 [$2]
	    [<00000000afd49d69>] iscsi_target_tx_thread+0x2f2/0x580 [iscsi_target_mod]
	    [<00000000af26e6bd>] kthread+0x291/0x340
	    [<000000004a6eb2d7>] ret_from_fork+0x22/0x30
	EOT
}

# leak_case NAME OURS RECORD-ARGS...: a finished guest's logs with those
# kmemleak records, of which OURS must stay reports that fail the run (the
# others allowlisted); vm_guest_reports must say so.
leak_case() {
	local name=$1 want=$2 d=$W/$1 out err ours peer
	shift 2
	mkdir -p "$d"
	echo "[  265.6] kmemleak: $(($# / 2)) new suspected memory leaks (see /sys/kernel/debug/kmemleak)" >"$d/dmesg.log"
	: >"$d/console.log"
	: >"$d/kmemleak.log"
	while [ $# -ge 2 ]; do
		leak_record "$1" "$2" >>"$d/kmemleak.log"
		shift 2
	done
	out=$(vm_guest_reports "$d" 2>"$d/err")
	err=$(cat "$d/err")
	ours=$(grep -c '^unreferenced object' "$d/kmemleak-ours.log")
	peer=$(grep -c '^unreferenced object' "$d/kmemleak-peer.log")
	echo "reports: ${out:-none}; stderr: ${err:-none}; ours $ours, peer $peer"
	[ "$ours" -eq "$want" ] || return 1
	if [ "$want" -gt 0 ]; then
		grep -q 'unreferenced object' <<<"$out" || return 1
	else
		[ -z "$out" ] || return 1
	fi
	if [ "$peer" -gt 0 ]; then
		grep -q 'known peer leak (not ours)' <<<"$err"
	else
		[ -z "$err" ]
	fi
}

t_run "kmemleak: a leak in allowlisted peer code passes, named as a known peer leak" \
	leak_case peer 0 \
	iscsit_build_sendtargets_response.constprop.0 iscsi_target_mod \
	iscsit_build_sendtargets_response iscsi_target_mod

t_run "kmemleak: a leak in our code fails even beside an allowlisted one" \
	leak_case mixed 1 \
	iscsit_build_sendtargets_response.constprop.0 iscsi_target_mod \
	rfl_ini_text_rsp reflect_initiator

t_run "kmemleak: a near miss (other module, longer name) fails" \
	leak_case nearmiss 2 \
	iscsit_build_sendtargets_response reflect_target \
	iscsit_build_sendtargets_response_v2 iscsi_target_mod

run_case_t "a clean script passes and its output is shown" \
	clean 0 'echo rfl-marker-$((6 * 7)); exit 0' 600 'rfl-marker-42'

run_case_t "a script exiting 1 fails the run, console log shown" \
	exit1 1 'exit 1' 600 'the script exited 1' 'console log' 'vm-guest: script exited 1'

# A NULL dereference reads "Oops" on the distro kernels, but "general
# protection fault ... KASAN: null-ptr-deref" on a KASAN kernel (the
# shadow check faults first); the runner takes both for an oops.
OOPS='Oops\|general protection fault'

run_case_t "an oops at module load fails a script that passed, no second boot" \
	oops 1 "insmod $MOD mode=oops; exit 0" 600 \
	'the kernel reported:' "$OOPS" 'console log' 'rfl_oops_test' '!booting again'

# A crash before the script starts ran nothing of ours (the stock kernel's
# early boot under TCG): that boot is repeated, named, and the script's
# result is the run's; a crash on every boot still fails.
RFL_VM_SELFTEST_EARLY_CRASH=1 run_case_t \
	"a crash before the script starts is named and booted again" \
	earlycrash 0 'echo rfl-marker-$((6 * 7)); exit 0' 600 \
	'boot 1 of 3 .*failed before the script started.*sysrq' 'rfl-marker-42' \
	'!boot 2 of 3'

RFL_VM_SELFTEST_EARLY_CRASH=3 run_case_t \
	"a crash on every boot before the script fails the run" \
	earlycrash3 1 'echo rfl-marker-$((6 * 7)); exit 0' 600 \
	'boot 2 of 3 .*failed before the script started' 'sysrq' \
	'the guest never reported a status\|the kernel reported' '!rfl-marker-42'

run_case_t "a guest hung after an oops is stopped, not left to the timeout" \
	oopshang 1 "insmod $MOD mode=oops; sleep 100000" 900 \
	'the kernel oopsed; guest stopped' "$OOPS" 'rfl_oops_test'

run_case_t "a kernel WARNING fails a script that passed" \
	warn 1 "insmod $MOD mode=warn && rmmod rfl_oops_test; exit 0" 600 \
	'the kernel reported:.*WARNING' 'rfl_oops_test_init'

run_case_t "a hung guest fails on the hard timeout" \
	hang 1 'sleep 100000' 60 'timed out after 60s' 'console log'

t_done

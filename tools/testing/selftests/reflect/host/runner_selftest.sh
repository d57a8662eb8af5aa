#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The VM runner's own test: a failing script, a kernel oops, a kernel
# warning and a hang must each fail the run with the console log shown; a
# guest left hanging by an oops is stopped without waiting for the timeout;
# a clean script must pass. Runs on the host; boots one VM per case.
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

t_plan 6

# case NAME EXPECTED_RC GREP... -- script body
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
		grep -q -e "$pat" "$W/$name.out" "$W/$name.err" ||
			{ echo "runner output lacks '$pat'"; return 1; }
	done
}

run_case_t() { local d=$1; shift; run_case "$@"; t_result $? "$d"; }

run_case_t "a clean script passes and its output is shown" \
	clean 0 'echo rfl-marker-$((6 * 7)); exit 0' 600 'rfl-marker-42'

run_case_t "a script exiting 1 fails the run, console log shown" \
	exit1 1 'exit 1' 600 'the script exited 1' 'console log' 'vm-guest: script exited 1'

run_case_t "an oops at module load fails a script that passed" \
	oops 1 "insmod $MOD mode=oops; exit 0" 600 \
	'the kernel reported:' 'Oops' 'console log' 'rfl_oops_test'

run_case_t "a guest hung after an oops is stopped, not left to the timeout" \
	oopshang 1 "insmod $MOD mode=oops; sleep 100000" 900 \
	'the kernel oopsed; guest stopped' 'Oops' 'rfl_oops_test'

run_case_t "a kernel WARNING fails a script that passed" \
	warn 1 "insmod $MOD mode=warn && rmmod rfl_oops_test; exit 0" 600 \
	'the kernel reported:.*WARNING' 'rfl_oops_test_init'

run_case_t "a hung guest fails on the hard timeout" \
	hang 1 'sleep 100000' 60 'timed out after 60s' 'console log'

t_done

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# reflect_proto.ko on the running kernel: its known-answer selftest
# (CRC32C vectors, BHS validation, a text parse and negotiation round)
# passes at load, a plain load and unload work, and the exported symbols
# are there for the modules that build on it.
# smoke

. "$(dirname "$0")/../lib/vmlib.sh"

MOD=$RFL_MODDIR/kernel/proto/reflect_proto.ko

t_plan 6

# The module's log lines since the mark, as TAP diagnostics.
MARK="rfl-proto-test-$$"
mod_log() {
	dmesg | sed -n "/$MARK/,\$p" | sed -n 's/^\[[ 0-9.]*\] //; /reflect_proto: /p'
}

# insmod does not resolve dependencies (libcrc32c): load them first.
load_deps() {
	local d
	for d in $(modinfo -F depends "$MOD" | tr ',' ' '); do
		modprobe "$d" || return 1
	done
}

[ -f "$MOD" ] || t_bail "no module at $MOD (make modules KVER=$RFL_KERNEL)"
t_run "module built for $RFL_KERNEL" \
	sh -c "modinfo -F vermagic '$MOD' | grep -q '^$RFL_KERNEL '"
t_run "dependencies load ($(modinfo -F depends "$MOD"))" load_deps

echo "$MARK" >/dev/kmsg
t_run "insmod reflect_proto.ko selftest=1" insmod "$MOD" selftest=1
mod_log | sed 's/^/# /'
t_run "dmesg: reflect_proto: selftest passed" \
	sh -c "dmesg | sed -n '/$MARK/,\$p' | grep -q 'reflect_proto: selftest passed'"
t_run "exported symbols are in /proc/kallsyms" \
	sh -c "grep -q ' rfl_pdu_check_target\s*\[reflect_proto\]' /proc/kallsyms &&
	       grep -q ' rfl_neg_respond\s*\[reflect_proto\]' /proc/kallsyms"
t_run "rmmod, then plain insmod and rmmod" \
	sh -c "rmmod reflect_proto && insmod '$MOD' && rmmod reflect_proto &&
	       ! grep -q '^reflect_proto ' /proc/modules"
t_done

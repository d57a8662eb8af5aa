#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Faults on the reflection path, each during fio's verified writes to a
# reflected volume striped over three stock LIO disks:
#   - a backing disk's portal group disabled and re-enabled (both the host
#     and the manager lose their sessions to it);
#   - the host cut off from the disks but not from the manager (nftables):
#     the host's pieces fail and every command is re-driven through the
#     manager (proxy), so the writer sees no error;
#   - the volume's map replaced (same placement, new generation);
#   - the manager's portal group disabled and re-enabled: it asks its
#     sessions to log out (Async Message), and the host logs out in order
#     (the manager counts a Logout, the host no connection failure), then
#     logs in again once the group is back.
# Every case ends with fio's verify of every block written.
# Expected behaviour of each case: Documentation/faults.rst.
# timeout: 900

. "$(dirname "$0")/../lib/vmlib.sh"
. "$(dirname "$0")/../lib/reflect_fault.sh"

# The manager's portal group off for 2 s during writes; the host answers
# its request to log out with a Logout.
mgr_flap_case() {
	local lo0 cf0 klog st=$RFL/$P:vol/tpgt_1/statistics
	lo0=$(awk '$1 == "logouts" { print $2 }' "$st")
	cf0=$(hstat connection_failures)
	echo "fault_reflect: mgr_flap" >/dev/kmsg
	during_writes mgr_flap || return 1
	klog=$(dmesg | sed -n '/fault_reflect: mgr_flap$/,$p')
	grep -E "reflect_(initiator|target)" <<<"$klog" | head -n 12
	grep -q "asked for a logout: logging out" <<<"$klog" ||
		{ echo "the host did not log out on request"; return 1; }
	[ "$(awk '$1 == "logouts" { print $2 }' "$st")" = $((lo0 + 1)) ] ||
		{ echo "the manager counted no Logout"; return 1; }
	[ "$(hstat connection_failures)" = "$cf0" ] ||
		{ echo "the host counted a connection failure"; return 1; }
	wait_for 60 grep -qx logged-in "$T/state"
}

t_plan 9
t_run "manager modules and stock LIO load" rvol_load || t_bail "no modules"
t_run "disks A, B, C; a striped volume exported by reflect" setup || t_bail "no volume"
t_run "reflect_initiator host logs in with reflection" login || t_bail "no disk"
DEV=$(host_disk)
t_run "fio verify, reflected" fio_verify "$DEV" --size=24m
t_run "disk B's portal group off for 3 s during writes: data verified" during_writes disk_flap
t_run "host cut off from the disks during writes: re-driven through the manager, data verified" \
	cut_disks_case
t_run "map replaced twice during writes: data verified" map_swap_case
t_run "manager's portal group off for 2 s during writes: the host logs out on request, back after, data verified" \
	mgr_flap_case
log "host: $(tr '\n' ' ' <"$T/stats")"
log "volume: $(tr '\n' ' ' <"$RVOL_CFG/vol/stats")"
t_run "logout, teardown, every module unloads" teardown
t_done

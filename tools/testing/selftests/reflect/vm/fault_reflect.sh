#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Faults on the reflection path, each during fio's verified writes to a
# reflected volume striped over three stock LIO disks:
#   - a backing disk's portal group disabled and re-enabled (both the host
#     and the manager lose their sessions to it; the disk must accept a
#     login again after it);
#   - the host cut off from the disks for 3 s (nftables; shorter than the
#     pooled sessions' replacement_timeout): the cut must drop packets,
#     the host's session to the manager must not reconnect;
#   - the host cut off from the disks but not from the manager (nftables):
#     the host's pieces fail and every command is re-driven through the
#     manager (proxy), so the writer sees no error;
#   - the volume's map replaced (same placement, new generation);
#   - the host cut off from the manager for 15 s (nftables; longer than the
#     ping, shorter than replacement_timeout): the host counts a
#     connection failure and reinstates its session;
#   - the manager's portal group disabled and re-enabled: it asks its
#     sessions to log out (Async Message), and the host logs out in order
#     (the manager counts a Logout, the host no connection failure), then
#     logs in again once the group is back.
#   - rmmod of the manager's backstore, reflect_initiator, reflect_target
#     and reflect_proto while the volume is live: each refused, data
#     verified after.
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

# The host cut off from the manager (not from the disks) for 15 s during
# writes: longer than the default ping (one every 5 s, 5 s for its
# answer), so the session to the manager is declared dead, its commands
# are held, and it is reinstated once the cut ends, well within
# replacement_timeout (60 s). Commands whose reflection status arrived
# carry on to the disks.
mgr_cut() {
	host_drop on rflmgrcut $MGR || return 1
	sleep 15
	host_drop off rflmgrcut
}

mgr_cut_case() {
	local cf0 r0
	cf0=$(hstat connection_failures)
	r0=$(hstat reconnects)
	DROPPED=
	echo "fault_reflect: mgr_cut" >/dev/kmsg
	during_writes mgr_cut || return 1
	log "manager cut: $DROPPED packet(s) dropped; host: $(tr '\n' ' ' <"$T/stats")"
	dmesg | sed -n '/fault_reflect: mgr_cut$/,$p' | grep -E "reflect_(initiator|target)" |
		grep -v "pool:" | head -n 8
	[ "${DROPPED:-0}" -gt 0 ] || { echo "the cut dropped nothing"; return 1; }
	[ "$(hstat connection_failures)" -gt "$cf0" ] ||
		{ echo "the host did not notice the cut"; return 1; }
	wait_for 120 grep -qx logged-in "$T/state" &&
		[ "$(hstat reconnects)" -gt "$r0" ] ||
		{ echo "the session to the manager was not reinstated"; return 1; }
}

# rmmod with the volume live: the manager's backstore (target_core_reflect,
# pinned by its configfs objects), reflect_initiator (the host's session
# and both sides' pooled sessions to the disks) and reflect_target are
# refused, and the volume still verifies after.
rmmod_live_case() {
	rmmod_refused target_core_reflect && rmmod_refused reflect_initiator &&
		rmmod_refused reflect_target && rmmod_refused reflect_proto || return 1
	fio_verify "$DEV" --size=8m
}

t_plan 12
t_run "manager modules and stock LIO load" rvol_load || t_bail "no modules"
t_run "disks A, B, C; a striped volume exported by reflect" setup || t_bail "no volume"
t_run "reflect_initiator host logs in with reflection" login || t_bail "no disk"
DEV=$(host_disk)
t_run "fio verify, reflected" fio_verify "$DEV" --size=24m
t_run "disk B's portal group off for 3 s during writes: logged in again, data verified" \
	disk_flap_case
t_run "host cut off from the disks for 3 s during writes: data verified" short_cut_case
t_run "host cut off from the disks during writes: re-driven through the manager, data verified" \
	cut_disks_case
t_run "map replaced twice during writes: data verified" map_swap_case
t_run "host cut off from the manager for 15 s during writes: reinstated, data verified" \
	mgr_cut_case
t_run "manager's portal group off for 2 s during writes: the host logs out on request, back after, data verified" \
	mgr_flap_case
t_run "rmmod refused on both sides while the volume is live; data verified after" \
	rmmod_live_case
log "host: $(tr '\n' ' ' <"$T/stats")"
log "volume: $(tr '\n' ' ' <"$RVOL_CFG/vol/stats")"
t_run "logout, teardown, every module unloads" teardown
t_done

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
#   - the manager's portal group disabled and re-enabled.
# Every case ends with fio's verify of every block written.
# Expected behaviour of each case: Documentation/faults.rst.
# timeout: 900

. "$(dirname "$0")/../lib/vmlib.sh"
. "$(dirname "$0")/../lib/reflect_fault.sh"

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
t_run "manager's portal group off for 2 s during writes: data verified" during_writes mgr_flap
log "host: $(tr '\n' ' ' <"$T/stats")"
log "volume: $(tr '\n' ' ' <"$RVOL_CFG/vol/stats")"
t_run "logout, teardown, every module unloads" teardown
t_done

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Host half of host/two_vm.sh: stock open-iscsi in its own VM on
# 10.78.0.2 logs in to the target VM across the virtual network.

. "$(dirname "$0")/../lib/vmlib.sh"

tell_target() { echo "$1" | timeout 60 busybox nc 10.78.0.1 3261; }
trap 'tell_target done' EXIT

t_plan 4
modprobe virtio_net
wait_for 40 ip link show eth0 || t_bail "no NIC"
ip addr add 10.78.0.2/24 dev eth0 && ip link set eth0 up
# The target VM boots in parallel: wait (bounded) for its portal.
t_run "the target VM's portal answers" \
	wait_for 600 bash -c 'exec 3<>/dev/tcp/10.78.0.1/3260'
iscsi_start || t_bail "iscsid did not start"
DEV=$(iscsi_login iqn.2026-11.org.reflect.test:two-vm 10.78.0.1)
t_result $? "login across the VM network (${DEV:-none})"
[ -b "$DEV" ] || t_bail "no disk"
t_run "fio verify across VMs" fio_verify "$DEV"
t_run "filesystem round trip across VMs" fs_roundtrip "$DEV"
iscsi_logout_all
iscsi_stop
t_done

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The topology helpers: three network namespaces (disk, manager, host) in
# one kernel; "host" is the initial namespace, where stock open-iscsi must
# run (see topo_root_ns). Stock LIO serves a disk from the "disk" namespace and another
# from the "manager" namespace, each portal bound in its own namespace;
# open-iscsi runs in "host" and reaches both over veth links (the manager's
# link shaped). The host cannot reach a portal of a namespace it has no
# link to, which proves the sockets live where they were created.

. "$(dirname "$0")/../lib/vmlib.sh"

t_plan 8
DISK_IQN=iqn.2026-11.org.reflect.test:disk-a
MGR_IQN=iqn.2026-11.org.reflect.test:manager

topo() {
	topo_ns disk && topo_ns manager && topo_root_ns host &&
	topo_link host 10.77.1.2/24 disk 10.77.1.1/24 &&
	topo_link host 10.77.2.2/24 manager 10.77.2.1/24 &&
	topo_shape manager vmanag-host 200mbit 1ms
}
t_run "namespaces disk, manager, host with veth links, manager link shaped" topo ||
	t_bail "no topology"

lio_load || t_bail "no LIO"
A=$(lio_ramdisk diska 32)
M=$(lio_ramdisk mgr 32)
# Portals are created from inside each namespace: the socket belongs there.
t_run "portal 10.77.1.1:3260 created in namespace disk" \
	in_ns disk lio_iscsi_target $DISK_IQN 10.77.1.1:3260 "$A"
t_run "portal 10.77.2.1:3260 created in namespace manager" \
	in_ns manager lio_iscsi_target $MGR_IQN 10.77.2.1:3260 "$M"

# The listening sockets are visible only in their own namespaces.
listening() { in_ns "$1" ss -Hltn "sport = :3260" | grep -q "$2:3260"; }
t_run "each portal listens in its own namespace only" \
	bash -c "$(declare -f listening in_ns); VMLIB=$VMLIB
		listening disk 10.77.1.1 && listening manager 10.77.2.1 &&
		! ss -Hltn | grep -q ':3260'"

in_ns host iscsi_start || t_bail "iscsid did not start in host"
DA=$(in_ns host iscsi_login $DISK_IQN 10.77.1.1)
t_result $? "host logs in to the disk namespace (${DA:-none})"
DM=$(in_ns host iscsi_login $MGR_IQN 10.77.2.1)
t_result $? "host logs in to the manager namespace (${DM:-none})"

verify_both() {
	[ -b "$DA" ] && [ -b "$DM" ] || return 1
	# Distinct data on each disk, verified through its own session.
	fio_verify "$DA" --size=16m --verify_pattern=0x0a0a0a0a &&
	fio_verify "$DM" --size=16m --verify_pattern=0x0b0b0b0b
}
t_run "fio verify on both disks through their namespaces" verify_both

cross() {
	# Reachable over a link, unreachable without one (no route from disk
	# to manager).
	in_ns host timeout 20 bash -c 'exec 3<>/dev/tcp/10.77.2.1/3260' &&
	! in_ns disk timeout 20 bash -c 'exec 3<>/dev/tcp/10.77.2.1/3260' 2>/dev/null
}
t_run "namespaces without a link cannot reach each other" cross

in_ns host iscsi_logout_all
in_ns host iscsi_stop
lio_teardown
t_done

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Target half of host/two_vm.sh: stock LIO on 10.78.0.1, serving until the
# host VM says it is done (or a bounded wait runs out).

. "$(dirname "$0")/../lib/vmlib.sh"

t_plan 3
modprobe virtio_net
wait_for 40 ip link show eth0 || t_bail "no NIC"
ip addr add 10.78.0.1/24 dev eth0 && ip link set eth0 up
lio_load || t_bail "no LIO"
BS=$(lio_ramdisk rd0 48)
t_run "target on 10.78.0.1:3260" \
	lio_iscsi_target iqn.2026-11.org.reflect.test:two-vm 10.78.0.1:3260 "$BS"
# The host connects to port 3261 with "done" when it has finished.
msg=$(timeout 900 busybox nc -l -p 3261 </dev/null)
t_result $? "the host VM reported back ($msg)"
[ "$msg" = done ]
t_result $? "the host VM finished its tests"
lio_teardown
t_done

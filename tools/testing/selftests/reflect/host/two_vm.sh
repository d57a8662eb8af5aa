#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Two-VM mode: a target VM and a host VM joined by a virtual network (a
# QEMU socket netdev over host loopback). Stock LIO in one, stock
# open-iscsi in the other; the host verifies data across the link.

. "$(dirname "$0")/../lib/vmlib.sh"

KERNEL=${KERNEL:-6.1}
HERE=$(cd "$(dirname "$0")/.." && pwd)
TOP=$(cd "$HERE/../../../.." && pwd)
W=$(mktemp -d /tmp/rfl-2vm.XXXXXX)

# A free loopback port for the link.
port=
for p in $(shuf -i 20000-40000 -n 20); do
	ss -Hltn "sport = :$p" | grep -q . || { port=$p; break; }
done
[ -n "$port" ] || t_bail "no free port"

t_plan 2
"$TOP/scripts/vm" -k "$KERNEL" -q -n "listen=$port" -o "$W/target" \
	"$HERE/roles/two_vm_target.sh" >/dev/null 2>"$W/target.err" &
tpid=$!
# The host VM's socket must find the target's listener.
wait_for 60 bash -c "ss -Hltn 'sport = :$port' | grep -q ." ||
	{ kill $tpid; t_bail "target VM did not listen on $port"; }
"$TOP/scripts/vm" -k "$KERNEL" -q -n "connect=$port" -o "$W/host" \
	"$HERE/roles/two_vm_host.sh" >/dev/null 2>"$W/host.err"
hrc=$?
sed 's/^/# host: /' "$W/host/output.log"
[ $hrc -eq 0 ] || sed 's/^/# /' "$W/host.err" | tail -n 40
t_result $hrc "host VM: login, fio verify and filesystem across the link"
wait $tpid
trc=$?
sed 's/^/# target: /' "$W/target/output.log"
[ $trc -eq 0 ] || sed 's/^/# /' "$W/target.err" | tail -n 40
t_result $trc "target VM: served until the host finished"
[ $hrc -eq 0 ] && [ $trc -eq 0 ] && rm -rf "$W"
t_done

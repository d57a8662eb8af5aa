#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The host's fallback when a reflection cannot run directly: the worked
# example volume (as in vvol_reflect.sh) served by reflect_target to a
# reflect_initiator host in namespace "host", which has no route to disk C
# (an "unreachable" route) while the manager reaches all three disks. A
# command touching C gets a reflection status, cannot open C (-ENODEV),
# and is re-driven whole to the manager with the proxy flag: its data is
# right on the disks and read back right, the host counts fallbacks, the
# manager proxied commands. A command on A only is still reflected
# directly. With the route back, commands touching C are reflected again
# (the executor opens C from its work item).

. "$(dirname "$0")/../lib/vmlib.sh"

P=iqn.2026-11.org.reflect.test
D=iqn.2003-01.org.linux-iscsi.reflect
INI=/sys/kernel/config/reflect_initiator
BLOCKS=4096
MGR=10.9.0.1

setup() {
	local x i=1 b
	topo_ns host && topo_root_ns mgr || return 1
	topo_link mgr $MGR/24 host 10.9.0.2/24 || return 1
	ip -n host route add 10.0.0.0/24 via $MGR || return 1
	ip -n host route add unreachable 10.0.0.13/32 || return 1
	for x in a b c; do
		ip addr add "10.0.0.1$i/32" dev lo || return 1
		b=$(rvol_disk_file "disk$x" $BLOCKS) || return 1
		lio_iscsi_target "$D:disk-$x" "10.0.0.1$i:3260" "$b" || return 1
		i=$((i + 1))
	done
	echo "$P:manager" >"$INI/initiator_name"
	mkdir "$RVOL_CFG/ex" || return 1
	cp "$(dirname "$0")/../data/worked_example.map" /tmp/ex.map
	rvol_map_write ex /tmp/ex.map || return 1
	b=$(rvol_device ex ex) || return 1
	reflect_target_demo "$P:vol-ex" $MGR:3261 "$b"
}

host_disk() {
	local h d
	h=$(cat "$INI/targets/ex/host") && [ -n "$h" ] || return 1
	for d in /sys/class/scsi_host/host"$h"/device/target*/*/block/*; do
		[ -b "/dev/${d##*/}" ] || continue
		echo "/dev/${d##*/}"
		return 0
	done
	return 1
}

login() {
	local t=$INI/targets/ex
	echo "$P:host" >"$INI/initiator_name"
	mkdir "$t" && echo "$P:vol-ex" >"$t/target_iqn" && echo $MGR:3261 >"$t/portal" || return 1
	in_ns host sh -c "echo 1 >$t/enable" || { cat "$t/last_error"; return 1; }
	wait_for 60 host_disk >/dev/null || return 1
	EX=$(host_disk)
	grep -q 'Reflection=Yes' "$t/negotiated" || { cat "$t/negotiated"; return 1; }
}

hstat() { sed -n "s/^$1 //p" "$INI/targets/ex/stats"; }

piece() {
	dd if="/tmp/$1.img" bs=512 skip="$2" count="$3" status=none
}

# 40 blocks at 500: A 400-409, B 300-319, C 600-609.
write_lands() {
	head -c $((40 * 512)) /dev/urandom >/tmp/pat
	# One command of 40 blocks.
	dd if=/tmp/pat of="$EX" bs=$((40 * 512)) count=1 seek=$((500 * 512)) \
		oflag=direct,seek_bytes status=none || return 1
	cat <(piece diska 400 10) <(piece diskb 300 20) <(piece diskc 600 10) >/tmp/got
	cmp /tmp/pat /tmp/got
}

read_gathers() {
	head -c $((40 * 512)) /dev/urandom >/tmp/pat2
	dd if=/tmp/pat2 of=/tmp/diska.img bs=512 seek=400 count=10 conv=notrunc status=none &&
		dd if=/tmp/pat2 of=/tmp/diskb.img bs=512 skip=10 seek=300 count=20 conv=notrunc status=none &&
		dd if=/tmp/pat2 of=/tmp/diskc.img bs=512 skip=30 seek=600 count=10 conv=notrunc status=none || return 1
	dd if="$EX" of=/tmp/got2 bs=$((40 * 512)) count=1 skip=$((500 * 512)) \
		iflag=direct,skip_bytes status=none || return 1
	cmp /tmp/pat2 /tmp/got2
}

# CMD...: run it; the host must count at least one fallback and no
# reflected command, the manager at least one proxied command.
fell_back() {
	local f r p
	f=$(hstat fallbacks) r=$(hstat reflected) p=$(rvol_stat ex proxied_cmds)
	"$@" || return 1
	log "host: $(tr '\n' ' ' <"$INI/targets/ex/stats")"
	[ "$(hstat fallbacks)" -gt "$f" ] || { echo "no fallback counted"; return 1; }
	[ "$(hstat reflected)" = "$r" ] || { echo "reflected without disk C"; return 1; }
	[ "$(rvol_stat ex proxied_cmds)" -gt "$p" ] || { echo "manager proxied nothing"; return 1; }
	dmesg | grep -q "re-driven through the manager" || { echo "no log line"; return 1; }
}

# CMD...: run it; reflected directly, no fallback.
reflected() {
	local f r
	f=$(hstat fallbacks) r=$(hstat reflected)
	"$@" || return 1
	log "host: $(tr '\n' ' ' <"$INI/targets/ex/stats")"
	[ "$(hstat reflected)" -gt "$r" ] || { echo "not reflected"; return 1; }
	[ "$(hstat fallbacks)" = "$f" ] || { echo "fell back"; return 1; }
}

# 10 blocks at 500: A 400-409 only.
a_only() {
	head -c $((10 * 512)) /dev/urandom >/tmp/pat3
	dd if=/tmp/pat3 of="$EX" bs=$((10 * 512)) count=1 seek=$((500 * 512)) \
		oflag=direct,seek_bytes status=none || return 1
	cmp /tmp/pat3 <(piece diska 400 10)
}

route_back() {
	ip -n host route del unreachable 10.0.0.13/32
}

teardown() {
	in_ns host sh -c "echo 0 >$INI/targets/ex/enable"
	rmdir "$INI/targets/ex" || return 1
	rvol_manager_teardown ex
}

t_plan 9
t_run "manager modules and stock LIO load" rvol_load || t_bail "no modules"
t_run "disks A, B, C; worked example volume exported by reflect; host has no route to C" setup || t_bail "no volume"
t_run "reflect_initiator host logs in with reflection" login || t_bail "no disk"
EX=$(host_disk)
t_run "WRITE touching C: re-driven as proxy, lands on A, B and C" fell_back write_lands
t_run "READ touching C: re-driven as proxy, gathers A, B and C" fell_back read_gathers
t_run "WRITE on A only: reflected directly" reflected a_only
route_back
t_run "route to C back: WRITE touching C reflected directly" reflected write_lands
t_run "route to C back: READ touching C reflected directly" reflected read_gathers
t_run "logout, teardown, every module unloads" teardown
t_done

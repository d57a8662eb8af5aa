#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Virtual volumes served by reflection: the volumes of vvol_proxy.sh
# exported by the reflect fabric to a reflect_initiator host (its own
# network namespace "host", joined to the manager's by a veth pair) that
# negotiates reflection. The worked example's blocks 500+40 land on
# A 400-409, B 300-319 and C 600-609 and read back from there; a striped
# volume and a linear one (three extents in another order than the disks,
# not a concatenation) each take a filesystem round trip and fio verify;
# the statistics show reflected commands and pieces on both sides and no
# proxied bytes on the manager. Last, a stock open-iscsi host (the
# manager's namespace, no reflection) reads the reflected WRITE's blocks
# through the manager's proxy.
# smoke (6.12 copies the fabric ops table: this caught every command being proxied there)

. "$(dirname "$0")/../lib/vmlib.sh"

P=iqn.2026-11.org.reflect.test
D=iqn.2003-01.org.linux-iscsi.reflect
INI=/sys/kernel/config/reflect_initiator
RFL=$LIO/reflect
BLOCKS=81920	# 40 MiB per disk
MGR=10.9.0.1

setup() {
	local x i=1 b
	topo_ns host && topo_root_ns mgr || return 1
	topo_link mgr $MGR/24 host 10.9.0.2/24 || return 1
	ip -n host route add 10.0.0.0/24 via $MGR || return 1
	for x in a b c; do
		ip addr add "10.0.0.1$i/32" dev lo || return 1
		b=$(rvol_disk_file "disk$x" $BLOCKS) || return 1
		lio_iscsi_target "$D:disk-$x" "10.0.0.1$i:3260" "$b" || return 1
		i=$((i + 1))
	done
	echo "$P:manager" >"$INI/initiator_name"
	mkdir "$RVOL_CFG/ex" "$RVOL_CFG/big" "$RVOL_CFG/lin" || return 1
	cp "$(dirname "$0")/../data/worked_example.map" /tmp/ex.map
	cat >/tmp/big.map <<MAP
target A $D:disk-a 10.0.0.11:3260 0
target B $D:disk-b 10.0.0.12:3260 0
target C $D:disk-c 10.0.0.13:3260 0
striped 0 96000 16 A 1000 B 1000 C 1000
linear 96000 16000 C 33000
MAP
	cat >/tmp/lin.map <<MAP
target A $D:disk-a 10.0.0.11:3260 0
target B $D:disk-b 10.0.0.12:3260 0
target C $D:disk-c 10.0.0.13:3260 0
linear 0 24000 B 50000
linear 24000 24000 A 50000
linear 48000 8000 C 50000
MAP
	rvol_map_write ex /tmp/ex.map && rvol_map_write big /tmp/big.map &&
		rvol_map_write lin /tmp/lin.map || return 1
	b=$(rvol_device ex ex) || return 1
	reflect_target_demo "$P:vol-ex" $MGR:3261 "$b" || return 1
	[ "$(cat "$RFL/$P:vol-ex/tpgt_1/attrib/reflection")" = 1 ] || return 1
	b=$(rvol_device big big) || return 1
	reflect_target_demo "$P:vol-big" $MGR:3262 "$b" || return 1
	b=$(rvol_device lin lin) || return 1
	reflect_target_demo "$P:vol-lin" $MGR:3263 "$b"
}

# host_target NAME IQN PORTAL: a reflect_initiator target, enabled from
# the host namespace (its sockets live there).
host_target() {
	local t=$INI/targets/$1
	mkdir "$t" && echo "$2" >"$t/target_iqn" && echo "$3" >"$t/portal" || return 1
	in_ns host sh -c "echo 1 >$t/enable" || { cat "$t/last_error"; return 1; }
	wait_for 60 host_disk "$1" >/dev/null
}

host_disk() {
	local h d
	h=$(cat "$INI/targets/$1/host") && [ -n "$h" ] || return 1
	for d in /sys/class/scsi_host/host"$h"/device/target*/*/block/*; do
		[ -b "/dev/${d##*/}" ] || continue
		echo "/dev/${d##*/}"
		return 0
	done
	return 1
}

login() {
	echo "$P:host" >"$INI/initiator_name"
	host_target ex "$P:vol-ex" $MGR:3261 || return 1
	host_target big "$P:vol-big" $MGR:3262 || return 1
	host_target lin "$P:vol-lin" $MGR:3263 || return 1
	EX=$(host_disk ex) && BIG=$(host_disk big) && LIN=$(host_disk lin) || return 1
	log "negotiated: $(tr '\n' ' ' <"$INI/targets/ex/negotiated")"
	grep -q 'Reflection=Yes' "$INI/targets/ex/negotiated" &&
		grep -q 'Reflection=Yes' "$INI/targets/big/negotiated" ||
		{ echo "reflection not negotiated"; return 1; }
	[ "$(blockdev --getsz "$EX")" = 3000 ] && [ "$(blockdev --getsz "$BIG")" = 112000 ] &&
		[ "$(blockdev --getsz "$LIN")" = 56000 ]
}

piece() {
	dd if="/tmp/$1.img" bs=512 skip="$2" count="$3" status=none
}

write_lands() {
	local p0
	p0=$(($(rvol_stat ex reflected_pieces) - $(rvol_stat ex reflected_cmds)))
	head -c $((40 * 512)) /dev/urandom >/tmp/pat
	# One 40-block command (three pieces), not 40 single blocks.
	dd if=/tmp/pat of="$EX" bs=20480 count=1 seek=256000 oflag=direct,seek_bytes status=none || return 1
	cat <(piece diska 400 10) <(piece diskb 300 20) <(piece diskc 600 10) >/tmp/got
	cmp /tmp/pat /tmp/got || return 1
	# That command was reflected as three pieces.
	[ $(($(rvol_stat ex reflected_pieces) - $(rvol_stat ex reflected_cmds) - p0)) -ge 2 ] ||
		{ cat "$RVOL_CFG/ex/stats"; return 1; }
}

read_gathers() {
	head -c $((40 * 512)) /dev/urandom >/tmp/pat2
	dd if=/tmp/pat2 of=/tmp/diska.img bs=512 seek=400 count=10 conv=notrunc status=none &&
		dd if=/tmp/pat2 of=/tmp/diskb.img bs=512 skip=10 seek=300 count=20 conv=notrunc status=none &&
		dd if=/tmp/pat2 of=/tmp/diskc.img bs=512 skip=30 seek=600 count=10 conv=notrunc status=none || return 1
	dd if="$EX" of=/tmp/got2 bs=20480 count=1 skip=256000 iflag=direct,skip_bytes status=none || return 1
	cmp /tmp/pat2 /tmp/got2
}

stats_reflect() {
	local v t n
	for v in ex big lin; do
		log "manager $v: $(tr '\n' ' ' <"$RVOL_CFG/$v/stats")"
		[ "$(rvol_stat $v reflected_cmds)" -gt 0 ] || return 1
		[ "$(rvol_stat $v reflected_pieces)" -ge "$(rvol_stat $v reflected_cmds)" ] || return 1
		[ "$(rvol_stat $v proxied_bytes)" = 0 ] || return 1
		[ "$(rvol_stat $v errors)" = 0 ] || return 1
	done
	for t in ex big lin; do
		log "host $t: $(tr '\n' ' ' <"$INI/targets/$t/stats")"
		n=$(awk '($1 == "reflected" || $1 == "pieces") && $2 > 0 { n++ } END { print n + 0 }' "$INI/targets/$t/stats")
		[ "$n" = 2 ] || { echo "host shows no reflected commands or pieces"; return 1; }
	done
}

# A reflected WRITE by the reflecting host, read back by a stock
# open-iscsi host: no reflection negotiated, so the manager proxies.
stock_reads() {
	local dev p0 r0
	r0=$(rvol_stat ex reflected_cmds)
	head -c $((40 * 512)) /dev/urandom >/tmp/pat3
	dd if=/tmp/pat3 of="$EX" bs=20480 count=1 seek=256000 oflag=direct,seek_bytes status=none || return 1
	[ "$(rvol_stat ex reflected_cmds)" -gt "$r0" ] || { echo "the WRITE was not reflected"; return 1; }
	p0=$(rvol_stat ex proxied_cmds)
	iscsi_start || return 1
	dev=$(iscsi_login "$P:vol-ex" $MGR:3261) || return 1
	dd if="$dev" of=/tmp/got3 bs=20480 count=1 skip=256000 iflag=direct,skip_bytes status=none || return 1
	cmp /tmp/pat3 /tmp/got3 || return 1
	[ "$(rvol_stat ex proxied_cmds)" -gt "$p0" ] || { cat "$RVOL_CFG/ex/stats"; return 1; }
}

teardown() {
	local t
	iscsi_logout_all
	iscsi_stop
	for t in ex big lin; do
		in_ns host sh -c "echo 0 >$INI/targets/$t/enable"
		rmdir "$INI/targets/$t" || return 1
	done
	rvol_manager_teardown ex big lin
}

t_plan 12
t_run "manager modules and stock LIO load" rvol_load || t_bail "no modules"
t_run "disks A, B, C; volumes ex (worked example), big (striped), lin (linear) exported by reflect" setup || t_bail "no volumes"
t_run "reflect_initiator host logs into the three volumes with reflection" login || t_bail "no disks"
EX=$(host_disk ex)
BIG=$(host_disk big)
LIN=$(host_disk lin)
t_run "WRITE 40 at 500 lands on A 400-409, B 300-319, C 600-609" write_lands
t_run "READ 40 at 500 gathers A 400-409, B 300-319, C 600-609" read_gathers
t_run "mkfs.ext4, checksummed files survive remount, fsck clean (striped)" fs_roundtrip "$BIG"
t_run "fio verify over mixed block sizes (striped)" fio_verify "$BIG" --size=32m
t_run "mkfs.ext4, checksummed files survive remount, fsck clean (linear)" fs_roundtrip "$LIN"
t_run "fio verify over mixed block sizes (linear)" fio_verify "$LIN" --size=24m
t_run "statistics: reflected commands and pieces on both sides, no proxied bytes" stats_reflect
t_run "a stock open-iscsi host reads the reflected WRITE through the manager (proxy)" stock_reads
t_run "logout, teardown, every module unloads" teardown
t_done

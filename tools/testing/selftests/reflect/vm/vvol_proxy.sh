#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Virtual volumes served by proxy: two volumes over stock LIO disks A, B
# and C (fileio, iscsi_target_mod on loopback), exported by the reflect
# fabric to stock open-iscsi, which never negotiates reflection. The
# worked example's blocks 500+40 land on A 400-409, B 300-319 and
# C 600-609 and read back from there; a striped volume takes a filesystem
# round trip and fio verify; the statistics show proxied commands and no
# reflected ones.

. "$(dirname "$0")/../lib/vmlib.sh"

P=iqn.2026-11.org.reflect.test
D=iqn.2003-01.org.linux-iscsi.reflect
INI=/sys/kernel/config/reflect_initiator
BLOCKS=49152	# 24 MiB per disk

setup() {
	local x i=1 b
	for x in a b c; do
		ip addr add "10.0.0.1$i/32" dev lo || return 1
		b=$(rvol_disk_file "disk$x" $BLOCKS) || return 1
		lio_iscsi_target "$D:disk-$x" "10.0.0.1$i:3260" "$b" || return 1
		i=$((i + 1))
	done
	echo "$P:manager" >"$INI/initiator_name"
	mkdir "$RVOL_CFG/ex" "$RVOL_CFG/big" || return 1
	# The worked example: READ 40 at 500 is A 400-409, B 300-319, C 600-609.
	cp "$(dirname "$0")/../data/worked_example.map" /tmp/ex.map
	cat >/tmp/big.map <<MAP
target A $D:disk-a 10.0.0.11:3260 0
target B $D:disk-b 10.0.0.12:3260 0
target C $D:disk-c 10.0.0.13:3260 0
striped 0 96000 16 A 1000 B 1000 C 1000
linear 96000 16000 C 33000
MAP
	rvol_map_write ex /tmp/ex.map && rvol_map_write big /tmp/big.map || return 1
	b=$(rvol_device ex ex) || return 1
	reflect_target_demo "$P:vol-ex" 127.0.0.1:3261 "$b" || return 1
	b=$(rvol_device big big) || return 1
	reflect_target_demo "$P:vol-big" 127.0.0.1:3262 "$b"
}

login() {
	iscsi_start || return 1
	EX=$(iscsi_login "$P:vol-ex" 127.0.0.1:3261) || return 1
	BIG=$(iscsi_login "$P:vol-big" 127.0.0.1:3262) || return 1
	[ "$(blockdev --getsz "$EX")" = 3000 ] || { blockdev --getsz "$EX"; return 1; }
	[ "$(blockdev --getsz "$BIG")" = 112000 ]
}

# piece FILE SKIP COUNT: blocks of a disk's backing file.
piece() {
	dd if="/tmp/$1.img" bs=512 skip="$2" count="$3" status=none
}

write_lands() {
	head -c $((40 * 512)) /dev/urandom >/tmp/pat
	# One 40-block command (three pieces), not 40 single blocks.
	dd if=/tmp/pat of="$EX" bs=20480 count=1 seek=256000 oflag=direct,seek_bytes status=none || return 1
	cat <(piece diska 400 10) <(piece diskb 300 20) <(piece diskc 600 10) >/tmp/got
	cmp /tmp/pat /tmp/got || return 1
	# Nothing around the pieces was touched.
	[ "$(piece diska 410 1 | tr -d '\0' | wc -c)" = 0 ] &&
		[ "$(piece diskb 299 1 | tr -d '\0' | wc -c)" = 0 ] &&
		[ "$(piece diskc 610 1 | tr -d '\0' | wc -c)" = 0 ]
}

read_gathers() {
	head -c $((40 * 512)) /dev/urandom >/tmp/pat2
	dd if=/tmp/pat2 of=/tmp/diska.img bs=512 seek=400 count=10 conv=notrunc status=none &&
		dd if=/tmp/pat2 of=/tmp/diskb.img bs=512 skip=10 seek=300 count=20 conv=notrunc status=none &&
		dd if=/tmp/pat2 of=/tmp/diskc.img bs=512 skip=30 seek=600 count=10 conv=notrunc status=none || return 1
	dd if="$EX" of=/tmp/got2 bs=20480 count=1 skip=256000 iflag=direct,skip_bytes status=none || return 1
	cmp /tmp/pat2 /tmp/got2
}

stats_proxy() {
	local v
	for v in ex big; do
		log "$v: $(tr '\n' ' ' <"$RVOL_CFG/$v/stats")"
		[ "$(rvol_stat $v proxied_cmds)" -gt 0 ] || return 1
		[ "$(rvol_stat $v proxied_bytes)" -gt 0 ] || return 1
		[ "$(rvol_stat $v reflected_cmds)" = 0 ] || return 1
		[ "$(rvol_stat $v reflected_pieces)" = 0 ] || return 1
		[ "$(rvol_stat $v errors)" = 0 ] || return 1
	done
}

teardown() {
	iscsi_logout_all
	iscsi_stop
	rvol_manager_teardown ex big
}

t_plan 9
t_run "manager modules and stock LIO load" rvol_load || t_bail "no modules"
t_run "disks A, B, C; volumes ex (worked example) and big (striped) exported by reflect" setup || t_bail "no volumes"
t_run "open-iscsi logs into both volumes; sizes 3000 and 112000 blocks" login || t_bail "no disks"
EX=/dev/$(iscsi_disk_of "$P:vol-ex")
BIG=/dev/$(iscsi_disk_of "$P:vol-big")
t_run "WRITE 40 at 500 lands on A 400-409, B 300-319, C 600-609" write_lands
t_run "READ 40 at 500 gathers A 400-409, B 300-319, C 600-609" read_gathers
t_run "mkfs.ext4, checksummed files survive remount, fsck clean (striped)" fs_roundtrip "$BIG"
t_run "fio verify over mixed block sizes (striped)" fio_verify "$BIG" --size=32m
t_run "statistics: proxied commands and bytes, nothing reflected, no errors" stats_proxy
t_run "logout, teardown, every module unloads" teardown
t_done

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# target_core_reflect's extent maps against stock LIO disks A, B and C
# (fileio, 1000 blocks of 512 bytes, iscsi_target_mod on loopback): the
# worked example loads and reads back in canonical form; overlap, gap,
# beyond capacity, unknown label, unknown target, unreachable target and
# bad syntax are refused with a reason and the old map kept; backing
# shows what each backing LU and target reported (C's portal group tag is
# 3, learned at login); a map over two LUs with one designator loads with
# a warning; a device
# cannot be enabled without a map and an exported volume cannot shrink;
# a 10,000-extent map loads; teardown and every module unloads.

. "$(dirname "$0")/../lib/vmlib.sh"

P=iqn.2026-11.org.reflect.test
D=iqn.2003-01.org.linux-iscsi.reflect
INI=/sys/kernel/config/reflect_initiator
V=$RVOL_CFG/ex
W=/tmp/maps
mkdir -p $W

# The worked example (data/worked_example.map): 3 disks of 1000 blocks at
# 10.0.0.11-13:3260, READ 40 at 500 is A 400-409, B 300-319, C 600-609;
# not a plain concatenation.
example() {
	cat "$(dirname "$0")/../data/worked_example.map"
}

# canon: statements only, one space between words.
canon() {
	sed -e 's/#.*//' -e 's/[[:space:]]\+/ /g' -e 's/^ //' -e 's/ $//' | grep -v '^$'
}

setup_disks() {
	local x i=1 b
	for x in a b c; do
		ip addr add "10.0.0.1$i/32" dev lo || return 1
		b=$(rvol_disk_file "disk$x" 1000) || return 1
		# C's portal group is 3: the manager must learn it.
		LIO_TPGT=$([ $x = c ] && echo 3 || echo 1) \
			lio_iscsi_target "$D:disk-$x" "10.0.0.1$i:3260" "$b" || return 1
		i=$((i + 1))
	done
	b=$(rvol_disk_file diskd 12000) || return 1
	lio_iscsi_target "$P:disk-d" 127.0.0.1:3273 "$b" || return 1
	# E is another LU with A's unit serial: the same designator.
	b=$(rvol_disk_file diske 1000) || return 1
	printf diska | md5sum | head -c 32 >"$b/wwn/vpd_unit_serial" || return 1
	lio_iscsi_target "$P:disk-e" 127.0.0.1:3274 "$b" || return 1
	echo "$P:manager" >"$INI/initiator_name"
}

# backing: one line per target of the map in force, with what each LU
# and its target reported: the LIO fileio LUs have 1000 blocks of 512
# bytes and an NAA 6 designator (LIO's OUI 00:14:05, with its 4-byte
# header; rvol_disk_file gives each a serial of its own), and C's target
# sent TargetPortalGroupTag=3 at login.
backing() {
	local x tag re
	cat "$V/backing"
	[ "$(wc -l <"$V/backing")" = 3 ] || return 1
	[ "$(awk '{ print $NF }' "$V/backing" | sort -u | wc -l)" = 3 ] ||
		{ echo "two disks report the same designator"; return 1; }
	for x in A B C; do
		tag=1
		[ $x = C ] && tag=3
		re="^$x $D:disk-${x,,} lun=0 tpgt=$tag blocks=1000 block_size=512 id=01030010600140[0-9a-f]{26}\$"
		grep -E -q "$re" "$V/backing" || { echo "no line matches $re"; return 1; }
	done
}

# same_id: a map over A and E (two LUs, one designator) loads, and the
# manager says hosts cannot tell them apart; the example (A, B, C) does
# not draw the warning.
same_id() {
	local n
	n=$(dmesg | grep -c "report the same VPD 0x83 designator")
	[ "$n" = 0 ] || { echo "warned for distinct designators"; return 1; }
	mkdir "$RVOL_CFG/dup" || return 1
	cat >$W/dup.map <<-MAP
	target A $D:disk-a 10.0.0.11:3260 0
	target E $P:disk-e 127.0.0.1:3274 0
	linear 0 100 A 0
	linear 100 100 E 0
	MAP
	rvol_map_write dup $W/dup.map || { rmdir "$RVOL_CFG/dup"; return 1; }
	grep -E "^[AE] " "$RVOL_CFG/dup/backing"
	rmdir "$RVOL_CFG/dup" || return 1
	dmesg | grep "report the same VPD 0x83 designator"
	dmesg | grep -q "volume dup: targets A and E report the same VPD 0x83 designator: hosts cannot tell them apart"
}

readback() {
	diff <(example | canon) <(canon <"$V/map") || return 1
	# The canonical form loads again and reads back byte for byte.
	cat "$V/map" >$W/canon.map
	rvol_map_write ex $W/canon.map || return 1
	cmp $W/canon.map "$V/map"
}

no_map_no_enable() {
	local d=$LIO/core/rvol_0/nomap
	mkdir "$RVOL_CFG/empty" && mkdir -p "$d" || return 1
	echo volume=empty >"$d/control" || return 1
	if echo 1 >"$d/enable" 2>/dev/null; then
		echo "enabled without a map"
		return 1
	fi
	rmdir "$d" && rmdir "$RVOL_CFG/empty"
}

# bad NAME: a refused variant of the example, made by sed expression(s).
bad() {
	local name=$1
	shift
	example | sed "$@" >"$W/$name.map"
	rvol_map_refused ex "$W/$name.map"
}

shrink_refused() {
	local d
	d=$(rvol_device exdev ex) || return 1
	example | sed -e '/^linear 2610 /d' >$W/shrink.map
	rvol_map_refused ex $W/shrink.map || return 1
	# The same size with another layout is fine while exported.
	example >$W/same.map
	rvol_map_write ex $W/same.map
}

many_extents() {
	local i
	{
		echo "target D $P:disk-d 127.0.0.1:3273 0"
		for ((i = 0; i < 10000; i++)); do
			echo "linear $i 1 D $((11999 - i))"
		done
	} >$W/many.map
	mkdir "$RVOL_CFG/many" || return 1
	rvol_map_write many $W/many.map || return 1
	[ "$(cat "$RVOL_CFG/many/size")" = 10000 ] || return 1
	[ "$(canon <"$RVOL_CFG/many/map" | grep -c '^linear ')" = 10000 ] || return 1
	diff <(canon <$W/many.map) <(canon <"$RVOL_CFG/many/map") >/dev/null
}

teardown() {
	rmdir "$LIO/core/rvol_0/exdev" && rmdir "$LIO/core/rvol_0" || return 1
	rmdir "$RVOL_CFG/ex" "$RVOL_CFG/many" || return 1
	rmmod target_core_reflect && rmmod reflect_initiator || return 1
	rmdir "$LIO/reflect" && rmmod reflect_target && rmmod reflect_proto || return 1
	lio_teardown
}

t_plan 18
t_run "manager modules and stock LIO load" rvol_load || t_bail "no modules"
t_run "disks A, B, C (1000 blocks, 10.0.0.11-13), D and E on iscsi_target_mod" setup_disks || t_bail "no disks"
mkdir "$V"
example >$W/example.map
t_run "worked example loads: generation 1, 3000 blocks" \
	eval 'rvol_map_write ex $W/example.map && [ "$(cat $V/generation)" = 1 ] && [ "$(cat $V/size)" = 3000 ]'
t_run "backing: each target's LUN, portal group tag (C: 3), capacity and VPD 0x83 id" backing
t_run "two LUs with one designator: the map loads, the manager warns" same_id
t_run "map reads back in canonical form, and reloads identical" readback
t_run "refused: overlap" bad overlap -e 's/^linear 510 20 B 300/linear 505 25 B 300/'
t_run "refused: gap" bad gap -e '/^linear 510 20 B 300/d'
t_run "refused: beyond capacity" bad beyond -e 's/^linear 2610 390 C 610/linear 2610 390 C 611/'
t_run "refused: unknown label" bad label -e 's/^linear 530 10 C 600/linear 530 10 E 600/'
t_run "refused: unknown target" bad target -e "s/:disk-c /:no-such-disk /"
# Sessions are pooled by target name: an unreachable target is a new name.
t_run "refused: unreachable target" bad unreachable -e 's/:disk-b 10.0.0.12:3260/:disk-b2 127.0.0.1:3999/'
t_run "refused: bad syntax" bad syntax -e 's/^linear 940 400 C 200/linaer 940 400 C 200/'
t_run "refused: block size differs from the volume's" \
	eval 'mkdir $RVOL_CFG/bs4k && echo 4096 >$RVOL_CFG/bs4k/block_size && cp $W/example.map $W/bs.map && ! rvol_map_write bs4k $W/bs.map; rc=$?; rmdir $RVOL_CFG/bs4k; exit $rc'
t_run "a device cannot be enabled without a map" no_map_no_enable
t_run "an exported volume cannot shrink; same size loads" shrink_refused
t_run "a 10,000-extent map loads and reads back" many_extents
t_run "teardown, every module unloads" teardown
t_done

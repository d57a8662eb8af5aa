#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# UNMAP and WRITE SAME on a virtual volume (rvol_unmap.c), from stock
# open-iscsi. The volume "lb" is striped over disks A and B (chunk 16),
# then linear on C, then linear on A again (not a concatenation), then
# striped over all three (room for a small filesystem). A and B take
# UNMAP and WRITE SAME with the UNMAP bit (emulate_tpu/tpws 1); C
# does not, so an UNMAP there is a hint left unapplied and counted, and a
# WRITE SAME with the UNMAP bit there fails with INVALID COMMAND OPERATION
# CODE. Every case compares the whole volume with a model of what it must
# hold, and the disks around the volume's ranges with what was there
# before; the statistics must move by exactly what was done.
# timeout: 900

. "$(dirname "$0")/../lib/vmlib.sh"

P=iqn.2026-11.org.reflect.test
D=iqn.2003-01.org.linux-iscsi.reflect
INI=/sys/kernel/config/reflect_initiator
DISK=16384		# blocks per disk
VOL=17000		# blocks of the volume
MODEL=/tmp/model.img	# what the volume must hold

setup() {
	local x i=1 b
	for x in a b c; do
		ip addr add "10.0.0.1$i/32" dev lo || return 1
		# Every disk block starts as 0xee: untouched blocks stay so.
		tr '\0' '\356' </dev/zero | head -c $((DISK * 512)) >"/tmp/disk$x.img"
		b=$(rvol_disk_file "disk$x" $DISK) || return 1
		if [ $x != c ]; then
			echo 1 >"$b/attrib/emulate_tpu" || return 1
			echo 1 >"$b/attrib/emulate_tpws" || return 1
		fi
		lio_iscsi_target "$D:disk-$x" "10.0.0.1$i:3260" "$b" || return 1
		i=$((i + 1))
	done
	echo "$P:manager" >"$INI/initiator_name"
	mkdir "$RVOL_CFG/lb" || return 1
	cat >/tmp/lb.map <<MAP
target A $D:disk-a 10.0.0.11:3260 0
target B $D:disk-b 10.0.0.12:3260 0
target C $D:disk-c 10.0.0.13:3260 0
striped 0 3200 16 A 1000 B 1000
linear 3200 800 C 2000
linear 4000 1000 A 5000
striped 5000 12000 16 A 8000 B 8000 C 8000
MAP
	rvol_map_write lb /tmp/lb.map || return 1
	b=$(rvol_device lb lb) || return 1
	reflect_target_demo "$P:vol-lb" 127.0.0.1:3261 "$b" || return 1
	iscsi_start || return 1
	iscsi_login "$P:vol-lb" 127.0.0.1:3261 >/dev/null || return 1
	[ "$(blockdev --getsz "/dev/$(iscsi_disk_of "$P:vol-lb")")" = $VOL ]
}

# Blocks of the disks outside the volume's ranges: still 0xee.
outside_intact() {
	local x f s c
	for x in "a 0 1000" "a 2600 2400" "a 6000 2000" "a 12000 4384" \
		 "b 0 1000" "b 2600 5400" "b 12000 4384" \
		 "c 0 2000" "c 2800 5200" "c 12000 4384"; do
		set -- $x
		f=/tmp/disk$1.img s=$2 c=$3
		if [ "$(dd if=$f bs=512 skip=$s count=$c status=none | tr -d '\356' | wc -c)" != 0 ]; then
			echo "disk $1 blocks $s+$c were touched"
			return 1
		fi
	done
}

# The volume as read through the manager equals the model.
volume_is_model() {
	dd if="$LB" of=/tmp/vol.img bs=64k iflag=direct status=none || return 1
	cmp /tmp/vol.img $MODEL || return 1
	outside_intact
}

# model_fill LBA COUNT BLOCK-FILE: the model's blocks take FILE's block.
model_fill() {
	python3 - "$@" <<-'EOF'
	import sys
	lba, count, blk = int(sys.argv[1]), int(sys.argv[2]), open(sys.argv[3], "rb").read(512)
	with open("/tmp/model.img", "r+b") as f:
	    f.seek(lba * 512)
	    f.write(blk * count)
	EOF
}

fill() {
	head -c $((VOL * 512)) /dev/urandom >$MODEL
	dd if=$MODEL of="$LB" bs=64k oflag=direct status=none || return 1
	volume_is_model
}

lbp_reported() {
	local v
	v=$(sg_vpd -p lbpv "$LB") || {
		sg_vpd -p 0 "$LB"; sg_vpd -vv -p lbpv "$LB"; sg_inq -p 0xb2 -H "$LB"
		sg_vpd -p bl "$LB"; return 1; }
	log "$(echo "$v" | tr -s ' \n' ' ')"
	# A default unit serial, so that page 0 lists the pages at all.
	sg_vpd -p sn "$LB" | grep -q "Unit serial number: [0-9a-f]\{32\}$" &&
		echo "$v" | grep -q "Unmap command supported (LBPU): 1" &&
		echo "$v" | grep -q "Write same (16) with unmap bit supported (LBPWS): 1" &&
		echo "$v" | grep -q "Write same (10) with unmap bit supported (LBPWS10): 1" &&
		sg_readcap -l "$LB" | grep -q "Logical block provisioning: lbpme=1"
}

st() { rvol_stat lb "$1"; }

unmap_extents() {
	local e0 u0
	e0=$(st errors) u0=$(st unmap_unsupported)
	# 100..3199 striped on A and B, 3200..3599 on C (no UNMAP there).
	sg_unmap --force --lba=100 --num=3500 "$LB" || return 1
	head -c 512 /dev/zero >/tmp/zero
	model_fill 100 3100 /tmp/zero
	volume_is_model || return 1
	# Exactly the striped blocks became zero on A and B: block 100 is in
	# chunk 6 (A), so A gets 100-111 and the even chunks 8-198 (12 + 96 *
	# 16 blocks), B the odd chunks 7-199 (97 * 16).
	for x in "a 1548" "b 1552"; do
		set -- $x
		[ "$(dd if=/tmp/disk$1.img bs=512 skip=1000 count=1600 status=none |
			od -An -v -w512 -tx1 | grep -c '^\( 00\)*$')" = "$2" ] || {
			echo "disk $1: not $2 zero blocks"; return 1; }
	done
	[ "$(st unmap_cmds)" = 1 ] && [ "$(st unmap_blocks)" = 3500 ] &&
		[ "$(st unmap_unsupported)" = $((u0 + 1)) ] &&
		[ "$(st errors)" = "$e0" ]
}

write_same_extents() {
	head -c 512 /dev/urandom >/tmp/blk
	# 3000..4499: striped on A and B, all of C's range, A 5000-5499.
	sg_write_same --in=/tmp/blk --lba=3000 --num=1500 "$LB" || return 1
	model_fill 3000 1500 /tmp/blk
	volume_is_model || return 1
	[ "$(st write_same_cmds)" = 1 ] && [ "$(st write_same_blocks)" = 1500 ]
}

write_same_unmap() {
	# With the UNMAP bit on A and B only: unmapped (zero on fileio).
	sg_write_same --16 --unmap --in=/tmp/zero --lba=0 --num=64 "$LB" || return 1
	model_fill 0 64 /tmp/zero
	volume_is_model || return 1
	[ "$(st write_same_cmds)" = 2 ] && [ "$(st write_same_blocks)" = 1564 ]
}

write_same_unmap_refused() {
	local e0=$(st errors) rc=0
	# C refuses WRITE SAME with the UNMAP bit: the command fails with
	# INVALID COMMAND OPERATION CODE (sg3_utils' status 9).
	sg_write_same --16 --unmap --in=/tmp/zero --lba=3300 --num=8 "$LB" || rc=$?
	[ $rc = 9 ] || { echo "sg_write_same status $rc, not 9"; return 1; }
	[ "$(st errors)" = $((e0 + 1)) ] || return 1
	[ "$(st write_same_cmds)" = 2 ] || return 1
	volume_is_model
}

out_of_range() {
	local rc=0 c0=$(st unmap_cmds) w0=$(st write_same_cmds)
	sg_unmap --force --lba=$((VOL - 10)) --num=20 "$LB" && return 1
	# LBA OUT OF RANGE: sg3_utils says 22 (1.46) or 5 (older).
	sg_write_same --in=/tmp/blk --lba=$((VOL - 1)) --num=2 "$LB" || rc=$?
	[ $rc = 22 ] || [ $rc = 5 ] || { echo "sg_write_same status $rc"; return 1; }
	# Beyond max_write_same_len (0xffff): INVALID FIELD IN CDB.
	rc=0
	sg_write_same --16 --in=/tmp/blk --lba=0 --num=65536 "$LB" || rc=$?
	[ $rc = 5 ] || { echo "sg_write_same status $rc, not 5"; return 1; }
	[ "$(st unmap_cmds)" = "$c0" ] && [ "$(st write_same_cmds)" = "$w0" ] &&
		volume_is_model
}

linux_discard() {
	local n
	n=$(cat "/sys/block/${LB#/dev/}/queue/discard_max_bytes")
	log "discard_max_bytes $n"
	[ "$n" -gt 0 ] || return 1
	# The kernel's own UNMAP: 4000..4999 is A 5000-5999.
	blkdiscard -o $((4000 * 512)) -l $((1000 * 512)) "$LB" || return 1
	model_fill 4000 1000 /tmp/zero
	volume_is_model || return 1
	# Zeroing over the whole striped part: WRITE SAME or writes, either
	# way the blocks read as zero.
	blkdiscard -z -o 0 -l $((3200 * 512)) "$LB" || return 1
	model_fill 0 3200 /tmp/zero
	volume_is_model
}

fstrim_fs() {
	local c0=$(st unmap_cmds)
	mkfs.ext4 -q -F "$LB" || return 1
	mount "$LB" /mnt || return 1
	head -c 1M /dev/urandom >/mnt/keep
	sha256sum /mnt/keep >/tmp/keep.sum
	head -c 3M /dev/urandom >/mnt/drop
	sync
	rm /mnt/drop
	fstrim /mnt || { umount /mnt; return 1; }
	umount /mnt || return 1
	mount "$LB" /mnt || return 1
	sha256sum -c /tmp/keep.sum >/dev/null || { umount /mnt; return 1; }
	umount /mnt || return 1
	fsck.ext4 -fn "$LB" >/dev/null 2>&1 || { echo "fsck found errors"; return 1; }
	[ "$(st unmap_cmds)" -gt "$c0" ]
}

teardown() {
	iscsi_logout_all
	iscsi_stop
	log "$(tr '\n' ' ' <"$RVOL_CFG/lb/stats")"
	rvol_manager_teardown lb
}

t_plan 12
t_run "manager modules and stock LIO load" rvol_load || t_bail "no modules"
t_run "disks A, B (thin) and C (not); volume lb exported; open-iscsi logs in" setup || t_bail "no volume"
LB=/dev/$(iscsi_disk_of "$P:vol-lb")
t_run "the volume has a unit serial and reports UNMAP and WRITE SAME with UNMAP (VPD B2, READ CAPACITY 16)" lbp_reported
t_run "a written pattern reads back; nothing outside the volume touched" fill || t_bail "no data path"
t_run "UNMAP over striped A/B and linear C: A/B zeroed, C kept and counted" unmap_extents
t_run "WRITE SAME over three extents lands everywhere, counted" write_same_extents
t_run "WRITE SAME with UNMAP on A and B unmaps" write_same_unmap
t_run "WRITE SAME with UNMAP on C fails INVALID COMMAND OPERATION CODE, nothing changes" write_same_unmap_refused
t_run "out of range and too long are refused before any backing command" out_of_range
t_run "Linux discard and zeroout on the volume (blkdiscard)" linux_discard
t_run "ext4 with fstrim: kept file intact, fsck clean, UNMAPs counted" fstrim_fs
t_run "logout, teardown, every module unloads" teardown
t_done

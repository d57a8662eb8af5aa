#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The worked example, end to end, inside one VM (run by scripts/demo):
#
#   namespace disks   stock LIO iscsi_target_mod: disks A, B, C at
#                     10.0.0.11-13:3260, each LUN 0 = 1000 blocks of 512
#                     bytes (the worked example), LUN 1 = a larger disk
#                     for the throughput runs
#   namespace mgr     the manager at 10.0.0.2:3260: reflect_target with two
#                     virtual volumes (the worked example's map, and a
#                     volume striped over the three LUN 1s), configured
#                     with reflectctl apply
#   namespace rhost   the reflecting host: reflect_initiator, configured
#                     with reflectctl apply
#   initial namespace a stock open-iscsi host (iscsid needs this one)
#
# all joined by a bridge in namespace sw. The manager's interface counters
# give the bytes that crossed the manager for each host.
#
# With RFL_DEMO_INBAND=1 (tools/bench/reflect_vs_proxy.sh sets it) a third
# configuration runs last: the stock in-band way to build such a volume.
# The initial namespace becomes an in-band manager: open-iscsi sessions to
# the three disks, a dm-stripe device over them with the same layout, and
# stock LIO (iscsi_target_mod, iblock) exporting it at 10.0.0.4:3262; the
# reflecting host's initiator, with reflection off, reads and writes it as
# a plain iSCSI disk, its link shaped like the manager's.

set -u
. "$RFL_REPO/tools/testing/selftests/reflect/lib/vmlib.sh"

MGR_IQN=iqn.2003-01.org.linux-iscsi.reflect:manager
DISK_IQN=iqn.2003-01.org.linux-iscsi.reflect:disk
MAP=$RFL_REPO/tools/testing/selftests/reflect/data/worked_example.map
INI=/sys/kernel/config/reflect_initiator
VV=/sys/kernel/config/reflect_vvol
BIG_MIB=${RFL_DEMO_MIB:-96}	# each backing LUN 1
IO_MIB=${RFL_DEMO_IO_MIB:-64}	# bytes written then read by each host
CHUNK=128			# blocks per stripe chunk (64 KiB)
SHAPE=${RFL_DEMO_SHAPE:-}	# e.g. 40mbit: the manager's link, each way
LAT_S=${RFL_DEMO_LAT_S:-10}	# seconds of 4 KiB QD1 random reads
INBAND=${RFL_DEMO_INBAND:-0}	# 1: also the stock in-band manager
RCTL=$RFL_REPO/tools/reflectctl/out/reflectctl

die() {
	echo "demo: $*" >&2
	dmesg | grep -v -e br0 -e ADDRCONF -e promiscuous | tail -n 15 >&2
	exit 1
}

step() { printf '\n== %s\n' "$*"; }

# ----------------------------------------------------------- topology

topology() {
	local ns
	topo_root_ns root || return 1
	for ns in sw disks mgr rhost; do topo_ns $ns || return 1; done
	ip -n sw link add br0 type bridge && ip -n sw link set br0 up || return 1
	for ns in disks mgr rhost root; do
		ip link add "p-$ns" netns sw type veth peer name eth0 netns $ns || return 1
		ip -n sw link set "p-$ns" master br0 up && ip -n $ns link set eth0 up || return 1
	done
	ip -n disks addr add 10.0.0.11/24 dev eth0 &&
		ip -n disks addr add 10.0.0.12/24 dev eth0 &&
		ip -n disks addr add 10.0.0.13/24 dev eth0 &&
		ip -n mgr addr add 10.0.0.2/24 dev eth0 &&
		ip -n rhost addr add 10.0.0.3/24 dev eth0 &&
		ip -n root addr add 10.0.0.4/24 dev eth0
}

# Bytes through the manager's interface, both directions.
mgr_bytes() {
	local s=/sys/class/net/eth0/statistics
	ip netns exec mgr cat $s/rx_bytes $s/tx_bytes | awk '{ n += $1 } END { print n }'
}

# --------------------------------------------------------------- disks

# disk_target X ADDR: LIO target disk-X with LUN 0 (1000 blocks) and LUN 1.
disk_target() {
	local x=$1 addr=$2 d0 d1 t
	d0=$LIO/core/rd_mcp_0/$x-small
	d1=$LIO/core/rd_mcp_0/$x-big
	mkdir -p "$d0" "$d1" || return 1
	echo rd_pages=125 >"$d0/control" && echo 1 >"$d0/enable" || return 1
	echo "rd_pages=$((BIG_MIB * 256))" >"$d1/control" && echo 1 >"$d1/enable" || return 1
	lio_iscsi_target "$DISK_IQN-$x" "$addr:3260" "$d0" "$d1"
}

disks() {
	lio_load || return 1
	# in_ns starts a fresh bash: hand it this script's helpers.
	export -f disk_target
	export BIG_MIB DISK_IQN
	in_ns disks disk_target a 10.0.0.11 &&
		in_ns disks disk_target b 10.0.0.12 &&
		in_ns disks disk_target c 10.0.0.13
}

# ------------------------------------------------------------- manager

big_map() {
	local blocks=$((BIG_MIB * 2048 * 3))
	blocks=$((blocks / (CHUNK * 3) * CHUNK * 3))
	printf 'target A %s-a 10.0.0.11:3260 1\n' "$DISK_IQN"
	printf 'target B %s-b 10.0.0.12:3260 1\n' "$DISK_IQN"
	printf 'target C %s-c 10.0.0.13:3260 1\n' "$DISK_IQN"
	printf 'striped 0 %d %d A 0 B 0 C 0\n' "$blocks" "$CHUNK"
}

manager_load() {
	modprobe target_core_mod && modprobe libcrc32c && modprobe sd_mod || return 1
	insmod "$RFL_MODDIR/kernel/proto/reflect_proto.ko" &&
		insmod "$RFL_MODDIR/kernel/initiator/reflect_initiator.ko" &&
		insmod "$RFL_MODDIR/kernel/target/reflect_target.ko" &&
		insmod "$RFL_MODDIR/kernel/vvol/target_core_reflect.ko"
}

# ------------------------------------------------------------- hosts

RT=$INI/targets/manager

# The reflecting host: reflect_initiator in namespace rhost.
rhost_login() {
	cat >/tmp/rhost.conf <<-EOF
	initiator {
	    name iqn.2003-01.org.linux-iscsi.reflect:rhost
	    target manager {
	        target_iqn $MGR_IQN
	        portal 10.0.0.2:3260
	        reflection 1
	        enable 1
	    }
	}
	EOF
	echo "    reflectctl apply /tmp/rhost.conf (namespace rhost)"
	in_ns rhost "$RCTL" apply -q /tmp/rhost.conf || { cat "$RT/last_error"; return 1; }
	wait_for 60 rhost_disk 1 >/dev/null
}

# rhost_disk LUN: the reflecting host's sd disk of the manager's LUN.
rhost_disk() {
	local h d
	h=$(cat "$RT/host") && [ -n "$h" ] || return 1
	for d in /sys/class/scsi_host/host"$h"/device/target*/*:*:*:"$1"/block/*; do
		[ -b "/dev/${d##*/}" ] || continue
		echo "/dev/${d##*/}"
		return 0
	done
	return 1
}

# The stock host: open-iscsi in the initial namespace.
shost_login() {
	echo InitiatorName=iqn.2003-01.org.linux-iscsi.reflect:stock-host \
		>/etc/iscsi/initiatorname.iscsi
	iscsi_start || return 1
	iscsiadm -m discovery -t sendtargets -p 10.0.0.2:3260 >/dev/null &&
		iscsiadm -m node -T $MGR_IQN -p 10.0.0.2:3260 --login >/dev/null &&
		wait_for 60 shost_disk 1 >/dev/null
}

# shost_disk LUN: the stock host's sd disk of the manager's LUN.
shost_disk() {
	local d
	for d in /sys/class/iscsi_session/session*/device/target*/*:*:*:"$1"/block/*; do
		[ -b "/dev/${d##*/}" ] || continue
		echo "/dev/${d##*/}"
		return 0
	done
	return 1
}

# ------------------------------------------------------------- in-band

INBAND_IQN=iqn.2003-01.org.linux-iscsi.reflect:inband
IT=$INI/targets/inband

# Bytes through the in-band manager's (the initial namespace's) interface.
root_bytes() {
	local s=/sys/class/net/eth0/statistics
	cat $s/rx_bytes $s/tx_bytes | awk '{ n += $1 } END { print n }'
}

# The in-band manager: open-iscsi to each disk's LUN 1, dm-stripe over
# them (the layout of 'big'), LIO iblock exporting it at 10.0.0.4:3262.
inband_manager() {
	local x i=1 devs=() blocks dm
	modprobe dm_mod && modprobe target_core_iblock || return 1
	for x in a b c; do
		iscsiadm -m discovery -t sendtargets -p "10.0.0.1$i:3260" >/dev/null &&
			iscsiadm -m node -T "$DISK_IQN-$x" -p "10.0.0.1$i:3260" --login >/dev/null ||
			return 1
		wait_for 60 inband_disk "$DISK_IQN-$x" >/dev/null ||
			{ echo "demo: no disk for $DISK_IQN-$x LUN 1" >&2; return 1; }
		devs+=("/dev/$(inband_disk "$DISK_IQN-$x")")
		i=$((i + 1))
	done
	blocks=$(cat "$VV/big/size")
	# No udev in the guest: dmsetup makes the node itself.
	dmsetup create --noudevsync inband \
		--table "0 $blocks striped 3 $CHUNK ${devs[0]} 0 ${devs[1]} 0 ${devs[2]} 0" ||
		{ echo "demo: dmsetup create failed" >&2; return 1; }
	dm=/dev/$(dmsetup info -c --noheadings -o blkdevname inband)
	[ -b "$dm" ] || { echo "demo: no block device for the dm table ($dm)" >&2; return 1; }
	echo "    dm-stripe over ${devs[*]}: $dm, $blocks blocks, chunk $CHUNK"
	mkdir -p "$LIO/core/iblock_0/inband" || return 1
	echo "udev_path=$dm" >"$LIO/core/iblock_0/inband/control" &&
		echo 1 >"$LIO/core/iblock_0/inband/enable" ||
		{ echo "demo: LIO iblock backstore on $dm failed" >&2; return 1; }
	lio_iscsi_target $INBAND_IQN 10.0.0.4:3262 "$LIO/core/iblock_0/inband" ||
		{ echo "demo: LIO target at 10.0.0.4:3262 failed" >&2; return 1; }
}

# inband_disk IQN: the sd disk of LUN 1 of the open-iscsi session to IQN.
inband_disk() {
	iscsiadm -m session -P3 2>/dev/null | awk -v t="$1" '
		/^Target: / { cur = $2 }
		/ Channel [0-9]+ Id [0-9]+ Lun: / { lun1 = ($NF == "1") }
		/Attached scsi disk/ && cur == t && lun1 { print $4; exit }' | grep .
}

# The reflecting host logs into the in-band manager as a plain initiator.
inband_login() {
	mkdir "$IT" && echo $INBAND_IQN >"$IT/target_iqn" &&
		echo 10.0.0.4:3262 >"$IT/portal" && echo 0 >"$IT/reflection" || return 1
	in_ns rhost sh -c "echo 1 >$IT/enable" || { cat "$IT/last_error"; return 1; }
	wait_for 60 inband_host_disk >/dev/null
}

inband_host_disk() {
	local h d
	h=$(cat "$IT/host") && [ -n "$h" ] || return 1
	for d in /sys/class/scsi_host/host"$h"/device/target*/*/block/*; do
		[ -b "/dev/${d##*/}" ] || continue
		echo "/dev/${d##*/}"
		return 0
	done
	return 1
}

# ------------------------------------------------------------- workload

now() { date +%s.%N; }

# run_io NAME DEV: write IO_MIB of a pattern, read it back, compare; record
# MB/s each way and the bytes that crossed the manager meanwhile.
declare -A RES
run_io() {
	local name=$1 dev=$2 b0 t0 t1 t2 b1 bytes=${3:-mgr_bytes}
	b0=$($bytes)
	t0=$(now)
	dd if=/tmp/pattern of="$dev" bs=1M count="$IO_MIB" oflag=direct conv=fsync 2>/dev/null || return 1
	t1=$(now)
	dd if="$dev" of=/tmp/back bs=1M count="$IO_MIB" iflag=direct 2>/dev/null || return 1
	t2=$(now)
	b1=$($bytes)
	cmp -s /tmp/pattern /tmp/back || { echo "demo: $name read back different data" >&2; return 1; }
	RES[$name.mgr]=$((b1 - b0))
	RES[$name.wr]=$(echo "$IO_MIB $t0 $t1" | awk '{ printf "%.1f", $1 / ($3 - $2) }')
	RES[$name.rd]=$(echo "$IO_MIB $t1 $t2" | awk '{ printf "%.1f", $1 / ($3 - $2) }')
	RES[$name.lat]=$(lat_4k "$dev") || return 1
}

# lat_4k DEV: mean completion latency (us) of 4 KiB random reads at QD1.
lat_4k() {
	fio --name=lat --filename="$1" --direct=1 --ioengine=libaio \
		--rw=randread --bs=4k --iodepth=1 --runtime="$LAT_S" --time_based \
		--size="${IO_MIB}m" --output-format=json 2>/dev/null |
		python3 -c 'import json, sys
print("%.0f" % (json.load(sys.stdin)["jobs"][0]["read"]["clat_ns"]["mean"] / 1000))'
}

# shape RATE: the manager's link becomes the bottleneck (tbf both ways).
shape() {
	tc -n sw qdisc add dev p-mgr root tbf rate "$1" burst 64kb latency 500ms &&
		tc -n mgr qdisc add dev eth0 root tbf rate "$1" burst 64kb latency 500ms
}

# The manager's configuration, applied with reflectctl from namespace mgr
# (the portal's socket and the sessions to the disks live there).
manager_conf() {
	cat <<-EOF
	initiator {
	    name iqn.2003-01.org.linux-iscsi.reflect:manager-pool
	}
	volume example {
	    block_size 512
	    map file $MAP
	}
	volume big {
	    block_size 512
	    map file /tmp/big.map
	}
	backstore rvol_0/example {
	    volume example
	}
	backstore rvol_0/big {
	    volume big
	}
	target $MGR_IQN {
	    tpg 1 {
	        portal 10.0.0.2:3260
	        lun 0 rvol_0/example
	        lun 1 rvol_0/big
	        attrib authentication 0
	        attrib generate_node_acls 1
	        attrib cache_dynamic_acls 1
	        attrib demo_mode_write_protect 0
	        attrib reflection 1
	        enable 1
	    }
	}
	EOF
}

manager() {
	big_map >/tmp/big.map && manager_conf >/tmp/manager.conf || return 1
	echo "    reflectctl apply /tmp/manager.conf (namespace mgr); its plan:"
	in_ns mgr "$RCTL" apply -n /tmp/manager.conf | sed 's/^/      /'
	in_ns mgr "$RCTL" apply -q /tmp/manager.conf || return 1
	# Applying the same file again changes nothing.
	[ -z "$(in_ns mgr "$RCTL" apply -n /tmp/manager.conf)" ] ||
		{ echo "demo: a second apply would change something" >&2; return 1; }
}

vstat() {
	sed -n "s/^$2 //p" "$VV/$1/stats"
}

rstat() {
	sed -n "s/^$1 //p" "$RT/stats"
}

# ------------------------------------------------------------- main

[ -r "$MAP" ] || die "no worked example map at $MAP"
[ -x "$RCTL" ] || die "no reflectctl at $RCTL (make tools)"
step "topology: disks, manager, reflecting host, stock host on one bridge"
topology || die "topology"
step "stock LIO disks A, B, C (iscsi_target_mod) at 10.0.0.11-13:3260"
disks || die "disks"
step "manager at 10.0.0.2:3260: reflect_target, volumes 'example' (LUN 0) and 'big' (LUN 1)"
manager_load || die "manager modules"
manager || die "manager configuration"
sed 's/^/    /' "$VV/example/map"
echo "    'big': $(cat "$VV/big/size") blocks striped over the disks' LUN 1, chunk $CHUNK"

step "stock open-iscsi host (initial namespace): no reflection, served by proxy"
shost_login || die "open-iscsi login"
S0=$(shost_disk 0) && S1=$(shost_disk 1) || die "no stock disks"
echo "    LUN 0 = $S0, LUN 1 = $S1"

step "reflecting host (namespace rhost): reflect_initiator"
rhost_login || die "reflect_initiator login"
R0=$(rhost_disk 0) && R1=$(rhost_disk 1) || die "no reflecting disks"
echo "    LUN 0 = $R0, LUN 1 = $R1; $(grep -i reflection "$RT/negotiated")"

step "the worked example: READ 40 blocks at LBA 500 of 'example'"
head -c $((3000 * 512)) /dev/urandom >/tmp/example
dd if=/tmp/example of="$S0" bs=512 oflag=direct conv=fsync 2>/dev/null ||
	die "stock host could not write 'example'"
p0=$(vstat example reflected_pieces)
c0=$(vstat example reflected_cmds)
dd if="$R0" of=/tmp/ex40 bs=20480 count=1 skip=$((500 * 512)) iflag=direct,skip_bytes 2>/dev/null ||
	die "reflecting host could not read"
cmp -s /tmp/ex40 <(dd if=/tmp/example bs=512 skip=500 count=40 2>/dev/null) ||
	die "the reflected READ returned the wrong data"
echo "    reflected commands: $(($(vstat example reflected_cmds) - c0)), pieces: $(($(vstat example reflected_pieces) - p0)) (A 400-409, B 300-319, C 600-609)"
echo "    data read by the reflecting host = data the stock host wrote through the manager: yes"

if [ -n "$SHAPE" ]; then
	step "the manager's link shaped to $SHAPE each way"
	shape "$SHAPE" || die "tc"
fi
step "throughput: $IO_MIB MiB written then read back on 'big' by each host, then ${LAT_S} s of 4 KiB reads at QD1"
head -c $((IO_MIB * 1048576)) /dev/urandom >/tmp/pattern
run_io stock "$S1" || die "stock host I/O"
px=$(vstat big proxied_bytes)
rf=$(vstat big reflected_cmds)
run_io reflect "$R1" || die "reflecting host I/O"
RES[reflect.px]=$(($(vstat big proxied_bytes) - px))
RES[reflect.rf]=$(($(vstat big reflected_cmds) - rf))
RES[stock.px]=$px

step "a filesystem on the reflected volume"
iscsiadm -m node --logoutall=all >/dev/null
fs_roundtrip "$R1" || die "filesystem round trip on the reflecting host"
echo "    mkfs.ext4, files written, checksums verified after remount, fsck clean"

if [ "$INBAND" = 1 ]; then
	step "stock in-band manager (initial namespace): open-iscsi to the disks, dm-stripe, LIO at 10.0.0.4:3262"
	inband_manager || die "in-band manager"
	inband_login || die "login to the in-band manager"
	if [ -n "$SHAPE" ]; then
		tc -n sw qdisc add dev p-root root tbf rate "$SHAPE" burst 64kb latency 500ms &&
			tc qdisc add dev eth0 root tbf rate "$SHAPE" burst 64kb latency 500ms ||
			die "tc"
	fi
	run_io inband "$(inband_host_disk)" root_bytes || die "in-band host I/O"
fi

step "result"
printf '\n%-22s %16s %16s %12s %12s %12s\n' host "bytes via manager" "proxied bytes" "write MB/s" "read MB/s" "4k QD1 us"
printf '%-22s %16s %16s %12s %12s %12s\n' "stock open-iscsi" "${RES[stock.mgr]}" "${RES[stock.px]}" "${RES[stock.wr]}" "${RES[stock.rd]}" "${RES[stock.lat]}"
printf '%-22s %16s %16s %12s %12s %12s\n' "reflecting host" "${RES[reflect.mgr]}" "${RES[reflect.px]}" "${RES[reflect.wr]}" "${RES[reflect.rd]}" "${RES[reflect.lat]}"
if [ "$INBAND" = 1 ]; then
	printf '%-22s %16s %16s %12s %12s %12s\n' "in-band LIO+dm (stock)" "${RES[inband.mgr]}" "-" "${RES[inband.wr]}" "${RES[inband.rd]}" "${RES[inband.lat]}"
fi
ratio() { echo "$1 $2" | awk '{ if ($2 > 0) printf "%.3g", $1 / $2; else print "-" }'; }
echo
if [ "$INBAND" = 1 ]; then
	echo "reflecting / in-band: bytes via manager $(ratio "${RES[reflect.mgr]}" "${RES[inband.mgr]}"), write $(ratio "${RES[reflect.wr]}" "${RES[inband.wr]}"), read $(ratio "${RES[reflect.rd]}" "${RES[inband.rd]}"), 4k latency $(ratio "${RES[reflect.lat]}" "${RES[inband.lat]}")"
	echo "bytes via manager per byte moved: in-band $(ratio "${RES[inband.mgr]}" $((2 * IO_MIB * 1048576)))"
fi
echo "reflecting / stock: bytes via manager $(ratio "${RES[reflect.mgr]}" "${RES[stock.mgr]}"), write $(ratio "${RES[reflect.wr]}" "${RES[stock.wr]}"), read $(ratio "${RES[reflect.rd]}" "${RES[stock.rd]}"), 4k latency $(ratio "${RES[reflect.lat]}" "${RES[stock.lat]}")"
echo "bytes via manager per byte moved: stock $(ratio "${RES[stock.mgr]}" $((2 * IO_MIB * 1048576))), reflecting $(ratio "${RES[reflect.mgr]}" $((2 * IO_MIB * 1048576)))"
echo "data moved by each host: $((2 * IO_MIB)) MiB ($((2 * IO_MIB * 1048576)) bytes)"
echo "reflected commands for the reflecting host's run: ${RES[reflect.rf]}"
echo "(throughput is software-emulated QEMU on a shared machine: compare the columns, not the absolute figures)"
echo
echo "reflecting host statistics: $(tr '\n' ' ' <"$RT/stats")"
echo "volume 'big' statistics: $(tr '\n' ' ' <"$VV/big/stats")"

# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Helpers for VM tests (sourced): TAP output, bounded waits, stock LIO
# targets through configfs, open-iscsi sessions, data verification and
# network-namespace topologies.

set -u

T_NUM=0
T_FAIL=0
T_PLAN=0

# t_plan N: print the TAP header for N tests.
t_plan() {
	T_PLAN=$1
	echo "TAP version 13"
	echo "1..$1"
}

# t_result RC DESC: one TAP line; RC 0 is ok.
t_result() {
	T_NUM=$((T_NUM + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $T_NUM - $2"
	else
		echo "not ok $T_NUM - $2"
		T_FAIL=$((T_FAIL + 1))
	fi
}

# t_run DESC CMD...: run CMD, report it as one test, keep its output as
# TAP diagnostics.
t_run() {
	local desc=$1 rc out
	shift
	out=$("$@" 2>&1)
	rc=$?
	[ -n "$out" ] && printf '%s\n' "$out" | sed 's/^/# /'
	t_result $rc "$desc"
	return $rc
}

# t_skip DESC REASON
t_skip() {
	T_NUM=$((T_NUM + 1))
	echo "ok $T_NUM - $1 # SKIP $2"
}

# t_done: exit non-zero if any test failed or the plan was not met.
t_done() {
	if [ "$T_NUM" -ne "$T_PLAN" ]; then
		echo "# planned $T_PLAN tests, ran $T_NUM"
		exit 1
	fi
	[ "$T_FAIL" -eq 0 ] || { echo "# $T_FAIL of $T_NUM failed"; exit 1; }
	exit 0
}

# t_bail MSG: abandon the test file.
t_bail() {
	echo "Bail out! $*"
	exit 1
}

log() { echo "# $*"; }

# wait_for TRIES CMD...: retry CMD every 0.5 s, at most TRIES times. The
# bound is on attempts, never on elapsed time, and is generous: a TCG guest
# can be very slow.
wait_for() {
	local tries=$1 i
	shift
	for ((i = 0; i < tries; i++)); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.5
	done
	"$@"
}

# rmmod_refused MODULE: rmmod MODULE must fail (it is in use) and leave it
# loaded; the refusal is logged.
rmmod_refused() {
	if rmmod "$1" 2>/tmp/rmmod.err; then
		echo "rmmod $1 succeeded while it is in use"
		return 1
	fi
	log "rmmod $1: $(cat /tmp/rmmod.err)"
	lsmod | grep -q "^$1 " || { echo "$1 is gone"; return 1; }
}

# ---------------------------------------------------------------- stock LIO

LIO=/sys/kernel/config/target

lio_load() {
	modprobe target_core_mod && modprobe iscsi_target_mod &&
		modprobe target_core_file && modprobe target_core_iblock
}

# lio_ramdisk NAME MIB: an rd_mcp backstore of MIB MiB; prints its path.
lio_ramdisk() {
	local d=$LIO/core/rd_mcp_0/$1
	mkdir -p "$d" || return 1
	echo "rd_pages=$(($2 * 256))" >"$d/control" || return 1
	echo 1 >"$d/enable" || return 1
	echo "$d"
}

# lio_fileio NAME FILE MIB: a fileio backstore on FILE; prints its path.
lio_fileio() {
	local d=$LIO/core/fileio_0/$1
	mkdir -p "$d" || return 1
	echo "fd_dev_name=$2,fd_dev_size=$(($3 * 1048576))" >"$d/control" || return 1
	echo 1 >"$d/enable" || return 1
	echo "$d"
}

# lio_iscsi_target IQN ADDR:PORT BACKSTORE...: an iscsi_target_mod target
# in demo mode (any initiator, no auth) exporting each backstore as a LUN,
# in portal group LIO_TPGT (default 1). The portal's socket lives in the
# caller's network namespace.
lio_iscsi_target() {
	local iqn=$1 np=$2 t i=0 b
	shift 2
	t=$LIO/iscsi/$iqn/tpgt_${LIO_TPGT:-1}
	mkdir -p "$t" || return 1
	for b in "$@"; do
		mkdir -p "$t/lun/lun_$i" || return 1
		ln -s "$b" "$t/lun/lun_$i/$(basename "$b")" || return 1
		i=$((i + 1))
	done
	mkdir "$t/np/$np" || return 1
	echo 0 >"$t/attrib/authentication"
	echo 1 >"$t/attrib/generate_node_acls"
	echo 1 >"$t/attrib/cache_dynamic_acls"
	echo 0 >"$t/attrib/demo_mode_write_protect"
	echo 1 >"$t/enable"
}

# lio_teardown: remove every iscsi target and backstore, in order.
lio_teardown() {
	local t l np hba d
	for t in "$LIO"/iscsi/*/tpgt_*; do
		[ -d "$t" ] || continue
		echo 0 >"$t/enable" 2>/dev/null
		for l in "$t"/lun/lun_*; do
			[ -d "$l" ] || continue
			find "$l" -maxdepth 1 -type l -delete
			rmdir "$l"
		done
		for np in "$t"/np/*; do [ -d "$np" ] && rmdir "$np"; done
		rmdir "$t"
	done
	for t in "$LIO"/iscsi/*; do [ -d "$t" ] && [ "${t##*/}" != discovery_auth ] && rmdir "$t"; done
	for hba in "$LIO"/core/*_*; do
		[ -d "$hba" ] || continue
		for d in "$hba"/*; do [ -d "$d" ] && [ "${d##*/}" != hba_info ] && rmdir "$d"; done
		rmdir "$hba"
	done
	return 0
}

# ------------------------------------------------------------- open-iscsi

# iscsi_start: iscsid for the caller's network namespace (its control
# socket is abstract, hence per namespace).
iscsi_start() {
	mkdir -p /run/lock/iscsi /etc/iscsi/nodes /etc/iscsi/send_targets
	# No udev in the guest: load what it would have loaded for a disk.
	modprobe iscsi_tcp && modprobe sd_mod && modprobe sg || return 1
	iscsid -p "/run/iscsid-${RFL_NS:-root}.pid" || return 1
	wait_for 40 test -s "/run/iscsid-${RFL_NS:-root}.pid"
}

iscsi_stop() {
	local pidf=/run/iscsid-${RFL_NS:-root}.pid
	[ -s "$pidf" ] && kill "$(cat "$pidf")" 2>/dev/null
	return 0
}

# iscsi_login IQN ADDR[:PORT]: discover and log in; prints the sd device.
iscsi_login() {
	local iqn=$1 portal=$2 dev
	iscsiadm -m discovery -t sendtargets -p "$portal" >/dev/null || return 1
	iscsiadm -m node -T "$iqn" -p "$portal" --login >/dev/null || return 1
	wait_for 60 iscsi_disk_of "$iqn" >/dev/null || return 1
	dev=$(iscsi_disk_of "$iqn")
	wait_for 40 test -b "/dev/$dev" || return 1
	echo "/dev/$dev"
}

# iscsi_disk_of IQN: the first sd disk attached to IQN's session.
iscsi_disk_of() {
	iscsiadm -m session -P3 2>/dev/null | awk -v t="$1" '
		/^Target: / { cur = $2 }
		/Attached scsi disk/ && cur == t { print $4; exit }' | grep .
}

iscsi_logout_all() {
	iscsiadm -m node --logoutall=all >/dev/null 2>&1
	iscsiadm -m node -o delete >/dev/null 2>&1
	return 0
}

# ------------------------------------------------------- data verification

# fio_verify DEV [EXTRA FIO ARGS]: write a pattern with checksums over the
# device with mixed block sizes and queue depth, then read it all back and
# verify every block. Fails on any I/O or verify error.
fio_verify() {
	local dev=$1
	shift
	fio --name=verify --filename="$dev" --direct=1 --ioengine=libaio \
		--rw=randwrite --bssplit=4k/40:16k/20:64k/20:256k/10:1m/10 \
		--iodepth=16 --size=100% --verify=crc32c --verify_fatal=1 \
		--do_verify=1 --randrepeat=1 --norandommap --verify_backlog=0 \
		--output-format=terse --minimal "$@" >/tmp/fio.$$ 2>&1
	local rc=$?
	[ $rc -eq 0 ] || sed 's/^/fio: /' /tmp/fio.$$ | head -n 20
	rm -f /tmp/fio.$$
	return $rc
}

# fs_roundtrip DEV: mkfs.ext4, write files, record checksums, unmount,
# remount, verify checksums, unmount, fsck -n clean.
fs_roundtrip() {
	local dev=$1 mnt i
	mnt=$(mktemp -d)
	mkfs.ext4 -q -F "$dev" || return 1
	mount "$dev" "$mnt" || return 1
	for i in 1 2 3 4; do
		head -c $((i * 1536 * 1024 + 4097)) /dev/urandom >"$mnt/file$i" || return 1
	done
	mkdir "$mnt/dir" && cp "$mnt/file2" "$mnt/dir/copy"
	(cd "$mnt" && sha256sum file* dir/copy) >/tmp/sums.$$
	umount "$mnt" || return 1
	echo 3 >/proc/sys/vm/drop_caches
	mount "$dev" "$mnt" || return 1
	(cd "$mnt" && sha256sum -c --quiet /tmp/sums.$$) || return 1
	umount "$mnt" || return 1
	fsck.ext4 -n -f "$dev" >/dev/null 2>&1 || { echo "fsck found errors"; return 1; }
	rm -f /tmp/sums.$$
	rmdir "$mnt"
}

# ------------------------------------------------------------- topologies

# topo_ns NAME: a fresh network namespace with loopback up.
topo_ns() {
	ip netns add "$1" && ip -n "$1" link set lo up
}

# topo_root_ns NAME: give the initial namespace a name, so that helpers can
# address it like the others. Stock open-iscsi needs it: iscsid talks to
# the kernel over NETLINK_ISCSI, which exists in the initial namespace only,
# so a stock initiator host must live there.
topo_root_ns() {
	ip netns attach "$1" 1
}

# topo_link NS1 ADDR1 NS2 ADDR2: a veth pair between two namespaces, each
# end addressed (ADDR in CIDR form) and up.
topo_link() {
	local a=$1 aa=$2 b=$3 ba=$4 ia ib
	ia="v${a:0:5}-${b:0:5}"
	ib="v${b:0:5}-${a:0:5}"
	ip link add "$ia" netns "$a" type veth peer name "$ib" netns "$b" || return 1
	ip -n "$a" addr add "$aa" dev "$ia" && ip -n "$a" link set "$ia" up || return 1
	ip -n "$b" addr add "$ba" dev "$ib" && ip -n "$b" link set "$ib" up || return 1
}

# topo_shape NS DEV RATE DELAY: shape DEV's egress (tbf + netem).
topo_shape() {
	ip netns exec "$1" tc qdisc replace dev "$2" root netem delay "$4" rate "$3"
}

VMLIB=$(realpath "${BASH_SOURCE[0]}")

# in_ns NS CMD...: run CMD (a program or a helper of this file) in NS, with
# RFL_NS set: helpers key per-namespace state on it.
in_ns() {
	local ns=$1
	shift
	# ip netns exec remounts /sys for the namespace: bring configfs back.
	ip netns exec "$ns" env RFL_NS="$ns" bash -c '
		mountpoint -q /sys/kernel/config ||
			mount -t configfs configfs /sys/kernel/config
		. "$0"; "$@"' "$VMLIB" "$@"
}

# ------------------------------------------------------ our reflect target

# reflect_target_load: LIO core, reflect_proto and reflect_target from
# this kernel's fresh build.
reflect_target_load() {
	modprobe target_core_mod && modprobe libcrc32c || return 1
	insmod "$RFL_MODDIR/kernel/proto/reflect_proto.ko" || return 1
	insmod "$RFL_MODDIR/kernel/target/reflect_target.ko" || return 1
	mkdir -p "$LIO/reflect" && test -d "$LIO/reflect"
}

# reflect_target_demo IQN ADDR:PORT BACKSTORE: a reflect target in demo
# mode (any initiator, no auth) exporting BACKSTORE as LUN 0.
reflect_target_demo() {
	local t=$LIO/reflect/$1/tpgt_1
	mkdir -p "$t/lun/lun_0" || return 1
	ln -s "$3" "$t/lun/lun_0/$(basename "$3")" || return 1
	mkdir "$t/np/$2" || return 1
	echo 0 >"$t/attrib/authentication" &&
		echo 1 >"$t/attrib/generate_node_acls" &&
		echo 1 >"$t/attrib/cache_dynamic_acls" &&
		echo 0 >"$t/attrib/demo_mode_write_protect" &&
		echo 1 >"$t/enable"
}

# --------------------------------------------------------- virtual volumes

RVOL_CFG=/sys/kernel/config/reflect_vvol

# rvol_load: the manager's modules (reflect_proto, reflect_target,
# reflect_initiator, target_core_reflect) over stock LIO, from this
# kernel's fresh build.
rvol_load() {
	lio_load && modprobe sd_mod || return 1
	reflect_target_load || return 1
	insmod "$RFL_MODDIR/kernel/initiator/reflect_initiator.ko" || return 1
	insmod "$RFL_MODDIR/kernel/vvol/target_core_reflect.ko" || return 1
	test -d "$RVOL_CFG"
}

# rvol_disk_file NAME BLOCKS: a fileio LU of BLOCKS 512-byte blocks on
# /tmp/NAME.img (its bytes readable directly); prints its configfs path.
# Like targetcli, it gives the LU a unit serial of its own (hex, from
# NAME), so that LIO reports an NAA designator that differs from disk to
# disk: without one every LIO LU reports the same T10 vendor designator
# ("LIO-ORG"), and a host could not tell the disks apart by VPD 0x83.
rvol_disk_file() {
	local d=$LIO/core/fileio_0/$1
	truncate -s $(($2 * 512)) "/tmp/$1.img" || return 1
	mkdir -p "$d" || return 1
	echo "fd_dev_name=/tmp/$1.img,fd_dev_size=$(($2 * 512))" >"$d/control" || return 1
	echo 1 >"$d/enable" || return 1
	# (head, not cut: tests define a function named cut)
	printf '%s' "$1" | md5sum | head -c 32 >"$d/wwn/vpd_unit_serial" || return 1
	echo "$d"
}

# rvol_map_write VOL FILE: load FILE as VOL's map; succeeds when the
# generation moved and last_error is empty (the write itself cannot
# report: configfs commits a binary attribute on close).
rvol_map_write() {
	local v=$RVOL_CFG/$1 g0 g1
	g0=$(cat "$v/generation")
	cat "$2" >"$v/map" || return 1
	g1=$(cat "$v/generation")
	[ -z "$(cat "$v/last_error")" ] && [ "$g1" != "$g0" ] && return 0
	echo "map not loaded (generation $g0 -> $g1): $(cat "$v/last_error")"
	return 1
}

# rvol_map_refused VOL FILE: FILE must be refused with a reason, and the
# old map, size and generation stay.
rvol_map_refused() {
	local v=$RVOL_CFG/$1 g0 s0 m0
	g0=$(cat "$v/generation")
	s0=$(cat "$v/size")
	m0=$(md5sum <"$v/map")
	cat "$2" >"$v/map"
	[ "$(cat "$v/generation")" = "$g0" ] || { echo "generation moved"; return 1; }
	[ -n "$(cat "$v/last_error")" ] || { echo "no last_error"; return 1; }
	[ "$(cat "$v/size")" = "$s0" ] || { echo "size changed"; return 1; }
	[ "$(md5sum <"$v/map")" = "$m0" ] || { echo "map changed"; return 1; }
	echo "refused: $(cat "$v/last_error")"
}

# rvol_stat VOL KEY: one counter of VOL's statistics.
rvol_stat() {
	awk -v k="$2" '$1 == k { print $2 }' "$RVOL_CFG/$1/stats"
}

# rvol_device NAME VOL: an LIO device rvol_0/NAME bound to VOL, enabled;
# prints its configfs path.
rvol_device() {
	local d=$LIO/core/rvol_0/$1
	mkdir -p "$d" || return 1
	echo "volume=$2" >"$d/control" || return 1
	echo 1 >"$d/enable" || return 1
	echo "$d"
}

# rvol_manager_teardown VOLUME...: every target of the reflect fabric,
# every rvol device and the named volumes go, then the manager's modules
# unload (each step must succeed) and stock LIO is torn down.
rvol_manager_teardown() {
	local t l np d v
	for t in "$LIO"/reflect/*/tpgt_*; do
		[ -d "$t" ] || continue
		echo 0 >"$t/enable"
		for l in "$t"/lun/lun_*; do
			[ -d "$l" ] || continue
			find "$l" -maxdepth 1 -type l -delete
			rmdir "$l" || return 1
		done
		for np in "$t"/np/*; do [ -d "$np" ] && { rmdir "$np" || return 1; }; done
		rmdir "$t" && rmdir "${t%/tpgt_*}" || return 1
	done
	for d in "$LIO"/core/rvol_0/*; do
		[ -d "$d" ] && [ "${d##*/}" != hba_info ] && { rmdir "$d" || return 1; }
	done
	rmdir "$LIO/core/rvol_0" || return 1
	for v in "$@"; do rmdir "$RVOL_CFG/$v" || return 1; done
	rmmod target_core_reflect && rmmod reflect_initiator || return 1
	rmdir "$LIO/reflect" && rmmod reflect_target && rmmod reflect_proto || return 1
	lio_teardown
}

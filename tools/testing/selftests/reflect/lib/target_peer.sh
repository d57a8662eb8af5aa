# SPDX-License-Identifier: GPL-2.0
#
# Helpers of the tests that run lib/target_peer.py against reflect_target
# (vm/target_malformed.sh, vm/target_adversary.sh). Source after vmlib.sh
# with IQN, PORT (the TCP port) and TPG (its tpgt_1 directory) set.

PEER=$RFL_REPO/tools/testing/selftests/reflect/lib/target_peer.py
export RFL_TPG=$TPG

# peer STEP: run one step of the raw peer.
peer() {
	python3 "$PEER" "$IQN" "$PORT" "$1"
}

# tpeer_setup: a demo-mode tpg with one 8 MiB ramdisk LUN, no NOP-In
# pings (the peer answers none unless a step asks for them).
tpeer_setup() {
	reflect_target_load || return 1
	BS=$(lio_ramdisk rd0 8) || return 1
	mkdir -p "$TPG/lun/lun_0" && ln -s "$BS" "$TPG/lun/lun_0/rd0" &&
		mkdir "$TPG/np/127.0.0.1:$PORT" &&
		echo 1 >"$TPG/attrib/generate_node_acls" &&
		echo 0 >"$TPG/attrib/demo_mode_write_protect" &&
		echo 0 >"$TPG/attrib/nopin_timeout" &&
		echo 1 >"$TPG/enable"
}

tpeer_teardown() {
	echo 0 >"$TPG/enable"
	find "$TPG/lun/lun_0" -maxdepth 1 -type l -delete
	rmdir "$TPG/lun/lun_0" && rmdir "$TPG/np/127.0.0.1:$PORT" &&
		rmdir "$TPG" && rmdir "$(dirname "$TPG")" &&
		rmdir "$LIO/reflect" || return 1
	lio_teardown
	rmmod reflect_target && rmmod reflect_proto
}

# stats_snap: remember tpgt_N/statistics and the length of the kernel log.
stats_snap() {
	declare -gA ST0=()
	local k v
	while read -r k v; do
		ST0[$k]=$v
	done <"$TPG/statistics"
	LOG0=$(dmesg | wc -l)
}

# stats_delta [NAME=N ...]: every counter moved by exactly N since
# stats_snap, those not named by 0.
stats_delta() {
	declare -A want=()
	local kv k v rc=0
	for kv in "$@"; do
		want[${kv%%=*}]=${kv#*=}
	done
	for k in "${!want[@]}"; do
		[ -n "${ST0[$k]}" ] || { echo "no counter $k"; rc=1; }
	done
	while read -r k v; do
		if [ $((v - ST0[$k])) -ne "${want[$k]:-0}" ]; then
			echo "statistics: $k moved by $((v - ST0[$k])), expected ${want[$k]:-0}"
			rc=1
		fi
	done <"$TPG/statistics"
	[ $rc -eq 0 ] || cat "$TPG/statistics"
	return $rc
}

# new_log PATTERN N: exactly N reflect_target lines matching PATTERN
# (extended regexp) were logged since stats_snap.
new_log() {
	local n
	n=$(dmesg | tail -n +$((LOG0 + 1)) | grep "reflect_target: " |
		grep -cE -- "$1")
	[ "$n" -eq "$2" ] && return 0
	echo "log: $n lines matching '$1', expected $2"
	dmesg | tail -n +$((LOG0 + 1)) | grep "reflect_target: "
	return 1
}

# sessions_gone: wait (bounded) until the peer has no session listed.
sessions_gone() {
	local i
	for i in $(seq 60); do
		grep -q "^iqn.2026-11.org.reflect.test:raw " "$TPG/sessions" ||
			return 0
		sleep 1
	done
	echo "sessions still lists the peer:"
	cat "$TPG/sessions"
	return 1
}

# SPDX-License-Identifier: GPL-2.0
#
# The reflection topology shared by vm/fault_reflect.sh and the soak run
# (soak/reflect_soak.sh), and the faults both inject. Source after
# vmlib.sh. The manager is the initial namespace, three stock LIO disks
# are addresses on its loopback, the host is namespace "host" routed to
# the disks through the manager; a volume striped over the disks is
# exported by reflect at $MGR:3261 and the host logs into it with
# reflection (target object $T, disk $DEV after login).

P=iqn.2026-11.org.reflect.test
D=iqn.2003-01.org.linux-iscsi.reflect
INI=/sys/kernel/config/reflect_initiator
RFL=$LIO/reflect
BLOCKS=32768	# 16 MiB per disk
MGR=10.9.0.1
T=$INI/targets/vol

big_map() {
	cat <<-MAP
	target A $D:disk-a 10.0.0.11:3260 0
	target B $D:disk-b 10.0.0.12:3260 0
	target C $D:disk-c 10.0.0.13:3260 0
	striped 0 $1 16 A 0 B 0 C 0
	${2:-}
	MAP
}

# The manager is the initial namespace, the disks are addresses on its
# loopback, the host is namespace "host" routed to the disks through it.
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
	# Sessions to the disks (the manager's and the host's pools) take
	# their timeouts from target objects of the same name: a lost disk is
	# noticed in seconds and given up after 30 s (long enough for any
	# reconnect after a 3 s flap, however slow the kernel).
	for x in a b c; do
		mkdir "$INI/targets/disk-$x" || return 1
		echo "$D:disk-$x" >"$INI/targets/disk-$x/target_iqn"
		echo 2 >"$INI/targets/disk-$x/nop_interval"
		echo 3 >"$INI/targets/disk-$x/nop_timeout"
		echo 30 >"$INI/targets/disk-$x/replacement_timeout"
	done
	echo "$P:manager" >"$INI/initiator_name"
	mkdir "$RVOL_CFG/vol" || return 1
	big_map 96000 >/tmp/map1
	rvol_map_write vol /tmp/map1 || return 1
	b=$(rvol_device vol vol) || return 1
	reflect_target_demo "$P:vol" $MGR:3261 "$b"
}

host_disk() {
	local h d
	h=$(cat "$T/host") && [ -n "$h" ] || return 1
	for d in /sys/class/scsi_host/host"$h"/device/target*/*/block/*; do
		[ -b "/dev/${d##*/}" ] || continue
		echo "/dev/${d##*/}"
		return 0
	done
	return 1
}

login() {
	echo "$P:host" >"$INI/initiator_name"
	mkdir "$T" && echo "$P:vol" >"$T/target_iqn" && echo $MGR:3261 >"$T/portal" || return 1
	echo 60 >"$T/replacement_timeout" || return 1
	in_ns host sh -c "echo 1 >$T/enable" || { cat "$T/last_error"; return 1; }
	wait_for 60 host_disk >/dev/null || return 1
	grep -q 'Reflection=Yes' "$T/negotiated" || { echo "reflection not negotiated"; return 1; }
}

hstat() {
	awk -v k="$1" '$1 == k { print $2 }' "$T/stats"
}

# during_writes CMD...: fio verify on the volume with CMD run 2 s in.
during_writes() {
	local pid rc
	fio_verify "$DEV" --size=40m &
	pid=$!
	sleep 2
	"$@"
	rc=$?
	wait $pid || { echo "fio failed"; dmesg | tail -n 25; return 1; }
	return $rc
}

# login_accepts X: logins disk X's stock LIO target has accepted so far.
login_accepts() {
	cat "$LIO/iscsi/$D:disk-$1/fabric_statistics/iscsi_login_stats/accepts"
}

disk_flap() {
	echo 0 >"$LIO/iscsi/$D:disk-b/tpgt_1/enable" || return 1
	sleep 3
	echo 1 >"$LIO/iscsi/$D:disk-b/tpgt_1/enable"
}

# Disabling a portal group ends its sessions, so the flap is proven by a
# login accepted after it (the host's pooled session, which fio keeps
# busy, must come back); without the flap nothing logs in again.
disk_flap_case() {
	local a0
	a0=$(login_accepts b)
	during_writes disk_flap || return 1
	wait_for 120 eval '[ "$(login_accepts b)" -gt "$a0" ]' ||
		{ echo "no session to disk B logged in again after the flap"; return 1; }
	log "disk B: $(($(login_accepts b) - a0)) login(s) after the flap"
}

# host_drop on TABLE DADDR | host_drop off TABLE: the host's packets to
# DADDR dropped (nftables, counted) until "off", which leaves in
# $DROPPED how many packets were dropped.
host_drop() {
	if [ "$1" = on ]; then
		ip netns exec host nft -f - <<-EOF
		table inet $2 {
			chain out { type filter hook output priority 0; ip daddr $3 counter drop; }
		}
		EOF
	else
		DROPPED=$(ip netns exec host nft list table inet "$2" |
			sed -n 's/.*counter packets \([0-9]*\) .*/\1/p')
		ip netns exec host nft delete table inet "$2"
	fi
}

# cut on|off: the host loses the disks, keeps the manager.
cut() {
	if [ "$1" = on ]; then
		host_drop on rflfault 10.0.0.0/24
	else
		host_drop off rflfault
	fi
}

# A cut of 3 s during writes, shorter than every timeout of the pooled
# sessions but the NOP-Out ping's (2 s interval, 3 s timeout): packets to
# the disks are dropped, TCP retransmits them or the pooled sessions
# reconnect, and no write is lost.
short_cut() {
	cut on || return 1
	echo "reflect_fault: cut on" >/dev/kmsg
	sleep 3
	cut off
	echo "reflect_fault: cut off" >/dev/kmsg
}

short_cut_case() {
	local f0 r0
	f0=$(hstat fallbacks)
	r0=$(hstat reconnects)
	DROPPED=
	during_writes short_cut || return 1
	log "short cut: $DROPPED packet(s) dropped; host fallbacks +$(($(hstat fallbacks) - f0))"
	dmesg | sed -n '/reflect_fault: cut on$/,$p' | grep reflect_ | head -n 12
	[ "${DROPPED:-0}" -gt 0 ] ||
		{ echo "the cut dropped nothing: the host was not sending to the disks"; return 1; }
	# The host's session to the manager is not cut.
	[ "$(hstat reconnects)" = "$r0" ] ||
		{ echo "the host's session to the manager reconnected"; return 1; }
}

# The cut comes first and the writes after it, so that every command
# meets it whatever the speed of the machine: the first ones wait for the
# pooled sessions to time out, then each is re-driven through the
# manager; the writer sees no error and every block verifies.
#
# Pooled LUs idle for a second are closed meanwhile (pool_idle 1), so
# commands must open them again while the disks do not answer: the debug
# kernel, slower, reaped them at the default 30 s, and each command then
# waited for a connect of its own until the midlayer gave up. A failed
# open now holds its target off for as long as it took.
cut_disks_case() {
	local f0 rc pi=/sys/module/reflect_initiator/parameters/pool_idle
	f0=$(hstat fallbacks)
	echo "reflect_fault: cut_disks" >/dev/kmsg
	echo 1 >$pi || return 1
	cut on || return 1
	fio_verify "$DEV" --size=16m
	rc=$?
	cut off
	echo 30 >$pi
	log "host: $(tr '\n' ' ' <"$T/stats")"
	log "opens held off: $(dmesg | sed -n '/reflect_fault: cut_disks$/,$p' | grep -c 'not tried again')"
	[ $rc -eq 0 ] || { echo "fio failed"; dmesg | tail -n 25; return 1; }
	[ "$(hstat fallbacks)" -gt "$f0" ] || { echo "no fallback counted"; return 1; }
}

# The same placement in two extents: a new generation, same data.
map_swap() {
	big_map 48000 "striped 48000 48000 16 A 16000 B 16000 C 16000" >/tmp/map2
	rvol_map_write vol /tmp/map2 && sleep 1 && rvol_map_write vol /tmp/map1
}

map_swap_case() {
	local g0
	g0=$(cat "$RVOL_CFG/vol/generation")
	during_writes map_swap || return 1
	[ "$(cat "$RVOL_CFG/vol/generation")" -eq $((g0 + 2)) ]
}

mgr_flap() {
	echo 0 >"$RFL/$P:vol/tpgt_1/enable" || return 1
	sleep 2
	echo 1 >"$RFL/$P:vol/tpgt_1/enable"
}

teardown() {
	local t l np x
	in_ns host sh -c "echo 0 >$T/enable"
	rmdir "$T" || return 1
	t=$RFL/$P:vol/tpgt_1
	echo 0 >"$t/enable"
	for l in "$t"/lun/lun_*; do
		find "$l" -maxdepth 1 -type l -delete
		rmdir "$l" || return 1
	done
	for np in "$t"/np/*; do [ -d "$np" ] && { rmdir "$np" || return 1; }; done
	rmdir "$t" "$RFL/$P:vol" || return 1
	rmdir "$LIO/core/rvol_0/vol" "$LIO/core/rvol_0" "$RVOL_CFG/vol" || return 1
	for x in a b c; do rmdir "$INI/targets/disk-$x" || return 1; done
	rmmod target_core_reflect && rmmod reflect_initiator || return 1
	rmdir "$RFL" && rmmod reflect_target && rmmod reflect_proto || return 1
	lio_teardown
}

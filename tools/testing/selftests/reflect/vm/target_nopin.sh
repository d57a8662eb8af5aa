#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# reflect_target's own messages to a session: NOP-In pings (attrib
# nopin_timeout, nopin_response_timeout) answered by a raw-socket peer and
# by open-iscsi over idle periods, a peer that stops answering dropped
# with a log line; the Async Message asking for logout when the tpg is
# disabled: open-iscsi logs out before the bound, a raw peer that ignores
# it is cut after the bound.

. "$(dirname "$0")/../lib/vmlib.sh"

IQN=iqn.2026-11.org.reflect.test:target-nopin
PORTAL=127.0.0.1:3261
TPG=$LIO/reflect/$IQN/tpgt_1
PEER=/tmp/rfl_nopin_peer.py
BOUND=10	# RFL_ASYNC_LOGOUT_SECS

cat >"$PEER" <<'PYEOF'
import socket, struct, sys, time

IQN, PORT, MODE, SECS = sys.argv[1], int(sys.argv[2]), sys.argv[3], float(sys.argv[4])

def recv_pdu(s):
    h = b""
    while len(h) < 48:
        c = s.recv(48 - len(h))
        if not c:
            return None, None
        h += c
    dsl = int.from_bytes(h[5:8], "big")
    n = (dsl + 3) // 4 * 4
    d = b""
    while len(d) < n:
        c = s.recv(n - len(d))
        if not c:
            return None, None
        d += c
    return h, d[:dsl]

def login():
    s = socket.create_connection(("127.0.0.1", PORT))
    raw = (b"InitiatorName=iqn.2026-11.org.reflect.test:nopin-peer\0"
           b"TargetName=" + IQN.encode() + b"\0SessionType=Normal\0"
           b"HeaderDigest=None\0DataDigest=None\0")
    h = bytearray(48)
    h[0], h[1] = 0x43, 0x87          # Login, T, CSG=1, NSG=3
    h[5:8] = len(raw).to_bytes(3, "big")
    h[8:14] = bytes([0x80, 0, 0, 0x65, 0x43, 0x21])
    h[16:20] = struct.pack(">I", 1)
    h[24:28] = struct.pack(">I", 10)  # CmdSN
    s.sendall(bytes(h) + raw + b"\0" * (-len(raw) % 4))
    r, d = recv_pdu(s)
    assert r and r[0] == 0x23 and r[36] == 0, "login failed"
    return s

s = login()
start = time.monotonic()
s.settimeout(1)
pings = 0
while time.monotonic() - start < SECS:
    try:
        r, d = recv_pdu(s)
    except socket.timeout:
        continue
    if r is None:
        el = time.monotonic() - start
        print("# connection closed by the target after %.1f s, %d ping(s)" % (el, pings))
        ok = (MODE == "silent" and pings >= 1) or MODE == "async"
        sys.exit(0 if ok else 1)
    op = r[0] & 0x3f
    if op == 0x20:
        itt, ttt = struct.unpack(">II", r[16:24])
        assert itt == 0xffffffff and ttt != 0xffffffff, "not a ping: %x %x" % (itt, ttt)
        pings += 1
        if MODE in ("answer", "async"):
            h = bytearray(48)
            h[0], h[1] = 0x40 | 0x40, 0x80   # NOP-Out, immediate, F
            h[8:16] = r[8:16]
            h[16:24] = struct.pack(">II", 0xffffffff, ttt)
            h[24:28] = struct.pack(">I", 10)
            h[28:32] = struct.pack(">I", struct.unpack(">I", r[24:28])[0])
            s.sendall(bytes(h))
    elif op == 0x32:
        ev, p3 = r[36], struct.unpack(">H", r[42:44])[0]
        print("# Async Message: AsyncEvent %d Parameter3 %d" % (ev, p3))
        assert ev == 1, "AsyncEvent %d" % ev
print("# still connected after %.0f s, %d ping(s)" % (SECS, pings))
sys.exit(0 if MODE == "answer" and pings >= 2 else 1)
PYEOF

mark() { dmesg | wc -l >/tmp/nopin.mark; }
since() { dmesg | tail -n +$(($(cat /tmp/nopin.mark) + 1)); }

defaults() {
	[ "$(cat "$TPG/attrib/nopin_timeout")" = 15 ] &&
		[ "$(cat "$TPG/attrib/nopin_response_timeout")" = 30 ] ||
		{ echo "defaults: $(cat "$TPG/attrib/nopin_timeout") $(cat "$TPG/attrib/nopin_response_timeout")"; return 1; }
	echo 2 >"$TPG/attrib/nopin_timeout" &&
		echo 3 >"$TPG/attrib/nopin_response_timeout"
}

silent_dropped() {
	mark
	timeout 60 python3 "$PEER" $IQN 3261 silent 30 || return 1
	since | grep -E "no NOP-Out answer .* within 3 s" ||
		{ since | tail -n 5; return 1; }
}

# oi_idle_io SECS: open-iscsi idles SECS seconds (pings every 2 s), keeps
# its session, then writes and reads back data.
oi_idle_io() {
	local dev
	mark
	DEV=$(iscsi_login $IQN $PORTAL) || return 1
	sleep "$1"
	iscsiadm -m session | grep -q "$IQN" || { echo "session gone"; return 1; }
	if since | grep -E "not answered|no NOP-Out answer"; then
		return 1
	fi
	head -c 2097152 /dev/urandom >/tmp/nopin.data
	dd if=/tmp/nopin.data of="$DEV" bs=1M oflag=direct status=none &&
		dd if="$DEV" of=/tmp/nopin.back bs=1M count=2 iflag=direct status=none &&
		cmp /tmp/nopin.data /tmp/nopin.back
}

# disable_logout: open-iscsi logs out on the Async Message, within the bound.
disable_logout() {
	local t0 t1
	mark
	t0=$(date +%s)
	echo 0 >"$TPG/enable" || return 1
	t1=$(date +%s)
	echo "# enable=0 took $((t1 - t0)) s"
	since | grep -q "logout requested from 1 session" || { since | tail -n 5; return 1; }
	if since | grep -q "still logged in"; then
		echo "open-iscsi did not log out within the bound"
		return 1
	fi
	[ $((t1 - t0)) -lt $BOUND ]
}

# disable_cut: a peer that ignores the Async Message is cut after the bound.
disable_cut() {
	local t0 t1 pid rc
	echo 1 >"$TPG/enable" || return 1
	timeout 60 python3 "$PEER" $IQN 3261 async 40 >/tmp/nopin.peer 2>&1 &
	pid=$!
	sleep 3
	mark
	t0=$(date +%s)
	echo 0 >"$TPG/enable" || return 1
	t1=$(date +%s)
	wait $pid
	rc=$?
	cat /tmp/nopin.peer
	echo "# enable=0 took $((t1 - t0)) s"
	[ $rc -eq 0 ] || return 1
	grep -q "AsyncEvent 1 Parameter3 $BOUND" /tmp/nopin.peer || return 1
	since | grep -q "still logged in $BOUND s after" || { since | tail -n 5; return 1; }
	[ $((t1 - t0)) -ge $BOUND ] && [ $((t1 - t0)) -lt $((BOUND + 10)) ]
}

t_plan 8
t_run "reflect_target loads" reflect_target_load || t_bail "modules did not load"
BS=$(lio_ramdisk rd0 64)
t_run "demo target on $PORTAL" reflect_target_demo $IQN $PORTAL "$BS" ||
	t_bail "no target"
t_run "nopin_timeout 15, nopin_response_timeout 30 by default; set to 2 and 3" defaults
t_run "raw peer answering pings keeps its connection for 12 s" \
	timeout 60 python3 "$PEER" $IQN 3261 answer 12
t_run "raw peer that stops answering is dropped, with a log line" silent_dropped
iscsi_start || t_bail "iscsid did not start"
t_run "open-iscsi answers pings: session survives 12 s idle, data verified" oi_idle_io 12
t_run "tpg disabled: Async logout request, open-iscsi logs out within ${BOUND} s" disable_logout
iscsi_logout_all
t_run "tpg disabled: a peer ignoring the Async Message is cut after ${BOUND} s" disable_cut
iscsi_stop
t_done

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# reflect_target against a small raw-socket peer (Python, below) that logs
# in and then sends what a target must refuse: a vendor-specific opcode, a
# Login PDU in full feature phase, a Data-Out for an unknown task, a
# command outside the CmdSN window, a data segment beyond
# MaxRecvDataSegmentLength, bad header and data digests. Each gets a Reject, is dropped, or drops the
# connection, with a log line; NOP-Out pings prove the connection still
# works in between, and a new session logs in afterwards.

. "$(dirname "$0")/../lib/vmlib.sh"

IQN=iqn.2026-11.org.reflect.test:target-raw
PORTAL=127.0.0.1:3261
RFL=$LIO/reflect
TPG=$RFL/$IQN/tpgt_1
PEER=/tmp/rfl_raw_peer.py

cat >"$PEER" <<'PYEOF'
import socket, struct, sys

IQN, PORT, STEP = sys.argv[1], int(sys.argv[2]), sys.argv[3]

def pad(b):
    return b + b"\0" * (-len(b) % 4)

def bhs(op, flags, dsl=0, itt=0xffffffff, f20=b"\0" * 4, sn=0, rest=b""):
    h = struct.pack(">BB2xB3s8sI", op, flags, 0, dsl.to_bytes(3, "big"),
                    b"\0" * 8, itt) + f20 + struct.pack(">II", sn, 0)
    return (h + rest).ljust(48, b"\0")

def recv_pdu(s):
    h = b""
    while len(h) < 48:
        c = s.recv(48 - len(h))
        if not c:
            return None, None
        h += c
    dsl = int.from_bytes(h[5:8], "big")
    d = b""
    while len(d) < (dsl + 3) // 4 * 4:
        c = s.recv((dsl + 3) // 4 * 4 - len(d))
        if not c:
            return None, None
        d += c
    return h, d[:dsl]

def login(hd=b"None", dd=b"None"):
    s = socket.create_connection(("127.0.0.1", PORT))
    raw = (b"InitiatorName=iqn.2026-11.org.reflect.test:raw\0"
           b"TargetName=" + IQN.encode() + b"\0SessionType=Normal\0"
           b"HeaderDigest=" + hd + b"\0DataDigest=" + dd + b"\0")
    text = pad(raw)
    h = bytearray(48)
    h[0], h[1] = 0x43, 0x87          # Login, T, CSG=1, NSG=3
    h[5:8] = len(raw).to_bytes(3, "big")
    h[8:14] = bytes([0x80, 0, 0, 0x12, 0x34, 0x56])
    h[16:20] = struct.pack(">I", 1)
    h[24:28] = struct.pack(">I", 10)  # CmdSN
    s.sendall(bytes(h) + text)
    r, d = recv_pdu(s)
    assert r and r[0] == 0x23 and r[36] == 0 and r[1] & 0x83 == 0x83, \
        "login failed: %r" % (r and r[36:38])
    return s

def ping(s, itt):
    s.sendall(bhs(0x40, 0x80, itt=itt, sn=10))
    while True:
        r, d = recv_pdu(s)
        assert r, "connection closed instead of NOP-In"
        if r[0] == 0x20:
            assert struct.unpack(">I", r[16:20])[0] == itt
            return

def expect_reject(s, what):
    r, d = recv_pdu(s)
    assert r and r[0] == 0x3f, "%s: no Reject" % what
    print("# %s: Reject reason %d" % (what, r[2]))

def expect_drop(s, what):
    s.settimeout(60)
    try:
        while True:
            r, d = recv_pdu(s)
            if r is None:
                print("# %s: connection dropped" % what)
                return
    except ConnectionResetError:
        print("# %s: connection reset" % what)

if STEP == "hdigest":
    s = login(hd=b"CRC32C")
    s.sendall(bhs(0x40, 0x80, itt=7, sn=10) + b"\xde\xad\xbe\xef")
    expect_drop(s, "bad header digest")
    sys.exit(0)
if STEP == "ddigest":
    s = login(dd=b"CRC32C")
    s.sendall(bhs(0x40, 0x80, dsl=4, itt=7, sn=10) + b"ping" +
              b"\xde\xad\xbe\xef")
    expect_drop(s, "bad data digest")
    sys.exit(0)
s = login()
ping(s, 1)
if STEP == "all":
    s.sendall(bhs(0x1c, 0x80))
    expect_reject(s, "vendor opcode")
    ping(s, 2)
    s.sendall(bhs(0x43, 0x87))
    expect_reject(s, "login in full feature phase")
    ping(s, 3)
    # Data-Out for a task that does not exist: dropped.
    s.sendall(bhs(0x05, 0x80, dsl=512, itt=0x777,
                  f20=struct.pack(">I", 5)) + b"\0" * 512)
    ping(s, 4)
    # READ(10) far outside the CmdSN window: dropped.
    cdb = bytes([0x28, 0, 0, 0, 0, 0, 0, 0, 1, 0])
    s.sendall(bhs(0x01, 0xc0, itt=0x99, sn=0x7fff0000,
                  f20=struct.pack(">I", 512), rest=cdb.ljust(16, b"\0")))
    ping(s, 5)
    # A data segment beyond MaxRecvDataSegmentLength: connection dropped.
    s.sendall(bhs(0x40, 0x80, dsl=0xfffff0, itt=6, sn=10))
    r, d = recv_pdu(s)
    assert r is None or r[0] == 0x3f, "connection not dropped"
    if r is not None:
        assert recv_pdu(s)[0] is None, "connection not dropped"
print("# peer done")
PYEOF

rfl_setup() {
	reflect_target_load || return 1
	BS=$(lio_ramdisk rd0 8) || return 1
	mkdir -p "$TPG/lun/lun_0" && ln -s "$BS" "$TPG/lun/lun_0/rd0" &&
		mkdir "$TPG/np/$PORTAL" &&
		echo 1 >"$TPG/attrib/generate_node_acls" &&
		echo 1 >"$TPG/enable"
}

logged() {
	dmesg | grep -q "reflect_target: .*$1" || { echo "no log line: $1"; return 1; }
}

rfl_teardown() {
	echo 0 >"$TPG/enable"
	find "$TPG/lun/lun_0" -maxdepth 1 -type l -delete
	rmdir "$TPG/lun/lun_0" && rmdir "$TPG/np/$PORTAL" && rmdir "$TPG" &&
		rmdir "$RFL/$IQN" && rmdir "$RFL" || return 1
	lio_teardown
	rmmod reflect_target && rmmod reflect_proto
}

t_plan 10
t_run "target up" rfl_setup || t_bail "no target"
t_run "raw peer: login, Rejects, drops, pings, oversized segment" \
	python3 "$PEER" $IQN 3261 all
t_run "log: vendor opcode" logged "vendor-specific opcode"
t_run "log: Login in full feature phase" logged "Login PDU in full feature phase"
t_run "log: Data-Out for an unknown task" logged "Data-Out for unknown ITT"
t_run "log: CmdSN outside the window" logged "CmdSN"
t_run "bad header digest drops the connection" \
	eval 'python3 "$PEER" $IQN 3261 hdigest && logged "header digest error"'
t_run "bad data digest drops the connection" \
	eval 'python3 "$PEER" $IQN 3261 ddigest && logged "data digest error"'
t_run "target keeps serving: a new session logs in" \
	python3 "$PEER" $IQN 3261 ping
t_run "teardown and rmmod" rfl_teardown
t_done

#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# A raw-socket iSCSI initiator that misbehaves on purpose, for
# vm/target_malformed.sh and vm/target_adversary.sh.
#
#   target_peer.py IQN PORT STEP
#
# Each STEP logs in (or tries to) on 127.0.0.1:PORT, does one kind of
# wrong thing, checks how reflect_target answers and exits 0 if it was
# the expected answer. Lines starting with "# " say what was seen. The
# environment variable RFL_TPG (the tpgt_N directory in configfs) lets a
# step read the tpg's sessions attribute.

import os
import socket
import struct
import sys
import threading
import time

IQN, PORT, STEP = sys.argv[1], int(sys.argv[2]), sys.argv[3]
INAME = b"iqn.2026-11.org.reflect.test:raw"


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


def login_pdu(hd=b"None", dd=b"None", target=None, iname=INAME):
    raw = ((b"InitiatorName=" + iname + b"\0" if iname else b"") +
           b"TargetName=" + (target or IQN).encode() +
           b"\0SessionType=Normal\0"
           b"HeaderDigest=" + hd + b"\0DataDigest=" + dd + b"\0")
    h = bytearray(48)
    h[0], h[1] = 0x43, 0x87          # Login, T, CSG=1, NSG=3
    h[5:8] = len(raw).to_bytes(3, "big")
    h[8:14] = bytes([0x80, 0, 0, 0x12, 0x34, 0x56])
    h[16:20] = struct.pack(">I", 1)
    h[24:28] = struct.pack(">I", 10)  # CmdSN
    return bytes(h) + pad(raw)


def connect():
    return socket.create_connection(("127.0.0.1", PORT))


def login(hd=b"None", dd=b"None"):
    s = connect()
    s.sendall(login_pdu(hd, dd))
    r, d = recv_pdu(s)
    assert r and r[0] == 0x23 and r[36] == 0 and r[1] & 0x83 == 0x83, \
        "login failed: %r" % (r and r[36:38])
    return s


def login_refused(what, cls, detail, **kw):
    s = connect()
    s.sendall(login_pdu(**kw))
    r, d = recv_pdu(s)
    assert r and r[0] == 0x23, "%s: no Login Response" % what
    assert (r[36], r[37]) == (cls, detail), \
        "%s: status 0x%02x%02x" % (what, r[36], r[37])
    assert recv_pdu(s)[0] is None, "%s: connection not closed" % what
    print("# %s: refused with status 0x%02x%02x" % (what, cls, detail))


def ping(s, itt):
    s.sendall(bhs(0x40, 0x80, itt=itt, sn=10))
    while True:
        r, d = recv_pdu(s)
        assert r, "connection closed instead of NOP-In"
        # A NOP-In ping of the target's own (ITT 0xffffffff) is skipped.
        if r[0] == 0x20 and r[16:20] != b"\xff" * 4:
            assert struct.unpack(">I", r[16:20])[0] == itt
            return


def logout(s, sn):
    s.sendall(bhs(0x46, 0x80, itt=0x4c, sn=sn))
    r, d = recv_pdu(s)
    assert r and r[0] == 0x26 and r[2] == 0, "no successful Logout Response"
    assert recv_pdu(s)[0] is None, "connection not closed after logout"
    print("# logout: done")


def expect_reject(s, what, reason=None):
    r, d = recv_pdu(s)
    assert r and r[0] == 0x3f, "%s: no Reject" % what
    assert reason is None or r[2] == reason, \
        "%s: Reject reason %d, not %d" % (what, r[2], reason)
    print("# %s: Reject reason %d" % (what, r[2]))


def expect_drop(s, what, timeout=60):
    s.settimeout(timeout)
    try:
        while True:
            r, d = recv_pdu(s)
            if r is None:
                print("# %s: connection dropped" % what)
                return
    except ConnectionResetError:
        print("# %s: connection reset" % what)
    except socket.timeout:
        assert False, "%s: connection not dropped in %d s" % (what, timeout)


def scsi(op, itt, sn, lba, edtl, flags):
    cdb = bytes([op, 0]) + struct.pack(">IxH", lba, edtl // 512) + b"\0"
    return bhs(0x01, flags, itt=itt, f20=struct.pack(">I", edtl), sn=sn,
               rest=cdb.ljust(16, b"\0"))


def write_cmd(itt, sn, lba=0, edtl=512):
    return scsi(0x2a, itt, sn, lba, edtl, 0xa1)      # F, W, SIMPLE


def read_cmd(itt, sn, lba=0, edtl=512):
    return scsi(0x28, itt, sn, lba, edtl, 0xc1)      # F, R, SIMPLE


def data_out(itt, ttt, data, datasn=0, off=0):
    return bhs(0x05, 0x80, dsl=len(data), itt=itt,
               f20=struct.pack(">I", ttt),
               rest=struct.pack(">4xII", datasn, off)) + pad(data)


def expect_r2t(s, itt):
    r, d = recv_pdu(s)
    assert r and r[0] == 0x31, "no R2T: %r" % (r and r[0])
    assert struct.unpack(">I", r[16:20])[0] == itt
    ttt, off, length = struct.unpack(">I", r[20:24])[0], \
        *struct.unpack(">II", r[40:48])
    print("# R2T: ITT 0x%x TTT 0x%x offset %d length %d" %
          (itt, ttt, off, length))
    return ttt


def expect_status(s, itt, data=None):
    got = b""
    while True:
        r, d = recv_pdu(s)
        assert r, "connection closed before the status of ITT 0x%x" % itt
        assert struct.unpack(">I", r[16:20])[0] == itt, \
            "PDU 0x%02x for ITT 0x%x" % (r[0], struct.unpack(">I", r[16:20])[0])
        if r[0] == 0x25:
            got += d
            if r[1] & 0x01:
                break
        elif r[0] == 0x21:
            assert r[2] == 0, "response 0x%02x" % r[2]
            break
        else:
            assert False, "unexpected PDU 0x%02x" % r[0]
    assert r[3] == 0, "SCSI status 0x%02x" % r[3]
    assert data is None or got == data, "read data differs"
    return got


def session_line():
    tpg = os.environ.get("RFL_TPG")
    if not tpg:
        return None
    with open(os.path.join(tpg, "sessions")) as f:
        lines = [ln for ln in f if ln.startswith(INAME.decode() + " ")]
    assert len(lines) == 1, "sessions: %d lines for %s" % (len(lines), INAME)
    print("# sessions: " + lines[0].strip())
    return dict(kv.split("=", 1) for kv in lines[0].split()[1:])


def half_bhs(s):
    s.sendall(bhs(0x40, 0x80, itt=9, sn=10)[:24])


def slow_login(s, stop):
    try:
        for b in login_pdu():
            if stop.is_set():
                return
            s.send(bytes([b]))
            time.sleep(1)
    except OSError:
        pass


# ------------------------------------------------------------- steps

def step_all():
    # target_malformed.sh: what must be rejected, dropped or end it.
    s = login()
    ping(s, 1)
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
    expect_drop(s, "oversize data segment")


def step_hdigest():
    s = login(hd=b"CRC32C")
    s.sendall(bhs(0x40, 0x80, itt=7, sn=10) + b"\xde\xad\xbe\xef")
    expect_drop(s, "bad header digest")


def step_ddigest():
    s = login(dd=b"CRC32C")
    s.sendall(bhs(0x40, 0x80, dsl=4, itt=7, sn=10) + b"ping" +
              b"\xde\xad\xbe\xef")
    expect_drop(s, "bad data digest")


def step_ping():
    s = login()
    ping(s, 1)
    logout(s, 10)


def step_io():
    # A well-behaved session: WRITE then READ back, counters, logout.
    s = login()
    data = bytes(range(256)) * 2
    s.sendall(write_cmd(0x20, 10, lba=8))
    ttt = expect_r2t(s, 0x20)
    s.sendall(data_out(0x20, ttt, data))
    expect_status(s, 0x20)
    s.sendall(read_cmd(0x21, 11, lba=8))
    expect_status(s, 0x21, data)
    st = session_line()
    if st is not None:
        assert (st["cmds"], st["bytes_in"], st["bytes_out"]) == \
            ("2", "512", "512"), "session counters %r" % st
        assert st["type"] == "normal" and st["reflect"] == "no" and \
            st["state"] == "up" and st["conns"] == "1"
        assert st["isid"] == "800000123456", st["isid"]
    logout(s, 12)


def step_ttt():
    # A live WRITE waits for data; its Data-Out carries a forged TTT.
    s = login()
    s.sendall(write_cmd(0x30, 10))
    ttt = expect_r2t(s, 0x30)
    s.sendall(data_out(0x30, ttt ^ 0x5a5a5a5a, b"\xaa" * 512))
    expect_drop(s, "Data-Out with a forged TTT")


def step_itt():
    # A second command reuses the ITT of a live WRITE.
    s = login()
    s.sendall(write_cmd(0x40, 10, lba=16))
    ttt = expect_r2t(s, 0x40)
    s.sendall(read_cmd(0x40, 11, lba=16))
    expect_reject(s, "duplicate ITT", reason=7)
    ping(s, 2)
    # The live WRITE is intact; the rejected CmdSN was not consumed.
    data = b"\x5a" * 512
    s.sendall(data_out(0x40, ttt, data))
    expect_status(s, 0x40)
    s.sendall(read_cmd(0x41, 11, lba=16))
    expect_status(s, 0x41, data)
    logout(s, 12)


def step_hugedsl():
    s = login()
    ping(s, 1)
    s.sendall(bhs(0x40, 0x80, dsl=0xffffff, itt=6, sn=10))
    expect_drop(s, "DataSegmentLength 0xffffff, no data")


def step_hugedsl_login():
    s = connect()
    h = bytearray(login_pdu()[:48])
    h[5:8] = b"\xff\xff\xff"
    s.sendall(bytes(h))
    expect_drop(s, "Login with DataSegmentLength 0xffffff")


def step_half_close():
    s = login()
    ping(s, 1)
    half_bhs(s)
    s.close()
    print("# half a BHS, then close")


def step_half_silence():
    # Needs attrib/nopin_timeout set: the ping goes unanswered.
    s = login()
    ping(s, 1)
    half_bhs(s)
    expect_drop(s, "half a BHS, then silence")


def step_slowloris():
    # Two logins that never finish while a third one succeeds.
    stop = threading.Event()
    mute = connect()
    slow = connect()
    t = threading.Thread(target=slow_login, args=(slow, stop))
    t.start()
    s = login()
    ping(s, 1)
    logout(s, 10)
    print("# a normal login succeeded beside two unfinished ones")
    expect_drop(mute, "login that sends nothing")
    expect_drop(slow, "login one byte per second")
    stop.set()
    t.join()


def step_badlogins():
    login_refused("unknown target", 2, 3, target="iqn.2026-11.org.nope:x")
    login_refused("no InitiatorName", 2, 7, iname=None)


def step_noauth():
    # Needs attrib/authentication=1: CHAP required, none offered.
    login_refused("CHAP required", 2, 1)


globals()["step_" + STEP]()
print("# peer done")

#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
#
# A raw-socket fake iSCSI target for vm/initiator_malformed.sh.
#
#   fake_target.py PORT SCENARIO
#
# Listens on 127.0.0.1:PORT and serves connections one after the other.
# Each login is answered properly (security stage with AuthMethod=None,
# then every offered operational key answered, T bit, CSG/NSG,
# StatSN/ExpCmdSN/MaxCmdSN, a TSIH; CRC32C header and data digests when
# the initiator offers them). In full feature phase, every SCSI command is
# answered with CHECK CONDITION, ILLEGAL REQUEST, LOGICAL UNIT NOT
# SUPPORTED (so a scan finds no LUN), NOP-Outs with NOP-Ins, TMFs with
# "function complete", a Logout with its response. Only the first SCSI
# command of the first connection gets the SCENARIO's misbehaviour:
#
#   dataover   a Data-In whose DataSegmentLength exceeds the command's
#              buffer (Expected Data Transfer Length)
#   unknownitt a SCSI Response for an ITT the initiator never sent
#   hdigest    a SCSI Response with a wrong header digest (the initiator
#              must offer HeaderDigest=CRC32C)
#   statsn     a SCSI Response whose StatSN jumps ahead by 1000 (the
#              session then goes on from there)
#   truncated  half a SCSI Response header, then close
#   opcode     a PDU with a reserved target opcode (0x2c)
#   late       no answer; the initiator's ABORT TASK for it is answered
#              "task does not exist" (as a target does for a task it has
#              just completed), and right after that response, a Data-In
#              with status GOOD for the aborted ITT ("late"). Prints
#              whether the next SCSI command reuses the aborted ITT.
#   reuse      as late, but the late Data-In is held back until the next
#              SCSI command has arrived, and is sent just before that
#              command's answer: run with a queue depth of 1, so that the
#              next command has the aborted one's blk-mq tag, it lands in
#              the new command unless the ITT tells the two apart. Prints
#              whether the two ITTs share a tag.
#
# Prints "# misbehaving: SCENARIO ..." on the way, then goes on serving until
# killed.

import socket
import struct
import sys

PORT, SCENARIO = int(sys.argv[1]), sys.argv[2]
SCENARIOS = ("dataover", "unknownitt", "hdigest", "statsn", "truncated",
             "opcode", "late", "reuse")
assert SCENARIO in SCENARIOS, "unknown scenario " + SCENARIO


def _crc_table():
    t = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        t.append(c)
    return t


CRC_TABLE = _crc_table()


def crc32c(b):
    c = 0xFFFFFFFF
    for x in b:
        c = CRC_TABLE[(c ^ x) & 0xFF] ^ (c >> 8)
    return struct.pack("<I", c ^ 0xFFFFFFFF)


def pad(b):
    return b + b"\0" * (-len(b) % 4)


class Conn:
    def __init__(self, s):
        self.s = s
        self.hd = False
        self.dd = False
        self.stat_sn = 0x1000
        self.exp_cmd_sn = 1
        self.late_itt = None        # "late": the ITT left unanswered
        self.late_edtl = 0
        self.late_due = False       # its ABORT TASK was answered

    def recv_exact(self, n):
        b = b""
        while len(b) < n:
            c = self.s.recv(n - len(b))
            if not c:
                return None
            b += c
        return b

    def recv_pdu(self):
        h = self.recv_exact(48)
        if h is None:
            return None, None
        if self.hd and self.recv_exact(4) is None:
            return None, None
        dsl = int.from_bytes(h[5:8], "big")
        d = b""
        if dsl:
            d = self.recv_exact((dsl + 3) // 4 * 4)
            if d is None:
                return None, None
            if self.dd and self.recv_exact(4) is None:
                return None, None
        return h, d[:dsl]

    def send_pdu(self, h, data=b"", bad_hdigest=False):
        h = bytearray(h)
        h[5:8] = len(data).to_bytes(3, "big")
        out = bytes(h)
        if self.hd:
            dg = crc32c(bytes(h))
            if bad_hdigest:
                dg = bytes(x ^ 0xFF for x in dg)
            out += dg
        if data:
            out += pad(data)
            if self.dd:
                out += crc32c(pad(data))
        self.s.sendall(out)

    def sn_fields(self, h, stat=True):
        if stat:
            h[24:28] = struct.pack(">I", self.stat_sn)
            self.stat_sn = (self.stat_sn + 1) & 0xFFFFFFFF
        h[28:32] = struct.pack(">I", self.exp_cmd_sn)
        h[32:36] = struct.pack(">I", (self.exp_cmd_sn + 31) & 0xFFFFFFFF)


def parse_text(d):
    kv = []
    for item in d.split(b"\0"):
        if b"=" in item:
            k, v = item.split(b"=", 1)
            kv.append((k.decode(), v.decode()))
    return kv


def answer(k, v):
    """Our answer to an offered key, or None for a key not to answer."""
    if k in ("InitiatorName", "TargetName", "SessionType", "InitiatorAlias"):
        return None
    if k.startswith("X-") or k.startswith("X#"):
        return "NotUnderstood"
    if k == "MaxRecvDataSegmentLength":
        return "262144"
    if k == "AuthMethod":
        return "None" if "None" in v.split(",") else "Reject"
    return v.split(",")[0]


def login(c):
    """Answer Login Requests until full feature phase; False on failure."""
    tsih = 0x0101
    hd = dd = False
    while True:
        h, d = c.recv_pdu()
        if h is None:
            return False
        if h[0] & 0x3F != 0x03:
            print("# not a login request: 0x%02x" % h[0], flush=True)
            return False
        flags = h[1]
        transit = bool(flags & 0x80)
        csg = (flags >> 2) & 3
        nsg = flags & 3
        c.exp_cmd_sn = struct.unpack(">I", h[24:28])[0]
        text = b""
        for k, v in parse_text(d):
            a = answer(k, v)
            if a is None:
                continue
            if k == "HeaderDigest":
                hd = a == "CRC32C"
            if k == "DataDigest":
                dd = a == "CRC32C"
            text += ("%s=%s" % (k, a)).encode() + b"\0"
        if csg == 0:
            text += b"TargetPortalGroupTag=1\0"
        r = bytearray(48)
        r[0] = 0x23
        r[1] = (0x80 | (csg << 2) | nsg) if transit else (csg << 2)
        r[8:14] = h[8:14]
        r[14:16] = struct.pack(">H", tsih if transit and nsg == 3 else 0)
        r[16:20] = h[16:20]
        c.sn_fields(r)
        c.send_pdu(r, text)
        if transit and nsg == 3:
            c.hd, c.dd = hd, dd
            return True


def scsi_rsp(c, itt, check=True):
    r = bytearray(48)
    r[0], r[1] = 0x21, 0x80
    r[3] = 0x02 if check else 0
    r[16:20] = itt
    c.sn_fields(r)
    data = b""
    if check:
        sense = bytearray(18)
        sense[0], sense[2], sense[7], sense[12] = 0x70, 0x05, 10, 0x25
        data = struct.pack(">H", len(sense)) + bytes(sense)
    return r, data


def misbehave(c, h):
    itt = h[16:20]
    edtl = struct.unpack(">I", h[20:24])[0]
    print("# misbehaving: %s (opcode 0x%02x ITT 0x%s EDTL %u)" %
          (SCENARIO, h[32], itt.hex(), edtl), flush=True)
    if SCENARIO == "dataover":
        r = bytearray(48)
        r[0], r[1] = 0x25, 0x80
        r[16:20] = itt
        r[20:24] = b"\xff" * 4
        c.sn_fields(r, stat=False)
        c.send_pdu(r, b"\xa5" * (edtl + 512))
    elif SCENARIO == "unknownitt":
        bad = struct.pack(">I", struct.unpack(">I", itt)[0] ^ 0x5A5A0000)
        c.send_pdu(*scsi_rsp(c, bad))
    elif SCENARIO == "hdigest":
        assert c.hd, "header digest not negotiated"
        r, d = scsi_rsp(c, itt)
        c.send_pdu(r, d, bad_hdigest=True)
    elif SCENARIO == "statsn":
        c.stat_sn = (c.stat_sn + 1000) & 0xFFFFFFFF
        c.send_pdu(*scsi_rsp(c, itt))
    elif SCENARIO == "truncated":
        r, d = scsi_rsp(c, itt)
        c.s.sendall(bytes(r[:20]))
        c.s.shutdown(socket.SHUT_RDWR)
        return False
    elif SCENARIO in ("late", "reuse"):
        c.late_itt, c.late_edtl = itt, edtl
        return True
    elif SCENARIO == "opcode":
        r = bytearray(48)
        r[0], r[1] = 0x2C, 0x80
        r[16:20] = itt
        c.sn_fields(r)
        c.send_pdu(r)
    return SCENARIO == "statsn"


def send_late(c):
    """The late Data-In (status GOOD) of the aborted ITT."""
    r = bytearray(48)
    r[0], r[1] = 0x25, 0x81
    r[16:20] = c.late_itt
    r[20:24] = b"\xff" * 4
    c.sn_fields(r)
    c.send_pdu(r, b"\xa5" * min(c.late_edtl, 4096))
    print("# late Data-In for ITT 0x%s sent" % c.late_itt.hex(), flush=True)


def serve(c, first):
    """Full feature phase; returns True once the misbehaviour is done."""
    done = not first
    while True:
        h, d = c.recv_pdu()
        if h is None:
            return done
        op = h[0] & 0x3F
        immediate = h[0] & 0x40
        sn = struct.unpack(">I", h[24:28])[0]
        if not immediate and op in (0x01, 0x02, 0x06) and sn == c.exp_cmd_sn:
            c.exp_cmd_sn = (c.exp_cmd_sn + 1) & 0xFFFFFFFF
        if op == 0x00:          # NOP-Out
            if h[16:20] == b"\xff" * 4:
                continue
            r = bytearray(48)
            r[0], r[1] = 0x20, 0x80
            r[16:20] = h[16:20]
            r[20:24] = b"\xff" * 4
            c.sn_fields(r)
            c.send_pdu(r, d)
        elif op == 0x01:        # SCSI Command
            if not done:
                done = True
                if not misbehave(c, h):
                    # Wait for the initiator to drop the connection.
                    c.s.settimeout(60)
                    try:
                        while c.recv_pdu()[0] is not None:
                            pass
                    except OSError:
                        pass
                    return True
                continue
            if c.late_due:
                print("# next command: ITT 0x%s after the aborted 0x%s "
                      "(reused: %s, same tag: %s)" %
                      (h[16:20].hex(), c.late_itt.hex(),
                       "yes" if h[16:20] == c.late_itt else "no",
                       "yes" if h[18:20] == c.late_itt[2:4] else "no"),
                      flush=True)
                c.late_due = False
                if SCENARIO == "reuse":
                    send_late(c)
            c.send_pdu(*scsi_rsp(c, h[16:20]))
        elif op == 0x02:        # Task Management Function Request
            r = bytearray(48)
            r[0], r[1] = 0x22, 0x80
            r[16:20] = h[16:20]
            if c.late_itt is not None and h[1] & 0x7F == 1 and \
                    h[20:24] == c.late_itt:
                r[2] = 0x01     # task does not exist
                c.late_due = True
                print("# ABORT TASK of ITT 0x%s: answered 'task does not "
                      "exist'" % c.late_itt.hex(), flush=True)
            c.sn_fields(r)
            c.send_pdu(r)
            if c.late_due and SCENARIO == "late":
                send_late(c)
        elif op == 0x06:        # Logout Request
            r = bytearray(48)
            r[0], r[1] = 0x26, 0x80
            r[16:20] = h[16:20]
            c.sn_fields(r)
            c.send_pdu(r)
            return done
        # Data-Out, SNACK, Text: never solicited here; ignored.


def main():
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", PORT))
    ls.listen(4)
    print("# listening on %d: %s" % (PORT, SCENARIO), flush=True)
    first = True
    nconn = 0
    while True:
        s, _ = ls.accept()
        nconn += 1
        c = Conn(s)
        try:
            if login(c):
                print("# connection %d logged in (digests %s/%s)" %
                      (nconn, c.hd, c.dd), flush=True)
                if serve(c, first):
                    first = False
        except OSError as e:
            print("# connection %d: %s" % (nconn, e), flush=True)
        try:
            s.close()
        except OSError:
            pass


main()

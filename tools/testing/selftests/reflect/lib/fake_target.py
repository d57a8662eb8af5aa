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
#   window     a SCSI Response whose ExpCmdSN is 2^31 - 256 ahead of the
#              initiator's and whose MaxCmdSN, though valid with it, is
#              more than 2^31 behind the initiator's MaxCmdSN: taken one
#              value at a time (RFC 7143 4.2.2.1), it moves ExpCmdSN past
#              MaxCmdSN and leaves no CmdSN to send. Prints when the next
#              SCSI command arrives.
#
# Prints "# misbehaving: SCENARIO ..." on the way, then goes on serving until
# killed.

import os
import socket
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from iscsi_wire import Conn as WireConn  # noqa: E402

PORT, SCENARIO = int(sys.argv[1]), sys.argv[2]
SCENARIOS = ("dataover", "unknownitt", "hdigest", "statsn", "truncated",
             "opcode", "late", "reuse", "window")
assert SCENARIO in SCENARIOS, "unknown scenario " + SCENARIO


class Conn(WireConn):
    def __init__(self, s):
        super().__init__(s)
        self.late_itt = None        # "late": the ITT left unanswered
        self.late_edtl = 0
        self.late_due = False       # its ABORT TASK was answered
        self.window_due = False     # "window": the jump was sent


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
    elif SCENARIO == "window":
        r, d = scsi_rsp(c, itt)
        exp = (c.exp_cmd_sn + 0x7FFFFF00) & 0xFFFFFFFF
        r[28:32] = struct.pack(">I", exp)
        r[32:36] = struct.pack(">I", (exp + 0x7FFFFF00) & 0xFFFFFFFF)
        c.send_pdu(r, d)
        c.window_due = True
        return True
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
            if c.window_due:
                print("# next command after the window jump: ITT 0x%s" %
                      h[16:20].hex(), flush=True)
                c.window_due = False
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
            if c.login(answer):
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

#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
#
# A raw-socket fake reflecting manager for vm/initiator_bad_scripts.sh
# (Python 3 stdlib only; the PDU helpers are those of fake_target.py).
#
#   fake_manager.py PORT SCENARIO [--disk IQN,ADDR:PORT,BLOCKS[,OFFSET]]
#                   [--id HEX] [--blocks N]
#   fake_manager.py --pick-id VPD_PG83_FILE
#
# Listens on 127.0.0.1:PORT and serves connections one after the other.
# A login with AuthMethod=None is answered, the reflection key
# X-org.iscsi-reflection.Reflection with Yes (ImmediateData=No,
# InitialR2T=Yes, MaxOutstandingR2T=1; the host's MaxRecvDataSegmentLength
# is respected for every Data-In). LUN 0 is an in-memory disk of --blocks
# 512-byte blocks (default 16384: 8 MiB): INQUIRY (standard, VPD 0x00,
# 0x80, 0x83), READ CAPACITY(10/16), REPORT LUNS, TEST UNIT READY, MODE
# SENSE(6), SYNCHRONIZE CACHE, READ/WRITE(10/16) are executed here when
# the command carries the proxy flag (0x10 of byte 1). A READ/WRITE
# without it is answered with a reflection status (SCSI Response,
# Response 0x80) whose script is crafted for SCENARIO; the pieces name
# the backing disk given by --disk (its iSCSI name, portal, capacity in
# blocks, and the offset in blocks at which the volume starts on it) and
# carry --id (a VPD 0x83 designation descriptor in hex) as identifier, or
# none:
#
#   valid       a correct script: the command split in two pieces,
#               READ/WRITE(10) then READ/WRITE(16), at OFFSET + LBA
#   beyond      one piece ending one block past the disk's capacity
#   gap         two pieces with a gap between them
#   overlap     two pieces, the second overlapping the first
#   direction   the CDB goes the other way (a READ in a WRITE's script)
#   cdblen      cdb_len 16 for a (10) CDB
#   version     script version 2
#   npieces     npieces 1000 in a segment that holds one piece
#   truncated   the last piece cut short (script_len = what is sent)
#   tindex      the piece names target 1 of a one-entry table
#   unreachable the target entry names a portal where nobody listens
#               (127.0.0.1:3999) and a target of another name
#   vpd         the identifier is --id with its last byte flipped
#   cdbbits     a correct script but WRPROTECT/RDPROTECT 1 in the CDB
#   total       total_len one block more than the command's transfer
#   nolun       a correct script naming LUN 7 of the disk (absent)
#   huge        the first WRITE gets a reflection status whose data
#               segment is 4096 bytes longer than the host's
#               MaxRecvDataSegmentLength; every later command is executed
#               here (proxied) as if it had the flag
#   proxy       reflection negotiated, but every command executed here
#
# Each reflection status sent prints "# reflect N: SCENARIO op 0xOP lba L
# blocks B" (N counts them). --pick-id prints, in hex, the preferred
# designator (Documentation/reflection-protocol.rst) of a VPD page 0x83
# read from FILE (e.g. /sys/bus/scsi/devices/H:C:T:L/vpd_pg83).

import os
import socket
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from iscsi_wire import Conn as WireConn  # noqa: E402

SCENARIOS = ("valid", "beyond", "gap", "overlap", "direction", "cdblen",
             "version", "npieces", "truncated", "tindex", "unreachable",
             "vpd", "huge", "proxy", "cdbbits", "total", "nolun")
REFLECT_KEY = "X-org.iscsi-reflection.Reflection"
BS = 512


def pick_id(page):
    """The preferred designator of a VPD page 0x83 (NAA, EUI-64, SCSI
    name string, T10 vendor ID; association 0; first of its type)."""
    rank = {3: 4, 2: 3, 8: 2, 1: 1}
    best, best_rank = None, 0
    off, end = 4, min(len(page), 4 + int.from_bytes(page[2:4], "big"))
    while off + 4 <= end:
        dlen = page[off + 3]
        d = page[off:off + 4 + dlen]
        if len(d) < 4 + dlen:
            break
        assoc, typ = (d[1] >> 4) & 3, d[1] & 0x0F
        r = rank.get(typ, 0)
        if assoc == 0 and r > best_rank and len(d) <= 255:
            best, best_rank = d, r
        off += 4 + dlen
    return best


class Conn(WireConn):
    def __init__(self, s):
        super().__init__(s)
        self.host_mrdsl = 8192
        self.max_burst = 262144


class Manager:
    def __init__(self, port, scenario, disk, ident, blocks):
        self.port = port
        self.scenario = scenario
        self.disk = disk            # (iqn, addr, port, blocks, offset)
        self.ident = ident
        self.blocks = blocks
        self.mem = bytearray(blocks * BS)
        self.nreflect = 0
        self.huge_done = False
        self.ttt = 0x1000

    # ------------------------------------------------------------ login

    def answer(self, c, k, v):
        if k in ("InitiatorName", "TargetName", "SessionType",
                 "InitiatorAlias"):
            return None
        if k == REFLECT_KEY:
            return "Yes"
        if k.startswith("X-") or k.startswith("X#"):
            return "NotUnderstood"
        if k == "MaxRecvDataSegmentLength":
            c.host_mrdsl = int(v)
            return "262144"
        if k == "MaxBurstLength":
            c.max_burst = min(int(v), 262144)
            return str(c.max_burst)
        if k == "FirstBurstLength":
            return str(min(int(v), 65536))
        if k == "ImmediateData":
            return "No"
        if k == "InitialR2T":
            return "Yes"
        if k == "MaxOutstandingR2T":
            return "1"
        if k == "AuthMethod":
            return "None" if "None" in v.split(",") else "Reject"
        return v.split(",")[0]

    def login(self, c):
        return c.login(lambda k, v: self.answer(c, k, v))

    # ------------------------------------------------------ responses

    def scsi_rsp(self, c, h, status=0, sense=None, resid=0, response=0,
                 data=b"", exp_data_sn=0):
        r = bytearray(48)
        r[0], r[1] = 0x21, 0x80
        r[2], r[3] = response, status
        r[16:20] = h[16:20]
        r[36:40] = struct.pack(">I", exp_data_sn)
        if resid > 0:
            r[1] |= 0x02
            r[44:48] = struct.pack(">I", resid)
        elif resid < 0:
            r[1] |= 0x04
            r[44:48] = struct.pack(">I", -resid)
        c.sn_fields(r)
        if sense is not None:
            s = bytearray(18)
            s[0], s[2], s[7] = 0x70, sense[0], 10
            s[12], s[13] = sense[1], sense[2]
            data = struct.pack(">H", len(s)) + bytes(s)
        c.send_pdu(r, data)

    def check(self, c, h, key, asc, ascq=0):
        self.scsi_rsp(c, h, status=0x02, sense=(key, asc, ascq))

    def data_in(self, c, h, data):
        """Data-In PDUs (at most the host's MRDSL each), then GOOD."""
        edtl = struct.unpack(">I", h[20:24])[0]
        data = data[:edtl]
        off, sn = 0, 0
        while off < len(data):
            seg = data[off:off + c.host_mrdsl]
            r = bytearray(48)
            r[0] = 0x25
            r[1] = 0x80 if off + len(seg) == len(data) else 0
            r[8:16] = h[8:16]
            r[16:20] = h[16:20]
            r[20:24] = b"\xff" * 4
            c.sn_fields(r, stat=False)
            r[36:40] = struct.pack(">I", sn)
            r[40:44] = struct.pack(">I", off)
            c.send_pdu(r, seg)
            off += len(seg)
            sn += 1
        self.scsi_rsp(c, h, resid=edtl - len(data), exp_data_sn=sn)

    # ------------------------------------------------------------ SCSI

    def inquiry(self, c, h, cdb):
        alloc = int.from_bytes(cdb[3:5], "big")
        if cdb[1] & 1:
            page = cdb[2]
            if page == 0x00:
                d = bytes([0, 0, 0, 3, 0x00, 0x80, 0x83])
            elif page == 0x80:
                sn = b"FAKEMGR%05d" % self.port
                d = bytes([0, 0x80, 0, len(sn)]) + sn
            elif page == 0x83:
                desc = bytes([1, 3, 0, 8]) + \
                    (0x6001405FA4E00000 + self.port).to_bytes(8, "big")
                d = bytes([0, 0x83, 0, len(desc)]) + desc
            else:
                return self.check(c, h, 0x05, 0x24)
        else:
            if cdb[2]:
                return self.check(c, h, 0x05, 0x24)
            d = bytearray(36)
            d[2], d[3], d[4], d[7] = 6, 2, 31, 0x02
            d[8:16] = b"REFLECT "
            d[16:32] = b"FAKE MANAGER    "
            d[32:36] = b"0001"
            if h[8:16] != bytes(8):
                d[0] = 0x7F             # no LU at this LUN
            d = bytes(d)
        self.data_in(c, h, d[:alloc])

    def rw_range(self, cdb):
        op = cdb[0]
        if op in (0x28, 0x2A):
            return int.from_bytes(cdb[2:6], "big"), \
                int.from_bytes(cdb[7:9], "big")
        if op in (0x88, 0x8A):
            return int.from_bytes(cdb[2:10], "big"), \
                int.from_bytes(cdb[10:14], "big")
        if op in (0x08, 0x0A):
            n = cdb[4] or 256
            return int.from_bytes(cdb[1:4], "big") & 0x1FFFFF, n
        return None

    def execute(self, c, h, d, writes):
        cdb = h[32:48]
        op = cdb[0]
        if op == 0x12:
            return self.inquiry(c, h, cdb)
        if op in (0x00, 0x35, 0x91, 0x1B, 0x1E):
            return self.scsi_rsp(c, h)
        if op == 0x25:
            return self.data_in(c, h, struct.pack(">II", self.blocks - 1, BS))
        if op == 0x9E and cdb[1] & 0x1F == 0x10:
            d = struct.pack(">QI", self.blocks - 1, BS) + bytes(20)
            return self.data_in(c, h, d[:int.from_bytes(cdb[10:14], "big")])
        if op == 0xA0:
            d = struct.pack(">I", 8) + bytes(4) + bytes(8)
            return self.data_in(c, h, d[:int.from_bytes(cdb[6:10], "big")])
        if op == 0x1A:
            page = bytes([0x08, 0x12]) + bytes(18)
            d = bytes([3 + len(page), 0, 0, 0]) + page
            return self.data_in(c, h, d[:cdb[4]])
        rw = self.rw_range(cdb)
        if rw is None:
            return self.check(c, h, 0x05, 0x20)
        lba, n = rw
        if lba + n > self.blocks:
            return self.check(c, h, 0x05, 0x21)
        if op in (0x28, 0x88, 0x08):
            return self.data_in(c, h, bytes(self.mem[lba * BS:(lba + n) * BS]))
        # WRITE: any immediate data, then R2Ts burst by burst.
        edtl = struct.unpack(">I", h[20:24])[0]
        w = {"h": h, "lba": lba, "len": min(edtl, n * BS), "got": 0,
             "r2tsn": 0, "ttt": self.next_ttt(),
             "buf": bytearray(min(edtl, n * BS))}
        if d:
            w["buf"][0:len(d)] = d
            w["got"] = len(d)
        writes[bytes(h[16:20])] = w
        self.r2t_or_done(c, writes, bytes(h[16:20]))

    def next_ttt(self):
        self.ttt = (self.ttt + 1) & 0x7FFFFFFF
        return self.ttt

    def r2t_or_done(self, c, writes, itt):
        w = writes[itt]
        if w["got"] >= w["len"]:
            del writes[itt]
            off = w["lba"] * BS
            self.mem[off:off + w["len"]] = w["buf"]
            return self.scsi_rsp(c, w["h"])
        r = bytearray(48)
        r[0], r[1] = 0x31, 0x80
        r[8:16] = w["h"][8:16]
        r[16:20] = itt
        r[20:24] = struct.pack(">I", w["ttt"])
        c.sn_fields(r, stat=False)
        r[36:40] = struct.pack(">I", w["r2tsn"])
        w["r2tsn"] += 1
        r[40:44] = struct.pack(">I", w["got"])
        w["burst"] = min(c.max_burst, w["len"] - w["got"])
        w["burst_end"] = w["got"] + w["burst"]
        r[44:48] = struct.pack(">I", w["burst"])
        c.send_pdu(r)

    def data_out(self, c, h, d, writes):
        itt = bytes(h[16:20])
        w = writes.get(itt)
        if w is None:
            print("# Data-Out for unknown ITT %s" % itt.hex(), flush=True)
            return
        off = struct.unpack(">I", h[40:44])[0]
        w["buf"][off:off + len(d)] = d
        if h[1] & 0x80:
            w["got"] = w.get("burst_end", w["got"] + len(d))
            self.r2t_or_done(c, writes, itt)

    # ------------------------------------------------------ the script

    def target_entry(self, name, addr, port, ident, lun=0):
        ip = bytes(int(x) for x in addr.split("."))
        portal = bytes([4, 0]) + struct.pack(">H", port) + ip + bytes(12)
        body = bytes(16) + name.encode() + portal + ident
        elen = (len(body) + 3) // 4 * 4
        e = bytearray(body + bytes(elen - len(body)))
        e[0:2] = struct.pack(">H", elen)
        e[2:4] = struct.pack(">H", 1)
        e[4:12] = bytes([lun >> 8 | 0x40 if lun > 255 else 0, lun & 0xFF]) + \
            bytes(6)                            # SAM LUN, flat addressing
        e[12], e[13], e[14] = len(name), 1, len(ident)
        return bytes(e)

    @staticmethod
    def cdb(write, lba, n, long):
        if long:
            return bytes([0x8A if write else 0x88, 0]) + \
                struct.pack(">QI", lba, n) + bytes(2)
        return bytes([0x2A if write else 0x28, 0]) + \
            struct.pack(">IBHB", lba, 0, n, 0)

    @staticmethod
    def piece(target, write, offset, length, cdb, cdb_len=None, flags=None):
        p = bytearray(32)
        p[0:2] = struct.pack(">H", target)
        p[2] = cdb_len if cdb_len is not None else len(cdb)
        p[3] = flags if flags is not None else (2 if write else 1)
        p[4:8] = struct.pack(">I", offset)
        p[8:12] = struct.pack(">I", length)
        p[16:16 + len(cdb)] = cdb
        return bytes(p)

    def script(self, write, lba, n, total):
        sc = self.scenario
        iqn, addr, port, dblocks, doff = self.disk
        ident = self.ident
        if sc == "vpd":
            ident = ident[:-1] + bytes([ident[-1] ^ 0xFF])
        if sc == "unreachable":
            iqn, port = "iqn.2026-11.org.reflect.test:nowhere", 3999
        tgt = self.target_entry(iqn, addr, port, ident,
                                7 if sc == "nolun" else 0)
        dlba = doff + lba
        version, npieces_hdr = 1, None
        if sc in ("valid", "unreachable", "vpd", "version", "npieces",
                  "truncated", "tindex", "cdblen", "cdbbits", "nolun") \
                and n >= 2:
            h1 = n // 2
            pieces = [self.piece(0, write, 0, h1 * BS,
                                 self.cdb(write, dlba, h1, False)),
                      self.piece(0, write, h1 * BS, (n - h1) * BS,
                                 self.cdb(write, dlba + h1, n - h1, True))]
        else:
            pieces = [self.piece(0, write, 0, n * BS,
                                 self.cdb(write, dlba, n, False))]
        if sc == "beyond":
            pieces = [self.piece(0, write, 0, n * BS,
                                 self.cdb(write, dblocks - n + 1, n, True))]
        elif sc == "gap":
            pieces = [self.piece(0, write, 0, BS,
                                 self.cdb(write, dlba, 1, False)),
                      self.piece(0, write, 2 * BS, BS,
                                 self.cdb(write, dlba + 2, 1, False))]
        elif sc == "overlap":
            pieces = [self.piece(0, write, 0, n * BS,
                                 self.cdb(write, dlba, n, False)),
                      self.piece(0, write, (n - 1) * BS, BS,
                                 self.cdb(write, dlba + n - 1, 1, False))]
        elif sc == "direction":
            pieces = [self.piece(0, write, 0, n * BS,
                                 self.cdb(not write, dlba, n, False))]
        elif sc == "cdblen":
            pieces[0] = pieces[0][:2] + bytes([16]) + pieces[0][3:]
        elif sc == "cdbbits":
            p = bytearray(pieces[-1])
            p[17] = 0x20                        # RDPROTECT/WRPROTECT 1
            pieces[-1] = bytes(p)
        elif sc == "total":
            total += BS
        elif sc == "version":
            version = 2
        elif sc == "npieces":
            npieces_hdr = 1000
            pieces = pieces[:1]
        elif sc == "tindex":
            pieces[-1] = bytes(struct.pack(">H", 1)) + pieces[-1][2:]
        body = tgt + b"".join(pieces)
        length = 32 + len(body)
        if sc == "truncated":
            body = body[:-16]
            length -= 16
        hdr = bytearray(32)
        hdr[0:4] = b"RFLS"
        hdr[4], hdr[5] = version, 0
        hdr[6:8] = struct.pack(">H", 32)
        hdr[8:12] = struct.pack(">I", 1)
        hdr[12:16] = struct.pack(">I", total)
        hdr[16:18] = struct.pack(">H", 1)
        hdr[18:20] = struct.pack(">H", npieces_hdr or len(pieces))
        hdr[20:24] = struct.pack(">I", length)
        return bytes(hdr) + body

    def reflect(self, c, h, write, lba, n):
        total = struct.unpack(">I", h[20:24])[0]
        if self.scenario == "huge":
            s = bytearray(c.host_mrdsl + 4096)
            s[0:4] = b"RFLS"
            s[4] = 1
        else:
            s = self.script(write, lba, n, total)
        self.nreflect += 1
        print("# reflect %d: %s op 0x%02x lba %d blocks %d (%d bytes)" %
              (self.nreflect, self.scenario, h[32], lba, n, len(s)),
              flush=True)
        self.scsi_rsp(c, h, response=0x80, data=bytes(s))

    # ------------------------------------------------------------ loop

    def serve(self, c):
        writes = {}
        while True:
            h, d = c.recv_pdu()
            if h is None:
                return
            op = h[0] & 0x3F
            immediate = h[0] & 0x40
            sn = struct.unpack(">I", h[24:28])[0]
            if not immediate and op in (0x01, 0x02, 0x06) and \
                    sn == c.exp_cmd_sn:
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
                cdb = h[32:48]
                rw = self.rw_range(cdb)
                proxy = h[1] & 0x10
                if h[8:16] != bytes(8) and cdb[0] not in (0x12, 0xA0):
                    self.check(c, h, 0x05, 0x25)
                    continue
                if rw and not proxy and self.reflects(cdb[0]):
                    self.reflect(c, h, cdb[0] in (0x2A, 0x8A, 0x0A), *rw)
                    continue
                self.execute(c, h, d, writes)
            elif op == 0x05:        # Data-Out
                self.data_out(c, h, d, writes)
            elif op == 0x02:        # TMF
                r = bytearray(48)
                r[0], r[1] = 0x22, 0x80
                r[16:20] = h[16:20]
                c.sn_fields(r)
                c.send_pdu(r)
            elif op == 0x06:        # Logout
                r = bytearray(48)
                r[0], r[1] = 0x26, 0x80
                r[16:20] = h[16:20]
                c.sn_fields(r)
                c.send_pdu(r)
                return

    def reflects(self, op):
        if self.scenario == "proxy":
            return False
        if self.scenario == "huge":
            if self.huge_done or op not in (0x2A, 0x8A, 0x0A):
                return False
            self.huge_done = True
        return True

    def run(self):
        ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        ls.bind(("127.0.0.1", self.port))
        ls.listen(4)
        print("# listening on %d: %s" % (self.port, self.scenario),
              flush=True)
        nconn = 0
        while True:
            s, _ = ls.accept()
            nconn += 1
            c = Conn(s)
            try:
                if self.login(c):
                    print("# connection %d logged in (host MRDSL %d)" %
                          (nconn, c.host_mrdsl), flush=True)
                    self.serve(c)
            except OSError as e:
                print("# connection %d: %s" % (nconn, e), flush=True)
            print("# connection %d closed" % nconn, flush=True)
            try:
                s.close()
            except OSError:
                pass


def main(argv):
    if argv[1] == "--pick-id":
        with open(argv[2], "rb") as f:
            d = pick_id(f.read())
        if d is None:
            return 1
        print(d.hex())
        return 0
    port, scenario = int(argv[1]), argv[2]
    assert scenario in SCENARIOS, "unknown scenario " + scenario
    disk = ("iqn.2026-11.org.reflect.test:disk", "127.0.0.1", 3260, 32768, 0)
    ident, blocks = b"", 16384
    i = 3
    while i < len(argv):
        if argv[i] == "--disk":
            f = argv[i + 1].split(",")
            a, p = f[1].rsplit(":", 1)
            disk = (f[0], a, int(p), int(f[2]),
                    int(f[3]) if len(f) > 3 else 0)
        elif argv[i] == "--id":
            ident = bytes.fromhex(argv[i + 1])
        elif argv[i] == "--blocks":
            blocks = int(argv[i + 1])
        else:
            raise SystemExit("unknown option " + argv[i])
        i += 2
    if scenario == "vpd" and not ident:
        raise SystemExit("vpd needs --id")
    Manager(port, scenario, disk, ident, blocks).run()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

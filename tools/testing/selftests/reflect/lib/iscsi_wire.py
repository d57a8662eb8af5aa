# SPDX-License-Identifier: GPL-2.0
#
# iSCSI framing shared by the raw-socket fake peers of the VM tests
# (fake_target.py, fake_manager.py): CRC32C digests, padding, text keys,
# and one connection: PDU receive and send, the target's sequence number
# fields, and a login that answers every offered key (RFC 7143, 11.2,
# 11.12, 11.13, 12.1). Imported from lib/, where the peers live.

import struct


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
    """CRC32C of b, as the 4 bytes a digest carries."""
    c = 0xFFFFFFFF
    for x in b:
        c = CRC_TABLE[(c ^ x) & 0xFF] ^ (c >> 8)
    return struct.pack("<I", c ^ 0xFFFFFFFF)


def pad(b):
    return b + b"\0" * (-len(b) % 4)


def parse_text(d):
    """key=value pairs of a text or login data segment, in order."""
    kv = []
    for item in d.split(b"\0"):
        if b"=" in item:
            k, v = item.split(b"=", 1)
            kv.append((k.decode(), v.decode()))
    return kv


class Conn:
    """One connection, seen from the target: digests once negotiated
    (hd, dd), StatSN, and the ExpCmdSN the target has reached."""

    def __init__(self, s):
        self.s = s
        self.hd = False
        self.dd = False
        self.stat_sn = 0x1000
        self.exp_cmd_sn = 1

    def recv_exact(self, n):
        b = b""
        while len(b) < n:
            c = self.s.recv(n - len(b))
            if not c:
                return None
            b += c
        return b

    def recv_pdu(self):
        """(header, data) of the next PDU, AHS and digests skipped;
        (None, None) once the peer has closed."""
        h = self.recv_exact(48)
        if h is None:
            return None, None
        ahs = h[4] * 4
        if ahs and self.recv_exact(ahs) is None:
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
        """Send header h with data; DataSegmentLength and the digests are
        filled in here (bad_hdigest: a header digest with every bit
        flipped)."""
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
        """StatSN (advanced only for a PDU that carries status),
        ExpCmdSN and a MaxCmdSN 31 beyond it."""
        h[24:28] = struct.pack(">I", self.stat_sn)
        if stat:
            self.stat_sn = (self.stat_sn + 1) & 0xFFFFFFFF
        h[28:32] = struct.pack(">I", self.exp_cmd_sn)
        h[32:36] = struct.pack(">I", (self.exp_cmd_sn + 31) & 0xFFFFFFFF)

    def login(self, answer):
        """Answer Login Requests until full feature phase: each offered
        key with answer(key, value) (None: not answered), a portal group
        tag in the security stage, a TSIH on the final transit; the
        digests answered CRC32C are on from then on. False when the peer
        closes or sends something else."""
        tsih = 0x0101
        hd = dd = False
        while True:
            h, d = self.recv_pdu()
            if h is None:
                return False
            if h[0] & 0x3F != 0x03:
                print("# not a login request: 0x%02x" % h[0], flush=True)
                return False
            flags = h[1]
            transit = bool(flags & 0x80)
            csg = (flags >> 2) & 3
            nsg = flags & 3
            self.exp_cmd_sn = struct.unpack(">I", h[24:28])[0]
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
            self.sn_fields(r)
            self.send_pdu(r, text)
            if transit and nsg == 3:
                self.hd, self.dd = hd, dd
                return True

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The reflection wire protocol: the login key, the vendor Response code,
 * the proxy request, and the reflection script carried in the data
 * segment of a reflection status. Documentation/reflection-protocol.rst
 * is the byte-by-byte specification; this header is its C form.
 *
 * Pure code: builds in the kernel (reflect_proto.ko) and in userspace
 * (unit tests, fuzzers).
 */
#ifndef RFL_SCRIPT_H
#define RFL_SCRIPT_H

#include "rfl_port.h"

/* Login key, Boolean, AND: both sides must say Yes. Leading, login only. */
#define RFL_REFLECT_KEY		"X-org.iscsi-reflection.Reflection"

/*
 * SCSI Response PDU Response field of a reflection status (a value of the
 * vendor-specific range 0x80-0xff of RFC 7143 11.4.3). Status is 0, the
 * residual counts are 0 and the data segment is a script.
 */
#define RFL_RESPONSE_REFLECT	0x80

/*
 * SCSI Command PDU flags bit (byte 1, bit 4: reserved in RFC 7143) that
 * asks the manager to execute this one command itself (proxy) instead of
 * reflecting it. Only on a session that negotiated RFL_REFLECT_KEY=Yes.
 */
#define RFL_CMD_FLAG_PROXY	0x10

/* Script layout (all integers big-endian). */
#define RFL_SCRIPT_MAGIC	0x52464c53U	/* "RFLS" */
#define RFL_SCRIPT_VERSION	1
#define RFL_SCRIPT_HDR_LEN	32
#define RFL_SCRIPT_PIECE_LEN	32
#define RFL_SCRIPT_PORTAL_LEN	20
#define RFL_SCRIPT_TGT_FIXED	16	/* target entry before its name */

#define RFL_SCRIPT_MAX_TARGETS	64
#define RFL_SCRIPT_MAX_PIECES	1024
#define RFL_SCRIPT_MAX_PORTALS	8
#define RFL_SCRIPT_NAME_MAX	223	/* RFC 7143 iSCSI name */
#define RFL_SCRIPT_ID_MAX	255	/* one VPD 0x83 designator */
#define RFL_SCRIPT_CDB_MAX	16

/* Piece flags. */
#define RFL_PIECE_READ		0x01	/* data from the LU into the buffer */
#define RFL_PIECE_WRITE		0x02	/* data from the buffer to the LU */

/* A portal: IPv4 (family 4, address in addr[0..3]) or IPv6 (family 6). */
struct rfl_script_portal {
	u8 family;
	u16 port;
	u8 addr[16];
};

/* One backing LU named by a script. Pointers point into the script. */
struct rfl_script_target {
	const char *name;		/* not NUL-terminated */
	u8 name_len;
	u8 nportals;
	u16 tpgt;
	u64 lun;			/* the 8-byte LUN field, big-endian */
	struct rfl_script_portal portals[RFL_SCRIPT_MAX_PORTALS];
	/* VPD 0x83 designator (4-byte header and identifier) or NULL */
	const u8 *id;
	u8 id_len;
};

/* One command to send to one backing LU. */
struct rfl_script_piece {
	u16 target;			/* index in the target table */
	u8 cdb_len;
	u8 flags;			/* RFL_PIECE_* */
	u32 offset;			/* in the original command's buffer */
	u32 length;			/* bytes */
	u8 cdb[RFL_SCRIPT_CDB_MAX];
};

/* A parsed script; targets and pieces are arrays owned by the caller. */
struct rfl_script {
	u8 version;
	u8 flags;
	u32 generation;			/* the map's generation */
	u32 total_len;			/* bytes of the original transfer */
	u16 ntargets;
	u16 npieces;
	struct rfl_script_target *targets;
	struct rfl_script_piece *pieces;
};

/* What the host knows of a backing LU once it opened it. */
struct rfl_script_lu {
	u64 capacity;			/* blocks */
	u32 block_size;			/* bytes */
};

int rfl_script_peek(const void *buf, u32 len, u16 *ntargets, u16 *npieces);
int rfl_script_parse(const void *buf, u32 len, struct rfl_script *s,
		     const char **why);
int rfl_script_check(const struct rfl_script *s,
		     const struct rfl_script_lu *lus, u32 total_len,
		     bool write, const char **why);
u32 rfl_script_size(const struct rfl_script *s);
int rfl_script_encode(const struct rfl_script *s, void *buf, u32 len);

/* READ/WRITE (6/10/12/16) CDBs. */
int rfl_cdb_rw_parse(const u8 *cdb, u32 cdb_len, u64 *lba, u32 *blocks,
		     bool *write);
int rfl_cdb_rw_build(u8 *cdb, bool write, u64 lba, u32 blocks, u8 fua_dpo);

/* An iSCSI name in normalized ASCII form (iqn., eui., naa.): 0 or -EINVAL. */
int rfl_iscsi_name_check(const char *name, u32 len);

#endif /* RFL_SCRIPT_H */

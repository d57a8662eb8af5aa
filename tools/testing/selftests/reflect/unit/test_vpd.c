// SPDX-License-Identifier: GPL-2.0
/*
 * The VPD 0x83 designator choice: preference order, association, the
 * caller's size limit, and pages whose lengths lie.
 */

#include "unit.h"

static u32 len_of;

/* Append a designator: code set 1, @assoc_type (association << 4 | type). */
static void put(u8 *page, u8 assoc_type, u8 n, u8 fill)
{
	u8 *d = page + len_of;

	d[0] = 0x01;
	d[1] = assoc_type;
	d[2] = 0;
	d[3] = n;
	memset(d + 4, fill, n);
	len_of += 4 + n;
	rfl_put_be16(page + 2, len_of - 4);
}

static void page_init(u8 *page)
{
	memset(page, 0, 512);
	page[1] = 0x83;
	len_of = 4;
}

static void t_preference(void)
{
	u8 page[512];
	u32 off;

	page_init(page);
	put(page, 0x01, 24, 'v');	/* T10 vendor ID */
	put(page, 0x08, 12, 's');	/* SCSI name string */
	put(page, 0x13, 16, 'p');	/* NAA of the port: not the LU */
	put(page, 0x02, 8, 'e');	/* EUI-64 */
	put(page, 0x03, 16, 'n');	/* NAA */
	put(page, 0x03, 8, 'm');	/* a second NAA: the first wins */
	CHECK_EQ(rfl_vpd83_pick(page, sizeof(page), 255, &off), 20);
	CHECK_EQ(page[off + 4], 'n');
	/* without the NAA of the LU: EUI-64 */
	page_init(page);
	put(page, 0x01, 24, 'v');
	put(page, 0x13, 16, 'p');
	put(page, 0x02, 8, 'e');
	CHECK_EQ(rfl_vpd83_pick(page, sizeof(page), 255, &off), 12);
	CHECK_EQ(page[off + 4], 'e');
	/* only the T10 vendor ID */
	page_init(page);
	put(page, 0x01, 24, 'v');
	CHECK_EQ(rfl_vpd83_pick(page, sizeof(page), 255, &off), 28);
	CHECK_EQ(off, 4);
	/* types not used (relative port, MD5...) and target designators */
	page_init(page);
	put(page, 0x04, 4, 'r');
	put(page, 0x05, 4, 'g');
	put(page, 0x23, 16, 't');
	CHECK_EQ(rfl_vpd83_pick(page, sizeof(page), 255, &off), 0);
	CHECK_EQ(off, 0);
}

static void t_limits(void)
{
	u8 page[512];
	u32 off;

	/* a designator above the caller's limit is passed over */
	page_init(page);
	put(page, 0x03, 200, 'n');
	put(page, 0x01, 8, 'v');
	CHECK_EQ(rfl_vpd83_pick(page, sizeof(page), 100, &off), 12);
	CHECK_EQ(page[off + 4], 'v');
	CHECK_EQ(rfl_vpd83_pick(page, sizeof(page), 204, &off), 204);
	/* a page length beyond what was received: the bytes received */
	page_init(page);
	put(page, 0x01, 8, 'v');
	put(page, 0x03, 16, 'n');
	CHECK_EQ(rfl_vpd83_pick(page, 4 + 12 + 19, 255, &off), 12);
	CHECK_EQ(rfl_vpd83_pick(page, 4 + 12 + 20, 255, &off), 20);
	/* a page length shorter than the descriptors: the stated length */
	rfl_put_be16(page + 2, 12 + 3);
	CHECK_EQ(rfl_vpd83_pick(page, sizeof(page), 255, &off), 12);
	/* a descriptor running past the end stops the walk */
	page_init(page);
	put(page, 0x03, 16, 'n');
	page[7] = 200;
	CHECK_EQ(rfl_vpd83_pick(page, sizeof(page), 255, &off), 0);
	/* shorter than a header */
	CHECK_EQ(rfl_vpd83_pick(page, 3, 255, &off), 0);
	CHECK_EQ(rfl_vpd83_pick(page, 0, 255, &off), 0);
}

const struct unit_test vpd_tests[] = {
	{ "designator preference and association", t_preference },
	{ "size limit and lying page lengths", t_limits },
};
const unsigned int vpd_ntests = UNIT_COUNT(vpd_tests);

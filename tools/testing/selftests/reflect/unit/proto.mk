# SPDX-License-Identifier: GPL-2.0
#
# How userspace builds the shared protocol code of kernel/proto: included
# by unit/Makefile and fuzz/Makefile. The kernel's iscsi_proto.h and
# scsi_proto.h come from the installed kernel headers (6.1 preferred),
# through the shim directory unit/include.

PROTO_UNIT := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
PROTO_DIR := $(abspath $(PROTO_UNIT)/../../../../../kernel/proto)

KHDRS ?= $(firstword \
	$(wildcard /usr/src/linux-headers-6.1*-common/include) \
	$(wildcard /usr/src/linux-headers-*-common/include))
ifeq ($(wildcard $(KHDRS)/scsi/iscsi_proto.h),)
$(error no kernel headers with scsi/iscsi_proto.h (KHDRS=$(KHDRS)); install linux-headers-amd64)
endif

# Every source but rfl_main.c (the module glue), plus the userspace CRC32C.
PROTO_SRCS := $(addprefix $(PROTO_DIR)/, rfl_pdu.c rfl_digest.c \
	rfl_text.c rfl_value.c rfl_keys.c rfl_neg.c rfl_params.c \
	rfl_selftest.c rfl_script.c rfl_map.c rfl_vpd.c \
	rfl_crc32c_user.c)
PROTO_HDRS := $(wildcard $(PROTO_DIR)/*.h) \
	$(wildcard $(PROTO_UNIT)/include/scsi/*.h)

PROTO_CPPFLAGS := -I$(PROTO_UNIT)/include -I$(PROTO_DIR) \
	-DRFL_KHDR_ISCSI_PROTO='"$(KHDRS)/scsi/iscsi_proto.h"' \
	-DRFL_KHDR_SCSI_PROTO='"$(KHDRS)/scsi/scsi_proto.h"'

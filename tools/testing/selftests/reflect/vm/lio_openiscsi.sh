#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The rig itself: stock LIO (iscsi_target_mod) serving a ramdisk, stock
# open-iscsi logged in over loopback, fio verify and a filesystem round
# trip with checksums on the resulting sd disk.
# smoke

. "$(dirname "$0")/../lib/vmlib.sh"

t_plan 6
IQN=iqn.2026-11.org.reflect.test:lio-rd

t_run "LIO iscsi_target_mod loads" lio_load || t_bail "no LIO"
BS=$(lio_ramdisk rd0 64)
t_run "target with a 64 MiB ramdisk LUN on 127.0.0.1:3260" \
	lio_iscsi_target $IQN 127.0.0.1:3260 "$BS" || t_bail "no target"
iscsi_start || t_bail "iscsid did not start"
DEV=$(iscsi_login $IQN 127.0.0.1:3260)
t_result $? "open-iscsi discovery and login (disk ${DEV:-none})"
[ -b "$DEV" ] || t_bail "no disk"
t_run "fio verify over mixed block sizes" fio_verify "$DEV"
t_run "mkfs.ext4, checksummed files survive remount, fsck clean" fs_roundtrip "$DEV"
iscsi_logout_all
iscsi_stop
t_run "logout and LIO teardown" lio_teardown
t_done

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# reflect_target against LIO's iscsi_target_mod, side by side in one guest:
# the same kind of backstore (a 256 MiB rd_mcp ramdisk each), the same
# initiator (stock open-iscsi over loopback), the same fio jobs. Prints the
# raw figures of each and the ratio reflect / iscsi_target_mod.
#
# Run from the repository: tools/bench/run target_vs_lio.sh
# Figures under QEMU TCG are only comparable with each other, in one run.

. "$(dirname "$0")/../testing/selftests/reflect/lib/vmlib.sh"

RUNTIME=${RUNTIME:-20}
LIO_IQN=iqn.2026-11.org.reflect.bench:lio
RFL_IQN=iqn.2026-11.org.reflect.bench:reflect

lio_load && reflect_target_load || { echo "cannot load targets"; exit 1; }
lio_iscsi_target $LIO_IQN 127.0.0.1:3260 "$(lio_ramdisk lio 256)" || exit 1
reflect_target_demo $RFL_IQN 127.0.0.1:3261 "$(lio_ramdisk rfl 256)" || exit 1
iscsi_start || exit 1
DLIO=$(iscsi_login $LIO_IQN 127.0.0.1:3260) || exit 1
DRFL=$(iscsi_login $RFL_IQN 127.0.0.1:3261) || exit 1

# job DEV RW BS QD: one fio job; prints "<MiB/s> <IOPS> <mean latency us>"
# from fio's terse (v3) line: read bw/iops/lat-mean are fields 7/8/40,
# write 48/49/81.
job() {
	fio --name=b --filename="$1" --direct=1 --ioengine=libaio --rw="$2" \
		--bs="$3" --iodepth="$4" --time_based --runtime="$RUNTIME" \
		--ramp_time=2 --size=200m --minimal 2>/dev/null |
	awk -F';' '{ if ($6 > 0) printf "%.1f %d %d\n", $7 / 1024, $8, $40;
		     else printf "%.1f %d %d\n", $48 / 1024, $49, $81 }'
}

printf '%-26s %28s %28s %8s\n' workload "iscsi_target_mod MiB/s IOPS lat_us" \
	"reflect MiB/s IOPS lat_us" ratio
for w in "read 1m 8" "write 1m 8" "randread 4k 1" "randread 4k 32"; do
	set -- $w
	a=$(job "$DLIO" "$1" "$2" "$3")
	b=$(job "$DRFL" "$1" "$2" "$3")
	ratio=$(awk -v a="${a%% *}" -v b="${b%% *}" \
		'BEGIN { if (a > 0) printf "%.2f", b / a; else print "n/a" }')
	printf '%-26s %28s %28s %8s\n' "$1 bs=$2 qd=$3" "$a" "$b" "$ratio"
done
iscsi_logout_all
iscsi_stop

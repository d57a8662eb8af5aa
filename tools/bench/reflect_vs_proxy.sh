#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Reflection against the in-band (proxy) path in one guest: the demo's
# topology (stock LIO disks, the manager, a stock open-iscsi host served
# by proxy and a reflecting reflect_initiator host), with BENCH_MIB MiB
# (default 128) written and read back by each host on a volume striped
# over the three disks, and 4 KiB random reads at QD1, with the manager's
# link shaped to BENCH_SHAPE each way (default 40mbit) so that it is the
# bottleneck, as a manager serving many hosts would be. Prints the raw
# figures of both hosts and their ratios (tools/demo/reflect_demo.sh does
# the work).
# BENCH_INBAND=0 leaves out the third configuration, the stock in-band
# manager (open-iscsi + dm-stripe + LIO, see the demo's header).
export RFL_DEMO_IO_MIB=${BENCH_MIB:-128}
export RFL_DEMO_INBAND=${BENCH_INBAND:-1}
export RFL_DEMO_SHAPE=${BENCH_SHAPE-40mbit}
export RFL_DEMO_MIB=$((RFL_DEMO_IO_MIB / 2 + 32))
exec "$RFL_REPO/tools/demo/reflect_demo.sh"

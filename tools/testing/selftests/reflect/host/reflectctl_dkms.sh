#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Packaging on the build machine: `make install DESTDIR=...` stages the
# modules (depmod -b finds them), reflectctl, the unit, man pages and
# snippets; `make install-dkms` stages the DKMS sources, and dkms builds
# them, in a private DKMS tree, for both distro kernels (6.1 and 6.12).

. "$(dirname "$0")/../lib/vmlib.sh"

TOP=$(cd "$(dirname "$0")/../../../../.." && pwd)
W=$(mktemp -d /tmp/rfl-dkms.XXXXXX)
trap 'rm -rf "$W"' EXIT
RELS=$(ls -d /usr/src/linux-headers-*-amd64 2>/dev/null | sed 's,.*/linux-headers-,,' | sort -V)
N=$(echo "$RELS" | wc -w)

t_plan $((1 + 2 * N))

staged() {
	local rel=$1 d=$W/stage-$1 f
	make -s -C "$TOP" install DESTDIR="$d" KVER="$rel" >"$W/install-$rel.log" 2>&1 ||
		{ tail -n 30 "$W/install-$rel.log"; return 1; }
	for f in usr/sbin/reflectctl lib/systemd/system/reflect.service \
		etc/modprobe.d/reflect.conf etc/modules-load.d/reflect.conf \
		usr/share/man/man8/reflectctl.8 usr/share/man/man5/reflect.conf.5 \
		lib/modules/$rel/updates/reflect/reflect_proto.ko \
		lib/modules/$rel/updates/reflect/reflect_initiator.ko \
		lib/modules/$rel/updates/reflect/reflect_target.ko; do
		[ -e "$d/$f" ] || { echo "missing $f"; return 1; }
	done
	grep -q 'updates/reflect/reflect_initiator.ko' "$d/lib/modules/$rel/modules.dep"
}

dkms_built() {
	local rel=$1 tree=$W/dkms-$rel
	command -v dkms >/dev/null || { echo "dkms not installed (scripts/setup)"; return 1; }
	mkdir -p "$tree"
	dkms add --dkmstree "$tree" --sourcetree "$W/src/usr/src" reflect/0.1 \
		>"$W/dkms-$rel.log" 2>&1 &&
		dkms build --dkmstree "$tree" --sourcetree "$W/src/usr/src" \
			-k "$rel" --kernelsourcedir "/lib/modules/$rel/build" \
			reflect/0.1 >>"$W/dkms-$rel.log" 2>&1 ||
		{ tail -n 40 "$W/dkms-$rel.log"; cat "$tree"/reflect/0.1/build/make.log 2>/dev/null | tail -n 30; return 1; }
	ls "$tree/reflect/0.1/$rel/x86_64/module/" | tee /dev/stderr |
		grep -c '^reflect_proto.ko\|^reflect_target.ko\|^reflect_initiator.ko\|^target_core_reflect.ko' |
		grep -qx 4
}

t_run "make install-dkms stages the module sources" \
	make -s -C "$TOP" install-dkms DESTDIR="$W/src" NO_DKMS=1
for rel in $RELS; do
	t_run "make install DESTDIR for $rel: modules, depmod, tool, unit, man, snippets" staged "$rel"
	t_run "dkms build for $rel in a private tree" dkms_built "$rel"
done
t_done

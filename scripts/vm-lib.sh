# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Helpers of scripts/vm: kernel lookup, initramfs, accelerator probe and the
# console scan. Sourced, not run.

RFL_CACHE=${RFL_CACHE:-/var/cache/reflect}
RFL_DEBUG_CACHE=${RFL_DEBUG_CACHE:-$RFL_CACHE/debug-kernel}

# vm_resolve_kernel NAME: set REL, VMLINUZ and MODROOT for a kernel name.
vm_resolve_kernel() {
	local name=$1 v
	MODROOT=/
	case $name in
	debug)
		if [ ! -s "$RFL_DEBUG_CACHE/stamp" ]; then
			echo "vm: no debug kernel in $RFL_DEBUG_CACHE: run scripts/build-debug-kernel" >&2
			return 1
		fi
		REL=$(cat "$RFL_DEBUG_CACHE/release")
		VMLINUZ=$RFL_DEBUG_CACHE/bzImage
		MODROOT=$RFL_DEBUG_CACHE/modules
		return 0
		;;
	6.1 | 6.12)
		v=$(ls /boot/vmlinuz-"$name".* 2>/dev/null | sed 's,.*/vmlinuz-,,' |
		    grep -E "^$name\.[0-9]" | grep -E -- '-amd64$' | sort -V | tail -n 1)
		;;
	*)
		v=$name
		;;
	esac
	if [ -z "$v" ] || [ ! -f "/boot/vmlinuz-$v" ]; then
		echo "vm: kernel '$name' is not installed in /boot (scripts/setup installs 6.1 and 6.12)" >&2
		return 1
	fi
	REL=$v
	VMLINUZ=/boot/vmlinuz-$v
}

# The modules stage 1 needs to reach the 9p root, with their dependencies,
# in load order.
VM_BOOT_MODULES="virtio_pci virtio_rng 9pnet_virtio 9p overlay"

# _vm_moddeps DIR MOD: print MOD's dependency closure, dependencies first.
_vm_moddeps() {
	local dir=$1 mod=$2 line path deps d
	line=$(grep -E "/${mod//_/[_-]}\.ko(\.xz|\.zst|\.gz)?:" "$dir/modules.dep" | head -n 1)
	[ -n "$line" ] || return 0	# built in, or absent: nothing to load
	path=${line%%:*}
	deps=${line#*:}
	for d in $deps; do
		d=$(basename "$d")
		d=${d%%.ko*}
		_vm_moddeps "$dir" "$d"
	done
	echo "$path"
}

# vm_initramfs REL MODROOT: build (or reuse) the stage-1 initramfs for a
# kernel and print its path.
vm_initramfs() {
	local rel=$1 modroot=$2 dir out key tmp m p seen=" "
	dir=$modroot/lib/modules/$rel
	local top
	top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
	mkdir -p "$RFL_CACHE/initramfs" || return 1
	key=$( (cat "$top/scripts/vm-init" /bin/busybox "$dir/modules.dep"; echo "$VM_BOOT_MODULES") |
		sha256sum | cut -c1-16)
	out=$RFL_CACHE/initramfs/$rel-$key.cpio.gz
	if [ -s "$out" ]; then
		echo "$out"
		return 0
	fi
	tmp=$(mktemp -d) || return 1
	mkdir -p "$tmp"/{bin,dev,proc,sys,mods,root9,rw,newroot}
	cp /bin/busybox "$tmp/bin/busybox"
	cp "$top/scripts/vm-init" "$tmp/init"
	chmod +x "$tmp/init"
	: >"$tmp/mods/order"
	for m in $VM_BOOT_MODULES; do
		for p in $(_vm_moddeps "$dir" "$m"); do
			case $seen in *" $p "*) continue ;; esac
			seen+="$p "
			local base
			base=$(basename "$p")
			case $base in
			*.xz)  xz -dc "$dir/$p" >"$tmp/mods/${base%.xz}"; base=${base%.xz} ;;
			*.zst) zstd -qdc "$dir/$p" >"$tmp/mods/${base%.zst}"; base=${base%.zst} ;;
			*.gz)  gzip -dc "$dir/$p" >"$tmp/mods/${base%.gz}"; base=${base%.gz} ;;
			*)     cp "$dir/$p" "$tmp/mods/$base" ;;
			esac
			echo "$base" >>"$tmp/mods/order"
		done
	done
	(cd "$tmp" && find . | cpio -o -H newc --quiet | gzip -1) >"$out.tmp" &&
		mv "$out.tmp" "$out"
	rm -rf "$tmp"
	[ -s "$out" ] && echo "$out"
}

# vm_accel: "kvm" only when a KVM guest provably boots here (on some
# machines /dev/kvm exists but a guest hangs), else "tcg". The answer is
# cached per machine; RFL_VM_ACCEL overrides it.
vm_accel() {
	local cache=$RFL_CACHE/accel
	if [ -n "${RFL_VM_ACCEL:-}" ]; then
		echo "$RFL_VM_ACCEL"
		return
	fi
	if [ ! -w /dev/kvm ]; then
		echo tcg
		return
	fi
	if [ ! -s "$cache" ]; then
		# A real boot is the only honest probe; it is cheap next to
		# a hang, and it runs once per machine.
		echo tcg >"$cache"
		if _vm_kvm_boots; then
			echo kvm >"$cache"
		fi
	fi
	cat "$cache"
}

_vm_kvm_boots() {
	local rel initrd log
	vm_resolve_kernel 6.1 2>/dev/null || return 1
	initrd=$(vm_initramfs "$REL" /) || return 1
	log=$(mktemp)
	timeout -s KILL 60 qemu-system-x86_64 -accel kvm -cpu host -m 512 \
		-nodefaults -no-reboot -display none -monitor none \
		-serial "file:$log" -kernel "$VMLINUZ" -initrd "$initrd" \
		-append "console=ttyS0 panic=-1 rdinit=/init rfl.probe=1" \
		</dev/null >/dev/null 2>&1
	grep -q 'rfl-probe-ok' "$log"
	local rc=$?
	rm -f "$log"
	return $rc
}

# vm_console_reports LOG: print a one-line summary of every kernel report
# in a console log that must fail a test; print nothing when clean.
vm_console_reports() {
	grep -a -E -o \
		'(Oops[:]? .*|BUG: .*|WARNING: .*|KASAN: .*|UBSAN: .*|kernel BUG at .*|general protection fault.*|Kernel panic.*|possible circular locking dependency.*|possible recursive locking.*|inconsistent lock state|INFO: task .* blocked for more than.*|unreferenced object 0x[0-9a-f]+.*|kmemleak: [0-9]+ new suspected memory leaks.*|BUG: sleeping function called from invalid context.*|watchdog: BUG: soft lockup.*|rcu: INFO: rcu_.* detected stalls.*)' \
		"$1" 2>/dev/null | awk '!seen[$0]++' | head -n 5 | tr '\n' ';' | sed 's/;$//'
}

# Known kmemleak reports in *peer* code: stock kernel code that the tests
# drive (LIO, open-iscsi's kernel half, the block layer), not our modules,
# that leaks in a way we can neither fix nor avoid without weakening a
# test. A report in kmemleak.log is allowlisted when one frame of its
# backtrace is exactly FUNCTION (a compiler suffix such as .constprop.0
# allowed) in [MODULE]; the runner then prints it as "known peer leak (not
# ours)" and it does not fail the test. Any other report still fails.
# Keep the list short, every entry with its reason; see
# Documentation/debug-kernel.rst. Entries: "FUNCTION MODULE".
VM_PEER_LEAKS=(
	# Linux 6.1 LIO: iscsit_build_sendtargets_response() stores each
	# SendTargets Text Response payload in cmd->buf_ptr without freeing
	# the previous one, so each continued (multi-PDU) response but the
	# last leaks its buffer (vm/initiator_discovery.sh's multi-PDU case;
	# open-iscsi never continues a SendTargets exchange).
	'iscsit_build_sendtargets_response iscsi_target_mod'
)

# vm_kmemleak_split LOG OURS PEER: copy each report of the kmemleak log LOG
# to PEER when its backtrace matches VM_PEER_LEAKS, to OURS otherwise.
vm_kmemleak_split() {
	local log=$1 ours=$2 peer=$3
	: >"$ours"
	: >"$peer"
	[ -s "$log" ] || return 0
	awk -v allow="${VM_PEER_LEAKS[*]}" -v ours="$ours" -v peer="$peer" '
	BEGIN {
		n = split(allow, a, /[ \t]+/)
		for (i = 1; i + 1 <= n; i += 2)
			fn[a[i]] = "[" a[i + 1] "]"
	}
	function flush() {
		if (rec != "")
			printf "%s", rec > (allowed ? peer : ours)
		rec = ""; allowed = 0; bt = 0
	}
	/^unreferenced object / { flush() }
	{ rec = rec $0 "\n" }
	/^ *backtrace:/ { bt = 1; next }
	bt {
		line = $0
		sub(/^[ \t]*(\[<[0-9a-fx]+>\][ \t]*)?/, "", line)
		k = split(line, w, /[ \t]+/)
		sym = w[1]; sub(/\+0x.*$/, "", sym); sub(/\..*$/, "", sym)
		if ((sym in fn) && k >= 2 && w[k] == fn[sym])
			allowed = 1
	}
	END { flush() }' "$log"
}

# vm_guest_reports OUTDIR: print a one-line summary of the kernel reports
# in a finished guest's console.log, dmesg.log and kmemleak.log that must
# fail its test; print nothing when clean. Splits kmemleak.log into
# kmemleak-ours.log and kmemleak-peer.log (VM_PEER_LEAKS) and says on
# stderr which allowlisted peer leaks it let pass.
vm_guest_reports() {
	local d=$1 e f n peers=
	vm_kmemleak_split "$d/kmemleak.log" "$d/kmemleak-ours.log" "$d/kmemleak-peer.log"
	if [ -s "$d/kmemleak-peer.log" ]; then
		n=$(grep -c '^unreferenced object ' "$d/kmemleak-peer.log")
		for e in "${VM_PEER_LEAKS[@]}"; do
			f=${e%% *}
			grep -q -E "[] ]${f}[.+]" "$d/kmemleak-peer.log" && peers+=" $f()"
		done
		echo "vm: known peer leak (not ours): $n object(s) from$peers, see kmemleak-peer.log" >&2
	fi
	{
		# kmemleak.log, when the guest wrote it, lists every suspected
		# leak: the kernel's "N new suspected memory leaks" line adds
		# nothing and would count the allowlisted ones too.
		if [ -f "$d/kmemleak.log" ]; then
			cat "$d/console.log" "$d/dmesg.log" 2>/dev/null |
				grep -a -v -E 'kmemleak: [0-9]+ new suspected memory leaks'
		else
			cat "$d/console.log" "$d/dmesg.log" 2>/dev/null
		fi
		cat "$d/kmemleak-ours.log"
	} | vm_console_reports /dev/stdin
}

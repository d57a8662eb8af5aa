#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# reflectctl against a fake configfs tree in /tmp (plain directories and
# files; the tool's configfs layer emulates what configfs does itself):
# apply, idempotence, only the difference, save (0600, atomic), wipe and
# restore to the same tree, partial restore, bad files refused before
# anything changes, empty save refused, one-line errors, status/stats
# JSON. Runs on the build machine; the tool is built with ASan + UBSan.

. "$(dirname "$0")/../lib/vmlib.sh"

TOP=$(cd "$(dirname "$0")/../../../../.." && pwd)
W=$(mktemp -d /tmp/rfl-ctl.XXXXXX)
trap 'rm -rf "$W"' EXIT
make -s -C "$TOP/tools/reflectctl" out/reflectctl-san >"$W/build.log" 2>&1 ||
	{ cat "$W/build.log"; t_bail "reflectctl does not build"; }
export ASAN_OPTIONS=detect_leaks=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
ROOT=$W/cfg
ctl() {
	"$TOP/tools/reflectctl/out/reflectctl-san" --root "$ROOT" \
		--secrets "$W/secrets" "$@"
}

# What the loaded modules create by themselves.
skeleton() {
	rm -rf "$ROOT"
	mkdir -p "$ROOT/target/core" "$ROOT/target/reflect" \
		"$ROOT/reflect_initiator/targets" "$ROOT/reflect_vvol"
	: >"$ROOT/reflect_initiator/initiator_name"
}

# The tree as text: every directory, link and file with its content.
snapshot() {
	(cd "$ROOT" && find . -printf '%y %p %l\n' | sort &&
		find . -type f | sort | while read -r f; do
			printf '%s=%s\n' "$f" "$(cat "$f")"
		done)
}

cat >"$W/a.map" <<'MAP'
# the worked example: disks A, B, C of 1000 blocks
target A iqn.2003-01.org.linux-iscsi.reflect:disk-a 10.0.0.11:3260 0
target B iqn.2003-01.org.linux-iscsi.reflect:disk-b 10.0.0.12:3260 0
target C iqn.2003-01.org.linux-iscsi.reflect:disk-c 10.0.0.13:3260 0
linear 0 1000 A 0
linear 1000 1000 B 0
linear 2000 1000 C 0
MAP

cat >"$W/a.conf" <<'EOF2'
backstore fileio_0/disk0 {
	file /var/lib/reflect/disk0.img
	size 67108864
}
backstore rd_mcp_0/rd0 {
	pages 1024
}
volume vol0 {
	map file a.map
}
target iqn.2003-01.org.linux-iscsi.reflect:manager {
	tpg 1 {
		portal 10.0.0.2:3260
		lun 0 fileio_0/disk0
		lun 1 rd_mcp_0/rd0
		attrib authentication 1
		param HeaderDigest CRC32C
		acl iqn.2026-11.org.example:host1 {
			lun 0 0
			auth userid alice
			auth password alice-secret-12
		}
		enable 1
	}
}
initiator {
	name iqn.2026-11.org.example:host1
	target manager {
		target_iqn iqn.2003-01.org.linux-iscsi.reflect:manager
		portal 10.0.0.2:3260
		chap_userid alice
		chap_password alice-secret-12
		enable 1
	}
}
EOF2

t_plan 15
skeleton

t_run "apply builds the tree" ctl apply -q "$W/a.conf"
t_run "second apply: empty plan" bash -c \
	"out=\$($(declare -f ctl); ROOT=$ROOT W=$W TOP=$TOP ctl apply -n $W/a.conf) && [ -z \"\$out\" ] || { echo \"\$out\"; false; }"

# The initiator hides its secrets like the kernel does.
echo '[set]' >"$ROOT/reflect_initiator/targets/manager/chap_password"
t_run "hidden secret known from the cache: still an empty plan" \
	bash -c "[ -z \"\$($(declare -f ctl); ROOT=$ROOT W=$W TOP=$TOP ctl apply -n $W/a.conf)\" ]"

sed 's/attrib authentication 1/attrib authentication 0/' "$W/a.conf" >"$W/b.conf"
cp "$W/a.map" "$W/b.map"
check_diff() {
	local plan
	plan=$(ctl apply -n "$W/b.conf") || return 1
	echo "$plan"
	[ "$plan" = "write target/reflect/iqn.2003-01.org.linux-iscsi.reflect:manager/tpgt_1/attrib/authentication = 0" ]
}
t_run "changed file: only the difference is planned" check_diff

save_ok() {
	ctl save "$W/saved.conf" || return 1
	[ "$(stat -c %a "$W/saved.conf")" = 600 ] || { echo "mode not 0600"; return 1; }
	grep -q 'chap_password alice-secret-12' "$W/saved.conf" ||
		{ cat "$W/saved.conf"; return 1; }
	! ls "$W"/saved.conf.tmp* 2>/dev/null
}
t_run "save: secrets kept, file 0600, no temporary left" save_ok

roundtrip() {
	local before after
	before=$(snapshot)
	skeleton
	ctl restore -q "$W/saved.conf" || return 1
	echo '[set]' >"$ROOT/reflect_initiator/targets/manager/chap_password"
	after=$(snapshot)
	diff <(echo "$before") <(echo "$after") && [ -z "$(ctl apply -n "$W/saved.conf")" ]
}
t_run "wipe and restore: identical tree, then an empty plan" roundtrip

partial() {
	skeleton
	ctl restore -q --target iqn.2003-01.org.linux-iscsi.reflect:manager \
		"$W/saved.conf" || return 1
	[ -d "$ROOT/target/reflect/iqn.2003-01.org.linux-iscsi.reflect:manager/tpgt_1/lun/lun_0" ] &&
		[ -d "$ROOT/target/core/fileio_0/disk0" ] &&
		[ -d "$ROOT/reflect_initiator/targets/manager" ] &&
		[ ! -d "$ROOT/reflect_vvol/vol0" ] || return 1
	ctl restore -q --volume vol0 "$W/saved.conf" &&
		[ -d "$ROOT/reflect_vvol/vol0" ]
}
t_run "restore --target and --volume: one object at a time" partial

refused() {
	local want=$1 line=$2 pat=$3 before out rc
	before=$(snapshot)
	out=$(ctl apply "$W/bad.conf" 2>&1)
	rc=$?
	echo "$out"
	[ "$rc" = "$want" ] || { echo "exit $rc, want $want"; return 1; }
	echo "$out" | grep -q "bad.conf:$line: .*$pat" || return 1
	[ "$(snapshot)" = "$before" ] || { echo "tree changed"; return 1; }
}
bad_cases() {
	local rc=0
	sed 's/^\t\tattrib authentication 1/\t\tattrib authentication 1\n\t\tattrib colour blue/' \
		"$W/a.conf" >"$W/bad.conf"
	refused 2 17 "unknown key" || rc=1
	sed 's/reflect:manager {/reflect:Manager {/' "$W/a.conf" >"$W/bad.conf"
	refused 2 11 "bad iSCSI name" || rc=1
	sed 's/portal 10.0.0.2:3260$/portal 10.0.0.2:70000/' "$W/a.conf" >"$W/bad.conf"
	refused 2 13 "bad portal" || rc=1
	sed '/chap_password/d' "$W/a.conf" >"$W/bad.conf"
	refused 2 31 "missing secret" || rc=1
	sed 's/map file a.map/map file overlap.map/' "$W/a.conf" >"$W/bad.conf"
	sed 's/^linear 1000 1000 B 0/linear 900 1000 B 0/' "$W/a.map" >"$W/overlap.map"
	if grep -q RFL_HAVE_MAP "$TOP/tools/reflectctl/Makefile" &&
		[ -f "$TOP/kernel/proto/rfl_map.c" ]; then
		refused 2 9 "map of volume vol0" || rc=1
	fi
	return $rc
}
t_run "bad files refused with their line, nothing changed" bad_cases

empty_save() {
	local rc
	skeleton
	ctl save "$W/saved.conf"
	rc=$?
	[ "$rc" = 3 ] || { echo "exit $rc, want 3"; return 1; }
	grep -q 'chap_password' "$W/saved.conf" || return 1
	ctl save --force "$W/saved.conf" && ! grep -q '^target' "$W/saved.conf"
}
t_run "empty save over a saved file: refused (3); --force writes it" empty_save

missing_restore() {
	ctl restore -q "$W/nosuch.conf"
}
t_run "restore without a saved file: nothing to do, exit 0" missing_restore

one_line_error() {
	local out rc
	skeleton
	# A file where configfs would have a directory: mkdir fails.
	mkdir -p "$ROOT/target/core/fileio_0"
	: >"$ROOT/target/core/fileio_0/disk0"
	out=$(ctl apply -q "$W/a.conf" 2>&1)
	rc=$?
	echo "$out"
	[ "$rc" = 1 ] && [ "$(echo "$out" | wc -l)" = 1 ] &&
		echo "$out" | grep -q "^reflectctl: $ROOT/target/core/fileio_0/disk0: mkdir failed: File exists$"
}
t_run "a kernel refusal is one line: object, operation, errno" one_line_error

last_error_line() {
	local out
	skeleton
	ctl apply -q "$W/a.conf" || return 1
	echo "login refused: target error (class 0x03 detail 0x01)" \
		>"$ROOT/reflect_initiator/targets/manager/last_error"
	chmod 0444 "$ROOT/reflect_initiator/targets/manager/last_error"
	rm -f "$ROOT/reflect_initiator/targets/manager/enable"
	mkdir "$ROOT/reflect_initiator/targets/manager/enable"
	sed 's/^\t\tenable 1/\t\tenable 0/' "$W/a.conf" | sed '$!N;$!P;$!D' >/dev/null
	out=$(ctl apply -q "$W/a.conf" 2>&1)
	echo "$out"
	echo "$out" | grep -q "enable.*failed: Is a directory (login refused: target error (class 0x03 detail 0x01))"
}
t_run "failure line carries the object's last_error" last_error_line

status_json() {
	local out
	skeleton
	ctl apply -q "$W/a.conf" || return 1
	printf 'HeaderDigest=None\nDataDigest=None\nTSIH=1\n' \
		>"$ROOT/reflect_initiator/targets/manager/negotiated"
	printf 'commands 10\nbytes_in 4096\nreflected 7\n' \
		>"$ROOT/reflect_initiator/targets/manager/stats"
	echo logged-in >"$ROOT/reflect_initiator/targets/manager/state"
	printf 'reflected_cmds 5\nproxied_cmds 2\nfallbacks 1\n' \
		>"$ROOT/reflect_vvol/vol0/stats"
	chmod 0444 "$ROOT/reflect_initiator/targets/manager/"{negotiated,stats,state} \
		"$ROOT/reflect_vvol/vol0/stats"
	out=$(ctl status) && echo "$out" | grep -q 'state *logged-in' || return 1
	out=$(ctl status --json) || return 1
	echo "$out" | python3 -c 'import json,sys; d=json.load(sys.stdin); t=[o for o in d if o["kind"]=="initiator-target"][0]; assert t["attributes"]["negotiated"]["TSIH"]==1, t' || return 1
	out=$(ctl stats --json) || return 1
	echo "$out" | python3 -c 'import json,sys; d=json.load(sys.stdin); v=[o for o in d if o["kind"]=="volume"][0]; assert v["attributes"]["stats"]["fallbacks"]==1, v' || return 1
	out=$(ctl stats) && echo "$out" | grep -q 'proxied_cmds 2'
}
t_run "status and stats, table and JSON, every read-only counter" status_json

removal() {
	local plan
	sed '/^\t\tlun 1 rd_mcp_0\/rd0/d' "$W/a.conf" >"$W/c.conf"
	plan=$(ctl apply -n "$W/c.conf") || return 1
	echo "$plan"
	[ "$(echo "$plan" | head -1)" = "unlink target/reflect/iqn.2003-01.org.linux-iscsi.reflect:manager/tpgt_1/lun/lun_1/rd0" ] &&
		[ "$(echo "$plan" | wc -l)" = 2 ] || return 1
	ctl apply -q "$W/c.conf" && [ -z "$(ctl apply -n "$W/c.conf")" ] &&
		[ -d "$ROOT/target/core/rd_mcp_0/rd0" ]
}
t_run "a LUN dropped from the file: unlinked and removed, backstore kept" removal

usage_rc() {
	ctl frobnicate >/dev/null 2>&1
	[ $? = 2 ] || return 1
	ctl apply >/dev/null 2>&1
	[ $? = 2 ]
}
t_run "usage errors exit 2" usage_rc

t_done

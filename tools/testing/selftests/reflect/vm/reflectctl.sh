#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# reflectctl on real configfs, both sides in one guest: a reflect target
# (fileio and ramdisk backstores, a virtual volume over three stock LIO
# disks, an ACL with CHAP) and reflect_initiator logged into it with CHAP.
# apply -> idempotent -> save -> wipe -> empty save refused -> restore
# gives the same configfs state; a changed file applies only the
# difference; bad files are refused before anything changes; partial
# restores; status and stats as JSON.
# timeout: 600

. "$(dirname "$0")/../lib/vmlib.sh"

CTL=$RFL_REPO/tools/reflectctl/out/reflectctl
MAPSRC=$RFL_REPO/tools/testing/selftests/reflect/data/worked_example.map
MGR=iqn.2003-01.org.linux-iscsi.reflect:manager
HOST=iqn.2026-11.org.reflect.test:host1
INI=/sys/kernel/config/reflect_initiator
CFG=/sys/kernel/config
W=/tmp/rfl-ctl
DISKS=127.0.0.1:3262
mkdir -p $W

[ -x "$CTL" ] || t_bail "$CTL not built (make -C tools/reflectctl)"

# The virtual volume is part of the run once target_core_reflect is built.
VVOL_KO=$RFL_MODDIR/kernel/vvol/target_core_reflect.ko
HAVE_VVOL=0
[ -f "$VVOL_KO" ] && HAVE_VVOL=1

load_all() {
	modprobe sd_mod && lio_load && reflect_target_load || return 1
	insmod "$RFL_MODDIR/kernel/initiator/reflect_initiator.ko" || return 1
	test -d "$INI/targets" || return 1
	[ $HAVE_VVOL = 0 ] && { log "no $VVOL_KO: volume steps left out"; return 0; }
	insmod "$VVOL_KO" && test -d "$CFG/reflect_vvol"
}

# Disks A, B, C: stock iscsi_target_mod targets (1 MiB ramdisks) on one
# portal, demo mode; hba rd_mcp_9 keeps them apart from what the file owns.
disks_up() {
	local x d t
	for x in a b c; do
		d=$LIO/core/rd_mcp_9/disk$x
		mkdir -p "$d" && echo rd_pages=256 >"$d/control" &&
			echo 1 >"$d/enable" || return 1
		t=$LIO/iscsi/iqn.2003-01.org.linux-iscsi.reflect:disk-$x/tpgt_1
		mkdir -p "$t/lun/lun_0" && ln -s "$d" "$t/lun/lun_0/disk$x" &&
			mkdir "$t/np/$DISKS" || return 1
		echo 1 >"$t/attrib/generate_node_acls" &&
			echo 1 >"$t/attrib/cache_dynamic_acls" &&
			echo 0 >"$t/attrib/demo_mode_write_protect" &&
			echo 0 >"$t/attrib/authentication" &&
			echo 1 >"$t/enable" || return 1
	done
}

sed "s/10\.0\.0\.1[123]:3260/$DISKS/" "$MAPSRC" >$W/vol0.map

cat >$W/reflect.conf <<EOF2
# the manager and the host of the worked example, in one guest
backstore fileio_0/disk0 {
	file $W/disk0.img
	size 16777216
}
backstore rd_mcp_0/rd0 {
	pages 2048
}
$([ $HAVE_VVOL = 1 ] && printf 'backstore rvol_0/vol0 {\n\tvolume vol0\n}\nvolume vol0 {\n\tblock_size 512\n\tmap file vol0.map\n}\n')
target $MGR {
	tpg 1 {
		portal 127.0.0.1:3261
		lun 0 fileio_0/disk0
		lun 1 rd_mcp_0/rd0
$([ $HAVE_VVOL = 1 ] && printf '\t\tlun 2 rvol_0/vol0\n')
		attrib authentication 1
		attrib generate_node_acls 0
		acl $HOST {
			lun 0 0
			lun 1 1
$([ $HAVE_VVOL = 1 ] && printf '\t\t\tlun 2 2\n')
			auth userid alice
			auth password alice-secret-12
		}
		enable 1
	}
}
initiator {
	name $HOST
	target manager {
		target_iqn $MGR
		portal 127.0.0.1:3261
		chap_userid alice
		chap_password alice-secret-12
		replacement_timeout 30
		enable 1
	}
}
EOF2

# Everything the file owns, as text: directories, links (by target) and
# the value of every readable and writable attribute. Left out: what LIO
# generates per device (wwn, alua, pr, statistics, device attributes) and
# read-only state.
snapshot() {
	(cd $CFG && find target/reflect reflect_initiator reflect_vvol \
		target/core/fileio_0 target/core/rd_mcp_0 target/core/rvol_0 \
		\( -name statistics -o -name fabric_statistics -o -name wwn \
		-o -name alua -o -name pr -o -path 'target/core/*/*/attrib' \
		-o -name discovery_auth \) -prune -o -printf '%y %p\n' \
		2>/dev/null | sort
	cd $CFG && find target/reflect reflect_initiator reflect_vvol \
		\( -name statistics -o -name fabric_statistics \
		-o -name discovery_auth \) -prune -o -type l \
		-printf '%p -> %l\n' 2>/dev/null | sed 's,-> .*/\([^/]*/[^/]*\)$,-> \1,' | sort
	cd $CFG && find target/reflect reflect_initiator reflect_vvol \
		target/core/fileio_0 target/core/rd_mcp_0 target/core/rvol_0 \
		\( -name statistics -o -name fabric_statistics -o -name wwn \
		-o -name alua -o -name pr -o -path 'target/core/*/*/attrib' \
		-o -name discovery_auth \) -prune -o -type f -perm -u+w \
		-perm -u+r -print 2>/dev/null | sort | while read -r f; do
			printf '%s=%s\n' "$f" "$(tr '\n' '|' <"$f")"
		done
	for f in $CFG/target/core/*_0/*/info; do
		[ -f "$f" ] || continue
		printf '%s=%s\n' "$f" "$(sed 's/ID: [0-9]*//' "$f" | tr '\n' '|')"
	done)
}

# Remove everything the file made, by hand (not with the tool).
wipe() {
	local t l a m
	for t in $INI/targets/*; do
		[ -d "$t" ] || continue
		echo 0 >"$t/enable"; rmdir "$t" || return 1
	done
	echo >$INI/initiator_name
	for t in $LIO/reflect/*/tpgt_*; do
		[ -d "$t" ] || continue
		echo 0 >"$t/enable"
		for a in "$t"/acls/*; do
			[ -d "$a" ] || continue
			for m in "$a"/lun_*; do
				[ -d "$m" ] || continue
				find "$m" -maxdepth 1 -type l -delete; rmdir "$m" || return 1
			done
			rmdir "$a" || return 1
		done
		for l in "$t"/lun/lun_*; do
			[ -d "$l" ] || continue
			find "$l" -maxdepth 1 -type l -delete; rmdir "$l" || return 1
		done
		for a in "$t"/np/*; do
			[ -d "$a" ] && { rmdir "$a" || return 1; }
		done
		rmdir "$t" || return 1
	done
	for t in $LIO/reflect/*; do
		[ "${t##*/}" = discovery_auth ] || [ ! -d "$t" ] || rmdir "$t" || return 1
	done
	for t in $LIO/core/rvol_0/* $LIO/core/fileio_0/* $LIO/core/rd_mcp_0/*; do
		[ -d "$t" ] && { rmdir "$t" || return 1; }
	done
	for t in $CFG/reflect_vvol/*; do
		[ -d "$t" ] && { rmdir "$t" || return 1; }
	done
	return 0
}

logged_in() {
	[ "$(cat $INI/targets/manager/state 2>/dev/null)" = logged-in ]
}

ctl() { "$CTL" "$@"; }

t_plan 16
t_run "LIO, reflect_target, reflect_initiator, target_core_reflect load" load_all ||
	t_bail "no modules"
t_run "stock disks A, B, C on $DISKS" disks_up || t_bail "no disks"

apply_first() {
	ctl apply $W/reflect.conf || return 1
	wait_for 60 logged_in || { cat $INI/targets/manager/last_error; return 1; }
	[ $HAVE_VVOL = 0 ] || [ "$(cat $CFG/reflect_vvol/vol0/generation)" = 1 ]
}
t_run "apply: manager, volume and host built; CHAP login" apply_first ||
	t_bail "apply failed"

empty_plan() {
	local p
	p=$(ctl apply -n "$1") || return 1
	[ -z "$p" ] || { echo "$p"; return 1; }
}
t_run "apply again: empty plan (idempotent)" empty_plan $W/reflect.conf

json_ok() {
	ctl status && ctl status --json >$W/status.json &&
		ctl stats --json >$W/stats.json || return 1
	python3 - $W/status.json $W/stats.json <<'PY'
import json, sys
st = json.load(open(sys.argv[1]))
t = [o for o in st if o["kind"] == "initiator-target"][0]["attributes"]
assert t["state"] == "logged-in", t
assert "negotiated" in t, t
for v in [o for o in json.load(open(sys.argv[2])) if o["kind"] == "volume"]:
    assert "stats" in v["attributes"], v
PY
	ctl stats
}
t_run "status and stats (JSON parses; session, negotiated, volume stats)" json_ok

save_ok() {
	ctl save || return 1
	[ "$(stat -c %a /etc/reflect/reflect.conf)" = 600 ] &&
		grep -q 'chap_password alice-secret-12' /etc/reflect/reflect.conf &&
		grep -q 'auth password alice-secret-12' /etc/reflect/reflect.conf &&
		{ [ $HAVE_VVOL = 0 ] || grep -q '^volume vol0' /etc/reflect/reflect.conf; } ||
		{ cat /etc/reflect/reflect.conf; return 1; }
}
t_run "save: default file, 0600, secrets and the map kept" save_ok
snapshot >$W/before

wiped() {
	wipe || return 1
	[ -z "$(find $LIO/reflect -mindepth 1 -maxdepth 1 -type d ! -name discovery_auth)" ] &&
		[ -z "$(ls $INI/targets)" ] && [ -z "$(ls $CFG/reflect_vvol 2>/dev/null)" ]
}
t_run "wipe by hand" wiped

empty_refused() {
	local rc
	ctl save
	rc=$?
	[ $rc = 3 ] && grep -q "^target $MGR" /etc/reflect/reflect.conf
}
t_run "save of an empty configuration over the saved file refused (3)" empty_refused

restored() {
	ctl restore || return 1
	wait_for 60 logged_in || return 1
	snapshot >$W/after
	diff $W/before $W/after
}
t_run "restore: identical configfs state, host logged in again" restored
t_run "restore again: empty plan" empty_plan /etc/reflect/reflect.conf

only_diff() {
	local p sess
	sed 's/^\t\tattrib authentication 1/&\n\t\tparam MaxOutstandingR2T 2/' \
		/etc/reflect/reflect.conf | sed '/param MaxOutstandingR2T 1$/d' >$W/changed.conf
	p=$(ctl apply -n $W/changed.conf) || return 1
	echo "$p"
	[ "$p" = "write target/reflect/$MGR/tpgt_1/param/MaxOutstandingR2T = 2" ] || return 1
	sess=$(cat $INI/targets/manager/negotiated | grep -i tsih)
	ctl apply $W/changed.conf || return 1
	[ "$(cat $LIO/reflect/$MGR/tpgt_1/param/MaxOutstandingR2T)" = 2 ] &&
		logged_in && [ "$(grep -i tsih $INI/targets/manager/negotiated)" = "$sess" ]
}
t_run "changed file: one write, the session untouched" only_diff

refused() {
	local want=$1 pat=$2 out rc
	out=$(ctl apply $W/bad.conf 2>&1)
	rc=$?
	echo "$out"
	[ $rc = "$want" ] && echo "$out" | grep -q "$pat"
}
bad_files() {
	local rc=0
	snapshot >$W/s1
	sed 's/^\t\tattrib authentication 1/&\n\t\tattrib colour blue/' $W/reflect.conf >$W/bad.conf
	refused 2 "bad.conf:[0-9]*: unknown key attrib colour" || rc=1
	sed '/chap_password/d' $W/reflect.conf >$W/bad.conf
	refused 2 "bad.conf:[0-9]*: chap_userid without chap_password (missing secret)" || rc=1
	sed "s/^target $MGR {/target iqn.2003-01.org.Reflect:x {/" $W/reflect.conf >$W/bad.conf
	refused 2 "bad.conf:[0-9]*: bad iSCSI name" || rc=1
	sed 's/portal 127.0.0.1:3261$/portal 127.0.0.1:65536/' $W/reflect.conf >$W/bad.conf
	refused 2 "bad.conf:[0-9]*: bad portal" || rc=1
	sed 's/^linear 510 20 B 300/linear 505 25 B 300/' $W/vol0.map >$W/bad.map
	sed '/^target /,$d' $W/reflect.conf >$W/bad.conf
	printf 'volume v1 {\n\tmap file bad.map\n}\n' >>$W/bad.conf
	refused 2 "bad.conf:[0-9]*: map of volume v1: .*bad.map line" || rc=1
	snapshot >$W/s2
	diff $W/s1 $W/s2 || rc=1
	return $rc
}
t_run "bad files refused with their line before anything changes" bad_files

partial() {
	wipe || return 1
	if [ $HAVE_VVOL = 1 ]; then
		ctl restore --volume vol0 || return 1
		[ -d $CFG/reflect_vvol/vol0 ] && [ ! -d "$LIO/reflect/$MGR" ] || return 1
	fi
	ctl restore --target $MGR || return 1
	wait_for 60 logged_in && empty_plan /etc/reflect/reflect.conf
}
t_run "restore --volume, then --target: everything back" partial

kernel_error() {
	local out rc
	sed 's/^\t\tqueue_depth .*/\t\tqueue_depth 0/' /etc/reflect/reflect.conf >$W/qd.conf
	out=$(ctl apply $W/qd.conf 2>&1)
	rc=$?
	echo "$out"
	[ $rc = 1 ] && [ "$(echo "$out" | grep -c '^reflectctl: ')" = 1 ] &&
		echo "$out" | grep -q "^reflectctl: $INI/targets/manager/queue_depth: write 0 failed: "
}
t_run "a value the kernel refuses: one line, exit 1" kernel_error
t_run "the host logs in again after the refused change" eval \
	'ctl apply /etc/reflect/reflect.conf >/dev/null; wait_for 60 logged_in'

teardown() {
	wipe || return 1
	lio_teardown
	rmdir $LIO/reflect || return 1
	{ [ $HAVE_VVOL = 0 ] || rmmod target_core_reflect; } && rmmod reflect_initiator &&
		rmmod reflect_target && rmmod reflect_proto
}
t_run "teardown, modules unload" teardown
t_done

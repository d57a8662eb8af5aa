#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# scripts/check-debug's ledger, on a clone of this tree whose suite is two
# host tests (one passes, one fails until told otherwise) and a stand-in
# debug kernel cache (the distro 6.1 kernel and its headers): a result
# counts only at the tree it ran on; --resume runs only what has not
# passed there; a commit to kernel/ or to one test starts the count again
# for all tests or for that one; a dirty kernel/ counts nothing. No guest
# is booted.

. "$(dirname "$0")/../lib/vmlib.sh"

TOP=$(cd "$(dirname "$0")/../../../../.." && pwd)
W=$(mktemp -d /tmp/rfl-check-debug-test.XXXXXX)
trap 'rm -rf "$W"' EXIT
R=$W/repo
S=tools/testing/selftests/reflect
REPORT=$R/$S/debug-kernel-last-run.txt
LEDGER=$R/$S/debug-kernel-results

t_plan 7

# --- a stand-in debug kernel cache and a two-test suite --------------------
# shellcheck source=scripts/vm-lib.sh
. "$TOP/scripts/vm-lib.sh"
vm_resolve_kernel 6.1 || t_bail "no 6.1 kernel"
C=$W/cache
mkdir -p "$C/modules/lib/modules"
echo "stand-in for $REL" >"$C/stamp"
echo "$REL" >"$C/release"
ln -s "$VMLINUZ" "$C/bzImage"
ln -s "/lib/modules/$REL" "$C/modules/lib/modules/$REL"
ln -s "/lib/modules/$REL/build" "$C/build"
export RFL_DEBUG_CACHE=$C

export GIT_AUTHOR_NAME=test GIT_AUTHOR_EMAIL=test@invalid
export GIT_COMMITTER_NAME=test GIT_COMMITTER_EMAIL=test@invalid
git clone -q "$TOP" "$R" || t_bail "cannot clone $TOP"
git -C "$R" rm -q "$R/$S"/vm/*.sh "$R/$S"/host/*.sh || t_bail "cannot empty the suite"
mkdir -p "$R/$S/host"
# The check-debug under test is this tree's, committed or not.
cp "$TOP/scripts/check-debug" "$R/scripts/check-debug"
# Each test: with RFL_CD_SYNC=DIR it first waits for the other one to have
# started too (so it passes only when the two run at once); b_flaky fails
# unless RFL_CD_PASS is set.
cat >"$W/sync" <<'END'
if [ -n "${RFL_CD_SYNC:-}" ]; then
	touch "$RFL_CD_SYNC/$(basename "$0")"
	for i in $(seq 1 120); do
		[ "$(ls "$RFL_CD_SYNC" | wc -l)" -ge 2 ] && break
		sleep 0.5
	done
	[ "$(ls "$RFL_CD_SYNC" | wc -l)" -ge 2 ] || { echo "not ok 1 - alone"; exit 1; }
fi
echo "1..1"
END
{ echo '#!/bin/bash'; cat "$W/sync"; echo 'echo "ok 1 - passes"'; } >"$R/$S/host/a_pass.sh"
{
	echo '#!/bin/bash'
	cat "$W/sync"
	echo '[ -n "${RFL_CD_PASS:-}" ] && { echo "ok 1 - passes now"; exit 0; }'
	echo 'echo "not ok 1 - fails until RFL_CD_PASS is set"; exit 1'
} >"$R/$S/host/b_flaky.sh"
rm "$W/sync"
chmod +x "$R/$S"/host/*.sh
git -C "$R" add -A && git -C "$R" commit -q -m "two-test suite" ||
	t_bail "cannot commit the suite"
CD=$R/scripts/check-debug

entries() { grep -c " host/$1 " "$LEDGER"; }
result() { tail -n 1 "$REPORT"; }

first_run() {
	"$CD" --no-build >"$W/out1" 2>&1 && { echo "exit 0 with a failed test"; return 1; }
	[ "$(entries a_pass)" = 1 ] && [ "$(entries b_flaky)" = 1 ] || return 1
	grep -q " host/b_flaky FAIL .*code=[0-9a-f]\{12\} test=[0-9a-f]\{12\} kernel=[0-9a-f]\{12\} " "$LEDGER" ||
		{ cat "$LEDGER"; return 1; }
	[ "$(result)" = "Result: 1 of 2 passed at this tree, 1 failed, 0 not run." ] ||
		{ cat "$REPORT"; return 1; }
}
t_run "a failing test fails the run and is recorded at this tree" first_run

resumed() {
	RFL_CD_PASS=1 "$CD" --no-build --resume >"$W/out2" 2>&1 || { cat "$W/out2"; return 1; }
	grep -q "check-debug: 1 tests in 1 lane" "$W/out2" || { cat "$W/out2"; return 1; }
	[ "$(entries a_pass)" = 1 ] && [ "$(entries b_flaky)" = 2 ] || { cat "$LEDGER"; return 1; }
	[ "$(result)" = "Result: the whole suite passed at this tree (2 tests)." ] ||
		{ cat "$REPORT"; return 1; }
}
t_run "--resume runs only the failed test; then the whole suite has passed" resumed

nothing_left() {
	"$CD" --no-build --resume >"$W/out3" 2>&1 || return 1
	grep -q "check-debug: 0 tests" "$W/out3" || { cat "$W/out3"; return 1; }
}
t_run "--resume with everything passed runs nothing" nothing_left

test_changed() {
	echo "# changed" >>"$R/$S/host/b_flaky.sh" &&
		git -C "$R" commit -q -a -m "b_flaky changed" || return 1
	"$CD" --report >/dev/null || return 1
	grep -q "host/a_pass  *ok" "$REPORT" && grep -q "host/b_flaky  *not run" "$REPORT" ||
		{ cat "$REPORT"; return 1; }
	[ "$(result)" = "Result: 1 of 2 passed at this tree, 0 failed, 1 not run." ] ||
		{ cat "$REPORT"; return 1; }
}
t_run "a committed change to one test: only that test has to run again" test_changed

code_dirty() {
	echo "/* uncommitted */" >>"$R/kernel/proto/rfl_digest.c" || return 1
	"$CD" --report >/dev/null || return 1
	[ "$(result)" = "Result: the kernel code differs from HEAD; nothing here counts." ] ||
		{ cat "$REPORT"; return 1; }
}
t_run "uncommitted kernel code: nothing counts" code_dirty

code_changed() {
	git -C "$R" commit -q -a -m "kernel code changed" || return 1
	"$CD" --report >/dev/null || return 1
	[ "$(result)" = "Result: 0 of 2 passed at this tree, 0 failed, 2 not run." ] ||
		{ cat "$REPORT"; return 1; }
}
t_run "a committed change to kernel/: every test has to run again" code_changed

two_lanes() {
	mkdir "$W/sync" || return 1
	RFL_CD_SYNC=$W/sync RFL_CD_PASS=1 "$CD" --no-build --resume -j 2 >"$W/out4" 2>&1 || { cat "$W/out4"; return 1; }
	[ "$(result)" = "Result: the whole suite passed at this tree (2 tests)." ] ||
		{ cat "$REPORT"; return 1; }
}
t_run "-j 2 runs the two tests at once; the suite passes at the new tree" two_lanes
t_done

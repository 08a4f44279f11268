#!/usr/bin/env bash
# Build the one-folder bundle with build.spec, then prove the frozen app works:
#   1. a fresh home: first-run wizard (runs the sqlite-utils migration, reads the shipped village list);
#   2. the demo data set: set-up (keys via cryptography, folder lock via filelock), then the main window;
#   3. `info --json` on that demo home, checked field by field.
# Usage (repo root or anywhere):  pip install ".[test,build]" && scripts/build_bundle.sh
# Linux and macOS only: on Windows the bundle is windowed (no stdout), so --smoke output cannot be checked.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
NAME=meixian-desktop
APP="$ROOT/dist/$NAME/$NAME"
PYTHON="${PYTHON:-python}"

fail() {
    echo "build_bundle: FAILED: $*" >&2
    exit 1
}

case "$(uname -s)" in
    MINGW* | MSYS* | CYGWIN*) fail "the Windows bundle is windowed (no stdout); run this script on Linux or macOS" ;;
esac
command -v pyinstaller > /dev/null || fail "pyinstaller not found; install the build extra: pip install \".[test,build]\""

# Every temporary home goes, however the script ends.
TMP_HOMES=()
cleanup() {
    rm -rf ${TMP_HOMES[@]+"${TMP_HOMES[@]}"}
}
trap cleanup EXIT
# A new empty home folder, in $HOME_DIR.
make_home() {
    HOME_DIR="$(mktemp -d "${TMPDIR:-/tmp}/meixian-bundle.XXXXXX")"
    TMP_HOMES+=("$HOME_DIR")
}

# Run the frozen app headless and show what it printed; fail loudly on a non-zero exit.
# Its standard output is left in $OUT (stderr is shown, not kept: Qt may warn there).
run_app() {
    local code=0 errors
    local -a limit=()
    if command -v timeout > /dev/null; then limit=(timeout 120); fi
    errors="$(mktemp)"
    OUT="$(QT_QPA_PLATFORM=offscreen ${limit[@]+"${limit[@]}"} "$APP" "$@" 2> "$errors")" || code=$?
    printf '%s\n' "$OUT" | sed 's/^/    | /'
    sed 's/^/    ! /' "$errors" >&2
    rm -f "$errors"
    ((code == 0)) || fail "'$NAME $*' exited with $code"
}

# Passwords for the homes below (SQLCipher and Argon2id frozen in): the demo's, and one for the
# town's and the worker's. $MEIXIAN_PASSWORD is not used, so the bundle is tried as a user would.
unset MEIXIAN_PASSWORD
make_home
PASSWORDS="$HOME_DIR"
printf 'meixian-demo-2026\n' > "$PASSWORDS/demo.txt"
printf 'bundle-pass-2026\n' > "$PASSWORDS/own.txt"

echo "== build: pyinstaller --noconfirm --clean build.spec"
start=$(date +%s)
pyinstaller --noconfirm --clean build.spec
build_seconds=$(($(date +%s) - start))
[[ -x "$APP" ]] || fail "no executable at $APP"
for shipped in resources/reference/meixian_villages.csv forms; do
    [[ -e "dist/$NAME/_internal/$shipped" ]] || fail "the bundle lacks $shipped"
done

echo "== --version"
version="$("$PYTHON" -c 'from meixian_desktop import __version__; print(__version__)')"
expected="$("$PYTHON" -c 'from meixian_desktop import APP_NAME; print(APP_NAME)') $version"
run_app --version
[[ "$OUT" == "$expected" ]] || fail "--version printed '$OUT', the package says '$expected'"

echo "== fresh home: --smoke"
make_home
run_app --home "$HOME_DIR" --smoke
grep -q "smoke:" <<< "$OUT" || fail "no 'smoke:' line in the output"

echo "== demo home: --demo --smoke, then --demo info --json"
make_home
demo_home="$HOME_DIR"
run_app --home "$demo_home" --demo --smoke
grep -q "smoke: main window shown" <<< "$OUT" || fail "the demo did not reach the main window"
run_app --home "$demo_home" --password-file "$PASSWORDS/demo.txt" --demo info --json
INFO="$OUT" VERSION="$version" "$PYTHON" - << 'PY' || fail "info --json is not what the demo set up"
import json, os
info = json.loads(os.environ["INFO"])
problems = []
if info.get("version") != os.environ["VERSION"]:
    problems.append(f"version {info.get('version')!r}")
if info.get("role") != "worker":
    problems.append(f"role {info.get('role')!r}")
if not info.get("device_id"):
    problems.append("no device_id")
if not info.get("schema_version"):
    problems.append("schema_version 0")
if not info.get("records", {}).get("villages"):
    problems.append(f"records {info.get('records')!r}")
if problems:
    raise SystemExit("info --json: " + "; ".join(problems))
PY

echo "== demo home: a form printed by the bundle (templates, fonts and reportlab frozen in)"
run_app --home "$demo_home" --password-file "$PASSWORDS/demo.txt" --demo orders --json
order_id="$("$PYTHON" -c 'import json, sys; print(json.load(sys.stdin)[0]["id"])' <<< "$OUT")"
run_app --home "$demo_home" --password-file "$PASSWORDS/demo.txt" --demo print service_receipt "$order_id" -o "$demo_home/receipt.pdf"
[[ -s "$demo_home/receipt.pdf" ]] || fail "the bundle printed no PDF"

echo "== sync by file from the bundle: town package, a worker's batch, the receipt"
make_home
town_home="$HOME_DIR"
make_home
worker_home="$HOME_DIR"
stick="$town_home/stick"
mkdir -p "$stick"
run_app --home "$town_home" --password-file "$PASSWORDS/own.txt" setup --role town --name 梅仙镇人民政府
town_fingerprint="$(printf '%s\n' "$OUT" | sed -n 's/^签名密钥指纹：//p')"
run_app --home "$town_home" --password-file "$PASSWORDS/own.txt" town-package export --to "$stick"
package="$(printf '%s\n' "$OUT" | tail -1)"
run_app --home "$worker_home" --password-file "$PASSWORDS/own.txt" setup --role worker --name 李梅 --villages 张韩村 \
  --town-package "$package" --town-fingerprint "$town_fingerprint"
run_app --home "$worker_home" --password-file "$PASSWORDS/own.txt" demo
run_app --home "$worker_home" --password-file "$PASSWORDS/own.txt" sync export --to "$stick"
run_app --home "$town_home" --password-file "$PASSWORDS/own.txt" sync import "$stick" --approve-new-devices --receipts "$stick"
grep -q "已导入" <<< "$OUT" || fail "the town did not import the worker's batch"
run_app --home "$worker_home" --password-file "$PASSWORDS/own.txt" sync receipt "$stick"
grep -q "镇里已确认" <<< "$OUT" || fail "the worker did not take the receipt"

echo "== the hub from the bundle: meixian-desktop hub, then its health check"
port="$("$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
QT_QPA_PLATFORM=offscreen "$APP" --home "$town_home" --password-file "$PASSWORDS/own.txt" \
    hub --host 127.0.0.1 --port "$port" \
    > "$town_home/hub.log" 2>&1 &
hub_pid=$!
healthy=""
for _ in $(seq 1 60); do
    if "$PYTHON" -c "import urllib.request, sys; urllib.request.urlopen('http://127.0.0.1:$port/v1/health', timeout=1)" 2> /dev/null; then
        healthy=yes
        break
    fi
    sleep 0.5
done
kill "$hub_pid" 2> /dev/null || true
wait "$hub_pid" 2> /dev/null || true
[[ -n "$healthy" ]] || { sed 's/^/    ! /' "$town_home/hub.log" >&2; fail "the bundled hub did not answer"; }

echo "== the town's home asks for its password: sign-in window, refused without it"
run_app --home "$town_home" --smoke
grep -q "smoke: sign-in window shown" <<< "$OUT" || fail "no sign-in window on a protected home"
code=0
QT_QPA_PLATFORM=offscreen "$APP" --home "$town_home" check < /dev/null > /dev/null 2>&1 || code=$?
((code == 1)) || fail "check without the password exited with $code, not 1"

size="$(du -sh "dist/$NAME" | cut -f1)"
files="$(find "dist/$NAME" -type f | wc -l | tr -d ' ')"
echo "build_bundle: OK: dist/$NAME is $size in $files files; built in ${build_seconds}s"

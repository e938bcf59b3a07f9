#!/usr/bin/env bash
# Compile and try the Windows installer script under wine, on Debian 12 (as root).
#
#   bash installer/windows/check_with_wine.sh
#
# NOT part of CI, and not to be added to it: it installs wine, a 32-bit C library
# and Node.js, downloads about 300 MB of packages the first time (a few minutes), then
# takes about a minute. Run it by hand after changing installer/windows/sendiass-desktop.iss.
#
# What it checks is the INSTALLER SCRIPT, not the app on Windows. PyInstaller cannot
# build a Windows bundle on Linux, so the script is compiled against a stand-in
# dist\sendiass-desktop\ laid out like the real one (sendiass-desktop.exe,
# sendiass-admin.exe, _internal\...) holding small placeholder files. It proves that:
#   * ISCC (Inno Setup 6.4.1, from the npm package "innosetup") compiles the script
#     with no errors or warnings, stops without /DAppVersion, and writes
#     sendiass-desktop-VERSION-setup.exe with the app's icon and the version from
#     sendiass_desktop/__init__.py in its file properties; with /DSignTool and a sign
#     command passed the way build.ps1 does, it runs that command on the uninstaller;
#   * silent installs, for all users and for the current user, put the files, the
#     shortcuts and the uninstall entry where they belong; /STOREDIR writes
#     sendiass-desktop.ini (UTF-8, read back by sendiass_desktop/install_config.py);
#     without it no .ini is written (each user's own data folder, the app's default);
#     the "Ready to install" page (its text as Setup logs it) shows the store chosen;
#   * an upgrade removes the old _internal\ files and keeps the earlier answers;
#     /LOCALSTORE takes a shared-folder install back to each user's data folder (the
#     .ini goes); /LOCALSTORE with /STOREDIR is refused (non-zero exit, nothing written);
#   * the uninstaller removes the program, its .ini, shortcuts and uninstall entry and
#     leaves a store in the user's data folder alone.
# It cannot show how the wizard looks or behaves on Windows, UAC, SmartScreen,
# signing, or whether the real bundle runs: see installer/README.md.
#
# wine limitation: wine 8 does not know the per-user programs folder
# (FOLDERID_UserProgramFiles, Inno Setup's {userpf}), so the per-user runs use a
# copy of the script whose only change is DefaultDirName {autopf} ->
# {localappdata}\Programs, which is what {autopf} means for a per-user install on
# Windows. The all-users runs use the unchanged script.
#
# Debian's 32-bit wine (wine32:i386) often cannot be installed beside the 64-bit
# system libraries (their versions must match exactly), so this script does not
# install it: it unpacks wine's own packages (wine64, libwine, wine32:i386 and a few
# i386 X11/font libraries) into a cache folder and runs wine from there. The only
# system-wide changes are apt packages: the i386 architecture, libc6:i386, wine64,
# nodejs, npm, xvfb, icoutils.
#
# Everything else stays in /tmp: SENDIASS_WINE_CACHE (default /tmp/sendiass-wine-cache:
# the npm package and the unpacked wine, kept between runs) and SENDIASS_WINE_WORK
# (default /tmp/sendiass-wine-check: stand-in bundle, wine prefix, setup.exe, logs;
# made anew on every run and left for inspection). Exits non-zero on any failure.
set -uo pipefail

REPO="$(cd "$(dirname "$0")/../.." && pwd)"
ISS="$REPO/installer/windows/sendiass-desktop.iss"
CACHE="${SENDIASS_WINE_CACHE:-/tmp/sendiass-wine-cache}"
WORK="${SENDIASS_WINE_WORK:-/tmp/sendiass-wine-check}"
INNOSETUP_NPM="innosetup@6.4.1"
LOGS="$WORK/logs"

PASSED=0
FAILED=0
say() { printf '== %s\n' "$*"; }
die() { printf 'check_with_wine.sh: %s\n' "$*" >&2; exit 1; }
ok() { PASSED=$((PASSED + 1)); printf '  ok    %s\n' "$1"; }
bad() { FAILED=$((FAILED + 1)); printf '  FAIL  %s\n' "$1"; }
check() {  # check "what" command...
  local what="$1"; shift
  if "$@" >/dev/null 2>&1; then ok "$what"; else bad "$what"; fi
}

[ "$(id -u)" = 0 ] || die "run as root (it installs packages with apt-get)"
[ -f "$ISS" ] || die "no $ISS"
grep -q '^VERSION_ID="12"' /etc/os-release 2>/dev/null ||
  say "warning: written for Debian 12; this is $(. /etc/os-release; echo "$PRETTY_NAME")"

# --- 1. packages ----------------------------------------------------------------------
say "apt packages"
export DEBIAN_FRONTEND=noninteractive
dpkg --print-foreign-architectures | grep -qx i386 || dpkg --add-architecture i386
# An index that fails to download (a mirror being synced) is not fatal here: what we
# need comes from the main archive; a missing package fails below with apt's message.
mkdir -p "$CACHE"
apt-get update -q >"$CACHE/apt-update.log" 2>&1 || say "apt-get update reported errors (see $CACHE/apt-update.log); going on"
PACKAGES=(wine64 libc6:i386 xvfb icoutils python3)
# Node.js may come from elsewhere (its own npm conflicts with Debian's): only if missing.
command -v npm >/dev/null || PACKAGES+=(nodejs npm)
apt-get install -y -q --no-install-recommends "${PACKAGES[@]}" >"$CACHE/apt-install.log" 2>&1 ||
  die "apt-get install ${PACKAGES[*]} failed (see $CACHE/apt-install.log)"

WINE_VERSION="$(dpkg-query -W -f='${Version}' wine64)"
ROOT="$CACHE/wine-${WINE_VERSION//[^A-Za-z0-9.+-]/_}"
I386_LIBS=(libfreetype6 libpng16-16 zlib1g libbrotli1 libx11-6 libxext6 libxcb1 libxau6
  libxdmcp6 libbsd0 libmd0 libxrender1 libxrandr2 libxi6 libxfixes3 libxcursor1
  libxinerama1 libxcomposite1 libfontconfig1 libexpat1)
if [ ! -x "$ROOT/usr/lib/wine/wine" ]; then
  say "unpacking wine $WINE_VERSION (64- and 32-bit) into $ROOT"
  rm -rf "$ROOT" "$ROOT.debs"
  mkdir -p "$ROOT.debs" "$ROOT/i386libs" && cd "$ROOT.debs" || die "cannot make $ROOT.debs"
  apt-get download -q "wine64=$WINE_VERSION" "libwine:amd64=$WINE_VERSION" \
    "wine32:i386=$WINE_VERSION" "libwine:i386=$WINE_VERSION" >/dev/null 2>&1 ||
    die "apt-get download of wine's packages failed"
  apt-get download -q "${I386_LIBS[@]/%/:i386}" >/dev/null 2>&1 ||
    die "apt-get download of the i386 libraries failed"
  for deb in *.deb; do
    case "$deb" in
      wine*|libwine*) dpkg-deb -x "$deb" "$ROOT" ;;
      *) dpkg-deb -x "$deb" "$ROOT/i386libs" ;;
    esac || die "cannot unpack $deb"
  done
  # What libwine's postinst does: wine's zlib1.dll is the MinGW one, marked as builtin.
  for pair in "i686:i386-linux-gnu/wine/i386-windows" "x86_64:x86_64-linux-gnu/wine/x86_64-windows"; do
    in="/usr/${pair%%:*}-w64-mingw32/lib/zlib1.dll"
    out="$ROOT/usr/lib/${pair#*:}/zlib1.dll"
    [ -f "$in" ] || die "$in missing (package libz-mingw-w64)"
    { head -c 64 "$in"; printf 'Wine builtin DLL'; head -c 16 /dev/zero; tail -c +97 "$in"; } >"$out"
  done
  cd "$REPO" || exit 1
  rm -rf "$ROOT.debs"
fi
I386_PATH="$ROOT/i386libs/usr/lib/i386-linux-gnu:$ROOT/i386libs/lib/i386-linux-gnu"
for lib in "$ROOT"/i386libs/usr/lib/i386-linux-gnu/*.so.? "$ROOT"/i386libs/lib/i386-linux-gnu/*.so.?; do
  if LD_LIBRARY_PATH="$I386_PATH" ldd "$lib" | grep -q "not found"; then
    die "$lib: $(LD_LIBRARY_PATH="$I386_PATH" ldd "$lib" | grep "not found" | tr -s ' \t\n' ' ')"
  fi
done

ISCC="$CACHE/npm/node_modules/innosetup/bin/ISCC.exe"
if [ ! -f "$ISCC" ]; then
  say "npm: $INNOSETUP_NPM (bundles ISCC.exe) into $CACHE/npm"
  mkdir -p "$CACHE/npm"
  npm install --prefix "$CACHE/npm" --ignore-scripts --no-audit --no-fund --silent "$INNOSETUP_NPM" ||
    die "npm install $INNOSETUP_NPM failed"
fi
[ -f "$ISCC" ] || die "no ISCC.exe in the npm package"

# --- 2. wine, in its own prefix and home, under its own X server ------------------------
rm -rf "$WORK"
mkdir -p "$WORK/home" "$LOGS" "$WORK/out"
export HOME="$WORK/home" XDG_CONFIG_HOME="$WORK/home/.config" XDG_DATA_HOME="$WORK/home/.local/share"
export WINEPREFIX="$WORK/prefix" WINEDEBUG=-all LANG=C.UTF-8
# No menu entries or .desktop files on the Linux side; no Mono/Gecko download prompts.
export WINEDLLOVERRIDES="winemenubuilder.exe=d;mscoree=d;mshtml=d"
export LD_LIBRARY_PATH="$I386_PATH${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
WINE="$ROOT/usr/lib/wine/wine64"
WINESERVER="$ROOT/usr/lib/wine/wineserver"

XVFB_PID=""
cleanup() {
  [ -d "$WINEPREFIX" ] && "$WINESERVER" -k >/dev/null 2>&1
  [ -n "$XVFB_PID" ] && kill "$XVFB_PID" 2>/dev/null
}
trap cleanup EXIT
Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp 3>"$WORK/display" >"$LOGS/xvfb.log" 2>&1 &
XVFB_PID=$!
for _ in $(seq 50); do [ -s "$WORK/display" ] && break; sleep 0.2; done
[ -s "$WORK/display" ] || die "Xvfb did not start (see $LOGS/xvfb.log)"
export DISPLAY=":$(head -n1 "$WORK/display")"

win() {  # run a Windows program, wait for all of wine to finish; returns its exit code
  local rc=0
  timeout 300 "$WINE" "$@" >>"$LOGS/wine-output.log" 2>&1 || rc=$?
  timeout 120 "$WINESERVER" -w >/dev/null 2>&1
  return $rc
}
winpath() { printf 'Z:%s' "${1//\//\\}"; }

say "wine prefix $WINEPREFIX (Windows 10)"
win wineboot -i || die "wineboot failed (see $LOGS/wine-output.log)"
win reg add 'HKCU\Software\Wine' /v Version /d win10 /f || die "could not set Windows 10"
WINUSER="$(ls "$WINEPREFIX/drive_c/users" | grep -vx Public | head -n1)"
C="$WINEPREFIX/drive_c"
USERDIR="$C/users/$WINUSER"

# --- 3. stand-in bundle (the names installer/sendiass-desktop.spec produces) -------------
VERSION="$(cd "$REPO" && python3 -c 'import sendiass_desktop; print(sendiass_desktop.__version__)')" ||
  die "cannot read sendiass_desktop.__version__"
# The same rule as build.ps1: the first three numbers, padded to four.
VERSION_NUMERIC="$(python3 -c 'import re, sys; n = re.findall(r"\d+", sys.argv[1])[:3]; print(".".join(n + ["0"] * (4 - len(n))))' "$VERSION")"
UPGRADE_VERSION="99.0.0"   # a made-up later version for the upgrade test
UPGRADE2_VERSION="99.1.0"  # and a later one still, for the /LOCALSTORE upgrade
say "SENDIASS Desktop $VERSION ($VERSION_NUMERIC); stand-in bundle in $WORK/dist"
make_bundle() {  # make_bundle DIR VERSION EXTRA_INTERNAL_FILE
  local d="$1/sendiass-desktop"
  mkdir -p "$d/_internal/PySide6/plugins/platforms" "$d/_internal/sendiass_desktop/resources/icons"
  for f in sendiass-desktop.exe sendiass-admin.exe _internal/python311.dll _internal/base_library.zip \
      _internal/PySide6/plugins/platforms/qwindows.dll _internal/sendiass_desktop/resources/icons/app-64.png \
      "_internal/$3"; do
    printf 'stand-in for %s of SENDIASS Desktop %s (check_with_wine.sh), not a program\n' "$f" "$2" >"$d/$f"
  done
}
make_bundle "$WORK/dist" "$VERSION" "only-in-the-old-version.dll"
make_bundle "$WORK/dist-upgrade" "$UPGRADE_VERSION" "only-in-the-new-version.dll"

# The per-user copy for wine (see the top of this file): one line differs.
VARIANT="$WORK/variant"
mkdir -p "$VARIANT/installer/windows" "$VARIANT/resources/icons"
cp "$REPO/resources/icons/app.ico" "$VARIANT/resources/icons/"
sed 's/^DefaultDirName={autopf}\\/DefaultDirName={localappdata}\\Programs\\/' "$ISS" >"$VARIANT/installer/windows/sendiass-desktop.iss"
check "per-user copy differs from the script in DefaultDirName only" \
  test "$(diff "$ISS" "$VARIANT/installer/windows/sendiass-desktop.iss" | grep -c '^[<>]')" = 2

# --- 4. compile -----------------------------------------------------------------------------
say "compile with ISCC ($(basename "$(dirname "$(dirname "$ISCC")")") npm package)"
iscc() {  # iscc LOGNAME ARGS... ; returns ISCC's exit code
  local log="$LOGS/$1"; shift
  local rc=0
  timeout 600 "$WINE" "$ISCC" "$@" >"$log" 2>&1 || rc=$?
  timeout 120 "$WINESERVER" -w >/dev/null 2>&1
  return $rc
}
iscc compile-no-version.log "$(winpath "$ISS")"
rc=$?
check "ISCC without /DAppVersion stops with the script's message" \
  eval "[ $rc -ne 0 ] && grep -q 'Pass the version' '$LOGS/compile-no-version.log'"

compile() {  # compile LOGNAME ISS VERSION NUMERIC BUNDLE OUTPUTBASENAME
  iscc "$1" "/DAppVersion=$3" "/DAppVersionNumeric=$4" "/DSourceDir=$(winpath "$5/sendiass-desktop")" \
    "/DOutputDir=$(winpath "$WORK/out")" "/F$6" "$(winpath "$2")"
}
SETUP="sendiass-desktop-$VERSION-setup"
compile compile.log "$ISS" "$VERSION" "$VERSION_NUMERIC" "$WORK/dist" "$SETUP"
rc=$?
grep -m1 'Compiler engine version' "$LOGS/compile.log" | sed 's/^/  /'
grep -A1 'Successful compile' "$LOGS/compile.log" | sed 's/^/  /'
check "ISCC compiles the script (exit code $rc)" test "$rc" = 0
check "ISCC prints no warnings" eval "! grep -qi '^ *warning' '$LOGS/compile.log'"
[ -f "$WORK/out/$SETUP.exe" ] || die "no $WORK/out/$SETUP.exe (see $LOGS/compile.log)"
compile compile-peruser.log "$VARIANT/installer/windows/sendiass-desktop.iss" "$VERSION" "$VERSION_NUMERIC" \
  "$WORK/dist" "$SETUP-peruser-wine" || die "per-user copy did not compile (see $LOGS/compile-peruser.log)"
compile compile-upgrade.log "$VARIANT/installer/windows/sendiass-desktop.iss" "$UPGRADE_VERSION" "$UPGRADE_VERSION.0" \
  "$WORK/dist-upgrade" "sendiass-desktop-$UPGRADE_VERSION-setup-peruser-wine" ||
  die "upgrade build did not compile (see $LOGS/compile-upgrade.log)"
compile compile-upgrade2.log "$VARIANT/installer/windows/sendiass-desktop.iss" "$UPGRADE2_VERSION" "$UPGRADE2_VERSION.0" \
  "$WORK/dist-upgrade" "sendiass-desktop-$UPGRADE2_VERSION-setup-peruser-wine" ||
  die "second upgrade build did not compile (see $LOGS/compile-upgrade2.log)"
ls -l "$WORK/out" | sed 's/^/  /'

# Signing as build.ps1 passes it (/S with $q for the quotes, /DSignTool). There is no
# certificate here: the stand-in "sign tool" only echoes, so ISCC must run it on the
# uninstaller and then stop because the file has no signature.
mkdir -p "$WORK/out-signing"
iscc compile-signing.log "/DAppVersion=$VERSION" "/DAppVersionNumeric=$VERSION_NUMERIC" \
  "/DSourceDir=$(winpath "$WORK/dist/sendiass-desktop")" "/DOutputDir=$(winpath "$WORK/out-signing")" \
  '/Ssendiass=$qC:\windows\system32\cmd.exe$q /c echo stand-in sign tool: $f' /DSignTool=sendiass "$(winpath "$ISS")"
check "with /DSignTool, ISCC runs the sign tool (quoted with \$q) on the uninstaller" \
  eval "grep -qF 'Running Sign Tool sendiass: \"C:\\windows\\system32\\cmd.exe\" /c echo stand-in sign tool: \"' '$LOGS/compile-signing.log' &&
        grep -q 'does not have a digital signature' '$LOGS/compile-signing.log'"

say "setup.exe's resources"
mkdir -p "$WORK/icon-setup" "$WORK/icon-app" "$WORK/icon-from-setup"
# Same file name for both, as icotool names the images after it.
wrestool -x -t14 "$WORK/out/$SETUP.exe" >"$WORK/icon-from-setup/app.ico" 2>/dev/null
icotool -x -o "$WORK/icon-setup" "$WORK/icon-from-setup/app.ico" >/dev/null 2>&1
icotool -x -o "$WORK/icon-app" "$REPO/resources/icons/app.ico" >/dev/null 2>&1
check "setup.exe's icon is resources/icons/app.ico (all $(ls "$WORK/icon-app" | wc -l) images)" \
  eval "[ -n \"\$(ls '$WORK/icon-app')\" ] && diff -r '$WORK/icon-app' '$WORK/icon-setup'"
wrestool -x --raw -t16 "$WORK/out/$SETUP.exe" 2>/dev/null | python3 -c '
import re, struct, sys
data = sys.stdin.buffer.read()
at = data.find(struct.pack("<I", 0xFEEF04BD))  # VS_FIXEDFILEINFO
if at >= 0:
    ms, ls = struct.unpack_from("<II", data, at + 8)
    print("fixed", "%d.%d.%d.%d" % (ms >> 16, ms & 0xFFFF, ls >> 16, ls & 0xFFFF))
text = re.findall(r"[ -~]{2,}", data.decode("utf-16-le", "replace"))
for name, value in zip(text, text[1:]):
    if name in ("FileVersion", "ProductVersion", "FileDescription"):
        print(name, value.strip())
' >"$WORK/setup-version.txt"
sed 's/^/  /' "$WORK/setup-version.txt"
check "setup.exe's version number is $VERSION_NUMERIC" grep -qx "fixed $VERSION_NUMERIC" "$WORK/setup-version.txt"
check "setup.exe's file and product version text is $VERSION" \
  eval "grep -qxF 'FileVersion $VERSION' '$WORK/setup-version.txt' && grep -qxF 'ProductVersion $VERSION' '$WORK/setup-version.txt'"

# --- 5. install, inspect, uninstall ---------------------------------------------------------
APPID="$(sed -n 's/^AppId={{\([0-9A-Fa-f-]*\)}.*/\1/p' "$ISS")"
[ -n "$APPID" ] || die "no AppId in the script"
UNINSTALL_KEY="Software\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\{$APPID}_is1"
reg_value() {  # reg_value system.reg|user.reg NAME -> the value in the uninstall key
  python3 - "$WINEPREFIX/$1" "$UNINSTALL_KEY" "$2" <<'EOF'
import sys
path, key, name = sys.argv[1:]
section = "[" + key.replace("\\", "\\\\") + "]"
inside = False
for line in open(path, encoding="utf-8", errors="replace"):
    if line.startswith("["):
        inside = line.lower().startswith(section.lower())
    elif inside and line.startswith('"' + name + '"='):
        value = line.split("=", 1)[1].strip()
        print(value[1:-1].replace("\\\\", "\\") if value.startswith('"') else value)
        sys.exit(0)
sys.exit(1)
EOF
}
has_key() { grep -qiF "[${UNINSTALL_KEY//\\/\\\\}]" "$WINEPREFIX/$1"; }
key_count() { grep -ciF "[${UNINSTALL_KEY//\\/\\\\}]" "$WINEPREFIX/$1"; }
lnk_points_to_app() {  # the shortcut names sendiass-desktop.exe
  python3 -c 'import sys; d = open(sys.argv[1], "rb").read().lower(); n = "sendiass-desktop.exe"
sys.exit(0 if n.encode() in d or n.encode("utf-16-le") in d else 1)' "$1"
}
ini_path() { sed -n 's/^path = //p' "$1" | tr -d '\r'; }
ready_page_says() {  # ready_page_says SETUPLOG LINE... : the "Ready to install" page, as
  # the script logs it, has a section of exactly these lines (leading spaces aside)
  python3 - "$@" <<'EOF'
import re, sys
log, want = sys.argv[1], sys.argv[2:]
lines = open(log, encoding="utf-8-sig", errors="replace").read().splitlines()
starts = [i for i, line in enumerate(lines) if line.endswith("   Ready to install page:")]
if len(starts) != 1:
    sys.exit("%d 'Ready to install page' entries in %s" % (len(starts), log))
memo = []
for line in lines[starts[0] + 1:]:
    if re.match(r"\d{4}-\d\d-\d\d ", line):  # the log's next entry
        break
    memo.append(line.strip())
print("\n".join(memo))
for i in range(len(memo)):
    if memo[i:i + len(want)] == want and (i + len(want) == len(memo) or memo[i + len(want)] == ""):
        sys.exit(0)
sys.exit(1)
EOF
}
LOCAL_CHOICE="On this computer, in each user's own data folder (%LOCALAPPDATA%\\sendiass-desktop)"
setup() {  # setup EXE LOGNAME ARGS...
  local exe="$1" log="$2"; shift 2
  win "$(winpath "$WORK/out/$exe")" /VERYSILENT /SUPPRESSMSGBOXES /NORESTART "/LOG=$(winpath "$LOGS/$log")" "$@"
}
uninstall() {  # uninstall APPDIR LOGNAME
  win "$(winpath "$1/unins000.exe")" /VERYSILENT /SUPPRESSMSGBOXES /NORESTART "/LOG=$(winpath "$LOGS/$2")"
}
expect_files() {  # the bundle's files are in DIR
  local d="$1" missing=0
  for f in sendiass-desktop.exe sendiass-admin.exe unins000.exe unins000.dat _internal/python311.dll \
      _internal/base_library.zip _internal/PySide6/plugins/platforms/qwindows.dll \
      _internal/sendiass_desktop/resources/icons/app-64.png; do
    [ -f "$d/$f" ] || { echo "missing $d/$f"; missing=1; }
  done
  return $missing
}
fake_store() {  # a store where the app keeps it by default: must survive uninstalling
  mkdir -p "$USERDIR/AppData/Local/sendiass-desktop"
  printf 'not a real store\n' >"$USERDIR/AppData/Local/sendiass-desktop/service.sendiass"
}

SHARED='\\fileserver\Équipe SENDIASS'
say "A. all users: $SETUP.exe /ALLUSERS /TASKS=desktopicon /STOREDIR=\"$SHARED\""
APP="$C/Program Files/SENDIASS Desktop"
setup "$SETUP.exe" install-allusers.log /ALLUSERS /TASKS=desktopicon "/STOREDIR=$SHARED"
check "setup exits 0" test $? = 0
check "the bundle is in C:\\Program Files\\SENDIASS Desktop" expect_files "$APP"
check "Start menu shortcut for all users, pointing at the program" \
  lnk_points_to_app "$C/ProgramData/Microsoft/Windows/Start Menu/Programs/SENDIASS Desktop.lnk"
check "desktop shortcut for all users (/TASKS=desktopicon)" test -f "$C/users/Public/Desktop/SENDIASS Desktop.lnk"
check "sendiass-desktop.ini says [store] path = $SHARED\\service.sendiass" \
  eval "tr -d '\r' <'$APP/sendiass-desktop.ini' | grep -qx '\[store\]' && [ \"\$(ini_path '$APP/sendiass-desktop.ini')\" = '$SHARED\\service.sendiass' ]"
check "sendiass-desktop.ini is UTF-8 (with a byte-order mark)" \
  eval "head -c3 '$APP/sendiass-desktop.ini' | od -An -tx1 | grep -q 'ef bb bf' && iconv -f UTF-8 -t UTF-8 '$APP/sendiass-desktop.ini'"
check "the app's reader (install_config.configured_store_path) finds that store" \
  env PYTHONPATH="$REPO" SENDIASS_INSTALL_CONFIG="$APP/sendiass-desktop.ini" python3 -c \
  'import sys; from sendiass_desktop.install_config import configured_store_path as c; sys.exit(str(c()) != sys.argv[1])' \
  "$SHARED\\service.sendiass"
check "uninstall entry in HKLM: version $VERSION" eval "[ \"\$(reg_value system.reg DisplayVersion)\" = '$VERSION' ]"
check "uninstall entry's icon is the program" \
  eval "[ \"\$(reg_value system.reg DisplayIcon)\" = 'C:\\Program Files\\SENDIASS Desktop\\sendiass-desktop.exe' ]"
check "the store choice is remembered (StoreMode=shared)" \
  eval "[ \"\$(reg_value system.reg 'Inno Setup CodeFile: StoreMode')\" = shared ]"
check "no uninstall entry in HKCU" eval "! has_key user.reg"
check "the \"Ready to install\" page names the shared folder's store (Setup's log)" \
  ready_page_says "$LOGS/install-allusers.log" "Where the records are kept:" "In a shared network folder" \
  "$SHARED\\service.sendiass"
fake_store
uninstall "$APP" uninstall-allusers.log
check "uninstaller exits 0" test $? = 0
check "program folder removed (with its .ini)" test ! -e "$APP"
check "shortcuts removed" eval "[ ! -e '$C/ProgramData/Microsoft/Windows/Start Menu/Programs/SENDIASS Desktop.lnk' ] && [ ! -e '$C/users/Public/Desktop/SENDIASS Desktop.lnk' ]"
check "uninstall entry removed" eval "! has_key system.reg"
check "the store in the user's data folder is untouched" test -f "$USERDIR/AppData/Local/sendiass-desktop/service.sendiass"

say "B. current user (per-user copy), store on this computer: /CURRENTUSER"
APP="$USERDIR/AppData/Local/Programs/SENDIASS Desktop"
setup "$SETUP-peruser-wine.exe" install-peruser.log /CURRENTUSER
check "setup exits 0" test $? = 0
check "the bundle is in %LOCALAPPDATA%\\Programs\\SENDIASS Desktop" expect_files "$APP"
check "no sendiass-desktop.ini (the app uses each user's data folder)" test ! -e "$APP/sendiass-desktop.ini"
check "Start menu shortcut for this user, pointing at the program" \
  lnk_points_to_app "$USERDIR/AppData/Roaming/Microsoft/Windows/Start Menu/Programs/SENDIASS Desktop.lnk"
check "no desktop shortcut (unticked by default)" test ! -e "$USERDIR/Desktop/SENDIASS Desktop.lnk"
check "uninstall entry in HKCU: version $VERSION" eval "[ \"\$(reg_value user.reg DisplayVersion)\" = '$VERSION' ]"
check "no uninstall entry in HKLM" eval "! has_key system.reg"
check "StoreMode=local remembered" eval "[ \"\$(reg_value user.reg 'Inno Setup CodeFile: StoreMode')\" = local ]"
check "the \"Ready to install\" page says each user's own data folder (Setup's log)" \
  ready_page_says "$LOGS/install-peruser.log" "Where the records are kept:" "$LOCAL_CHOICE"

say "C. upgrade to $UPGRADE_VERSION over it, choosing a mapped drive: /STOREDIR=H:\\SENDIASS"
setup "sendiass-desktop-$UPGRADE_VERSION-setup-peruser-wine.exe" upgrade-peruser.log '/STOREDIR=H:\SENDIASS'
check "setup exits 0" test $? = 0
check "same folder, the new files in place" test -f "$APP/_internal/only-in-the-new-version.dll"
check "the old version's _internal files are gone" test ! -e "$APP/_internal/only-in-the-old-version.dll"
check "sendiass-desktop.ini says H:\\SENDIASS\\service.sendiass" \
  eval "[ \"\$(ini_path '$APP/sendiass-desktop.ini')\" = 'H:\\SENDIASS\\service.sendiass' ]"
check "one uninstall entry, now version $UPGRADE_VERSION" \
  eval "[ \"\$(reg_value user.reg DisplayVersion)\" = '$UPGRADE_VERSION' ] && ! has_key system.reg"
check "the \"Ready to install\" page names H:\\SENDIASS\\service.sendiass (Setup's log)" \
  ready_page_says "$LOGS/upgrade-peruser.log" "Where the records are kept:" "In a shared network folder" \
  'H:\SENDIASS\service.sendiass'

say "D. run it again with no options: the shared folder is kept"
setup "sendiass-desktop-$UPGRADE_VERSION-setup-peruser-wine.exe" reinstall-peruser.log
check "setup exits 0" test $? = 0
check "sendiass-desktop.ini still says H:\\SENDIASS\\service.sendiass" \
  eval "[ \"\$(ini_path '$APP/sendiass-desktop.ini')\" = 'H:\\SENDIASS\\service.sendiass' ]"

say "E. /LOCALSTORE together with /STOREDIR: refused, nothing changed"
setup "sendiass-desktop-$UPGRADE2_VERSION-setup-peruser-wine.exe" conflict-peruser.log /LOCALSTORE "/STOREDIR=$SHARED"
rc=$?
check "setup exits non-zero (exit code $rc)" test "$rc" != 0
check "Setup's log explains it (both options named)" \
  eval "grep -q 'Conflicting options: Setup was given both /LOCALSTORE .* and /STOREDIR=' '$LOGS/conflict-peruser.log'"
check "sendiass-desktop.ini not rewritten: still H:\\SENDIASS\\service.sendiass" \
  eval "[ \"\$(ini_path '$APP/sendiass-desktop.ini')\" = 'H:\\SENDIASS\\service.sendiass' ]"
check "still version $UPGRADE_VERSION, with its files" \
  eval "[ \"\$(reg_value user.reg DisplayVersion)\" = '$UPGRADE_VERSION' ] && [ -f '$APP/_internal/only-in-the-new-version.dll' ]"

say "F. upgrade to $UPGRADE2_VERSION with /LOCALSTORE: back to each user's own data folder"
setup "sendiass-desktop-$UPGRADE2_VERSION-setup-peruser-wine.exe" localstore-peruser.log /LOCALSTORE
check "setup exits 0" test $? = 0
check "no sendiass-desktop.ini any more (the app uses each user's data folder)" test ! -e "$APP/sendiass-desktop.ini"
check "Setup's log says it removed the .ini" grep -q 'Store location removed: .*sendiass-desktop.ini deleted' "$LOGS/localstore-peruser.log"
check "the \"Ready to install\" page says each user's own data folder (Setup's log)" \
  ready_page_says "$LOGS/localstore-peruser.log" "Where the records are kept:" "$LOCAL_CHOICE"
check "still one uninstall entry, now version $UPGRADE2_VERSION" \
  eval "[ \"\$(key_count user.reg)\" = 1 ] && [ \"\$(reg_value user.reg DisplayVersion)\" = '$UPGRADE2_VERSION' ] && ! has_key system.reg"
check "StoreMode=local remembered" eval "[ \"\$(reg_value user.reg 'Inno Setup CodeFile: StoreMode')\" = local ]"
check "the program is still there" expect_files "$APP"
setup "sendiass-desktop-$UPGRADE2_VERSION-setup-peruser-wine.exe" localstore-again-peruser.log
rc=$?
check "run again with no options: exits 0 and still no .ini" \
  eval "[ $rc = 0 ] && [ ! -e '$APP/sendiass-desktop.ini' ]"
printf '[store]\r\npath = \\\\it-server\\placed-by-hand\\service.sendiass\r\n' > "$APP/sendiass-desktop.ini"
cp "$APP/sendiass-desktop.ini" "$WORK/hand-placed.ini"
setup "sendiass-desktop-$UPGRADE2_VERSION-setup-peruser-wine.exe" hand-placed-peruser.log
rc=$?
check "an .ini placed by hand over a local install survives a silent reinstall (exit $rc)" \
  eval "[ $rc = 0 ] && cmp -s '$APP/sendiass-desktop.ini' '$WORK/hand-placed.ini'"
check "Setup's log says it left that .ini alone" \
  grep -q 'Store location left as it is: .*sendiass-desktop.ini was not written by Setup' "$LOGS/hand-placed-peruser.log"

say "G. uninstall (current user)"
uninstall "$APP" uninstall-peruser.log
check "uninstaller exits 0" test $? = 0
check "program folder removed (with its .ini)" test ! -e "$APP"
check "Start menu shortcut removed" test ! -e "$USERDIR/AppData/Roaming/Microsoft/Windows/Start Menu/Programs/SENDIASS Desktop.lnk"
check "uninstall entry removed" eval "! has_key user.reg"
check "the store in the user's data folder is untouched" test -f "$USERDIR/AppData/Local/sendiass-desktop/service.sendiass"

say "H. nothing installed: $SETUP.exe /ALLUSERS /LOCALSTORE /STOREDIR=\"$SHARED\" is refused"
APP="$C/Program Files/SENDIASS Desktop"
setup "$SETUP.exe" conflict-allusers.log /ALLUSERS /LOCALSTORE "/STOREDIR=$SHARED"
rc=$?
check "setup exits non-zero (exit code $rc)" test "$rc" != 0
check "Setup's log explains it, in a message box that /SUPPRESSMSGBOXES answered" \
  eval "grep -q 'Conflicting options: Setup was given both /LOCALSTORE' '$LOGS/conflict-allusers.log' &&
        grep -q 'Defaulting to OK for suppressed message box' '$LOGS/conflict-allusers.log'"
check "nothing installed: no program folder, no .ini, no uninstall entry" \
  eval "[ ! -e '$APP' ] && ! has_key system.reg && ! has_key user.reg"

echo
echo "Logs (ISCC, Setup, uninstaller): $LOGS; setup.exe: $WORK/out/$SETUP.exe"
echo "This checked the installer script with a stand-in bundle under wine, not the app on Windows."
echo "check_with_wine: $PASSED passed, $FAILED failed"
[ "$FAILED" = 0 ]

#!/usr/bin/env bash
# Build the Linux bundle (PyInstaller, one folder) and prove it works:
#
#   bash scripts/build-linux.sh            # -> dist/sendiass-desktop/ and dist/sendiass-desktop-VERSION-linux-x86_64.tar.gz
#   bash scripts/build-linux.sh --no-tar   # skip the tarball
#
# Installs what the build needs (binutils for PyInstaller, the few system libraries
# the self-test's offscreen window needs, PyInstaller into .venv), runs
# installer/sendiass-desktop.spec, then runs the bundle's own checks:
#   dist/sendiass-desktop/sendiass-desktop --self-test   (QT_QPA_PLATFORM=offscreen)
#   dist/sendiass-desktop/sendiass-admin --version
# and exits non-zero if either fails. See installer/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."

MAKE_TAR=1
for arg in "$@"; do
  case "$arg" in
    --no-tar) MAKE_TAR=0 ;;
    *) echo "build-linux.sh: unknown option $arg" >&2; exit 2 ;;
  esac
done

SYSTEM_PACKAGES=(
  binutils              # objdump: PyInstaller reads shared-library dependencies with it
  libegl1 libgl1 libfontconfig1 libxkbcommon0 libdbus-1-3  # the self-test's offscreen window
)
missing=()
for pkg in "${SYSTEM_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
if ! .venv/bin/python -c "import sendiass_desktop" 2>/dev/null; then
  .venv/bin/python -m pip install -q -e . 2>&1 | grep -v -E '^(WARNING|  )' || true
fi
.venv/bin/python -m pip install -q 'pyinstaller>=6' 2>&1 | grep -v -E '^(WARNING|  )' || true

VERSION=$(.venv/bin/python -c "import sendiass_desktop; print(sendiass_desktop.__version__)")
echo "== building SENDIASS Desktop $VERSION (PyInstaller $(.venv/bin/pyinstaller --version))"
start=$(date +%s)
rm -rf build/pyinstaller dist/sendiass-desktop
.venv/bin/pyinstaller --noconfirm --clean --log-level WARN \
  --workpath build/pyinstaller --distpath dist installer/sendiass-desktop.spec
end=$(date +%s)
BUNDLE=dist/sendiass-desktop
# The Linux installer script, menu entry and icons go beside the programs.
install -m 755 installer/linux/install.sh "$BUNDLE/install.sh"
install -D -m 644 installer/linux/sendiass-desktop.desktop \
  "$BUNDLE/share/applications/sendiass-desktop.desktop"
mkdir -p "$BUNDLE/share/icons"
cp resources/icons/app-*.png "$BUNDLE/share/icons/"
echo "== built $BUNDLE in $((end - start)) s ($(du -sh "$BUNDLE" | cut -f1))"

echo "== $BUNDLE/sendiass-desktop --self-test"
# A clean environment: no PYTHONPATH (the bundle must not lean on the source tree),
# an offscreen window, and throwaway data/state folders.
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
env -u PYTHONPATH -u PYTHONHOME -u PYTHON_KEYRING_BACKEND \
  QT_QPA_PLATFORM=offscreen HOME="$scratch" XDG_DATA_HOME="$scratch/data" \
  XDG_CONFIG_HOME="$scratch/config" XDG_STATE_HOME="$scratch/state" \
  XDG_CACHE_HOME="$scratch/cache" \
  "$BUNDLE/sendiass-desktop" --self-test
echo "== $BUNDLE/sendiass-admin --version"
admin_version=$(env -u PYTHONPATH "$BUNDLE/sendiass-admin" --version)
echo "$admin_version"
if [ "$admin_version" != "sendiass-admin $VERSION" ]; then
  echo "build-linux.sh: sendiass-admin reports '$admin_version', expected $VERSION" >&2
  exit 1
fi

if [ "$MAKE_TAR" -eq 1 ]; then
  TARBALL="dist/sendiass-desktop-$VERSION-linux-$(uname -m).tar.gz"
  tar -C dist -czf "$TARBALL" sendiass-desktop
  echo "== $TARBALL ($(du -h "$TARBALL" | cut -f1))"
fi
echo "build-linux.sh: OK"

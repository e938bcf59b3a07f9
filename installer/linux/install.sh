#!/bin/sh
# Install SENDIASS Desktop from this folder (the unpacked Linux build).
#
#   sudo ./install.sh               for everyone: /opt/sendiass-desktop, /usr/local/bin,
#                                   the applications menu and icons under /usr/local/share
#   ./install.sh --user             for you only: ~/.local/opt/sendiass-desktop, ~/.local/bin,
#                                   your applications menu
#   [sudo] ./install.sh --uninstall [--user]
#                                   remove the program (never a store, key file or backup)
#
# After installing, run:  sendiass-desktop --self-test   (see docs/installing.md)
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
MODE=system
ACTION=install
for arg in "$@"; do
  case "$arg" in
    --user) MODE=user ;;
    --uninstall) ACTION=uninstall ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "install.sh: unknown option $arg" >&2; exit 2 ;;
  esac
done

if [ "$MODE" = user ]; then
  APPDIR="$HOME/.local/opt/sendiass-desktop"
  BINDIR="$HOME/.local/bin"
  SHARE="${XDG_DATA_HOME:-$HOME/.local/share}"
else
  if [ "$(id -u)" -ne 0 ]; then
    echo "install.sh: installing for everyone needs root (sudo ./install.sh), or use --user" >&2
    exit 1
  fi
  APPDIR=/opt/sendiass-desktop
  BINDIR=/usr/local/bin
  SHARE=/usr/local/share
fi
SIZES="16 24 32 48 64 128 256 512"

refresh_menus() {
  command -v update-desktop-database >/dev/null 2>&1 \
    && update-desktop-database -q "$SHARE/applications" 2>/dev/null || true
  command -v gtk-update-icon-cache >/dev/null 2>&1 \
    && gtk-update-icon-cache -q -t "$SHARE/icons/hicolor" 2>/dev/null || true
}

if [ "$ACTION" = uninstall ]; then
  rm -f "$BINDIR/sendiass-desktop" "$BINDIR/sendiass-admin" \
        "$SHARE/applications/sendiass-desktop.desktop"
  for size in $SIZES; do
    rm -f "$SHARE/icons/hicolor/${size}x${size}/apps/sendiass-desktop.png"
  done
  rm -rf "$APPDIR"
  refresh_menus
  echo "SENDIASS Desktop removed from $APPDIR. Stores, key files and backups were not touched."
  exit 0
fi

if [ ! -x "$HERE/sendiass-desktop" ] || [ ! -d "$HERE/_internal" ]; then
  echo "install.sh: run it from the unpacked build folder (sendiass-desktop/)" >&2
  exit 1
fi
if [ "$HERE" != "$(cd "$APPDIR" 2>/dev/null && pwd || echo none)" ]; then
  # Replace the whole program folder, so no library of an older version stays behind.
  mkdir -p "$(dirname "$APPDIR")"
  rm -rf "$APPDIR.new"
  cp -a "$HERE" "$APPDIR.new"
  rm -rf "$APPDIR"
  mv "$APPDIR.new" "$APPDIR"
fi
mkdir -p "$BINDIR" "$SHARE/applications"
ln -sf "$APPDIR/sendiass-desktop" "$BINDIR/sendiass-desktop"
ln -sf "$APPDIR/sendiass-admin" "$BINDIR/sendiass-admin"
sed "s|@APPDIR@|$APPDIR|g" "$APPDIR/share/applications/sendiass-desktop.desktop" \
  > "$SHARE/applications/sendiass-desktop.desktop"
for size in $SIZES; do
  src="$APPDIR/share/icons/app-$size.png"
  [ -f "$src" ] || continue
  mkdir -p "$SHARE/icons/hicolor/${size}x${size}/apps"
  cp "$src" "$SHARE/icons/hicolor/${size}x${size}/apps/sendiass-desktop.png"
done
refresh_menus
echo "SENDIASS Desktop installed in $APPDIR"
echo "Programs: $BINDIR/sendiass-desktop, $BINDIR/sendiass-admin"
case ":$PATH:" in
  *":$BINDIR:"*) ;;
  *) echo "Note: $BINDIR is not on your PATH; add it, or run $APPDIR/sendiass-desktop" ;;
esac
echo "Check it with: sendiass-desktop --self-test"

#!/usr/bin/env bash
# Install everything the tests need (system packages and Python packages) and
# run the whole suite: lint, types, then pytest. The README's test command.
set -euo pipefail
cd "$(dirname "$0")/.."

SYSTEM_PACKAGES=(
  xvfb xauth            # real X server for screenshots
  dbus dbus-x11 gnome-keyring libsecret-tools  # a real Secret Service for keyring tests
  poppler-utils qpdf    # pdftoppm / qpdf --check on generated PDFs
  libegl1 libgl1 libfontconfig1 libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4
  libxcb-keysyms1 libxcb-shape0 libxcb-render-util0 libxcb-image0 libdbus-1-3
  fonts-dejavu-core
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
.venv/bin/python -m pip install -q --upgrade pip >/dev/null 2>&1 || true
.venv/bin/python -m pip install -q -e '.[test]' 2>&1 | grep -v -E '^(WARNING|  )' || true

echo "== ruff"
.venv/bin/ruff check .
echo "== mypy (domain, store, services)"
.venv/bin/mypy
echo "== pytest (soak tests marked slow run with: .venv/bin/python -m pytest -m slow)"
exec .venv/bin/python -m pytest -m "not slow" "$@"

#!/usr/bin/env bash
# Fetches the large fonts carebill's PDFs load only when a document needs
# them (Chinese and Korean names), pinned by package version and checksum,
# into a directory: .fonts/ by default, or the one given. The same files
# make the Lambda layer (`sam build` → /opt/fonts) and the local font
# directory tests and `make dev` use (CAREBILL_FONT_DIR).
#
# Source: the npm registry's @expo-google-fonts packages (Google Fonts'
# Noto Sans SC and KR as TrueType, SIL Open Font License 1.1), fetched with
# the ordinary npm client so any OS with Node reaches them.
# Usage: scripts/fetch-fonts.sh [dir]
set -euo pipefail

dir="${1:-$(cd "$(dirname "$0")/.." && pwd)/.fonts}"

# package@version  file inside the package  file written  sha256
FONTS=(
  "@expo-google-fonts/noto-sans-sc@0.4.3 package/400Regular/NotoSansSC_400Regular.ttf NotoSansSC-Regular.ttf d45f67f0a7c0ca3f256950777ce6a61cc7ce5f9696d02900cbbaac25f8aa7d16"
  "@expo-google-fonts/noto-sans-kr@0.4.3 package/400Regular/NotoSansKR_400Regular.ttf NotoSansKR-Regular.ttf 8cbc9b353bb9ce848fd69bb6a507319dfacc659cf5fd643db5d88f3c4970e1dd"
)

have_all=1
for entry in "${FONTS[@]}"; do
  read -r _ _ out sum <<<"$entry"
  if [ ! -f "$dir/$out" ] || [ "$(sha256sum "$dir/$out" | cut -d' ' -f1)" != "$sum" ]; then
    have_all=0
  fi
done
if [ "$have_all" = 1 ] && [ -f "$dir/OFL.txt" ]; then
  exit 0
fi

if ! command -v npm >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "fetch-fonts: installing npm"
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends npm >/dev/null
fi
if ! command -v npm >/dev/null 2>&1; then
  echo "fetch-fonts: npm is needed to fetch the CJK fonts (apt-get install npm, or Node.js's installer)" >&2
  exit 1
fi
mkdir -p "$dir"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
for entry in "${FONTS[@]}"; do
  read -r pkg inner out sum <<<"$entry"
  echo "fetch-fonts: $pkg → $dir/$out"
  tgz="$(cd "$work" && npm pack --silent "$pkg")"
  tar -xzf "$work/$tgz" -C "$work" "$inner" package/LICENSE_FONT
  got="$(sha256sum "$work/$inner" | cut -d' ' -f1)"
  if [ "$got" != "$sum" ]; then
    echo "fetch-fonts: $pkg $inner has sha256 $got, want $sum" >&2
    exit 1
  fi
  mv "$work/$inner" "$dir/$out"
  cp "$work/package/LICENSE_FONT" "$dir/OFL.txt"
  rm -f "$work/$tgz"
done

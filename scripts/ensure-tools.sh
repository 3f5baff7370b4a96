#!/usr/bin/env bash
# Installs the tools carebill's dev stack and tests need, when missing.
# Usage: scripts/ensure-tools.sh [moto] [stripe-mock] [chromium] [poppler] [qpdf]
# Versions are pinned here; change them in one place.
set -euo pipefail

MOTO_VERSION="5.2.1"
STRIPE_MOCK_VERSION="v0.203.0"

apt_updated=0
apt_install() {
  if [ "$apt_updated" = 0 ]; then
    apt-get update -qq >/dev/null
    apt_updated=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

need_root() {
  if [ "$(id -u)" != 0 ]; then
    echo "ensure-tools: installing $1 needs root (apt-get); install it yourself or rerun as root" >&2
    exit 1
  fi
}

for tool in "$@"; do
  case "$tool" in
    moto)
      if ! command -v moto_server >/dev/null 2>&1 && ! python3 -c 'import moto.server' >/dev/null 2>&1; then
        echo "ensure-tools: installing moto[server] $MOTO_VERSION"
        python3 -m pip install --quiet "moto[server]==$MOTO_VERSION"
      fi
      ;;
    stripe-mock)
      if ! command -v stripe-mock >/dev/null 2>&1 && [ ! -x "$(go env GOPATH)/bin/stripe-mock" ]; then
        echo "ensure-tools: installing stripe-mock $STRIPE_MOCK_VERSION"
        go install "github.com/stripe/stripe-mock@$STRIPE_MOCK_VERSION"
      fi
      ;;
    chromium)
      if ! command -v chromium >/dev/null 2>&1; then
        need_root chromium
        echo "ensure-tools: installing chromium"
        apt_install chromium fonts-dejavu-core
      fi
      ;;
    poppler)
      if ! command -v pdftotext >/dev/null 2>&1; then
        need_root poppler-utils
        echo "ensure-tools: installing poppler-utils"
        apt_install poppler-utils
      fi
      ;;
    qpdf)
      if ! command -v qpdf >/dev/null 2>&1; then
        need_root qpdf
        echo "ensure-tools: installing qpdf"
        apt_install qpdf
      fi
      ;;
    *)
      echo "ensure-tools: unknown tool $tool" >&2
      exit 2
      ;;
  esac
done

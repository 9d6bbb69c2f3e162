#!/usr/bin/env bash
# Installs the Debian packages the test suite uses, where this machine allows it.
# With --required (CI) a package that cannot be installed is an error; otherwise the
# tests that need it say so and skip.
set -u
required=0
[ "${1:-}" = "--required" ] && required=1
# poppler-data: without it pdftotext/pdffonts cannot map the CID fonts of the reports
# ("Missing language pack for 'Adobe-GB1'"), so the PDF read-back tests fail.
# redis-server: the queue tests run once against a real Redis (RQ backend); .ci/run starts it.
packages=(nodejs chromium poppler-utils poppler-data fonts-arphic-uming fonts-arphic-ukai fonts-wqy-zenhei fonts-hanazono fonts-symbola libreoffice-writer-nogui redis-server ${EXTRA_PACKAGES:-})
have() {
  case "$1" in
    nodejs) command -v node >/dev/null ;;  # survey-core under Node: the differential tests' oracle
    chromium) [ -x /usr/bin/chromium ] ;;
    poppler-utils) command -v pdftotext >/dev/null ;;
    wrk) command -v wrk >/dev/null ;;
    redis-server) command -v redis-server >/dev/null ;;
    *) dpkg -s "$1" >/dev/null 2>&1 ;;
  esac
}
missing=()
for p in "${packages[@]}"; do have "$p" || missing+=("$p"); done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null 2>&1
  if apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1; then exit 0; fi
  echo "apt-get could not install: ${missing[*]}"
else
  echo "Not root or no apt-get: cannot install ${missing[*]}."
fi
if [ $required = 1 ]; then exit 1; fi
echo "Tests that need these will skip and say why."
exit 0

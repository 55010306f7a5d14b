#!/usr/bin/env bash
# Installs Debian's Chromium when it is missing (the browser tests drive it through playwright-core;
# `npx playwright install` would download a browser build, which this project does not rely on).
set -euo pipefail
path="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ -x "$path" ]; then exit 0; fi
if [ -n "${CHROMIUM_PATH:-}" ]; then
  echo "CHROMIUM_PATH=$CHROMIUM_PATH is not an executable" >&2
  exit 2
fi
if ! command -v apt-get >/dev/null; then
  echo "No Chromium at $path and no apt-get: install Chromium or Chrome and set CHROMIUM_PATH" >&2
  exit 2
fi
sudo=""
if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi
echo "Installing Debian's chromium (apt-get)…" >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null

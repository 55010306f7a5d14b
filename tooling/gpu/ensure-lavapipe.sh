#!/bin/sh
# Makes a WebGPU adapter available to Dawn (the `webgpu` package) on a machine without a GPU: Mesa's
# software Vulkan driver (lavapipe) from Debian's bookworm-backports. Bookworm's own Mesa 22.3 lacks a
# feature Dawn requires, so the backports one (25.x) is needed. Run by `pnpm check` before the tests;
# where it cannot install (not Debian, not root, no apt), the WebGPU tests print a notice and skip.
set -u
mesa=$(dpkg-query -W -f='${Version}' mesa-vulkan-drivers 2>/dev/null)
case "$mesa" in 2[4-9].* | [3-9][0-9].*) exit 0 ;; esac
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null || ! grep -q bookworm /etc/os-release 2>/dev/null; then
  echo "ensure-lavapipe: cannot install Mesa's lavapipe here (needs root on Debian bookworm); WebGPU tests will skip"
  exit 0
fi
echo "ensure-lavapipe: installing mesa-vulkan-drivers from bookworm-backports for the WebGPU tests"
echo "deb http://deb.debian.org/debian bookworm-backports main" >/etc/apt/sources.list.d/bookworm-backports.list
if apt-get update -qq >/dev/null &&
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -t bookworm-backports mesa-vulkan-drivers libvulkan1 >/dev/null; then
  echo "ensure-lavapipe: installed"
else
  echo "ensure-lavapipe: installing failed; WebGPU tests will skip"
fi
exit 0

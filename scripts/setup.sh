#!/usr/bin/env bash
# Set-up shared by run.sh and test.sh: checks the toolchain and restores NuGet packages.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v dotnet >/dev/null 2>&1; then
  echo "error: the .NET 10 SDK (dotnet) is required: https://dot.net" >&2
  exit 1
fi
major=$(dotnet --version | cut -d. -f1)
if [ "$major" -lt 10 ]; then
  echo "error: .NET SDK 10 or newer is required, found $(dotnet --version)" >&2
  exit 1
fi
# OpenCV's official Linux runtime (field segmentation) links GTK 3 for window functions it never uses here.
if [ "$(uname -s)" = Linux ] && ! ldconfig -p 2>/dev/null | grep -q 'libgtk-3.so.0'; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing libgtk-3-0 (needed by OpenCV's native library)"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libgtk-3-0) >/dev/null 2>&1 \
      || echo "warning: could not install libgtk-3-0; whole-field screening will fail to load OpenCV" >&2
  else
    echo "warning: libgtk-3.so.0 is missing (Debian/Ubuntu: apt-get install libgtk-3-0); whole-field screening needs it" >&2
  fi
fi
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
dotnet restore MalariaML.sln --nologo -v quiet

#!/usr/bin/env bash
# Packs the library (MalariaML.<version>.nupkg + .snupkg) and the `malaria` dotnet tool into artifacts/packages, the
# local feed the samples restore from. The tool is RID-specific (.NET 10): MalariaML.Cli.<version>.nupkg is a small
# pointer, and MalariaML.Cli.{linux-x64,win-x64,osx-arm64}.<version>.nupkg each carry one platform's natives
# (libtorch, ONNX Runtime, OpenCV, SkiaSharp); `dotnet tool install MalariaML.Cli` downloads only the machine's one.
# Usage: scripts/pack.sh [--library-only]
#   --library-only   skip the tool packages (about 560 MB for the three platforms, a few minutes to compress)
# The build goes to artifacts/build (dotnet --artifacts-path), never to src/*/bin or obj, so packing cannot touch
# a build that a running job uses, nor collide with a Debug build of the solution.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
tool=1
for arg in "$@"; do
  case "$arg" in
    --library-only) tool=0 ;;
    *) echo "usage: scripts/pack.sh [--library-only]" >&2; exit 2 ;;
  esac
done
out=artifacts/packages
mkdir -p "$out"
# ContinuousIntegrationBuild: deterministic paths in the PDBs (/_/...), as a release build should have.
common=(-c Release --nologo -v quiet --artifacts-path artifacts/build -o "$out" -p:ContinuousIntegrationBuild=true)
dotnet pack src/MalariaML "${common[@]}"
if [ "$tool" = 1 ]; then
  dotnet pack src/MalariaML.Cli "${common[@]}"
fi
ls -l "$out"

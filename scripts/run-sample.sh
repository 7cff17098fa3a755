#!/usr/bin/env bash
# Packs MalariaML, restores a sample against the fresh package (as a user's app would get it), builds it and runs it.
# Usage:
#   scripts/run-sample.sh article [DIR] [OPTIONS...]   samples/MalariaDetection.Article (options: its README.md)
#   scripts/run-sample.sh predict [MODEL [FOLDER]]     samples/MalariaDetection.Predict
#   scripts/run-sample.sh fields [MODEL [FOLDER]]      samples/MalariaDetection.Fields (FOLDER defaults to data/fields)
#   scripts/run-sample.sh mlnet [DIR]                  samples/MalariaDetection.MLNet (DIR defaults to the embedded sample)
# predict without MODEL trains a tiny basic-cnn on the embedded sample first (artifacts/sample-model.malaria) with the
# malaria tool packed and installed into artifacts/tool, or with `dotnet $MALARIA_DLL` when that is set.
# FOLDER defaults to the embedded sample, data/sample/cell_images.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
usage="usage: scripts/run-sample.sh article [DIR] | mlnet [DIR] | predict|fields [MODEL [FOLDER]]"
which="${1:?$usage}"
shift
case "$which" in
  article) project=MalariaDetection.Article ;;
  predict) project=MalariaDetection.Predict ;;
  fields) project=MalariaDetection.Fields ;;
  mlnet) project=MalariaDetection.MLNet ;;
  *) echo "$usage" >&2; exit 2 ;;
esac
version=$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' Directory.Build.props | head -1)
sample="data/sample/cell_images"

# 1. The package. The tool is packed only when predict has to train its model with it.
if [ "$which" != article ] && [ "$which" != mlnet ] && [ $# -eq 0 ] && [ -z "${MALARIA_DLL:-}" ]; then
  bash scripts/pack.sh
else
  bash scripts/pack.sh --library-only
fi

# 2. Restore against the fresh package. NuGet never re-extracts an id+version it already holds, so MalariaML is
#    restored into an emptied artifacts/sample-packages; every other package is taken from the global packages
#    folder (a read-only fallback), so nothing big is downloaded or copied again.
global=$(dotnet nuget locals global-packages --list | sed 's/^global-packages: *//')
global="${global%/}"
if [ -d "$global/malariaml/$version" ]; then
  # An earlier plain restore of a sample put a MalariaML build there; as a fallback folder it would shadow the new one.
  echo "removing the cached MalariaML $version from $global so that the fresh package is used"
  rm -rf "$global/malariaml/$version"
fi
rm -rf artifacts/sample-packages
dotnet restore "samples/$project" --nologo -v quiet --packages artifacts/sample-packages \
  -p:RestoreFallbackFolders="$global" -p:MalariaMLVersion="$version"
dotnet build "samples/$project" -c Release --nologo -v quiet --no-restore -p:MalariaMLVersion="$version"
out="samples/$project/bin/Release/net10.0"
# The package's buildTransitive targets must have copied the ResNet18 files of Microsoft.ML.DnnImageFeaturizer.ResNet18.
onnx="$out/DnnImageModels/ResNet18Onnx/ResNet18.onnx"
if [ ! -f "$onnx" ]; then
  echo "error: $onnx is missing: the MalariaML package did not bring the ResNet18 models into the app's output" >&2
  exit 1
fi
echo "built $project against MalariaML $version from artifacts/packages ($onnx present)"

# 3. Run.
if [ "$which" = article ]; then
  dotnet "$out/$project.dll" "$@"
  exit
fi
if [ "$which" = mlnet ]; then
  dotnet "$out/$project.dll" "${1:-$sample}"
  exit
fi
model="${1:-}"
folder="${2:-$sample}"
if [ "$which" = fields ]; then
  folder="${2:-data/fields}"
fi
if [ -z "$model" ]; then
  model=artifacts/sample-model.malaria
  if [ -n "${MALARIA_DLL:-}" ]; then
    malaria() { dotnet "$MALARIA_DLL" "$@"; }
  else
    rm -rf artifacts/tool
    dotnet tool install --tool-path artifacts/tool --add-source artifacts/packages MalariaML.Cli --version "$version"
    malaria() { artifacts/tool/malaria "$@"; }
  fi
  malaria train --data "$sample" --model basic-cnn --image-size 32 --epochs 1 --device cpu --out "$model"
fi
dotnet "$out/$project.dll" "$model" "$folder"

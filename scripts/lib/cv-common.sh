# Sourced by the scripts/cv-*.sh scripts: their settings (overridable from the environment) and `malaria`, a niced copy
# of the Release CLI in artifacts/cv-bin, built once, so that rebuilding the tree cannot disturb a run of hours.
EPOCHS=${EPOCHS:-3}
SIZE=${SIZE:-64}
DATA=${DATA:-../shared/data/cell_images}
OUT=${OUT:-artifacts/cv}
if [[ ! -f artifacts/cv-bin/malaria.dll ]]; then
  dotnet build src/MalariaML.Cli/MalariaML.Cli.csproj -c Release --nologo -v q
  mkdir -p artifacts/cv-bin
  cp -r src/MalariaML.Cli/bin/Release/net10.0/. artifacts/cv-bin/
fi
malaria() { nice -n 10 dotnet artifacts/cv-bin/malaria.dll "$@"; }

#!/usr/bin/env bash
# Packs the three packages into the local feed artifacts/feed, the folder notebooks load the extension from:
#   #i "nuget: <repo>/artifacts/feed"   then   #r "nuget: StacklessInteractive.Kernel, *-*"
# StacklessInteractive.Kernel depends on StacklessInteractive.Runtime and StacklessInteractive.Views at the same
# version, so all three are packed with it and land in the feed together.
# Each pack gets a new version (0.1.0-local.<seconds>): the notebook hosts cache a package by version and never
# reload a version they have seen. The new packages land in the feed before older ones are removed, so a notebook
# loading from the feed meanwhile always finds a complete set. Prints the version on stdout.
set -euo pipefail
cd "$(dirname "$0")/.."
feed=artifacts/feed
version="0.1.0-local.$(date +%s)"
packages=(Runtime Views Kernel)
mkdir -p "$feed"
staging=$(mktemp -d artifacts/.pack.XXXXXX)
trap 'rm -rf "$staging"' EXIT
# One build (the Kernel's, which builds the other two with the same version), then the other two packed from it.
dotnet pack src/Kernel/StacklessInteractive.Kernel.csproj -c Release -o "$staging" -p:Version="$version" --nologo -v quiet >&2
for p in Runtime Views; do
  dotnet pack "src/$p/StacklessInteractive.$p.csproj" -c Release -o "$staging" -p:Version="$version" --no-build --nologo -v quiet >&2
done
for p in "${packages[@]}"; do mv "$staging/StacklessInteractive.$p.$version.nupkg" "$feed"/; done
for p in "${packages[@]}"; do
  find "$feed" -name "StacklessInteractive.$p.*.nupkg" ! -name "StacklessInteractive.$p.$version.nupkg" -delete
done
echo "packed StacklessInteractive.Runtime, .Views and .Kernel $version into $feed" >&2
echo "$version"

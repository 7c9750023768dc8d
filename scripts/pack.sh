#!/usr/bin/env bash
# Builds the kernel extension and packs it into the local feed artifacts/feed, the folder notebooks load it from:
#   #i "nuget: <repo>/artifacts/feed"   then   #r "nuget: StacklessInteractive.Kernel, *-*"
# Each pack gets a new version (0.1.0-local.<seconds>): the notebook hosts cache a package by version and never
# reload a version they have seen. The new package lands in the feed before older ones are removed, so a notebook
# loading from the feed meanwhile always finds one.
set -euo pipefail
cd "$(dirname "$0")/.."
feed=artifacts/feed
version="0.1.0-local.$(date +%s)"
mkdir -p "$feed"
staging=$(mktemp -d artifacts/.pack.XXXXXX)
trap 'rm -rf "$staging"' EXIT
dotnet pack src/Kernel/StacklessInteractive.Kernel.csproj -c Release -o "$staging" -p:Version="$version" --nologo -v quiet >&2
mv "$staging"/StacklessInteractive.Kernel."$version".nupkg "$feed"/
find "$feed" -name 'StacklessInteractive.Kernel.*.nupkg' ! -name "StacklessInteractive.Kernel.$version.nupkg" -delete
echo "packed StacklessInteractive.Kernel $version into $feed" >&2
echo "$version"

#!/usr/bin/env bash
# Builds the kernel extension and packs it into the local feed artifacts/feed, the folder notebooks load it from:
#   #i "nuget: <repo>/artifacts/feed"   then   #r "nuget: StacklessInteractive.Kernel, *-*"
# Each pack gets a new version (0.1.0-local.<seconds>): the notebook hosts cache a package by version and never
# reload a version they have seen. The feed keeps only the newest pack.
set -euo pipefail
cd "$(dirname "$0")/.."
feed=artifacts/feed
version="0.1.0-local.$(date +%s)"
rm -rf "$feed"
mkdir -p "$feed"
dotnet pack src/Kernel/StacklessInteractive.Kernel.csproj -c Release -o "$feed" -p:Version="$version" --nologo -v quiet >&2
echo "packed StacklessInteractive.Kernel $version into $feed" >&2
echo "$version"

#!/usr/bin/env bash
# Sets up Jupyter for running notebooks and tests against the real dotnet-interactive kernel, with nothing global:
#   - the Debian packages jupyter-nbconvert, python3-nbclient, python3-jupyter-client and python3-ipykernel (installed
#     with apt-get when /usr/bin/python3 cannot import them; needs root, as on this project's machines and CI);
#   - the pinned host (dotnet tool restore: dotnet-interactive 1.0.712001 from .config/dotnet-tools.json);
#   - a kernelspec "stackless-csharp" in artifacts/jupyter/kernels that runs that pinned tool through
#     `dotnet tool run` (so the tool manifest decides the version; the kernel's working folder must be inside the
#     repository, which nbconvert's and jupyter_client's defaults are when run on a notebook in it).
# Prints the JUPYTER_PATH to export, on its last line. Usage:
#   export JUPYTER_PATH=$(bash scripts/setup-jupyter.sh | tail -n 1)
#   /usr/bin/python3 -m jupyter nbconvert --to notebook --execute --ExecutePreprocessor.kernel_name=stackless-csharp X.ipynb
# Use /usr/bin/python3, Debian's: the packages are installed for it, not for another python3 earlier on PATH.
# STACKLESS_JUPYTER_INTERRUPT=message writes the kernelspec with "interrupt_mode": "message" (default: signal).
set -euo pipefail
cd "$(dirname "$0")/.."
python=/usr/bin/python3
if ! "$python" -c 'import jupyter_client, nbclient, nbconvert, ipykernel' >/dev/null 2>&1; then
  echo "setup-jupyter: installing Debian's Jupyter packages" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq jupyter-nbconvert python3-nbclient python3-jupyter-client jupyter-client python3-ipykernel >&2
fi
dotnet tool restore >&2
jupyter_path="$PWD/artifacts/jupyter"
write_spec() { # name, interrupt mode
  mkdir -p "$jupyter_path/kernels/$1"
  cat >"$jupyter_path/kernels/$1/kernel.json" <<JSON
{
  "argv": ["dotnet", "tool", "run", "dotnet-interactive", "--", "jupyter", "--default-kernel", "csharp",
           "--http-local-only", "--http-port-range", "2048-3000", "{connection_file}"],
  "display_name": "C# (StacklessInteractive, pinned dotnet-interactive, interrupt: $2)",
  "language": "C#",
  "interrupt_mode": "$2",
  "metadata": { "debugger": false }
}
JSON
}
write_spec stackless-csharp "${STACKLESS_JUPYTER_INTERRUPT:-signal}"
write_spec stackless-csharp-message message
echo "setup-jupyter: kernelspecs stackless-csharp (signal) and stackless-csharp-message (message) in $jupyter_path/kernels" >&2
echo "$jupyter_path"

#!/usr/bin/env bash
# The main job: run every notebook headless in a real notebook host (dotnet-repl), check it, and export it.
#
#   bash scripts/run-notebooks.sh                          every notebooks/*.ipynb, sorted by name, in dotnet-repl
#   bash scripts/run-notebooks.sh notebooks/01-x.ipynb ... only these
#   bash scripts/run-notebooks.sh --host jupyter [...]     in Jupyter instead: nbconvert --execute with the kernelspec
#                                                          of the pinned dotnet-interactive (scripts/setup-jupyter.sh,
#                                                          which installs Debian's Jupyter packages when missing)
#   bash scripts/run-notebooks.sh --host all [...]         in both, dotnet-repl first (what .ci/run does)
#
# Steps: restore the pinned hosts (.config/dotnet-tools.json); build and pack the extension into artifacts/feed
# (scripts/pack.sh), where the notebooks' first cell loads it from; build the exporter (tools/NotebookExport);
# then for each notebook, from the notebook's own folder (dotnet-repl ignores --working-dir when it runs a
# notebook), run it with dotnet-repl into artifacts/notebooks/NAME.ipynb, and have the exporter check it (a cell
# with an error output fails it) and write artifacts/notebooks/NAME.html. Last, artifacts/notebooks/index.html
# and plotly.min.js beside the pages (chart outputs load it from there: STACKLESS_PLOTLY_JS), so the pages work
# offline.
#
# Jupyter's run writes its executed notebooks, pages and index in artifacts/notebooks/jupyter/ and its logs in
# artifacts/logs/notebooks/jupyter/; nbconvert runs with --allow-errors, so that every cell runs and the exporter
# judges the outputs as it does dotnet-repl's.
#
# Prints a line when each notebook starts, a PASS/FAIL line when it ends, and closes with "N passed, N failed";
# exits non-zero if a notebook failed or a step before them did. Logs, in artifacts/logs/notebooks/: one per step
# (tool-restore, pack, exporter-build), and per notebook NAME.log (dotnet-repl's console and exit code) and
# NAME.repl/ (dotnet-repl's own log of every command and event: which cell hung, what it did).
# NOTEBOOK_TIMEOUT_SECONDS (default 900) stops a notebook that runs longer, which then fails, naming the cell.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$PWD
out=artifacts/notebooks
logs=artifacts/logs/notebooks
exporter_dir=artifacts/tools/NotebookExport
timeout_seconds=${NOTEBOOK_TIMEOUT_SECONDS:-900}
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1
started=$(date +%s)

hosts=(repl)
if [ "${1:-}" = "--host" ]; then
  case "${2:-}" in
    repl | dotnet-repl) hosts=(repl) ;;
    jupyter) hosts=(jupyter) ;;
    all) hosts=(repl jupyter) ;;
    *) echo "run-notebooks: --host takes repl, jupyter or all; got '${2:-}'" >&2; exit 2 ;;
  esac
  shift 2
fi

if [ $# -gt 0 ]; then
  notebooks=("$@")
else
  mapfile -t notebooks < <(LC_ALL=C ls -1 notebooks/*.ipynb 2>/dev/null | LC_ALL=C sort)
fi

# One run at a time per work tree: a second run would delete this one's pages and repack the feed under it.
# Commands get "9>&-" so that no process that outlives this script (MSBuild nodes, the compiler server) holds it.
mkdir -p artifacts
exec 9>artifacts/.run-notebooks.lock
if command -v flock >/dev/null && ! flock -n 9; then
  echo "run-notebooks: another run is using artifacts/ in this work tree; waiting for it to end"
  flock 9
fi

# Each host's run replaces only its own results (dotnet-repl's are the files of artifacts/notebooks, Jupyter's its
# jupyter/ folder), so that a run in one host leaves the other's pages in place.
for host in "${hosts[@]}"; do
  if [ "$host" = repl ]; then
    mkdir -p "$out" "$logs"
    find "$out" "$logs" -mindepth 1 -maxdepth 1 ! -name jupyter -exec rm -rf {} +
  else
    rm -rf "$out/jupyter" "$logs/jupyter"
  fi
done
mkdir -p "$out" "$logs"

# A step before the notebooks failed: show why, count every notebook as failed, stop.
setup_failed() { # what, log
  if grep -qE '(^|: )error ' "$2"; then
    echo "run-notebooks: $1 failed; errors in $2:"
    grep -E '(^|: )error ' "$2" | sort -u | head -n 25 | sed 's/^/  | /'
  else
    echo "run-notebooks: $1 failed; the end of $2:"
    tail -n 25 "$2" | sed 's/^/  | /'
  fi
  echo "${#notebooks[@]} notebook(s) not run"
  echo "0 passed, ${#notebooks[@]} failed"
  exit 1
}

echo "run-notebooks: restoring the notebook hosts (dotnet tool restore)"
dotnet tool restore >"$logs/tool-restore.log" 2>&1 9>&- || setup_failed "dotnet tool restore" "$logs/tool-restore.log"

echo "run-notebooks: building and packing the extension (scripts/pack.sh)"
version=$(bash scripts/pack.sh 2>"$logs/pack.log" 9>&-) || setup_failed "scripts/pack.sh" "$logs/pack.log"
echo "run-notebooks: packed StacklessInteractive.Runtime, .Views and .Kernel $version into artifacts/feed"

echo "run-notebooks: building the exporter (tools/NotebookExport)"
dotnet build tools/NotebookExport/StacklessInteractive.NotebookExport.csproj -c Release -o "$exporter_dir" --nologo \
  >"$logs/exporter-build.log" 2>&1 9>&- || setup_failed "building tools/NotebookExport" "$logs/exporter-build.log"
export_tool() { dotnet "$exporter_dir/StacklessInteractive.NotebookExport.dll" "$@" 9>&-; }
export_tool plotly --out "$out" >"$logs/plotly.log" 2>&1 || setup_failed "copying plotly.min.js" "$logs/plotly.log"

if [[ " ${hosts[*]} " == *" jupyter "* ]]; then
  echo "run-notebooks: setting up Jupyter and the kernelspec (scripts/setup-jupyter.sh)"
  mkdir -p "$logs/jupyter"
  jupyter_path=$(bash scripts/setup-jupyter.sh 2>"$logs/jupyter/setup.log" 9>&- | tail -n 1) && [ -d "$jupyter_path/kernels" ] \
    || setup_failed "scripts/setup-jupyter.sh" "$logs/jupyter/setup.log"
  export JUPYTER_PATH="$jupyter_path${JUPYTER_PATH:+:$JUPYTER_PATH}"
fi

# Runs one notebook in dotnet-repl, from the notebook's own folder (dotnet-repl ignores --working-dir there).
run_repl() { # notebook, name, out folder, log folder
  (cd "$(dirname "$1")" &&
    STACKLESS_PLOTLY_JS=plotly.min.js timeout -k 30 "$timeout_seconds" \
      dotnet repl --run "$(basename "$1")" --exit-after-run --output-path "$root/$3/$2.ipynb" \
        --log-path "$root/$4/$2.repl") \
    </dev/null >"$4/$2.log" 2>&1 9>&-
}

# Runs one notebook in Jupyter: nbconvert starts the stackless-csharp kernel in the notebook's folder (so its first
# cell finds ../artifacts/feed and the tool manifest), runs every cell even after an error, and writes the result.
run_jupyter() { # notebook, name, out folder, log folder
  STACKLESS_PLOTLY_JS=plotly.min.js timeout -k 30 "$timeout_seconds" \
    /usr/bin/python3 -m jupyter nbconvert --to notebook --execute --allow-errors \
      --ExecutePreprocessor.kernel_name=stackless-csharp --ExecutePreprocessor.timeout="$timeout_seconds" \
      --ExecutePreprocessor.startup_timeout=300 \
      --output-dir "$3" --output "$2.ipynb" "$1" \
    </dev/null >"$4/$2.log" 2>&1 9>&-
}

passed=0
failed=0
index_ok=true
for host in "${hosts[@]}"; do
  if [ "$host" = repl ]; then host_name=dotnet-repl; host_out=$out; host_logs=$logs
  else host_name="Jupyter (nbconvert)"; host_out=$out/jupyter; host_logs=$logs/jupyter; fi
  mkdir -p "$host_out" "$host_logs"
  if [ "$host_out" != "$out" ]; then cp "$out"/plotly.min.js* "$host_out"/; fi
  echo "run-notebooks: running ${#notebooks[@]} notebook(s) in $host_name"
  for notebook in "${notebooks[@]}"; do
    name=$(basename "$notebook" .ipynb)
    echo "RUN  $notebook [$host_name]"
    if [ ! -f "$notebook" ]; then
      echo "FAIL $notebook: no such file"
      failed=$((failed + 1))
      continue
    fi
    t0=$(date +%s%N)
    "run_$host" "$notebook" "$name" "$host_out" "$host_logs"
    code=$?
    seconds=$(awk -v a="$t0" -v b="$(date +%s%N)" 'BEGIN { printf "%.1f", (b - a) / 1e9 }')
    repl_log=()
    if [ "$host" = repl ]; then
      echo "dotnet-repl exit code $code after $seconds s; its own log (each cell's commands and events): $host_logs/$name.repl/" \
        >>"$host_logs/$name.log"
      repl_log=(--repl-log "$host_logs/$name.repl")
    else
      echo "nbconvert exit code $code after $seconds s" >>"$host_logs/$name.log"
    fi
    export_tool page --executed "$host_out/$name.ipynb" --source "$notebook" --exit-code "$code" --seconds "$seconds" \
      --timeout "$timeout_seconds" --log "$host_logs/$name.log" "${repl_log[@]}" --host "$host_name" \
      2>"$host_logs/$name.export.log"
    case $? in
      0) passed=$((passed + 1)) ;;
      1) failed=$((failed + 1)) ;;
      *) failed=$((failed + 1))
         echo "FAIL $notebook: the exporter failed (see $host_logs/$name.export.log)"
         tail -n 5 "$host_logs/$name.export.log" | sed 's/^/  | /' ;;
    esac
  done
  export_tool index --out "$host_out" 2>"$host_logs/index.log" \
    || { index_ok=false; echo "run-notebooks: writing $host_out/index.html failed (see $host_logs/index.log)"; }
done

echo "run-notebooks: $(( $(date +%s) - started )) s; pages in $out/index.html${hosts[1]:+ and $out/jupyter/index.html}, logs in $logs/"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && $index_ok

#!/usr/bin/env bash
# The main job: run every notebook headless in a real notebook host (dotnet-repl), check it, and export it.
#
#   bash scripts/run-notebooks.sh                          every notebooks/*.ipynb, sorted by name
#   bash scripts/run-notebooks.sh notebooks/01-x.ipynb ... only these
#
# Steps: restore the pinned hosts (.config/dotnet-tools.json); build and pack the extension into artifacts/feed
# (scripts/pack.sh), where the notebooks' first cell loads it from; build the exporter (tools/NotebookExport);
# then for each notebook, from the notebook's own folder (dotnet-repl ignores --working-dir when it runs a
# notebook), run it with dotnet-repl into artifacts/notebooks/NAME.ipynb, and have the exporter check it (a cell
# with an error output fails it) and write artifacts/notebooks/NAME.html. Last, artifacts/notebooks/index.html
# and plotly.min.js beside the pages (chart outputs load it from there: STACKLESS_PLOTLY_JS), so the pages work
# offline.
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

rm -rf "$out" "$logs"
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
echo "run-notebooks: packed StacklessInteractive.Kernel $version into artifacts/feed"

echo "run-notebooks: building the exporter (tools/NotebookExport)"
dotnet build tools/NotebookExport/StacklessInteractive.NotebookExport.csproj -c Release -o "$exporter_dir" --nologo \
  >"$logs/exporter-build.log" 2>&1 9>&- || setup_failed "building tools/NotebookExport" "$logs/exporter-build.log"
export_tool() { dotnet "$exporter_dir/StacklessInteractive.NotebookExport.dll" "$@" 9>&-; }
export_tool plotly --out "$out" >"$logs/plotly.log" 2>&1 || setup_failed "copying plotly.min.js" "$logs/plotly.log"

passed=0
failed=0
for notebook in "${notebooks[@]}"; do
  name=$(basename "$notebook" .ipynb)
  echo "RUN  $notebook"
  if [ ! -f "$notebook" ]; then
    echo "FAIL $notebook: no such file"
    failed=$((failed + 1))
    continue
  fi
  t0=$(date +%s%N)
  # No standard input (as in CI); dotnet-repl prints nothing useful, its output goes to the log anyway.
  (cd "$(dirname "$notebook")" &&
    STACKLESS_PLOTLY_JS=plotly.min.js timeout -k 30 "$timeout_seconds" \
      dotnet repl --run "$(basename "$notebook")" --exit-after-run --output-path "$root/$out/$name.ipynb" \
        --log-path "$root/$logs/$name.repl") \
    </dev/null >"$logs/$name.log" 2>&1 9>&-
  code=$?
  seconds=$(awk -v a="$t0" -v b="$(date +%s%N)" 'BEGIN { printf "%.1f", (b - a) / 1e9 }')
  echo "dotnet-repl exit code $code after $seconds s; its own log (each cell's commands and events): $logs/$name.repl/" \
    >>"$logs/$name.log"
  export_tool page --executed "$out/$name.ipynb" --source "$notebook" --exit-code "$code" --seconds "$seconds" \
    --timeout "$timeout_seconds" --log "$logs/$name.log" --repl-log "$logs/$name.repl" 2>"$logs/$name.export.log"
  case $? in
    0) passed=$((passed + 1)) ;;
    1) failed=$((failed + 1)) ;;
    *) failed=$((failed + 1))
       echo "FAIL $notebook: the exporter failed (see $logs/$name.export.log)"
       tail -n 5 "$logs/$name.export.log" | sed 's/^/  | /' ;;
  esac
done

index_ok=true
export_tool index --out "$out" 2>"$logs/index.log" || { index_ok=false; echo "run-notebooks: writing index.html failed (see $logs/index.log)"; }
echo "run-notebooks: $(( $(date +%s) - started )) s; pages in $out/index.html, logs in $logs/"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && $index_ok

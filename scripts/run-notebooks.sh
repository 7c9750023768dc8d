#!/usr/bin/env bash
# The main job: run every notebook headless in a real notebook host and write the executed notebooks and
# their HTML pages to artifacts/notebooks/.
#
# Not built yet: the notebooks arrive with the "Notebooks" issue, which builds on the kernel extension.
# Until then this says so and succeeds, so that .ci/run can already call it.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "run-notebooks: no notebooks yet (they come with the notebooks issue); nothing to run."

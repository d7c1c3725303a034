#!/usr/bin/env bash
# Runs once after the dev container is created (postCreateCommand): local tools, Jupyter with the .NET kernel, and a
# build of the library the notebooks load. Jupyter is optional (VS Code's notebook extension and the runner need
# none), so its steps warn instead of failing. The apt packages are the Jupyter ones in environment/apt-packages.txt.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== dotnet tool restore (dotnet-repl, dotnet-interactive)"
dotnet tool restore

echo "== Jupyter (optional)"
if ! command -v jupyter >/dev/null 2>&1; then
  if [ "$(id -u)" -eq 0 ]; then sudo=(); else sudo=(sudo -n); fi
  { "${sudo[@]}" apt-get update \
      && "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
           jupyter-notebook jupyter-client jupyter-nbconvert python3-nbclient; } \
    || python3 -m pip install --user jupyter \
    || echo "post-create: Jupyter was not installed; notebooks still open in VS Code, and the runner needs no kernel"
fi
mkdir -p ~/.local/share/jupyter/kernels   # 'jupyter install' fails when this folder is missing
dotnet tool run dotnet-interactive jupyter install \
  || echo "post-create: the .NET Jupyter kernel was not registered; retry with: dotnet tool run dotnet-interactive jupyter install"

echo "== dotnet build Notebooks.sln (notebooks load src/Palimpsest.Cli/bin/lib/Palimpsest.Papers.dll)"
dotnet build Notebooks.sln

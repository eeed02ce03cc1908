#!/usr/bin/env bash
# Print the path of a Python 3.10 interpreter (Rasa 3.6 runs on 3.10, not 3.11+).
# Order: $PYTHON, python3.10 on PATH, pyenv's 3.10.x. Exit 1 with advice when none is found.
set -u
is310() { "$1" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))' 2>/dev/null; }
candidates=()
[ -n "${PYTHON:-}" ] && candidates+=("$PYTHON")
command -v python3.10 >/dev/null 2>&1 && candidates+=("$(command -v python3.10)")
if command -v pyenv >/dev/null 2>&1; then
  for dir in "$(pyenv root)"/versions/3.10.*; do [ -x "$dir/bin/python" ] && candidates+=("$dir/bin/python"); done
fi
for dir in "$HOME"/.pyenv/versions/3.10.* /usr/local/bin /usr/bin; do
  [ -x "$dir/bin/python" ] && candidates+=("$dir/bin/python")
  [ -x "$dir/python3.10" ] && candidates+=("$dir/python3.10")
done
for python in "${candidates[@]}"; do
  # pyenv's shim needs PYENV_VERSION to pick 3.10; the real binaries ignore it.
  if PYENV_VERSION=3.10.13 is310 "$python"; then
    # Print the real interpreter, not the shim, so later calls need no PYENV_VERSION.
    PYENV_VERSION=3.10.13 "$python" -c "import sys; print(sys.executable)"; exit 0
  fi
done
cat >&2 <<'MSG'
No Python 3.10 found (Rasa 3.6 needs Python 3.10; 3.11 and newer do not work).
Install one, then run make again:
  - with pyenv:   pyenv install 3.10.13
  - on Debian:    apt-get install python3.10 python3.10-venv   (where the release packages it)
  - or point to it: make run PYTHON=/path/to/python3.10
MSG
exit 1

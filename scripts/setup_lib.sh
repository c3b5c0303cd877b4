# Shared by scripts/setup.sh and scripts/setup-web.sh (sourced, not run): installing missing
# Debian packages and npm packages from a lockfile, each skipped when already done.

# install_packages LABEL PKG...: apt-get installs the PKGs that dpkg does not know as installed
# (plus nodejs/npm when no node is on PATH). Uses sudo when not root.
install_packages() {
  local label=$1
  shift
  local packages=("$@") missing=() sudo=""
  command -v node >/dev/null 2>&1 || packages+=(nodejs npm)
  for p in "${packages[@]}"; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
  done
  [ "${#missing[@]}" -gt 0 ] || return 0
  [ "$(id -u)" = "0" ] || sudo="sudo"
  echo "$label: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}

# npm_ci LABEL DIR [NPM_ARG...]: `npm ci` in DIR when it has a lockfile and node_modules is missing
# or older than the lockfile.
npm_ci() {
  local label=$1 dir=$2
  shift 2
  [ -f "$dir/package-lock.json" ] || return 0
  if [ ! -d "$dir/node_modules" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules" ]; then
    echo "$label: npm ci in $dir"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error "$@" && touch node_modules)
  fi
}

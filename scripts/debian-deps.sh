# shellcheck shell=bash
# Sourced by scripts/dev.sh and scripts/ci-windows.sh (not run): installing the Debian
# packages a script needs, in one place.
#   missing_packages PKG...   prints, one a line, those of PKG not installed
#   install_packages PKG...   installs PKG (apt-get, as root or with sudo); none: nothing
#   install_missing PKG...    both: installs those of PKG not installed

as_root() {
    if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi
}

missing_packages() {
    local p
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || echo "$p"
    done
}

install_packages() {
    (($#)) || return 0
    echo "== installing Debian packages: $*"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        "$@" >/dev/null
}

install_missing() {
    local missing
    mapfile -t missing < <(missing_packages "$@")
    install_packages "${missing[@]}"
}

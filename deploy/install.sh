#!/usr/bin/env bash
# Installs Simpul as a systemd service: release binary, unit, config, adapters, schemas.
#
#   sudo deploy/install.sh                      build, install under /usr/local and /etc
#   deploy/install.sh --root /tmp/r --binary B  install B into the tree /tmp/r (no systemd, no user)
#
# Idempotent: a file is written only when its content or mode differs, so running it a
# second time changes nothing. Config the admin may have edited (/etc/simpul/simpul.json,
# the adapters) is never overwritten: the shipped version lands beside it as NAME.dist.
set -euo pipefail

usage() {
    cat <<'EOF'
usage: deploy/install.sh [--root DIR] [--prefix DIR] [--binary FILE]

  --root DIR     install into DIR as if it were / (also: DESTDIR=DIR); skips creating the
                 user, changing owners and telling systemd
  --prefix DIR   where the binary and schemas go (default /usr/local)
  --binary FILE  install this simpul binary instead of building one with
                 `swift build -c release --static-swift-stdlib --product simpul`
EOF
}

repository=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
root=${DESTDIR:-}
prefix=/usr/local
binary=""

while [ $# -gt 0 ]; do
    case "$1" in
        --root) root=${2:?--root needs a directory}; shift 2 ;;
        --prefix) prefix=${2:?--prefix needs a directory}; shift 2 ;;
        --binary) binary=${2:?--binary needs a file}; shift 2 ;;
        -h|--help) usage; exit 0 ;;
        *) echo "install.sh: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
    esac
done
case "$prefix" in /*) ;; *) echo "install.sh: --prefix must be an absolute path, not '$prefix'" >&2; exit 2 ;; esac
if [ -n "$root" ]; then
    mkdir -p "$root"
    root=$(cd "$root" && pwd)
fi
real_install=false
[ -z "$root" ] && real_install=true
if $real_install && [ "$(id -u)" != 0 ]; then
    echo "install.sh: run as root (sudo deploy/install.sh), or use --root DIR to install into a directory" >&2
    exit 2
fi

changed=0
note() { printf '%-10s %s\n' "$1" "$2"; }

# install_file SOURCE TARGET MODE: copies when the content or the mode differs.
install_file() {
    local source=$1 target=$2 mode=$3
    mkdir -p "$(dirname "$target")"
    if [ -f "$target" ] && cmp -s "$source" "$target" && [ "$(stat -c %a "$target")" = "$mode" ]; then
        return 0
    fi
    install -m "$mode" "$source" "$target.new"
    mv -f "$target.new" "$target"
    note installed "${target#"$root"}"
    changed=$((changed + 1))
}

# install_config SOURCE TARGET MODE: like install_file, but an existing file that differs
# is the admin's: it stays, and the shipped version goes to TARGET.dist.
install_config() {
    local source=$1 target=$2 mode=$3
    if [ -f "$target" ] && ! cmp -s "$source" "$target"; then
        if [ ! -f "$target.dist" ] || ! cmp -s "$source" "$target.dist"; then
            note kept "${target#"$root"} (yours differs; the shipped one is ${target#"$root"}.dist)"
        fi
        install_file "$source" "$target.dist" "$mode"
        return 0
    fi
    install_file "$source" "$target" "$mode"
}

make_directory() {
    local directory=$1 mode=$2
    if [ ! -d "$directory" ]; then
        install -d -m "$mode" "$directory"
        note created "${directory#"$root"}"
        changed=$((changed + 1))
    fi
    if [ "$(stat -c %a "$directory")" != "$mode" ]; then
        chmod "$mode" "$directory"
        note chmod "${directory#"$root"} $mode"
        changed=$((changed + 1))
    fi
}

# 1. The binary: built in release mode unless one was given.
if [ -z "$binary" ]; then
    echo "building the release binary (swift build -c release --static-swift-stdlib --product simpul); this takes a few minutes"
    (cd "$repository" && swift build -c release --static-swift-stdlib --product simpul)
    binary="$repository/.build/release/simpul"
fi
[ -x "$binary" ] || { echo "install.sh: $binary is not an executable file" >&2; exit 2; }

staging=$(mktemp -d)
trap 'rm -rf "$staging"' EXIT

install_file "$binary" "$root$prefix/bin/simpul" 755

# 2. The unit, with ExecStart pointing at the installed binary.
sed "s#/usr/local/#$prefix/#g" "$repository/deploy/simpul.service" > "$staging/simpul.service"
before=$changed
install_file "$staging/simpul.service" "$root/etc/systemd/system/simpul.service" 644
unit_changed=$((changed - before))

# 3. Config: the example with this prefix's schema folder.
make_directory "$root/etc/simpul" 755
sed "s#/usr/local/#$prefix/#g" "$repository/deploy/simpul.example.json" > "$staging/simpul.json"
install_config "$staging/simpul.json" "$root/etc/simpul/simpul.json" 640

# 4. Adapters (config an integrator edits) and schemas (versioned, never edited in place).
# (Process substitution, not a pipe: the loops must count changes in this shell.)
while read -r file; do
    install_config "$repository/adapters/$file" "$root/etc/simpul/adapters/${file#./}" 644
done < <(cd "$repository/adapters" && find . -type f ! -name '*.dist' | sort)
while read -r file; do
    install_file "$repository/schemas/$file" "$root$prefix/share/simpul/schemas/${file#./}" 644
done < <(cd "$repository/schemas" && find . -maxdepth 1 -type f | sort)
install_file "$repository/deploy/README.md" "$root$prefix/share/doc/simpul/README.md" 644

# 5. Where `simpul backup` writes (the unit lets the service write there and nowhere else).
make_directory "$root/var/backups/simpul" 700

# 6. The service user and owners, then systemd: only on a real install.
if $real_install; then
    if ! getent passwd simpul >/dev/null; then
        useradd --system --user-group --home-dir /var/lib/simpul --no-create-home --shell /usr/sbin/nologin simpul
        note created "user simpul"
        changed=$((changed + 1))
    fi
    chown root:simpul /etc/simpul/simpul.json
    chown simpul:simpul /var/backups/simpul
    if [ -d /run/systemd/system ]; then
        if [ "$unit_changed" != 0 ]; then systemctl daemon-reload; fi
    else
        echo "systemd is not running here: start with 'simpul serve --config /etc/simpul/simpul.json' as user simpul"
    fi
fi

if [ "$changed" = 0 ]; then
    echo "nothing to change: Simpul is installed and up to date"
else
    echo "$changed change(s). Next: sudo systemctl enable --now simpul   (see deploy/README.md)"
fi

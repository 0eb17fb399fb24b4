#!/usr/bin/env bash
# Release assets, the same way on every runner and in .ci/run:
#
#   package-release.sh archive VERSION TARGET BINARY OUTDIR
#       OUTDIR/tccert-VERSION-TARGET.tar.gz (.zip for Windows), holding
#       tccert-VERSION-TARGET/{tccert[.exe],README.md,LICENSE-MIT,LICENSE-APACHE}
#   package-release.sh checksums DIR
#       DIR/SHA256SUMS over every archive in DIR ("HASH  NAME", as sha256sum
#       writes it), then checked against the files
#   package-release.sh verify DIR
#       checks DIR/SHA256SUMS: every line matches its file, and every
#       archive in DIR has a line
#
# The action (.github/scripts/tccert-action.sh) and `cargo binstall`
# (Cargo.toml) expect exactly these names.
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"

die() {
    echo "package-release: $*" >&2
    exit 1
}

sha256_of() {
    if command -v sha256sum >/dev/null 2>&1; then
        sha256sum "$1" | cut -d ' ' -f 1
    else
        shasum -a 256 "$1" | cut -d ' ' -f 1
    fi
}

archives_in() {
    (cd "$1" && find . -maxdepth 1 -type f \( -name 'tccert-*.tar.gz' -o -name 'tccert-*.zip' \) | sed 's|^\./||' | LC_ALL=C sort)
}

archive() {
    [ "$#" -eq 4 ] || die "usage: archive VERSION TARGET BINARY OUTDIR"
    local version="$1" target="$2" binary="$3" outdir="$4" name staging exe=""
    [[ "$version" =~ ^v[0-9]+\.[0-9]+\.[0-9]+ ]] || die "$version is not a release tag (v0.1.0)"
    [ -f "$binary" ] || die "no binary at $binary"
    case "$target" in
    *-windows-*) exe=.exe ;;
    esac
    name="tccert-$version-$target"
    mkdir -p "$outdir"
    outdir="$(cd "$outdir" && pwd)"
    staging="$(mktemp -d)"
    mkdir "$staging/$name"
    cp "$binary" "$staging/$name/tccert$exe"
    cp "$root/README.md" "$root/LICENSE-MIT" "$root/LICENSE-APACHE" "$staging/$name/"
    if [ -n "$exe" ]; then
        rm -f "$outdir/$name.zip"
        # Windows runners have 7-Zip, not always zip.
        if command -v 7z >/dev/null 2>&1; then
            (cd "$staging" && 7z a -tzip -bd "$outdir/$name.zip" "$name" >/dev/null)
        else
            (cd "$staging" && zip -qr "$outdir/$name.zip" "$name")
        fi
        echo "$outdir/$name.zip"
    else
        tar -czf "$outdir/$name.tar.gz" -C "$staging" "$name"
        echo "$outdir/$name.tar.gz"
    fi
    rm -rf "$staging"
}

checksums() {
    [ "$#" -eq 1 ] || die "usage: checksums DIR"
    local dir="$1" file
    : >"$dir/SHA256SUMS.new"
    while IFS= read -r file; do
        printf '%s  %s\n' "$(sha256_of "$dir/$file")" "$file" >>"$dir/SHA256SUMS.new"
    done < <(archives_in "$dir")
    [ -s "$dir/SHA256SUMS.new" ] || die "no archive in $dir"
    mv "$dir/SHA256SUMS.new" "$dir/SHA256SUMS"
    verify "$dir"
}

verify() {
    [ "$#" -eq 1 ] || die "usage: verify DIR"
    local dir="$1" hash name file listed
    [ -f "$dir/SHA256SUMS" ] || die "no SHA256SUMS in $dir"
    while read -r hash name; do
        [[ "$hash" =~ ^[0-9a-f]{64}$ ]] || die "SHA256SUMS: '$hash $name' is not a SHA-256 line"
        [ -f "$dir/$name" ] || die "SHA256SUMS lists $name, which is not in $dir"
        [ "$(sha256_of "$dir/$name")" = "$hash" ] || die "$name does not match SHA256SUMS"
    done <"$dir/SHA256SUMS"
    while IFS= read -r file; do
        listed=$(awk -v name="$file" '$2 == name' "$dir/SHA256SUMS" | wc -l | tr -d ' ')
        [ "$listed" = 1 ] || die "$file has $listed lines in SHA256SUMS, not 1"
    done < <(archives_in "$dir")
    echo "SHA256SUMS matches the $(wc -l <"$dir/SHA256SUMS" | tr -d ' ') archives in $dir"
}

case "${1:-}" in
archive) shift && archive "$@" ;;
checksums) shift && checksums "$@" ;;
verify) shift && verify "$@" ;;
*) die "usage: $0 archive|checksums|verify ..." ;;
esac

#!/usr/bin/env bash
# The steps of the GitHub Action (action.yml at the repository root), kept
# in a file of their own so that shellcheck reads them and .ci/action-test
# runs them outside GitHub, against a release served on loopback.
#
#   tccert-action.sh resolve   the release and asset for this runner
#                              (outputs: version, target, install-dir, cache-key)
#   tccert-action.sh install   download, verify the SHA-256, unpack; or build
#                              with cargo where no asset fits
#                              (outputs: path, version, installed)
#   tccert-action.sh run       tccert COMMAND ARGS, with --json-out for plan and apply
#                              (outputs: exit-code, report, report-json)
#
# Inputs come as environment variables (action.yml sets them), never pasted
# into the script, so no input can inject shell code. Written for bash 3.2
# (macOS runners may have no newer one): no associative arrays, no ${x,,},
# and empty arrays expanded as ${a[@]+"${a[@]}"}.
set -euo pipefail

# Where releases are downloaded from: <repository>/releases/download, the
# repository being the one line in Cargo.toml that names it. Tests (and a
# mirror) set TCCERT_RELEASES_URL instead.
RELEASE_TAG_PATTERN='^v[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$'
# The step outputs a report over this size only as a file: GitHub caps the
# outputs of a job at 1 MiB in all.
MAX_REPORT_OUTPUT_BYTES=1048576

die() {
    echo "::error title=tccert action::$*" >&2
    exit 1
}

note() {
    echo "tccert action: $*" >&2
}

# name=value to the step's outputs (GITHUB_OUTPUT), one line.
output() {
    printf '%s=%s\n' "$1" "$2" >>"${GITHUB_OUTPUT:?GITHUB_OUTPUT is not set}"
}

# A value over several lines, between a delimiter the value cannot hold.
output_multiline() {
    local delimiter
    delimiter="tccert_$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
    {
        printf '%s<<%s\n' "$1" "$delimiter"
        cat "$2"
        printf '\n%s\n' "$delimiter"
    } >>"${GITHUB_OUTPUT:?GITHUB_OUTPUT is not set}"
}

action_path() {
    local path="${TCCERT_ACTION_PATH:-${GITHUB_ACTION_PATH:-}}"
    [ -n "$path" ] || die "TCCERT_ACTION_PATH is not set: run this script from action.yml"
    printf '%s\n' "${path//\\//}"
}

# The `repository` of the action's own Cargo.toml: the one place it is set.
repository() {
    local url
    url=$(sed -n 's/^repository[[:space:]]*=[[:space:]]*"\([^"]*\)"[[:space:]]*$/\1/p' "$(action_path)/Cargo.toml" | head -n 1)
    [ -n "$url" ] || die "no repository = \"...\" in $(action_path)/Cargo.toml"
    printf '%s\n' "${url%/}"
}

releases_url() {
    if [ -n "${TCCERT_RELEASES_URL:-}" ]; then
        printf '%s\n' "${TCCERT_RELEASES_URL%/}"
    else
        printf '%s/releases/download\n' "$(repository)"
    fi
}

# v1.2.3 from 1.2.3 or v1.2.3; anything else is not a release tag.
release_tag() {
    local tag="$1"
    case "$tag" in
    [0-9]*) tag="v$tag" ;;
    esac
    if [[ "$tag" =~ $RELEASE_TAG_PATTERN ]]; then
        printf '%s\n' "$tag"
    fi
}

# The ref an action is used at is the last folder of its path on the
# runner (.../_actions/OWNER/NAME/REF); the fallback when github.action_ref
# is empty, as it can be in composite actions.
ref_from_action_path() {
    local path
    path=$(action_path)
    case "$path" in
    */_actions/*/*/*) printf '%s\n' "${path##*/}" ;;
    esac
}

# The release asset's target for this runner, or nothing where none is built.
runner_target() {
    case "${RUNNER_OS:-}/${RUNNER_ARCH:-}" in
    Linux/X64) echo x86_64-unknown-linux-musl ;;
    Linux/ARM64) echo aarch64-unknown-linux-musl ;;
    macOS/ARM64) echo aarch64-apple-darwin ;;
    macOS/X64) echo x86_64-apple-darwin ;;
    Windows/X64) echo x86_64-pc-windows-msvc ;;
    esac
}

exe_suffix() {
    if [ "${RUNNER_OS:-}" = Windows ]; then echo .exe; fi
}

resolve() {
    local version="" ref target install_root
    if [ -n "${INPUT_VERSION:-}" ]; then
        version=$(release_tag "$INPUT_VERSION")
        [ -n "$version" ] || die "version: '$INPUT_VERSION' is not a release tag (like v0.1.0)"
    else
        ref="${TCCERT_ACTION_REF:-}"
        [ -n "$ref" ] || ref=$(ref_from_action_path)
        version=$(release_tag "$ref")
        if [ -z "$version" ]; then
            note "the action is used at '${ref:-a local path}', not at a release tag: building its own source with cargo (minutes). Use it at a release tag (OWNER/tccert@v0.1.0) or set 'version' to install a release binary in seconds."
        fi
    fi
    target=$(runner_target)
    install_root="${RUNNER_TOOL_CACHE:-${RUNNER_TEMP:-${TMPDIR:-/tmp}}}/tccert"
    if [ -n "$version" ]; then
        output version "$version"
        output target "$target"
        output install-dir "$install_root/$version/${target:-${RUNNER_OS:-unknown}-${RUNNER_ARCH:-unknown}}"
        output cache-key "tccert-$version-${RUNNER_OS:-unknown}-${RUNNER_ARCH:-unknown}"
    else
        # A build of whatever source the action has: nothing to key a cache on.
        output version source
        output target ""
        output install-dir "$install_root/source"
        output cache-key ""
    fi
}

sha256_of() {
    if command -v sha256sum >/dev/null 2>&1; then
        sha256sum "$1" | cut -d ' ' -f 1
    elif command -v shasum >/dev/null 2>&1; then
        shasum -a 256 "$1" | cut -d ' ' -f 1
    else
        openssl dgst -sha256 -r "$1" | cut -d ' ' -f 1
    fi
}

# Downloads URL to FILE; prints the HTTP status. Only HTTPS, but for a
# loopback TCCERT_RELEASES_URL (the tests).
fetch() {
    local protocols='=https'
    case "$1" in
    http://127.0.0.1[:/]* | http://localhost[:/]*) protocols='=http,https' ;;
    esac
    curl --silent --show-error --location --proto "$protocols" --proto-redir "$protocols" \
        --retry 3 --retry-delay 2 --connect-timeout 20 --max-time 300 \
        --output "$2" --write-out '%{http_code}' "$1"
}

unpack() {
    case "$1" in
    *.tar.gz) tar -xzf "$1" -C "$2" ;;
    *.zip)
        if command -v unzip >/dev/null 2>&1; then
            unzip -q "$1" -d "$2"
        elif command -v 7z >/dev/null 2>&1; then
            7z x -bd -y "-o$2" "$1" >/dev/null
        else
            powershell -NoProfile -Command "Expand-Archive -LiteralPath '$1' -DestinationPath '$2'"
        fi
        ;;
    *) die "cannot unpack $1" ;;
    esac
}

# Downloads the release asset and SHA256SUMS, checks the asset against it
# and puts the binary in INSTALL_DIR/bin. Returns 2 when the release has no
# such asset (the caller builds instead); any other problem stops the run:
# a checksum that does not match is never worked around.
download_and_verify() {
    local version="$1" target="$2" install_dir="$3"
    local extension=tar.gz base work asset status expected actual unpacked binary
    [ "${RUNNER_OS:-}" != Windows ] || extension=zip
    base="$(releases_url)/$version"
    asset="tccert-$version-$target.$extension"
    work=$(mktemp -d "${RUNNER_TEMP:-${TMPDIR:-/tmp}}/tccert-download.XXXXXX")
    status=$(fetch "$base/$asset" "$work/$asset") || die "cannot download $base/$asset"
    if [ "$status" = 404 ]; then
        note "$base/$asset: not found (HTTP 404)"
        rm -rf "$work"
        return 2
    fi
    [ "$status" = 200 ] || die "cannot download $base/$asset: HTTP $status"
    status=$(fetch "$base/SHA256SUMS" "$work/SHA256SUMS") || die "cannot download $base/SHA256SUMS"
    [ "$status" = 200 ] || die "cannot download $base/SHA256SUMS (HTTP $status): an asset is never installed unverified"
    # "HASH  NAME" (or "HASH *NAME", binary mode): exactly one line for it.
    expected=$(awk -v name="$asset" '$2 == name || $2 == "*" name { print $1 }' "$work/SHA256SUMS")
    [[ "$expected" =~ ^[0-9a-f]{64}$ ]] || die "SHA256SUMS of $version has no single line for $asset; nothing was installed"
    actual=$(sha256_of "$work/$asset")
    [ "$actual" = "$expected" ] || die "$asset does not match SHA256SUMS (expected $expected, got $actual); nothing was installed"
    note "$asset: SHA-256 $actual matches SHA256SUMS"
    unpacked="$work/unpacked"
    mkdir -p "$unpacked"
    unpack "$work/$asset" "$unpacked"
    binary="$unpacked/tccert-$version-$target/tccert$(exe_suffix)"
    [ -f "$binary" ] || die "$asset holds no tccert-$version-$target/tccert$(exe_suffix)"
    mkdir -p "$install_dir/bin"
    mv -f "$binary" "$install_dir/bin/"
    chmod +x "$install_dir/bin/tccert$(exe_suffix)"
    rm -rf "$work"
}

install() {
    local version="${TCCERT_VERSION:?}" target="${TCCERT_TARGET:-}" install_dir="${TCCERT_INSTALL_DIR:?}"
    local binary installed=true reported
    binary="$install_dir/bin/tccert$(exe_suffix)"
    if [ "$version" = source ]; then
        note "cargo install --locked --profile dist --path $(action_path)"
        # One target directory for the job: a second use of the action in
        # the same job finds the build fresh instead of compiling again.
        CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-${RUNNER_TEMP:-${TMPDIR:-/tmp}}/tccert-source-target}" \
            cargo install --locked --profile dist --path "$(action_path)" --root "$install_dir" --force
    elif [ -x "$binary" ] && [ "$("$binary" --version 2>/dev/null)" = "tccert ${version#v}" ]; then
        note "tccert $version from the cache"
        installed=false
    elif [ -n "$target" ] && download_and_verify "$version" "$target" "$install_dir"; then
        :
    else
        # No asset for this runner, or none in this release: build that tag.
        note "no release asset for ${RUNNER_OS:-this OS}/${RUNNER_ARCH:-this architecture}: building $version with cargo (minutes)"
        command -v cargo >/dev/null 2>&1 || die "no release asset fits this runner and cargo is not installed (add a Rust toolchain step first)"
        cargo install --locked --profile dist --git "$(repository)" --tag "$version" --root "$install_dir" --force tccert
    fi
    [ -x "$binary" ] || die "no tccert at $binary after installing"
    reported=$("$binary" --version) || die "$binary does not run on this runner"
    note "installed: $reported ($binary)"
    if [ "$version" != source ] && [ "$reported" != "tccert ${version#v}" ]; then
        die "$binary says '$reported', not tccert ${version#v}"
    fi
    printf '%s\n' "$install_dir/bin" >>"${GITHUB_PATH:?GITHUB_PATH is not set}"
    output path "$binary"
    output version "$version"
    output installed "$installed"
}

run() {
    local command="${INPUT_COMMAND:?}" binary="${TCCERT_BIN:-tccert}"
    local -a args=() extra=()
    local report="" argument want_report=false code
    # Arguments split at spaces, tabs and newlines; `read` neither globs nor
    # expands, so `*` or `$X` in args reach tccert as written.
    local words="${INPUT_ARGS:-}"
    words="${words//$'\r'/ }"
    read -r -d '' -a args <<<"${words//$'\n'/ }" || true
    case "$command" in
    plan | apply) want_report=true ;;
    esac
    if $want_report; then
        for argument in ${args[@]+"${args[@]}"}; do
            case "$argument" in
            --json-out=*) report="${argument#--json-out=}" ;;
            --json-out) report=next ;;
            *) if [ "$report" = next ]; then report="$argument"; fi ;;
            esac
        done
        if [ -z "$report" ] || [ "$report" = next ]; then
            report="$(mktemp -d "${RUNNER_TEMP:-${TMPDIR:-/tmp}}/tccert-report.XXXXXX")/report.json"
            extra=(--json-out "$report")
        fi
    fi
    set +e
    "$binary" "$command" ${args[@]+"${args[@]}"} ${extra[@]+"${extra[@]}"}
    code=$?
    set -e
    output exit-code "$code"
    if [ -n "$report" ] && [ -s "$report" ]; then
        output report "$report"
        if [ "$(wc -c <"$report")" -le "$MAX_REPORT_OUTPUT_BYTES" ]; then
            output_multiline report-json "$report"
        else
            note "the JSON report is over 1 MiB: read it from the file named by the 'report' output"
            output report-json ""
        fi
    else
        output report ""
        output report-json ""
    fi
    # 2 is plan --detailed-exitcode's "there are changes": what it was asked.
    case "$code" in
    0 | 2) return 0 ;;
    *) return "$code" ;;
    esac
}

case "${1:-}" in
resolve) resolve ;;
install) install ;;
run) run ;;
*)
    echo "usage: $0 resolve|install|run (the steps of action.yml)" >&2
    exit 2
    ;;
esac

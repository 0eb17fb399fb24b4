# syntax=docker/dockerfile:1
#
# tccert in a container: the static (musl) binary on a distroless base that
# has CA certificates and a non-root user, and nothing else (no shell, no
# package manager).
#
#   docker build -t tccert .
#   docker run --rm -v "$PWD:/work:ro" \
#     -e TENCENTCLOUD_SECRET_ID -e TENCENTCLOUD_SECRET_KEY tccert plan manifests/
#
# The release workflow (.github/workflows/release.yml) builds it for
# linux/amd64 and linux/arm64 and pushes ghcr.io/OWNER/tccert.

ARG RUST_VERSION=1.95

FROM rust:${RUST_VERSION}-alpine AS build
# ring compiles C and assembly for the target: the musl headers and a C
# compiler. Alpine's packages move with the base image's tag, which pins them.
# hadolint ignore=DL3018
RUN apk add --no-cache musl-dev
WORKDIR /src
COPY . .
# On Alpine the default target is *-linux-musl, linked statically: the binary
# needs no libc from the final image. The caches keep the crates and the
# build between builds on one machine; the binary is copied out of them.
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --profile dist --locked --bin tccert \
 && cp target/dist/tccert /usr/local/bin/tccert \
 && /usr/local/bin/tccert --version

# CA certificates (/etc/ssl/certs) for the HTTPS API, tzdata, /etc/passwd
# with nonroot (65532), and no shell.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /usr/local/bin/tccert /usr/local/bin/tccert
USER 65532:65532
WORKDIR /work
ENTRYPOINT ["tccert"]
CMD ["--help"]

# The image the Helm chart runs (deploy/helm/centra-wms): the release build of the one
# `centra-wms` binary (`centra-wms serve SERVICE`), non-root, nothing else.
#   docker build -t registry.example.com/centra-wms:0.1.0 .

FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
# Without the default `simulators` feature: no simulator, no demo in production.
RUN cargo build --release --locked --no-default-features -p centra-wms \
 && install -D target/release/centra-wms /out/centra-wms

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --gid 10001 centra-wms \
 && useradd --uid 10001 --gid 10001 --no-create-home --shell /usr/sbin/nologin centra-wms
COPY --from=build /out/centra-wms /usr/local/bin/centra-wms
USER 10001:10001
# gRPC 50051-50056, webhooks 8081/8082, health and metrics 9090 (as the chart wires them).
EXPOSE 50051 50052 50053 50054 50055 50056 8081 8082 9090
ENTRYPOINT ["/usr/local/bin/centra-wms"]
CMD ["--help"]

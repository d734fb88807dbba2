# syntax=docker/dockerfile:1
# The tlsbridge image: one program, run as `ingress`, `peer`, `check` or `pki init` (see
# docs/deployment.md and docker-compose.yml). Node runs the TypeScript sources directly (type
# stripping), so there is no build step: the first stage only installs production dependencies.

# It stays on Node rather than the single executable of `npm run build` (docs/deployment.md): that
# executable is built for linux-x64 only while this image builds wherever Docker runs (arm64 too),
# the health check below runs `node -e fetch(...)`, and the image build itself cannot be tested on
# the machines that run CI here (no Docker engine), so a change of base would ship untried.

ARG NODE_IMAGE=node:24-bookworm-slim

# ---- deps: production node_modules only ----------------------------------------------------------
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
# Every workspace's package.json, so `npm ci` sees the same workspaces as the lockfile (a test in
# test/deploy/dockerfile.test.ts keeps this list in step with packages/*).
COPY package.json package-lock.json ./
COPY packages/bench/package.json packages/bench/
COPY packages/cli/package.json packages/cli/
COPY packages/config/package.json packages/config/
COPY packages/ingress/package.json packages/ingress/
COPY packages/peer/package.json packages/peer/
COPY packages/rules/package.json packages/rules/
COPY packages/runtime/package.json packages/runtime/
COPY packages/transport/package.json packages/transport/
COPY packages/wire/package.json packages/wire/
# --omit=dev leaves out vitest, fast-check and the `node` package that pins Node 24 for
# development: the image's own node is 24. No install scripts: none of our dependencies needs one.
# typescript (23 MB) comes back as llhttp-wasm's peer dependency (for its .d.ts files only; the
# lockfile marks it neither dev nor peer because we also list it as a devDependency): drop it.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && rm -rf node_modules/typescript \
 && npm cache clean --force

# ---- runtime -------------------------------------------------------------------------------------
FROM ${NODE_IMAGE}
ENV NODE_ENV=production
WORKDIR /app
# A system user of its own (no shell, no home): the nodes, the pki job and the health check run as it.
# /pki and /etc/tlsbridge/pki belong to it, so a named volume mounted there starts out writable by it.
RUN groupadd --system --gid 10001 tlsbridge \
 && useradd --system --uid 10001 --gid tlsbridge --no-create-home --shell /usr/sbin/nologin tlsbridge \
 && mkdir -p /pki /etc/tlsbridge/pki \
 && chown tlsbridge:tlsbridge /pki /etc/tlsbridge/pki
# jemalloc instead of glibc's malloc (issue 9): after a burst of 1000 idle tunnels closed, glibc kept
# ~110 MiB per node (free chunks pinned between live ones; only malloc_trim, which JS cannot call,
# would hand them back) and a node crept up round after round; with jemalloc the same node is back
# within ~5 MiB of where it started. background_thread purges freed pages while the node is idle;
# dirty_decay_ms: they go back to the kernel after ~1 s rather than 10. A test runs the nodes with
# this MALLOC_CONF, read from here (test/robustness/memory-returns-after-tunnel-bursts.test.ts).
RUN apt-get update \
 && apt-get install -y --no-install-recommends libjemalloc2 \
 && rm -rf /var/lib/apt/lists/* \
 && ln -s "$(dpkg -L libjemalloc2 | grep '/libjemalloc[.]so[.]2$')" /usr/local/lib/libjemalloc.so.2
ENV LD_PRELOAD=/usr/local/lib/libjemalloc.so.2
ENV MALLOC_CONF=background_thread:true,dirty_decay_ms:1000
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
# Sources only: tests, benchmarks' results and local PKI are kept out by .dockerignore.
COPY packages ./packages
USER tlsbridge:tlsbridge

# GET /healthz on the node's admin listener (`admin: { listen: 127.0.0.1:9901 }` in its config;
# loopback inside the container is enough for Docker's check). --start-interval needs Docker
# Engine 25 or later.
ENV TLSBRIDGE_ADMIN_PORT=9901
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s --start-interval=1s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+process.env.TLSBRIDGE_ADMIN_PORT+'/healthz',{signal:AbortSignal.timeout(2000)}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]

EXPOSE 8080 4443
ENTRYPOINT ["node", "packages/cli/bin/tlsbridge.ts"]
CMD ["--help"]

# syntax=docker/dockerfile:1
# The tlsbridge image: one program, run as `ingress`, `peer`, `check` or `pki init` (see
# docs/deployment.md and docker-compose.yml). Node runs the TypeScript sources directly (type
# stripping), so there is no build step: the first stage only installs production dependencies.

ARG NODE_IMAGE=node:24-bookworm-slim

# ---- deps: production node_modules only ----------------------------------------------------------
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
# Every workspace's package.json, so `npm ci` sees the same workspaces as the lockfile (a test in
# test/deploy/dockerfile.test.ts keeps this list in step with packages/*).
COPY package.json package-lock.json ./
COPY packages/bench/package.json packages/bench/
COPY packages/cli/package.json packages/cli/
COPY packages/ingress/package.json packages/ingress/
COPY packages/peer/package.json packages/peer/
COPY packages/rules/package.json packages/rules/
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
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
# Sources only: tests, benchmarks' results and local PKI are kept out by .dockerignore.
COPY packages ./packages
USER tlsbridge:tlsbridge

# Plain TCP connect to the listen port (8080 by default; the peer's compose service sets 4443).
# --start-interval needs Docker Engine 25 or later. A connect without a TLS handshake shows up in
# the peer's log as a dropped connection every 30 s: another reason to move to /healthz.
# TODO(operations, issue 4): move to `GET /healthz` on the admin listener once it exists.
ENV TLSBRIDGE_HEALTH_PORT=8080
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s --start-interval=1s --retries=3 \
  CMD ["node", "-e", "const s=require('node:net').connect(+process.env.TLSBRIDGE_HEALTH_PORT,'127.0.0.1');s.setTimeout(2000,()=>process.exit(1));s.on('connect',()=>{s.destroy();process.exit(0)});s.on('error',()=>process.exit(1))"]

EXPOSE 8080 4443
ENTRYPOINT ["node", "packages/cli/bin/tlsbridge.ts"]
CMD ["--help"]

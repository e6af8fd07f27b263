# syntax=docker/dockerfile:1
#
# One small image per service, each a target of this file:
#   docker build --target registry -t microtodo-registry:0.1.0 .
# Targets: registry, auth, todo, logger, admin, cli (the helm test client).
# Every image runs `node services/<svc>/dist/main.js` under tini as user
# 1000, needs nothing writable but /tmp and its data volume, and holds
# only the production dependencies of its own workspace.

ARG NODE_IMAGE=node:22-bookworm-slim

# ---------------------------------------------------------------------------
# Toolchain: npm 11, the npm that wrote package-lock.json (Node 22 ships
# npm 10, with which Vite 8, admin's bundler, was seen not to install),
# and a compiler for native addons (better-sqlite3) for when no prebuilt
# binary fits. Also every workspace's package.json, so
# `npm ci` layers stay cached until a manifest changes.
FROM ${NODE_IMAGE} AS toolchain
ARG NPM_VERSION=11.19.1
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/* \
 && npm install --global --no-audit --no-fund "npm@${NPM_VERSION}"
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
COPY services/api/package.json services/api/
COPY services/kit/package.json services/kit/
COPY services/registry/package.json services/registry/
COPY services/auth/package.json services/auth/
COPY services/todo/package.json services/todo/
COPY services/logger/package.json services/logger/
COPY services/admin/package.json services/admin/
COPY services/cli/package.json services/cli/
COPY services/stack/package.json services/stack/

# ---------------------------------------------------------------------------
# Build: as `make build` does, admin's web UI bundled by Vite into
# services/admin/dist/web, then every workspace compiled by `tsc -b`.
FROM toolchain AS build
RUN --mount=type=cache,target=/root/.npm,sharing=locked npm ci --no-audit --no-fund
COPY tsconfig.base.json tsconfig.json ./
COPY services services
RUN npx vite build --config services/admin/vite.config.ts --logLevel warn \
 && npx tsc -b

# ---------------------------------------------------------------------------
# Runtime base: Node, tini as PID 1 (it forwards SIGTERM to node, whose
# runService drains, and reaps zombies), no npm or yarn, a non-root user.
FROM ${NODE_IMAGE} AS runtime
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/* \
 && rm -rf /usr/local/lib/node_modules/npm /usr/local/lib/node_modules/corepack \
      /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/corepack \
      /usr/local/bin/yarn /usr/local/bin/yarnpkg /opt/yarn-*
ENV NODE_ENV=production \
    NODE_OPTIONS=--enable-source-maps \
    MICROTODO_DATA_DIR=/data
WORKDIR /app
# The default data directory, writable by the service user when no volume
# is mounted there (`docker run` without one).
RUN mkdir /data && chown 1000:1000 /data
# Numeric, so the kubelet can check runAsNonRoot without reading /etc/passwd.
USER 1000:1000
ENTRYPOINT ["/usr/bin/tini", "--"]

# ---------------------------------------------------------------------------
# Per service: its production dependencies only (`npm ci --omit=dev
# --workspace`, which also links the workspaces it depends on), then the
# compiled output of those workspaces.

FROM toolchain AS registry-files
RUN --mount=type=cache,target=/root/.npm,sharing=locked \
    npm ci --omit=dev --no-audit --no-fund --workspace services/registry
COPY --from=build /app/services/api/dist services/api/dist
COPY --from=build /app/services/kit/dist services/kit/dist
COPY --from=build /app/services/registry/dist services/registry/dist

FROM runtime AS registry
COPY --from=registry-files /app /app
EXPOSE 8080 8081
CMD ["node", "services/registry/dist/main.js"]

FROM toolchain AS auth-files
RUN --mount=type=cache,target=/root/.npm,sharing=locked \
    npm ci --omit=dev --no-audit --no-fund --workspace services/auth
COPY --from=build /app/services/api/dist services/api/dist
COPY --from=build /app/services/kit/dist services/kit/dist
COPY --from=build /app/services/auth/dist services/auth/dist

FROM runtime AS auth
COPY --from=auth-files /app /app
EXPOSE 8082
CMD ["node", "services/auth/dist/main.js"]

FROM toolchain AS todo-files
RUN --mount=type=cache,target=/root/.npm,sharing=locked \
    npm ci --omit=dev --no-audit --no-fund --workspace services/todo
COPY --from=build /app/services/api/dist services/api/dist
COPY --from=build /app/services/kit/dist services/kit/dist
COPY --from=build /app/services/todo/dist services/todo/dist

FROM runtime AS todo
COPY --from=todo-files /app /app
EXPOSE 8083
CMD ["node", "services/todo/dist/main.js"]

FROM toolchain AS logger-files
RUN --mount=type=cache,target=/root/.npm,sharing=locked \
    npm ci --omit=dev --no-audit --no-fund --workspace services/logger
COPY --from=build /app/services/api/dist services/api/dist
COPY --from=build /app/services/kit/dist services/kit/dist
COPY --from=build /app/services/logger/dist services/logger/dist

FROM runtime AS logger
COPY --from=logger-files /app /app
EXPOSE 8084
CMD ["node", "services/logger/dist/main.js"]

FROM toolchain AS admin-files
RUN --mount=type=cache,target=/root/.npm,sharing=locked \
    npm ci --omit=dev --no-audit --no-fund --workspace services/admin
COPY --from=build /app/services/api/dist services/api/dist
COPY --from=build /app/services/kit/dist services/kit/dist
# dist/main.js and the web UI it serves from dist/web.
COPY --from=build /app/services/admin/dist services/admin/dist

FROM runtime AS admin
COPY --from=admin-files /app /app
EXPOSE 8090
CMD ["node", "services/admin/dist/main.js"]

FROM toolchain AS cli-files
RUN --mount=type=cache,target=/root/.npm,sharing=locked \
    npm ci --omit=dev --no-audit --no-fund --workspace services/cli
COPY --from=build /app/services/api/dist services/api/dist
COPY --from=build /app/services/cli/dist services/cli/dist

# The CLI, for `helm test` and for trying the system from inside the
# cluster: kubectl run -it --rm --image microtodo-cli:0.1.0 cli -- sh
FROM runtime AS cli
COPY --from=cli-files /app /app
ENV XDG_CONFIG_HOME=/tmp
CMD ["node", "services/cli/dist/main.js", "--help"]

# syntax=docker/dockerfile:1
# callfilter — the service in a container. Configured only through CALLFILTER_* environment variables
# (docs/configuration.md); the database lives in the /data volume. Build: docker build -t callfilter .

# ---- build: compile TypeScript and better-sqlite3's native module ------------------------------------------------
FROM node:22-bookworm AS build
# better-sqlite3 compiles from source when no prebuilt binary fits (arm64 Raspberry Pi, a new Node ABI).
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# Compile against the headers that ship in this image instead of downloading them.
ENV npm_config_nodedir=/usr/local

# Dependencies first, so a source change does not reinstall them. --ignore-scripts because the root package's
# `prepare` (tsc -b) cannot run before the sources are here; better-sqlite3 is the only dependency with an install
# step, and is built right after.
COPY package.json package-lock.json ./
COPY agi/package.json agi/
RUN npm ci --ignore-scripts --no-audit --no-fund \
 && npm rebuild better-sqlite3

COPY tsconfig.base.json tsconfig.json ./
COPY agi/tsconfig.json agi/
COPY agi/src agi/src
COPY src src
# The web page: web/src is compiled into dist/web by the same build (tsconfig.json references web/).
COPY web web
RUN npm run build \
 && npm prune --omit=dev --no-audit --no-fund

# ---- run: slim image, no compiler, non-root ---------------------------------------------------------------------
FROM node:22-bookworm-slim AS run
ENV NODE_ENV=production \
    CALLFILTER_DATA_DIR=/data \
    CALLFILTER_AGI_HOST=0.0.0.0 \
    CALLFILTER_HTTP_HOST=0.0.0.0

# A fixed uid/gid, so a bind-mounted data folder can be given to it on the host (chown 10001:10001 ./data).
RUN groupadd --system --gid 10001 callfilter \
 && useradd --system --uid 10001 --gid callfilter --home-dir /app --no-create-home --shell /usr/sbin/nologin callfilter \
 && mkdir /data \
 && chown callfilter:callfilter /data

WORKDIR /app
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/node_modules node_modules
COPY --from=build /app/agi/package.json agi/
COPY --from=build /app/agi/dist agi/dist
COPY --from=build /app/dist dist
COPY migrations migrations
COPY bin bin
# The page's hand-written files (HTML shell, stylesheet, icon); its scripts are in dist/web.
COPY web/static web/static
# The shipped dialplan, so `docker cp` can take it out of the image.
COPY dialplan dialplan
RUN ln -s /app/bin/callfilter.js /usr/local/bin/callfilter

USER callfilter
# A named volume copies this folder's owner (callfilter) on first use.
VOLUME /data
# FastAGI (CALLFILTER_AGI_PORT) and the admin API (CALLFILTER_HTTP_PORT).
EXPOSE 4573 8080

# /healthz needs no token. Node's own fetch: the slim image has no curl, and needs none.
HEALTHCHECK --interval=30s --timeout=5s --start-period=15s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.CALLFILTER_HTTP_PORT || '8080') + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

# Node flags: src/node-flags.ts says why. server.ts closes gracefully on SIGTERM (docker stop); run with `init: true` / --init to reap stray children.
CMD ["node", "--max-semi-space-size=8", "dist/src/server.js"]

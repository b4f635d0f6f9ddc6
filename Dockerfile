# Fluent Jobs: one image for the web app, the workers and the cron poller; its command picks the role.
#   docker build -t fluent-jobs .
#   docker run -d -p 3000:3000 -v fluent-jobs-data:/app/data --stop-timeout 30 fluent-jobs    all three, as npm start
#   docker run -d -v fluent-jobs-data:/app/data --stop-timeout 30 fluent-jobs worker          one more worker
#   docker run --rm -v fluent-jobs-data:/app/data fluent-jobs jobs list --status failed       the CLI
# Roles (src/image/roles.ts): all (the default), web, worker, cron, jobs <command>, health.
# deploy/compose.yaml runs app + 2 workers + cron on one volume; deploy/compose.turso.yaml on Turso.
#
# Base image: Node 24 LTS on Debian 12, pinned by version tag in both stages. To pin its exact bytes
# as well, add the digest `docker buildx imagetools inspect node:24.11.1-bookworm-slim` prints:
#   FROM node:24.11.1-bookworm-slim@sha256:<digest> AS build

# ---- build: compilers, every dependency, the Next.js build and the compiled entry point ----
FROM node:24.11.1-bookworm-slim AS build
WORKDIR /app
ENV NEXT_TELEMETRY_DISABLED=1

# python3, make and g++ compile better-sqlite3's native module when no prebuilt binary fits this Node.
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*

# Dependencies first, so that a change to the sources reuses this layer.
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

# next build also writes .next/standalone/ (next.config.ts): server.js and only the node_modules
# files the server needs, better-sqlite3 and @libsql/client included, which is all the compiled
# entry point (.build/image/, src/image/bundle.mjs) loads from node_modules too. Then out of the
# standalone server: sharp and libvips (the image optimiser is off) and libsql's musl build (Debian is glibc).
COPY . .
RUN node_modules/.bin/next build \
  && node src/image/bundle.mjs \
  && rm -rf .next/standalone/node_modules/sharp .next/standalone/node_modules/@img .next/standalone/node_modules/@libsql/linux-x64-musl

# ---- the image: no compilers, no devDependencies, no .next/cache, no sources ----
FROM node:24.11.1-bookworm-slim

# tini as PID 1 hands docker stop's SIGTERM to node (a worker then finishes its running jobs) and reaps orphans.
RUN apt-get update \
  && apt-get install -y --no-install-recommends tini \
  && rm -rf /var/lib/apt/lists/*

# The same folder as the build stage's: Next's server finds the project's files (drizzle/) from its own place.
WORKDIR /app
COPY --from=build --chown=node:node /app/.next/standalone ./
COPY --from=build --chown=node:node /app/.next/static ./.next/static
COPY --from=build --chown=node:node /app/.build/image ./.build/image
COPY --from=build --chown=node:node /app/drizzle ./drizzle
# There is no public/ folder (the icon is src/app/icon.svg); one added later must be copied as well:
#   COPY --from=build --chown=node:node /app/public ./public

# The data folder holds the database, its WAL, the doorbell's sockets and the generated admin token.
# Made here and owned by the app's user, so that a new named volume mounted on it is too.
RUN mkdir -p /app/data && chown node:node /app/data
VOLUME /app/data

# An absolute database path: Next's server.js works from its own folder, and every role opens the same file.
# HOSTNAME is the container's id by default: the web app should listen on every interface.
ENV NEXT_TELEMETRY_DISABLED=1 \
    DATABASE_URL=file:/app/data/jobs.db \
    HOSTNAME=0.0.0.0 \
    PORT=3000
EXPOSE 3000

USER node

# A web container (all, web) is healthy when GET /api/health answers 200; a worker or cron container while it runs.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "/app/.build/image/main.mjs", "health"]

# On docker stop a worker has JOBS_SHUTDOWN_GRACE_MS (10 s) to finish its running jobs, plus 2 s for a job
# that ignores its abort signal: give the container more than Docker's default 10 s (--stop-timeout 30).
ENTRYPOINT ["/usr/bin/tini", "--", "node", "/app/.build/image/main.mjs"]
CMD ["all"]

# Fluent Jobs: the web app and one worker (npm start's supervisor), database in a volume.
#   docker build -t fluent-jobs .
#   docker run -p 3000:3000 -v fluent-jobs-data:/app/data --stop-timeout 30 fluent-jobs
# More workers: the same image with `node --import tsx src/worker/main.ts` as the command.
FROM node:22-bookworm-slim

WORKDIR /app
ENV NEXT_TELEMETRY_DISABLED=1

# python3, make and g++ build better-sqlite3's native module; tini passes signals to the supervisor.
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ tini \
  && rm -rf /var/lib/apt/lists/*

COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

COPY . .
# The compiled CLI (bin/jobs): npm ci above ran before the sources were here, so its build waited.
RUN node_modules/.bin/next build && npm run build:cli

# An absolute database path: every process opens the same file whatever its working directory.
# HOSTNAME is the container id by default; the web app should listen on every interface.
ENV DATABASE_URL=file:/app/data/jobs.db \
    HOSTNAME=0.0.0.0 \
    PORT=3000
VOLUME /app/data
EXPOSE 3000

# On `docker stop` the worker gets JOBS_SHUTDOWN_GRACE_MS (10 s) to finish running jobs:
# give the container more than Docker's default 10 s (--stop-timeout 30).
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "--import", "tsx", "src/start/main.ts"]

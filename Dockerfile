# syntax=docker/dockerfile:1
# One image recipe for every Ballast service (and the migration one-shot): docker-compose.yml builds it once
# per service with PACKAGE set, e.g. `docker build --build-arg PACKAGE=@ballast/orders-service .`.
# Packages export TypeScript sources (ADR 1), so the runtime runs them with tsx; there is no compile step.

FROM node:20-bookworm-slim AS base
RUN npm install -g pnpm@10.34.9 tsx@4.23.15 && npm cache clean --force

# --- build: the whole workspace, then a self-contained copy of one package and its production deps ---
FROM base AS build
# talib compiles a native addon; .npmrc points node-gyp at /usr for headers, which this image keeps in /usr/local.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/* \
  && ln -s /usr/local/include/node /usr/include/node
WORKDIR /repo
COPY . .
RUN CI=true pnpm install --frozen-lockfile
ARG PACKAGE=@ballast/market-data-service
# The gateway serves a built web app; no other package has a build step. The dist is stamped with its
# sources' hash, so the runtime (no vite there) serves it although deploy leaves the sources newer.
RUN if [ "$PACKAGE" = "@ballast/gateway-service" ]; then pnpm --filter "$PACKAGE" run build:web; fi
RUN pnpm --filter "$PACKAGE" deploy --prod --legacy /out

# --- runtime: only that package, as a non-root user ---
FROM base AS runtime
RUN useradd --create-home --uid 10001 --user-group ballast
WORKDIR /app
# Owned by root, read-only for the service: it writes nothing but logs to stdout.
COPY --from=build /out /app
USER ballast
ENV NODE_ENV=production HTTP_HOST=0.0.0.0 HTTP_PORT=8080
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=5 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.HTTP_PORT||8080)+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# tsx forwards SIGTERM to the service, which drains the bus and exits 0 (runService).
CMD ["tsx", "src/main.ts"]

# One image for every Ballast service; SERVICE picks which one runs. A first sketch: the stack issue
# turns this into per-service `pnpm deploy` stages.
FROM node:20-bookworm-slim AS deps
RUN npm i -g pnpm@10.34.9
WORKDIR /app
COPY . .
RUN CI=true pnpm install --frozen-lockfile

FROM node:20-bookworm-slim
RUN npm i -g pnpm@10.34.9 && useradd --create-home --uid 10001 ballast
WORKDIR /app
COPY --from=deps --chown=ballast:ballast /app /app
USER ballast
ENV NODE_ENV=production HTTP_HOST=0.0.0.0 HTTP_PORT=8080
HEALTHCHECK --interval=10s --timeout=3s --retries=5 \
  CMD node -e "fetch('http://127.0.0.1:'+process.env.HTTP_PORT+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["sh", "-c", "exec pnpm --filter \"@ballast/${SERVICE}-service\" start"]

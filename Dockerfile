# Multi-stage build: compile TypeScript once with the dev dependencies, then run on production dependencies
# only, as the unprivileged user `node`. One image serves the API and the worker (docker-compose.yml).
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY apps apps
COPY libs libs
COPY bench bench
COPY scripts scripts
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
# glibc's malloc in two arenas rather than one per thread: some 60 MB less resident memory per process.
ENV MALLOC_ARENA_MAX=2
WORKDIR /app
COPY --from=build --chown=node:node /app/node_modules node_modules
COPY --from=build --chown=node:node /app/dist dist
COPY --chown=node:node package.json ./
# Evidence files (photos, PDFs) when kept on a volume rather than in a bucket: owned by the user the app runs as.
RUN mkdir -p /var/lib/zhenggai/evidence && chown -R node:node /var/lib/zhenggai
USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s CMD ["node", "dist/scripts/healthcheck.js", "api"]
CMD ["node", "dist/apps/api/src/main.js"]

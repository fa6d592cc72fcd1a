# syntax=docker/dockerfile:1
# Node 26 is the Active LTS line since October 2026 (package.json engines: >=20.19).
# Build stage: compile TypeScript with the dev toolchain.
FROM node:26-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY schemas ./schemas
# scripts/compile-validators.js: the JSON-Schema validators as ajv standalone code, generated into dist/.
COPY scripts ./scripts
RUN npm run build

# Runtime stage: production dependencies only, non-root.
FROM node:26-slim
ENV NODE_ENV=production
# `cfgitops controller --git` fetches with the system git (HTTPS needs the CA bundle; SSH remotes need ssh).
RUN apt-get update && apt-get install -y --no-install-recommends git openssh-client ca-certificates \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` would try to build again without the dev toolchain.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force \
 && ln -s /app/bin/cfgitops.js /usr/local/bin/cfgitops
COPY bin ./bin
COPY schemas ./schemas
COPY --from=build /src/dist ./dist
# Manifests are mounted at /workspace (the desired-state repo); state and secrets default to /workspace/.cfgitops.
RUN mkdir -p /workspace && chown node:node /workspace
USER node
WORKDIR /workspace
ENTRYPOINT ["cfgitops"]
CMD ["plan", "desired-state"]

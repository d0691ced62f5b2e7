# One image for Relay's worker, API and migrations; docker-compose.yml picks the command:
#   node dist/src/worker.js | node dist/src/api/server.js | npm run db:migrate
# Node.js 24 (active LTS). The image runs compiled JavaScript and holds no dev dependencies.
# (`npm install` if the lock lacks another platform's optional binaries, see .ci/run.)

# --- build: every dependency, TypeScript compiled to dist/ with the workflow bundle --------
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# Install scripts are skipped (no downloads at build time); the Prisma client is generated below.
RUN npm ci --ignore-scripts --no-audit --no-fund || npm install --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json prisma.config.ts ./
COPY prisma ./prisma
COPY tools ./tools
COPY src ./src
COPY scripts ./scripts
RUN npx prisma generate && npm run build

# --- runtime ------------------------------------------------------------------------------
FROM node:24-bookworm-slim AS runtime
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN (npm ci --omit=dev --ignore-scripts --no-audit --no-fund || npm install --omit=dev --ignore-scripts --no-audit --no-fund) \
  && npm cache clean --force
# `prisma migrate deploy` reads prisma.config.ts, which imports the configuration from src/;
# the schema engine lives in tools/. Relay's processes run from dist/.
COPY prisma.config.ts ./
COPY prisma ./prisma
COPY tools ./tools
COPY src ./src
COPY --from=build /app/dist ./dist
# The workflow bundle built ahead of time: workers start without webpack.
ENV WORKFLOW_BUNDLE_PATH=/app/dist/workflow-bundle.js
USER node
CMD ["node", "dist/src/worker.js"]

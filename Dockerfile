# One image for Relay's worker, API and migrations; docker-compose.yml picks the command.
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json prisma.config.ts tsconfig.json ./
COPY prisma ./prisma
COPY tools ./tools
COPY src ./src
# postinstall runs `prisma generate`; tsx runs the TypeScript sources directly.
# (`npm install` if the lock lacks another platform's optional binaries, see .ci/run.)
RUN (npm ci --omit=dev --no-audit --no-fund || npm install --omit=dev --no-audit --no-fund) && npm cache clean --force
USER node
CMD ["npm", "run", "worker"]

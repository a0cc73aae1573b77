# One image for every keyfleet process; the command picks the app (api, worker, rotator, gemini-sim).
FROM node:22-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.base.json tsconfig.json ./
COPY apps ./apps
COPY libs ./libs
COPY tools ./tools
USER node
EXPOSE 8080
CMD ["node", "-r", "@swc-node/register", "apps/api/src/main.ts"]

# The exchange: docker build -t gpu-hour-exchange . && docker run -p 8080:8080 -e ADMIN_API_KEY=... gpu-hour-exchange
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# The client SDK is a workspace package the exchange uses too: \`npm ci\` builds it (the root \`prepare\`).
COPY packages ./packages
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY migrations ./migrations
COPY bench ./bench
COPY loadtest ./loadtest
COPY web ./web
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production HOST=0.0.0.0 PORT=8080 DATA_DIR=/data
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/packages ./packages
COPY package.json ./
VOLUME /data
EXPOSE 8080
CMD ["node", "--max-semi-space-size=64", "dist/src/main.js"]

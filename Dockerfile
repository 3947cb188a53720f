# Build: compile TypeScript, then keep only production dependencies.
FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev

FROM node:22-bookworm-slim
WORKDIR /app
ENV HOST=0.0.0.0 PORT=3000 DATA_DIR=/data
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY migrations ./migrations
USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s CMD node -e "fetch('http://127.0.0.1:3000/health/ready').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"
# node directly (not npm) so SIGTERM reaches the server and it drains in-flight requests. The flags
# are the service's memory budget (package.json config.nodeOptions, as npm start passes them; a test
# holds the three equal): without a cap V8 sizes its heap for the whole machine and lets garbage
# pile up. On the command line, not in NODE_OPTIONS, so scripts run in the container keep Node's defaults.
CMD ["node", "--max-old-space-size=128", "--max-semi-space-size=8", "dist/server.js"]

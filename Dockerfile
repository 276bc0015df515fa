# The exchange, built from source. Untested here: no Docker engine runs on the project's
# machines (see README). better-sqlite3 compiles at install, hence the build tools.
FROM node:20-bookworm-slim AS build
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY web ./web
COPY bin ./bin
RUN npm ci && npm prune --omit=dev

FROM node:20-bookworm-slim
WORKDIR /app
COPY --from=build /app /app
RUN mkdir -p /app/data && chown node:node /app/data
ENV NODE_ENV=production
# The HTTP side (API, feed, metrics, dashboard) binds loopback by default; in a container
# it must bind all interfaces to be reachable: serve --http-host 0.0.0.0, and set
# EXCHANGE_API_TOKEN.
EXPOSE 12345 12346 8080
VOLUME ["/app/data"]
USER node
ENTRYPOINT ["./bin/exchange"]
CMD ["serve"]

# The exchange, built from source. BASE_IMAGE is a Debian bookworm image with Node.js 20 and npm
# under /usr/local and a user `node`: the public node image by default, or the local one that
# docker/base-image.sh makes from Debian's packages and the npm registry, where no image
# registry is reachable (README, "Docker"):
#   docker build -t exchange-matching .
#   docker build --network host --build-arg BASE_IMAGE="$(docker/base-image.sh)" -t exchange-matching .
ARG BASE_IMAGE=node:20-bookworm-slim

FROM ${BASE_IMAGE} AS build
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
ENV npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false
WORKDIR /app
# The dependencies in a layer of their own, so that a change of source alone does not fetch
# and compile them again: installed without scripts, then their install scripts run (npm
# rebuild runs no `prepare`, which needs the source). better-sqlite3 compiles its native addon
# there (node-gyp, with python3, make and g++ above): always from source, the same on every
# machine, against Node's own headers in the image (nodedir) instead of a download. npm warns
# that it does not know these two settings: they are node-gyp's and prebuild-install's.
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts \
  && npm_config_nodedir=/usr/local npm_config_build_from_source=true npm rebuild
# Then the whole checkout less .dockerignore, built as `npm ci` builds it (prepare: tsc and the
# dashboard), and the dev dependencies dropped.
COPY . .
RUN npm run build && npm prune --omit=dev

FROM ${BASE_IMAGE}
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app /app
# The store's default place (sqlite:data/exchange.db), a volume written by the server's user.
RUN mkdir -p /app/data && chown node:node /app/data
# Classic and framed XML listeners; HTTP (API, feed, metrics, dashboard). The HTTP side binds
# 127.0.0.1 unless told otherwise: with --network host that is the host's loopback; to reach
# it through a port mapping, run `serve --http-host 0.0.0.0` with EXCHANGE_API_TOKEN set
# (without a token the exchange refuses to bind HTTP beyond loopback).
EXPOSE 12345 12346 8080
VOLUME ["/app/data"]
USER node
ENTRYPOINT ["./bin/exchange"]
CMD ["serve"]

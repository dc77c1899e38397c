# Flotilla's image for the Kubernetes deployment target: every pod of a cluster (job manager, task
# executors) runs `node /opt/flotilla/bin/flotilla.js <role>` from it, and the control plane can run
# from it too. Build and push it to a registry your cluster pulls from:
#
#   docker build -t registry.example.com/flotilla:0.1.0 .
#   docker push registry.example.com/flotilla:0.1.0
#   flotilla controlplane --deployment-target kubernetes --kubernetes-image registry.example.com/flotilla:0.1.0 …
#
# The tests build the same layout without Docker (scripts/k8s/image.mjs).
FROM node:20-bookworm-slim AS build
WORKDIR /src
# better-sqlite3 compiles its add-on when no prebuilt one can be fetched.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts && npm rebuild better-sqlite3
COPY . .
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
WORKDIR /opt/flotilla
COPY --from=build /src/package.json ./
COPY --from=build /src/bin ./bin
COPY --from=build /src/dist ./dist
COPY --from=build /src/node_modules ./node_modules
# Pods run as uid 10000 (clusterObjects.ts); the image itself needs no user of its own.
USER 10000:10000
ENTRYPOINT ["node", "/opt/flotilla/bin/flotilla.js"]
CMD ["--help"]

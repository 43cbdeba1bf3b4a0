# syntax=docker/dockerfile:1
# winrm-emulator: a WinRM listener emulator. Multi-stage, non-root, with a health check.
# Inside the container every address is bound, so the lab's documented default passwords are
# refused: mount a config that sets your own (see config/examples/container.yaml).

FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    WINRM_EMU_CONFIG=/config/winrm-emulator.yaml
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY bin ./bin
COPY config ./config
COPY certs ./certs
COPY config/examples/container.yaml /config/winrm-emulator.yaml
RUN chown -R node:node /config
USER node
EXPOSE 5985 5986
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
  CMD node -e "require('http').get('http://127.0.0.1:5985/_emulator/health', r => process.exit(r.statusCode === 200 ? 0 : 1)).on('error', () => process.exit(1))"
ENTRYPOINT ["node", "dist/src/main.js"]
CMD ["start"]

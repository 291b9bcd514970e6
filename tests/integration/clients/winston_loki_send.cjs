// Sends COUNT log lines through winston with the winston-loki transport (Loki push as snappy-compressed protobuf,
// the transport's default) to the Loki URL given, with a tenant header, then flushes and exits.
// Used by tests/integration/test_loki_clients.py.
const winston = require("winston");
const LokiTransport = require("winston-loki");

const [url, tenant, countText] = process.argv.slice(2);
const count = Number(countText);
const transport = new LokiTransport({
  host: url,
  headers: { "X-Scope-OrgID": tenant },
  labels: { app: "winston-app" },
  batching: true,
  interval: 0.2,
  onConnectionError: (err) => {
    console.error("loki connection error", err);
    process.exit(2);
  },
});
const logger = winston.createLogger({ transports: [transport] });
for (let i = 0; i < count; i++) {
  logger.info({ message: `winston line ${i}`, labels: { component: i % 2 ? "api" : "worker" } });
}
setTimeout(async () => {
  await transport.flush();
  transport.close?.();
  process.exit(0);
}, 500);
setTimeout(() => process.exit(3), 15000).unref();

// Sends COUNT log lines through pino with the pino-loki transport (Loki's JSON push API) to the Loki URL given,
// with a tenant header, then waits for the transport to flush. Used by tests/integration/test_loki_clients.py.
import pino from "pino";

const [url, tenant, countText] = process.argv.slice(2);
const count = Number(countText);
const transport = pino.transport({
  target: "pino-loki",
  options: {
    host: url,
    batching: true,
    interval: 0.2,
    headers: { "X-Scope-OrgID": tenant },
    labels: { application: "pino-app" },
    propsToLabels: ["component"],
    silenceErrors: false,
  },
});
const logger = pino({ level: "debug" }, transport);
for (let i = 0; i < count; i++) {
  logger.info({ component: i % 2 ? "api" : "worker", request: i }, `pino line ${i}`);
}
logger.warn("last pino line");
// The transport runs in a worker thread: ending the logger flushes it.
transport.on("close", () => process.exit(0));
setTimeout(() => transport.end(), 1000);
setTimeout(() => process.exit(3), 15000).unref();

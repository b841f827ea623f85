// A stand-in for the console's ingest endpoint, for telemetry-agent.test.ts: an HTTPS server on
// 127.0.0.1 that records every request (and every failed TLS handshake) as one JSON line and
// answers with a fixed status. A separate process, so the same server also runs inside a
// network namespace next to the agent.
//
//   node telemetry-agent-test-server.mjs CERT KEY LOG STATUS [RETRY_AFTER]
//
// Prints "port=<n>" once it listens; stops on SIGTERM.
import { appendFileSync, readFileSync } from "node:fs";
import { createServer } from "node:https";

const [certFile, keyFile, logFile, statusText, retryAfter] = process.argv.slice(2);
const status = Number(statusText);
const record = (entry) => appendFileSync(logFile, `${JSON.stringify(entry)}\n`);

const server = createServer({ cert: readFileSync(certFile), key: readFileSync(keyFile) }, (request, response) => {
  const chunks = [];
  request.on("data", (chunk) => chunks.push(chunk));
  request.on("end", () => {
    const body = Buffer.concat(chunks).toString("utf8");
    record({ method: request.method, path: request.url, authorization: request.headers.authorization ?? null, contentType: request.headers["content-type"] ?? null, body });
    let count = 1;
    try {
      const parsed = JSON.parse(body);
      if (Array.isArray(parsed?.samples)) count = parsed.samples.length;
    } catch {
      // The test reads the body itself; the answer only needs a count.
    }
    const headers = { "content-type": "application/json", ...(retryAfter ? { "retry-after": retryAfter } : {}) };
    response.writeHead(status, headers);
    response.end(JSON.stringify(status === 202 ? { accepted: count, duplicates: 0 } : { error: `test server answers ${status}` }));
  });
});
server.on("tlsClientError", (error) => record({ tlsError: error.message }));
server.listen(0, "127.0.0.1", () => console.log(`port=${server.address().port}`));
process.on("SIGTERM", () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
});

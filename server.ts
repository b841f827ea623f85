/**
 * The console's process: one HTTPS (or, behind a proxy with Entra, HTTP) server that hands
 * requests to Next.js. A custom server because the console owns more than pages: the database
 * is opened and migrated before the first request, and closed cleanly on SIGINT/SIGTERM.
 */
import http from "node:http";
import https from "node:https";
import next from "next";
import { readConfig } from "@/lib/config";
import { getSessionKey } from "@/lib/auth/session";
import { closeDatabase, getDatabase } from "@/lib/db/client";
import { forgetNocSnapshot } from "@/lib/queries/noc-cache";
import { seedDemoData } from "@/lib/demo/seed";
import { startDemoFleet } from "@/lib/demo/fleet";
import { getSecretsKey } from "@/lib/secrets";
import { startWarningEvaluation } from "@/lib/telemetry/evaluate-job";
import { processMetrics } from "@/lib/metrics/registry";
import { seedDemoChannels } from "@/lib/notifications/demo-channels";
import { startDemoReceivers, type DemoReceivers } from "@/lib/notifications/demo-receivers";
import { startNotifications } from "@/lib/notifications/job";
import { runMaintenanceRound, startTelemetryMaintenance } from "@/lib/telemetry/maintenance";
import { builtinProviderContentSecurityPolicy, createBuiltinProvider, OIDC_PREFIX, type BuiltinProvider } from "@/lib/identity/builtin-provider";
import { startAvsRuntime, startProvisioningLoop, syncNowAndLater } from "@/lib/server/avs-runtime";
import { createRequestListener } from "@/lib/server/request-listener";
import { telemetryFastPath } from "@/lib/server/telemetry-fast-path";
import { loadTlsMaterial } from "@/lib/server/tls";

const dev = process.argv.includes("--dev");

async function main() {
  const config = readConfig();
  const database = await getDatabase();
  console.log(`[bridgehead] database: ${database.kind} (migrated)`);
  const { runtime, emulator } = await startAvsRuntime(config);
  if (emulator) console.log(`[bridgehead] AVS emulator on ${emulator.url} (state in ${config.dataDir})`);
  const sync = await syncNowAndLater(database.background, runtime);
  // Demo tenants exist only where their demo users can sign in: the embedded identity and Azure.
  const demo = config.identity.mode === "builtin" && config.azure.mode === "emulator";
  if (demo) await seedDemoData(database.db, { secretsKey: getSecretsKey(config) });
  // The demo's notification receivers, on loopback, and one channel of each kind aimed at them,
  // so a newcomer sees notifications arrive without any outside service.
  let receivers: DemoReceivers | undefined;
  if (demo) {
    receivers = await startDemoReceivers(database.db, { dataDir: config.dataDir, secretsKey: getSecretsKey(config) });
    await seedDemoChannels(database.db, receivers, getSecretsKey(config));
    console.log(`[bridgehead] built-in notification receivers on ${new URL(receivers.webhookUrl).origin} and smtp://127.0.0.1:${receivers.smtp.port}`);
  }
  const provisioning = startProvisioningLoop(database.background, runtime);
  // Roll-ups, retention and warnings run on every instance; each round takes an advisory lock,
  // so with several instances on one PostgreSQL exactly one does the work. The jobs use the
  // handle's background pool: the longer statement limit, and connections of their own.
  const maintenance = startTelemetryMaintenance(database.background);
  const evaluation = startWarningEvaluation(database.background);
  const notifications = startNotifications(database.background, config);
  let identityProvider: BuiltinProvider | undefined;
  if (config.identity.mode === "builtin") {
    identityProvider = await createBuiltinProvider(config, getSessionKey(config));
  }

  const app = next({ dev, dir: process.cwd(), hostname: config.host, port: config.port });
  await app.prepare();
  const handle = app.getRequestHandler();
  const secured = createRequestListener({
    handle,
    identity: identityProvider && { prefix: OIDC_PREFIX, handle: identityProvider.handle, contentSecurityPolicy: builtinProviderContentSecurityPolicy(config) },
    // The agents' posts, answered by plain Node before Next: at fleet scale they are most of the
    // requests and Next's handling of each most of the garbage (lib/server/telemetry-fast-path.ts).
    // TELEMETRY_FAST_PATH=off sends them through Next's route instead: the benchmark that weighs
    // the two (bench/ingest-door.ts), and a way back should the fast path ever misbehave.
    fastPaths: process.env.TELEMETRY_FAST_PATH === "off" ? [] : [telemetryFastPath],
    // HSTS whenever users arrive over HTTPS: the console's own TLS or a proxy's in front of it.
    https: config.publicUrl.startsWith("https:"),
  });
  const ingestAnswers = processMetrics().ingestRequests;
  const listener: http.RequestListener = (req, res) => {
    // bridgehead_ingest_requests_total{code}: every answer of the ingest API, the guard's 401s included.
    if (req.url?.startsWith("/api/v1/telemetry")) res.once("finish", () => ingestAnswers.inc({ code: String(res.statusCode) }));
    secured(req, res);
  };

  let server: http.Server;
  if (config.tls.enabled) {
    const tls = await loadTlsMaterial(config);
    server = https.createServer({ cert: tls.cert, key: tls.key }, listener);
    if (tls.selfSigned) console.log(`[bridgehead] TLS: self-signed certificate ${tls.certFile}`);
  } else {
    server = http.createServer(listener);
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.port, config.host, resolve);
  });
  // The demo's gateways: scripted agents posting through the real ingest API, so a newcomer
  // sees live tunnels at once. Never with real Azure or a real identity provider.
  const fleet = demo ? await startDemoFleet(database.db, config) : undefined;
  // Roll the backfilled half hour up at once, so the 24 h charts are not empty for a minute.
  void fleet?.backfilled
    .then(() => runMaintenanceRound(database.background, { now: new Date() }))
    .catch((error: unknown) => console.error("[telemetry] roll-up after the demo backfill failed:", error));
  let stopping = false;
  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    console.log(`[bridgehead] ${signal}: closing`);
    await fleet?.stop();
    server.close();
    server.closeIdleConnections();
    // Requests in flight get a moment to finish; then the database is closed so PGlite can
    // flush and release its data folder.
    const force = setTimeout(() => server.closeAllConnections(), 5_000);
    await new Promise((resolve) => server.once("close", resolve));
    clearTimeout(force);
    // No new steps; the emulator closes first so a request it is holding (an injected hang)
    // ends, then the step in flight records its outcome before the database closes under it.
    const stepsInFlight = [sync.stop(), provisioning.stop()];
    await emulator?.close();
    await Promise.all(stepsInFlight);
    await Promise.all([maintenance.stop(), evaluation.stop(), notifications.stop()]);
    await receivers?.close();
    // The wall's kept snapshot refreshes on a timer of its own: stopped, so no read starts as the
    // database closes, and the read in flight finished, so none sends a statement after it closed.
    await forgetNocSnapshot(database.db);
    await closeDatabase();
    console.log("[bridgehead] closed");
    process.exit(0);
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  // Only now, with the handlers in place, say so: a supervisor may send SIGTERM the moment it
  // reads this line, and before them that signal would kill the process with PGlite still open.
  const scheme = config.tls.enabled ? "https" : "http";
  const shownHost = config.host === "0.0.0.0" || config.host === "::" ? "localhost" : config.host;
  console.log(
    `[bridgehead] ready on ${scheme}://${shownHost}:${config.port} ` +
      `(azure: ${config.azure.mode}, identity: ${config.identity.mode})`,
  );
}

main().catch(async (error: unknown) => {
  console.error(`[bridgehead] failed to start: ${error instanceof Error ? error.message : String(error)}`);
  await closeDatabase().catch(() => {});
  process.exit(1);
});

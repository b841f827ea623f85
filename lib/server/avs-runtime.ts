/**
 * Starts what talks to Azure: the emulator in the embedded mode, the SDK clients, a first read
 * of the private clouds, and the provisioning loop. Run by server.ts only.
 */
import "server-only";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { DefaultAzureCredential } from "@azure/identity";
import type { AppConfig } from "@/lib/config";
import type { Database } from "@/lib/db/client";
import { createAvsClient, type AvsTarget } from "@/lib/avs/client";
import { startAvsEmulator, type AvsEmulator } from "@/lib/avs/emulator/server";
import { describeAzureError } from "@/lib/avs/arm-operations";
import { runProvisioningOnce } from "@/lib/avs/provisioning";
import { setAvsRuntime, type AvsRuntime } from "@/lib/avs/runtime";
import { syncPrivateClouds } from "@/lib/avs/sync";
import { startBackgroundLoop, type BackgroundLoop } from "./background-loop";

export const LOOP_INTERVAL_MS = 2_000;
const SYNC_INTERVAL_MS = 10 * 60_000;

export async function startAvsRuntime(config: AppConfig): Promise<{ runtime: AvsRuntime; emulator?: AvsEmulator }> {
  let target: AvsTarget;
  let emulator: AvsEmulator | undefined;
  if (config.azure.mode === "azure") {
    target = { mode: "azure", subscriptionId: config.azure.subscriptionId, credential: new DefaultAzureCredential() };
  } else {
    emulator = await startEmulatorOnStablePort(config.dataDir);
    target = { mode: "emulator", subscriptionId: emulator.subscriptionId, endpoint: emulator.url, token: emulator.token };
  }
  const runtime: AvsRuntime = {
    client: createAvsClient(target),
    jobClient: createAvsClient(target, { retries: "caller" }),
    scope: { subscriptionId: target.subscriptionId, resourceGroup: config.azure.mode === "azure" ? config.azure.resourceGroup : undefined },
    mode: target.mode,
    emulator,
  };
  setAvsRuntime(runtime);
  return { runtime, emulator };
}

/**
 * The emulator comes back on the port it had, so long-running operations recorded before a
 * restart (their polling URLs name the port) can be resumed. A port taken meanwhile gets a new
 * one; the job then reads the segments afresh.
 */
async function startEmulatorOnStablePort(dataDir: string): Promise<AvsEmulator> {
  const stateFile = path.join(dataDir, "avs-emulator.json");
  const portFile = path.join(dataDir, "avs-emulator.port");
  const saved = fs.existsSync(portFile) ? Number(fs.readFileSync(portFile, "utf8")) : 0;
  let emulator: AvsEmulator;
  try {
    emulator = await startAvsEmulator({ stateFile, host: "127.0.0.1", port: Number.isInteger(saved) ? saved : 0 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EADDRINUSE") throw error;
    emulator = await startAvsEmulator({ stateFile, host: "127.0.0.1", port: 0 });
  }
  fs.writeFileSync(portFile, new URL(emulator.url).port);
  return emulator;
}

/** Reads the private clouds now (before the caller goes on) and every ten minutes; a failure is logged, not fatal. */
export async function syncNowAndLater(db: Database, runtime: AvsRuntime): Promise<BackgroundLoop> {
  const sync = async () => {
    try {
      const count = await syncPrivateClouds(db, runtime.client, runtime.scope);
      console.log(`[avs] ${count} private cloud(s) read from ${runtime.mode}`);
    } catch (error) {
      console.error(`[avs] could not read the private clouds: ${describeAzureError(error)}`);
    }
  };
  await sync();
  return startBackgroundLoop({ name: "avs", intervalMs: SYNC_INTERVAL_MS, runAtStart: false, round: sync });
}

/**
 * Advances due segments every couple of seconds. Each instance runs its own loop; the claim in
 * runProvisioningOnce (SKIP LOCKED + lease) keeps two instances off the same segment.
 */
export function startProvisioningLoop(db: Database, runtime: AvsRuntime, intervalMs = LOOP_INTERVAL_MS): BackgroundLoop {
  const workerId = `${os.hostname()}:${process.pid}`;
  return startBackgroundLoop({
    name: "provisioning",
    intervalMs,
    round: async () => {
      try {
        await runProvisioningOnce(db, runtime.jobClient, workerId);
      } catch (error) {
        // Azure's own words, not the SDK's stack: what an operator can act on.
        console.error(`[provisioning] ${describeAzureError(error)}`);
      }
    },
  });
}

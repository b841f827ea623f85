/**
 * The notification job in the console process: each round dispatches (warning events → groups →
 * deliveries) and then sends what is due. Every instance runs it; the dispatcher's advisory lock
 * and the sender's claims keep the work done once across instances.
 */
import "server-only";
import os from "node:os";
import type { AppConfig } from "@/lib/config";
import type { Database } from "@/lib/db/client";
import { getSecretsKey } from "@/lib/secrets";
import { startBackgroundLoop, type BackgroundLoop } from "@/lib/server/background-loop";
import { allowsLoopbackReceivers } from "./config";
import { runNotificationDispatch } from "./dispatch";
import { runNotificationSender } from "./sender";

/** Between rounds while there is more to send (a backlog after a receiver came back). */
const CATCH_UP_DELAY_MS = 200;

export function startNotifications(db: Database, config: AppConfig, options: { intervalMs?: number } = {}): BackgroundLoop {
  const workerId = `${os.hostname()}:${process.pid}`;
  const secretsKey = getSecretsKey(config);
  const allowLoopback = allowsLoopbackReceivers(config);
  const limit = 8;
  return startBackgroundLoop({
    name: "notifications",
    intervalMs: options.intervalMs ?? 5_000,
    round: async () => {
      const dispatched = await runNotificationDispatch(db, { now: new Date(), consoleUrl: config.publicUrl });
      const sent = await runNotificationSender(db, { now: new Date(), workerId, secretsKey, allowLoopback, limit });
      const more = (dispatched.ran && dispatched.more) || sent.delivered > 0 || sent.claimed === limit;
      return more ? { nextInMs: CATCH_UP_DELAY_MS } : undefined;
    },
  });
}

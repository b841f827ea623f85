/**
 * The embedded defaults' demo channels: one of each kind, pointing at the built-in receivers
 * (demo-receivers.ts), each with an operators' rule taking every tenant's warnings from
 * "warning" up. Made on first start and kept pointing at the receivers' current ports after;
 * never anywhere but on the embedded defaults (server.ts decides).
 */
import "server-only";
import { and, eq, isNull, sql } from "drizzle-orm";
import type { Database } from "@/lib/db/client";
import { notificationChannels, notificationRoutes, type ChannelSettings } from "@/lib/db/schema";
import type { ChannelKind } from "@/lib/domain/notifications";
import { ROUTE_TIMING } from "@/lib/domain/notifications";
import { encryptSecret, SECRET_PURPOSE } from "@/lib/secrets";
import type { DemoReceivers } from "./demo-receivers";
import { newWebhookSecret } from "./signature";

export const DEMO_CHANNEL_OWNER = "demo-seed";

export async function seedDemoChannels(db: Database, receivers: Pick<DemoReceivers, "webhookUrl" | "teamsUrl" | "smtp">, secretsKey: Uint8Array): Promise<void> {
  const wanted: Wanted[] = [
    {
      kind: "webhook",
      name: "Built-in webhook receiver",
      settings: { kind: "webhook", url: receivers.webhookUrl },
      secret: async () => encryptSecret(newWebhookSecret(), secretsKey, SECRET_PURPOSE.webhookSecret),
    },
    {
      kind: "teams",
      name: "Built-in Teams receiver",
      settings: { kind: "teams", host: new URL(receivers.teamsUrl).host },
      secret: async () => encryptSecret(receivers.teamsUrl, secretsKey, SECRET_PURPOSE.teamsUrl),
    },
    {
      kind: "email",
      name: "Built-in mail sink",
      settings: { kind: "email", host: receivers.smtp.host, port: receivers.smtp.port, security: "none", username: null, from: "bridgehead@demo.example", to: ["noc@demo.example"] },
      secret: async () => null,
    },
  ];
  // Instances starting together on one database take turns, so the demo gets one channel of each kind.
  await db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${DEMO_CHANNELS_LOCK}::bigint)`);
    await upsertDemoChannels(tx, wanted);
  });
}

/** Ours alone among the console's advisory locks ("bhdc"). */
const DEMO_CHANNELS_LOCK = 0x62686463;

type Wanted = { kind: ChannelKind; name: string; settings: ChannelSettings; secret: () => Promise<string | null> };

async function upsertDemoChannels(db: Database, wanted: Wanted[]) {
  for (const channel of wanted) {
    const [existing] = await db
      .select()
      .from(notificationChannels)
      .where(and(isNull(notificationChannels.tenantId), eq(notificationChannels.name, channel.name), eq(notificationChannels.createdBy, DEMO_CHANNEL_OWNER)));
    if (existing) {
      // The receivers may have come back on other ports; the webhook keeps its secret.
      const secretCiphertext = channel.kind === "teams" ? await channel.secret() : existing.secretCiphertext;
      await db.update(notificationChannels).set({ settings: channel.settings, secretCiphertext }).where(eq(notificationChannels.id, existing.id));
      continue;
    }
    const [row] = await db
      .insert(notificationChannels)
      .values({ tenantId: null, kind: channel.kind, name: channel.name, settings: channel.settings, secretCiphertext: await channel.secret(), createdBy: DEMO_CHANNEL_OWNER })
      .returning({ id: notificationChannels.id });
    await db.insert(notificationRoutes).values({
      tenantId: null,
      channelId: row!.id,
      minSeverity: "warning",
      kinds: [],
      groupWaitSeconds: ROUTE_TIMING.groupWaitSeconds.default,
      repeatIntervalMinutes: ROUTE_TIMING.repeatIntervalMinutes.default,
      sendResolved: true,
      createdBy: DEMO_CHANNEL_OWNER,
    });
  }
}

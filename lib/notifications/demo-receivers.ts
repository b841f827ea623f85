/**
 * The embedded defaults' built-in receivers, so a newcomer sees notifications arrive without any
 * outside service: an HTTP receiver for webhooks and Teams cards, and an SMTP sink, both on
 * loopback only, started by the console process beside the AVS emulator. What they take in lands
 * in `demo_inbox`, shown under Settings → Notifications → Built-in receiver.
 *
 * They are honest receivers, not shortcuts: the sender reaches them through the same transports,
 * target policy and retries as any other (loopback is allowed on the embedded defaults only), the
 * webhook receiver verifies the signature with the secrets of the channels that point at it, the
 * Teams receiver checks the card's envelope, and the SMTP sink parses the real message. They are
 * never started outside the embedded defaults.
 */
import "server-only";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";
import { eq, lt } from "drizzle-orm";
import type { Database } from "@/lib/db/client";
import { demoInbox, notificationChannels } from "@/lib/db/schema";
import type { ChannelKind } from "@/lib/domain/notifications";
import { decryptSecret, SECRET_PURPOSE } from "@/lib/secrets";
import { setDemoReceivers, type DemoReceiverAddresses } from "./demo-receiver-addresses";
import { SIGNATURE_HEADERS, verifyWebhook } from "./signature";

/** How many messages the inbox keeps; older ones are dropped as new ones arrive. */
export const DEMO_INBOX_KEEP = 300;

export type DemoReceivers = DemoReceiverAddresses & { close(): Promise<void> };

export async function startDemoReceivers(db: Database, options: { dataDir: string; secretsKey: Uint8Array }): Promise<DemoReceivers> {
  const store = (entry: Omit<typeof demoInbox.$inferInsert, "id" | "receivedAt">) => storeInInbox(db, entry);
  const httpServer = http.createServer((req, res) => {
    void receiveHttp(req, res, { db, secretsKey: options.secretsKey, store }).catch((error: unknown) => {
      console.error("[demo-receiver] failed:", error);
      if (!res.headersSent) res.writeHead(500).end("receiver failed");
    });
  });
  const httpPort = await listenOnStablePort(httpServer, path.join(options.dataDir, "notification-receiver.port"));

  const smtp = new SMTPServer({
    // A sink on loopback: no TLS to offer, and any sender and credentials are taken.
    disabledCommands: ["STARTTLS"],
    authOptional: true,
    logger: false,
    size: 1024 * 1024,
    onAuth: (_auth, _session, callback) => callback(null, { user: "demo" }),
    onData: (stream, _session, callback) => {
      simpleParser(stream)
        .then(async (mail) => {
          const parts = [mail.text ? "plain text" : null, mail.html ? "HTML" : null].filter(Boolean);
          await store({
            kind: "email",
            deliveryId: deliveryIdOf(String(mail.headers.get("x-bridgehead-delivery") ?? "")),
            subject: mail.subject ?? "(no subject)",
            verified: parts.length === 2,
            verdict: `message parsed: ${parts.join(" + ") || "no body"}; to ${mail.to ? (Array.isArray(mail.to) ? mail.to.map((a) => a.text).join(", ") : mail.to.text) : "nobody"}`,
            body: mail.text ?? "",
          });
          callback();
        })
        .catch((error: Error) => callback(error));
    },
  });
  const smtpPort = await listenOnStablePort(smtp.server as unknown as http.Server, path.join(options.dataDir, "notification-smtp.port"), smtp);

  const base = `http://127.0.0.1:${httpPort}`;
  const receivers: DemoReceivers = {
    webhookUrl: `${base}/webhook`,
    teamsUrl: `${base}/teams`,
    smtp: { host: "127.0.0.1", port: smtpPort },
    async close() {
      setDemoReceivers(undefined);
      await new Promise<void>((resolve) => httpServer.close(() => resolve()));
      httpServer.closeAllConnections();
      await new Promise<void>((resolve) => smtp.close(() => resolve()));
    },
  };
  setDemoReceivers({ webhookUrl: receivers.webhookUrl, teamsUrl: receivers.teamsUrl, smtp: receivers.smtp });
  return receivers;
}

/** The receivers come back on the ports they had, so the demo channels' URLs stay right across restarts. */
async function listenOnStablePort(server: http.Server, portFile: string, smtp?: SMTPServer): Promise<number> {
  const saved = fs.existsSync(portFile) ? Number(fs.readFileSync(portFile, "utf8")) : 0;
  const listen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      const onError = (error: Error) => reject(error);
      if (smtp) {
        smtp.once("error", onError);
        smtp.listen(port, "127.0.0.1", () => resolve((smtp.server.address() as AddressInfo).port));
      } else {
        server.once("error", onError);
        server.listen(port, "127.0.0.1", () => resolve((server.address() as AddressInfo).port));
      }
    });
  let port: number;
  try {
    port = await listen(Number.isInteger(saved) ? saved : 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EADDRINUSE") throw error;
    port = await listen(0);
  }
  fs.writeFileSync(portFile, String(port));
  return port;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
function deliveryIdOf(value: string | undefined): string | null {
  return value && UUID.test(value) ? value : null;
}

type Receive = { db: Database; secretsKey: Uint8Array; store: (entry: Omit<typeof demoInbox.$inferInsert, "id" | "receivedAt">) => Promise<void> };

async function receiveHttp(req: http.IncomingMessage, res: http.ServerResponse, ctx: Receive) {
  const pathname = new URL(req.url ?? "/", "http://receiver").pathname;
  if (req.method !== "POST" || (pathname !== "/webhook" && pathname !== "/teams")) {
    res.writeHead(404, { "content-type": "text/plain" }).end("POST to /webhook or /teams");
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 1024 * 1024) {
      res.writeHead(413).end("too large");
      return;
    }
    chunks.push(chunk as Buffer);
  }
  const raw = Buffer.concat(chunks).toString("utf8");
  const kind: ChannelKind = pathname === "/webhook" ? "webhook" : "teams";
  const { verified, verdict, subject } = kind === "webhook" ? await checkWebhook(req, raw, ctx) : checkTeamsCard(raw);
  await ctx.store({ kind, deliveryId: deliveryIdOf(req.headers[SIGNATURE_HEADERS.delivery] as string | undefined), subject, verified, verdict, body: raw.slice(0, 64 * 1024) });
  // Answer as the real services do: a webhook receiver with what it made of it, Teams' Workflows with 202.
  if (kind === "teams") res.writeHead(verified ? 202 : 400, { "content-type": "text/plain" }).end(verified ? "Accepted" : verdict);
  else res.writeHead(verified ? 200 : 401, { "content-type": "application/json" }).end(JSON.stringify({ received: verified, verdict }));
}

/** Verifies the signature with the secret of any webhook channel aimed at this receiver. */
async function checkWebhook(req: http.IncomingMessage, raw: string, ctx: Receive) {
  let subject = "(not JSON)";
  try {
    subject = String((JSON.parse(raw) as { title?: unknown }).title ?? "(no title)");
  } catch {
    return { verified: false, verdict: "body is not JSON", subject };
  }
  const port = req.socket.localPort;
  const channels = await ctx.db.select().from(notificationChannels).where(eq(notificationChannels.kind, "webhook"));
  const aimedHere = channels.filter((c) => c.settings.kind === "webhook" && isThisReceiver(c.settings.url, port));
  const headers = { signature: header(req, SIGNATURE_HEADERS.signature), timestamp: header(req, SIGNATURE_HEADERS.timestamp) };
  for (const channel of aimedHere) {
    if (!channel.secretCiphertext) continue;
    const secret = await decryptSecret(channel.secretCiphertext, ctx.secretsKey, SECRET_PURPOSE.webhookSecret);
    if (verifyWebhook(secret, headers, raw, Math.floor(Date.now() / 1000)).ok) {
      return { verified: true, verdict: `signature verified with channel “${channel.name}”'s secret`, subject };
    }
  }
  return { verified: false, verdict: `signature matches no webhook channel aimed at this receiver (${aimedHere.length} checked)`, subject };
}

function header(req: http.IncomingMessage, name: string): string | null {
  const value = req.headers[name];
  return typeof value === "string" ? value : null;
}

function isThisReceiver(url: string, port: number | undefined): boolean {
  try {
    const u = new URL(url);
    return (u.hostname === "127.0.0.1" || u.hostname === "localhost") && Number(u.port) === port && u.pathname === "/webhook";
  } catch {
    return false;
  }
}

/** The envelope Teams' Workflows and incoming webhooks take: a message with one Adaptive Card attachment. */
export function checkTeamsCard(raw: string): { verified: boolean; verdict: string; subject: string } {
  let message: { type?: unknown; attachments?: { contentType?: unknown; content?: Record<string, unknown> }[] };
  try {
    message = JSON.parse(raw) as typeof message;
  } catch {
    return { verified: false, verdict: "body is not JSON", subject: "(not JSON)" };
  }
  const card = message.attachments?.[0]?.content;
  const problems = [
    message.type === "message" ? null : `type is ${JSON.stringify(message.type)}, not "message"`,
    message.attachments?.length === 1 ? null : "not exactly one attachment",
    message.attachments?.[0]?.contentType === "application/vnd.microsoft.card.adaptive" ? null : "attachment is not an Adaptive Card",
    card?.type === "AdaptiveCard" ? null : "card type is not AdaptiveCard",
    typeof card?.version === "string" ? null : "card has no version",
    Array.isArray(card?.body) && card.body.length > 0 ? null : "card has no body",
  ].filter((p): p is string => p !== null);
  const title = (((card?.body as { items?: { text?: unknown }[] }[] | undefined)?.[0]?.items?.[0]?.text as string | undefined) ?? "(no title)").slice(0, 200);
  return problems.length === 0
    ? { verified: true, verdict: `Adaptive Card ${String(card!.version)} with ${(card!.body as unknown[]).length} elements`, subject: title }
    : { verified: false, verdict: problems.join("; "), subject: title };
}

async function storeInInbox(db: Database, entry: Omit<typeof demoInbox.$inferInsert, "id" | "receivedAt">) {
  await db.transaction(async (tx) => {
    const [row] = await tx.insert(demoInbox).values(entry).returning({ id: demoInbox.id });
    await tx.delete(demoInbox).where(lt(demoInbox.id, row!.id - DEMO_INBOX_KEEP));
  });
}

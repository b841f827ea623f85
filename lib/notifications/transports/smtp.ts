/**
 * One e-mail through nodemailer's SMTP transport. The SMTP host goes through the same target
 * policy as webhooks; the connection is made to the address that was checked, with the host name
 * kept for TLS certificate verification (`servername`), so a name that resolves elsewhere by the
 * time nodemailer would look it up gains nothing. Plain SMTP (no TLS) only to loopback.
 */
import "server-only";
import dns from "node:dns/promises";
import ipaddr from "ipaddr.js";
import nodemailer from "nodemailer";
import type { ChannelSettings } from "@/lib/db/schema";
import { DELIVERY_LIMITS } from "@/lib/domain/notifications";
import type { EmailMessage } from "../render";
import { bareHost, checkHost, TargetRefusedError, type Resolver, type TargetPolicy } from "../target-policy";
import { clip } from "./http";
import type { AttemptResult } from "./types";

export type SmtpOptions = { policy: TargetPolicy; resolve?: Resolver; timeoutMs?: number; ca?: string };

export const lookupAll: Resolver = async (host) => (await dns.lookup(host, { all: true })).map((a) => a.address);

type EmailSettings = Extract<ChannelSettings, { kind: "email" }>;

export async function sendEmail(
  settings: EmailSettings,
  password: string | null,
  message: EmailMessage,
  deliveryId: string,
  options: SmtpOptions,
): Promise<AttemptResult> {
  let address: string;
  try {
    const addresses = await checkHost(settings.host, options.policy, options.resolve ?? lookupAll);
    if (settings.security === "none" && !addresses.every((a) => ipaddr.parse(a).range() === "loopback")) {
      throw new TargetRefusedError(`Plain SMTP would send the message and password in the clear to ${settings.host}; choose STARTTLS or TLS.`);
    }
    address = addresses[0]!;
  } catch (error) {
    if (error instanceof TargetRefusedError) return { outcome: "failed", code: null, answer: `Refused: ${error.message}` };
    throw error;
  }
  const timeout = options.timeoutMs ?? DELIVERY_LIMITS.requestTimeoutMs;
  const host = bareHost(settings.host);
  const transport = nodemailer.createTransport({
    host: address,
    port: settings.port,
    secure: settings.security === "tls",
    requireTLS: settings.security === "starttls",
    ignoreTLS: settings.security === "none",
    auth: settings.username ? { user: settings.username, pass: password ?? "" } : undefined,
    tls: { servername: ipaddr.isValid(host) ? undefined : host, ca: options.ca, minVersion: "TLSv1.2" },
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout,
  });
  try {
    const info = await transport.sendMail({
      from: settings.from,
      to: settings.to,
      subject: message.subject,
      text: message.text,
      html: message.html,
      messageId: `<${deliveryId}@bridgehead.notifications>`,
      headers: { "X-Bridgehead-Delivery": deliveryId },
    });
    const response = String(info.response ?? "");
    return { outcome: "delivered", code: Number(response.slice(0, 3)) || null, answer: clip(response || "accepted") };
  } catch (error) {
    const e = error as Error & { responseCode?: number; response?: string; code?: string };
    const answer = clip(e.response || e.message);
    if (e.code === "EAUTH" || (e.responseCode !== undefined && e.responseCode >= 500)) return { outcome: "failed", code: e.responseCode ?? null, answer };
    return { outcome: "retry", code: e.responseCode ?? null, answer };
  } finally {
    transport.close();
  }
}

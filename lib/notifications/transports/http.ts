/**
 * One POST of a webhook or Teams message. The connection goes only to addresses the target
 * policy accepts, checked on the addresses the socket is about to use (the lookup below), not
 * only on the name typed: DNS that changes its answer after the channel was saved gains nothing.
 * Redirects are not followed (a redirect is a second, unchecked target).
 */
import "server-only";
import dns from "node:dns";
import http from "node:http";
import https from "node:https";
import type { LookupFunction } from "node:net";
import ipaddr from "ipaddr.js";
import { DELIVERY_LIMITS } from "@/lib/domain/notifications";
import { parseRetryAfter } from "../retry-after";
import { bareHost, parseTargetUrl, refuseAddress, TargetRefusedError, type Resolver, type TargetPolicy } from "../target-policy";
import type { AttemptResult } from "./types";

export type HttpOptions = {
  policy: TargetPolicy;
  /** The name service (tests give their own); the system's resolver otherwise. */
  resolve?: Resolver;
  /** Extra trusted CA (tests' own receivers); production trusts the system's CAs and NODE_EXTRA_CA_CERTS. */
  ca?: string;
  timeoutMs?: number;
  now: Date;
};

/** A DNS lookup that refuses, as a connection error, any address the policy does not accept. */
export function pinnedLookup(policy: TargetPolicy, resolve?: Resolver): LookupFunction {
  const lookup = (hostname: string, family: number, done: (error: NodeJS.ErrnoException | null, addresses: dns.LookupAddress[]) => void) => {
    if (!resolve) return dns.lookup(hostname, { all: true, family }, done);
    resolve(hostname).then(
      (list) => done(null, list.map((address) => ({ address, family: ipaddr.parse(address).kind() === "ipv6" ? 6 : 4 }))),
      (error: NodeJS.ErrnoException) => done(error, []),
    );
  };
  return (hostname, options, callback) => {
    const family = options.family === "IPv4" ? 4 : options.family === "IPv6" ? 6 : (options.family ?? 0);
    lookup(hostname, family, (error, addresses) => {
      if (error) return callback(error, "", 0);
      for (const { address } of addresses) {
        const refusal = refuseAddress(address, hostname, policy);
        if (refusal) return callback(new TargetRefusedError(refusal), "", 0);
      }
      if (addresses.length === 0) return callback(new TargetRefusedError(`${hostname} does not resolve to any address.`), "", 0);
      if (options.all) return (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, addresses);
      callback(null, addresses[0]!.address, addresses[0]!.family);
    });
  };
}

export function clip(text: string): string {
  const oneLine = text.replace(/\s+/g, " ").trim();
  return oneLine.length > DELIVERY_LIMITS.answerChars ? `${oneLine.slice(0, DELIVERY_LIMITS.answerChars - 1)}…` : oneLine;
}

export async function postJson(target: string, body: string, headers: Record<string, string>, options: HttpOptions): Promise<AttemptResult> {
  let url: URL;
  try {
    url = parseTargetUrl(target, options.policy);
    const host = bareHost(url.hostname);
    if (ipaddr.isValid(host)) {
      const refusal = refuseAddress(host, host, options.policy);
      if (refusal) throw new TargetRefusedError(refusal);
    }
  } catch (error) {
    if (error instanceof TargetRefusedError) return { outcome: "failed", code: null, answer: `Refused: ${error.message}` };
    throw error;
  }
  const timeoutMs = options.timeoutMs ?? DELIVERY_LIMITS.requestTimeoutMs;
  return new Promise<AttemptResult>((resolve) => {
    const request = (url.protocol === "https:" ? https : http).request(
      url,
      {
        method: "POST",
        agent: false,
        lookup: pinnedLookup(options.policy, options.resolve),
        ca: options.ca,
        timeout: timeoutMs,
        headers: { "content-type": "application/json", "content-length": String(Buffer.byteLength(body)), "user-agent": "Bridgehead-Notifier/1", ...headers },
      },
      (response) => {
        let text = "";
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => {
          if (text.length < 4096) text += chunk;
        });
        response.on("error", (error) => resolve({ outcome: "retry", code: response.statusCode ?? null, answer: clip(`answer cut off: ${error.message}`) }));
        response.on("end", () => resolve(classify(response, text, options.now)));
      },
    );
    request.on("timeout", () => request.destroy(new Error(`no answer within ${timeoutMs / 1000} s`)));
    request.on("error", (error: NodeJS.ErrnoException) => {
      if (error instanceof TargetRefusedError) resolve({ outcome: "failed", code: null, answer: `Refused: ${error.message}` });
      else resolve({ outcome: "retry", code: null, answer: clip(error.message || error.code || "connection failed") });
    });
    request.end(body);
  });
}

function classify(response: http.IncomingMessage, text: string, now: Date): AttemptResult {
  const code = response.statusCode ?? 0;
  const answer = clip(`${code} ${response.statusMessage ?? ""}${text.trim() ? `: ${text}` : ""}`);
  if (code >= 200 && code < 300) return { outcome: "delivered", code, answer };
  if (code >= 300 && code < 400) {
    return { outcome: "failed", code, answer: clip(`${answer} (redirects are not followed: point the channel at ${response.headers.location ?? "the final URL"})`) };
  }
  if (code === 429 || code === 503) return { outcome: "retry", code, answer, retryAfterMs: parseRetryAfter(response.headers["retry-after"], now) };
  if (code === 408 || code === 425 || code >= 500) return { outcome: "retry", code, answer };
  return { outcome: "failed", code, answer };
}

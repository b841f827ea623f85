/**
 * One webhook POST against receivers that misbehave on the wire. The sender's claim on a
 * delivery lasts DELIVERY_LIMITS.leaseMs; an attempt that outlives it is taken over by another
 * instance and sent again. So an attempt must end within its own time limit, however the
 * receiver drips its answer: the limit bounds the whole exchange, not each silence in it.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { postJson } from "@/lib/notifications/transports/http";

const policy = { allowLoopback: true, allowedHosts: new Set<string>() };
let server: http.Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
});

describe("webhook transport", () => {
  it(
    "gives up on a receiver that keeps dripping its answer, within the attempt's limit, and says so",
    async () => {
      let dripping: NodeJS.Timeout | undefined;
      let receiverSawClose!: () => void;
      const closed = new Promise<void>((resolve) => (receiverSawClose = resolve));
      server = http.createServer((request, response) => {
        request.resume();
        response.writeHead(200, { "content-type": "text/plain" });
        // A byte far more often than the idle timeout: never silent long enough for it to fire.
        dripping = setInterval(() => response.write("."), 10);
        response.on("close", () => {
          clearInterval(dripping);
          receiverSawClose();
        });
      });
      await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
      const { port } = server.address() as AddressInfo;

      const result = await postJson(`http://127.0.0.1:${port}/hook`, "{}", {}, { policy, timeoutMs: 500, now: new Date() });
      expect(result.outcome).toBe("retry");
      expect(result.answer).toMatch(/within 0\.5 s/);
      // The connection is closed, not left open behind the attempt.
      await closed;
    },
    15_000,
  );
});

/**
 * The transports against receivers that misbehave on the wire. The sender's claim on a delivery
 * lasts DELIVERY_LIMITS.leaseMs; an attempt that outlives it is taken over by another instance
 * and sent again. So an attempt must end within its own time limit, however the receiver drips
 * its answer: the limit bounds the whole exchange, not each silence in it. And a redirect is a
 * second target nobody checked: it is reported, not followed.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { postJson } from "@/lib/notifications/transports/http";

const policy = { allowLoopback: true, allowedHosts: new Set<string>() };
let server: http.Server | undefined;
const sockets = new Set<import("node:net").Socket>();
afterEach(async () => {
  server?.closeAllConnections?.();
  for (const socket of sockets) socket.destroy();
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

describe("webhook redirects", () => {
  it("does not follow a redirect: the second target was never checked, so it is not asked", async () => {
    let asked = 0;
    const inside = http.createServer((_request, response) => {
      asked++;
      response.end("ok");
    });
    await new Promise<void>((resolve) => inside.listen(0, "127.0.0.1", resolve));
    try {
      const insidePort = (inside.address() as AddressInfo).port;
      server = http.createServer((request, response) => {
        request.resume();
        response.writeHead(307, { location: `http://127.0.0.1:${insidePort}/internal` }).end();
      });
      await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
      const { port } = server.address() as AddressInfo;
      const result = await postJson(`http://127.0.0.1:${port}/hook`, "{}", {}, { policy, now: new Date() });
      expect(result).toMatchObject({ outcome: "failed", code: 307 });
      expect(result.answer).toContain("redirects are not followed");
      expect(asked).toBe(0);
    } finally {
      await new Promise((resolve) => inside.close(resolve));
    }
  });
});

describe("e-mail transport", () => {
  it(
    "gives up on a mail server that keeps dripping its answer to EHLO, within the attempt's limit, and closes the connection",
    async () => {
      const { default: net } = await import("node:net");
      const { sendEmail } = await import("@/lib/notifications/transports/smtp");
      let receiverSawClose!: () => void;
      const closed = new Promise<void>((resolve) => (receiverSawClose = resolve));
      const smtp = net.createServer((socket) => {
        sockets.add(socket);
        // A prompt greeting, then a multi-line answer to EHLO that never ends: each line well
        // within the idle timeouts.
        let dripping: NodeJS.Timeout | undefined;
        socket.write("220 mail.example ESMTP\r\n");
        socket.once("data", () => (dripping = setInterval(() => socket.write("250-still listing extensions\r\n"), 10)));
        socket.on("error", () => undefined);
        socket.on("close", () => {
          clearInterval(dripping);
          receiverSawClose();
        });
      });
      server = smtp as unknown as http.Server;
      await new Promise<void>((resolve) => smtp.listen(0, "127.0.0.1", resolve));
      const { port } = smtp.address() as AddressInfo;

      const result = await sendEmail(
        { kind: "email", host: "127.0.0.1", port, security: "none", username: null, from: "bridgehead@ops.example", to: ["noc@ops.example"] },
        null,
        { subject: "s", text: "t", html: "<p>t</p>" },
        "00000000-0000-4000-8000-000000000001",
        { policy, timeoutMs: 500 },
      );
      expect(result.outcome).toBe("retry");
      expect(result.answer).toMatch(/within 0\.5 s/);
      await closed;
    },
    15_000,
  );
});

describe("e-mail transport over TLS, on the connection the sender opens itself", () => {
  for (const security of ["tls", "starttls"] as const) {
    it(`delivers with ${security}, verifying the server's certificate against the host name typed`, async () => {
      const { SMTPServer } = await import("smtp-server");
      const { sendEmail } = await import("@/lib/notifications/transports/smtp");
      const { makeTestCertificate } = await import("./support/receivers");
      const tls = await makeTestCertificate();
      const subjects: string[] = [];
      const smtp = new SMTPServer({
        secure: security === "tls",
        key: tls.key,
        cert: tls.cert,
        authOptional: true,
        logger: false,
        onData(stream, _session, callback) {
          let raw = "";
          stream.on("data", (chunk: Buffer) => (raw += chunk.toString("utf8")));
          stream.on("end", () => {
            subjects.push(/^Subject: (.*)$/m.exec(raw)?.[1] ?? "");
            callback();
          });
        },
      });
      // The refused handshake below is the server's error too; the test reads the sender's side.
      smtp.on("error", () => undefined);
      server = smtp.server as unknown as http.Server;
      await new Promise<void>((resolve) => smtp.listen(0, "127.0.0.1", resolve));
      const { port } = smtp.server.address() as AddressInfo;
      const settings = { kind: "email" as const, host: "localhost", port, security, username: null, from: "bridgehead@ops.example", to: ["noc@ops.example"] };
      const message = { subject: "Over TLS", text: "t", html: "<p>t</p>" };
      const resolve = async () => ["127.0.0.1"];

      const trusted = await sendEmail(settings, null, message, "00000000-0000-4000-8000-000000000002", { policy, resolve, ca: tls.cert });
      expect(trusted).toMatchObject({ outcome: "delivered", code: 250 });
      expect(subjects).toEqual(["Over TLS"]);

      // Without the test CA the certificate is not trusted: refused, nothing sent.
      const untrusted = await sendEmail(settings, null, message, "00000000-0000-4000-8000-000000000003", { policy, resolve });
      expect(untrusted.outcome).not.toBe("delivered");
      expect(untrusted.answer).toMatch(/certificate/i);
      expect(subjects).toHaveLength(1);
      await new Promise<void>((resolve) => smtp.close(resolve));
      server = undefined;
    });
  }
});

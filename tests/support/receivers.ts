/**
 * Real receivers for notification tests, all on loopback: an HTTPS server with a certificate
 * made for the test (the sender trusts only that CA), and an SMTP server (smtp-server) that
 * parses what it gets with mailparser. Each records everything it received, can be taken down
 * (its port closed: the sender gets "connection refused") and brought back on the same port, and
 * lets a test wait for the n-th message instead of sleeping.
 */
import https from "node:https";
import type { AddressInfo } from "node:net";
import { simpleParser, type ParsedMail } from "mailparser";
import selfsigned from "selfsigned";
import { SMTPServer } from "smtp-server";

export type ReceivedRequest = { path: string; headers: Record<string, string | string[] | undefined>; body: string };
export type Answer = { status: number; headers?: Record<string, string>; body?: string };

type Waiter = { count: number; resolve: () => void };

function counter<T>() {
  const items: T[] = [];
  const waiters: Waiter[] = [];
  return {
    items,
    push(item: T) {
      items.push(item);
      for (const w of [...waiters]) if (items.length >= w.count) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    },
    /** Resolves once `count` items arrived; rejects after `timeoutMs` saying how many did. */
    waitFor(count: number, timeoutMs = 20_000): Promise<void> {
      if (items.length >= count) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`expected ${count} received, got ${items.length}`)), timeoutMs);
        waiters.push({ count, resolve: () => (clearTimeout(timer), resolve()) });
      });
    },
  };
}

export async function makeTestCertificate(): Promise<{ cert: string; key: string }> {
  const pems = await selfsigned.generate([{ name: "commonName", value: "notification receiver" }], {
    keyType: "ec",
    curve: "P-256",
    notAfterDate: new Date(Date.now() + 24 * 3600_000),
    extensions: [
      { name: "basicConstraints", cA: false },
      { name: "subjectAltName", altNames: [{ type: 2, value: "localhost" }, { type: 7, ip: "127.0.0.1" }] },
    ],
  });
  return { cert: pems.cert, key: pems.private };
}

export type HttpsReceiver = Awaited<ReturnType<typeof startHttpsReceiver>>;

/** `answer` decides each response (default 200 "ok"); `port` reuses a port (to come back where the channel points). */
export async function startHttpsReceiver(options: { answer?: (request: ReceivedRequest) => Answer; port?: number; tls?: { cert: string; key: string } } = {}) {
  const tls = options.tls ?? (await makeTestCertificate());
  const received = counter<ReceivedRequest>();
  let answer: (request: ReceivedRequest) => Answer = options.answer ?? (() => ({ status: 200, body: "ok" }));
  const server = https.createServer({ cert: tls.cert, key: tls.key }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const request = { path: req.url ?? "/", headers: req.headers, body: Buffer.concat(chunks).toString("utf8") };
      const reply = answer(request);
      received.push(request);
      res.writeHead(reply.status, { "content-type": "text/plain", ...reply.headers }).end(reply.body ?? "");
    });
  });
  let port = options.port ?? 0;
  const up = () =>
    new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => {
        port = (server.address() as AddressInfo).port;
        resolve();
      });
    });
  const down = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  await up();
  return {
    get port() {
      return port;
    },
    url: (path = "/hook") => `https://127.0.0.1:${port}${path}`,
    ca: tls.cert,
    tls,
    received: received.items,
    waitFor: received.waitFor,
    setAnswer(next: (request: ReceivedRequest) => Answer) {
      answer = next;
    },
    up,
    down,
    close: down,
  };
}

export type SmtpSink = Awaited<ReturnType<typeof startSmtpSink>>;

/** A real SMTP server in-process; every message is parsed as a mail client would. */
export async function startSmtpSink(options: { requireAuth?: { user: string; pass: string } } = {}) {
  const messages = counter<ParsedMail & { envelopeTo: string[] }>();
  const server = new SMTPServer({
    disabledCommands: options.requireAuth ? ["STARTTLS"] : ["STARTTLS", "AUTH"],
    allowInsecureAuth: true,
    authOptional: !options.requireAuth,
    logger: false,
    onAuth(auth, _session, callback) {
      if (options.requireAuth && auth.username === options.requireAuth.user && auth.password === options.requireAuth.pass) return callback(null, { user: auth.username });
      callback(new Error("Invalid username or password"));
    },
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((mail) => {
          messages.push(Object.assign(mail, { envelopeTo: session.envelope.rcptTo.map((r) => r.address) }));
          callback();
        })
        .catch(callback);
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  return {
    port: (server.server.address() as AddressInfo).port,
    messages: messages.items,
    waitFor: messages.waitFor,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

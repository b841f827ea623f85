import http from "node:http";
import net, { type AddressInfo } from "node:net";
import { Readable } from "node:stream";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ClientLeft } from "@/lib/server/client-left";
import { routeFailureAnswer } from "@/lib/server/route-failure";
import { readBoundedText } from "./request";

let server: http.Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

describe("readBoundedText", () => {
  // Next's door: a route reads a web Request whose body streams from the Node request, and a
  // client gone mid-body errors that stream ("aborted"). Over a real socket, as an agent leaves.
  it("rejects with ClientLeft when the client leaves mid-body, which routes answer as no failure of the server's", async () => {
    const outcome = await new Promise<unknown>((resolve) => {
      server = http.createServer((req) => {
        const request = new Request("http://console.test/api/v1/tenant-imports", {
          method: "POST",
          headers: { "content-length": req.headers["content-length"]! },
          body: Readable.toWeb(req) as ReadableStream<Uint8Array>,
          duplex: "half",
        } as RequestInit);
        readBoundedText(request, 1024 * 1024).then(resolve, resolve);
        // The server has the first 10 bytes of 1,000: the client leaves with the rest unsent.
        req.once("data", () => socket.destroy());
      });
      let socket: net.Socket;
      server.listen(0, "127.0.0.1", () => {
        socket = net.connect((server!.address() as AddressInfo).port, "127.0.0.1");
        socket.on("error", () => {});
        socket.write("POST /api/v1/tenant-imports HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n" + "{".repeat(10));
      });
    });
    expect(outcome).toBeInstanceOf(ClientLeft);

    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const infos = vi.spyOn(console, "info").mockImplementation(() => {});
    try {
      expect(routeFailureAnswer(outcome).status).toBe(400);
      expect(errors).not.toHaveBeenCalled();
      expect(infos).toHaveBeenCalledTimes(1);
      expect(routeFailureAnswer(new Error("a bug")).status).toBe(500);
      expect(errors).toHaveBeenCalledWith("[route] failed:", new Error("a bug"));
    } finally {
      errors.mockRestore();
      infos.mockRestore();
    }
  });
});

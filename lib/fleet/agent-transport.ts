/**
 * How a simulated agent reaches the console: HTTPS (or HTTP) POSTs of JSON with its bearer
 * token, over kept-alive connections as a real agent holds them, trusting only the certificate
 * it was given. Every request in flight can be cut off at once when the fleet stops.
 */
import http from "node:http";
import https from "node:https";

export type Answer = { status: number; retryAfter: string | undefined; body: string };

export type AgentTransport = {
  post(body: string, token: string): Promise<Answer>;
  /** Ends every request still waiting for an answer with `reason`. */
  cutOff(reason: string): void;
  close(): void;
};

export const REQUEST_TIMEOUT_MS = 15_000;

export function createAgentTransport(url: URL, options: { ca?: Buffer | string; servername?: string; isStopping: () => boolean }): AgentTransport {
  const secure = url.protocol === "https:";
  const pool = secure ? new https.Agent({ keepAlive: true, ca: options.ca, servername: options.servername }) : new http.Agent({ keepAlive: true });
  const inFlight = new Set<http.ClientRequest>();

  const postOnce = (body: string, token: string) =>
    new Promise<Answer>((resolve, reject) => {
      const request = (secure ? https : http).request(
        url,
        {
          method: "POST",
          agent: pool,
          headers: { authorization: `Bearer ${token}`, "content-type": "application/json", "content-length": Buffer.byteLength(body) },
          timeout: REQUEST_TIMEOUT_MS,
        },
        (response) => {
          let text = "";
          response.setEncoding("utf8");
          response.on("data", (chunk: string) => (text += chunk));
          response.on("end", () => {
            inFlight.delete(request);
            const retryAfter = response.headers["retry-after"];
            resolve({ status: response.statusCode ?? 0, retryAfter: Array.isArray(retryAfter) ? retryAfter[0] : retryAfter, body: text });
          });
          response.on("error", reject);
        },
      );
      inFlight.add(request);
      request.on("timeout", () => request.destroy(new Error(`no answer in ${REQUEST_TIMEOUT_MS / 1000} s`)));
      request.on("error", (error) => {
        inFlight.delete(request);
        reject(Object.assign(error, { reusedSocket: request.reusedSocket }));
      });
      request.end(body);
    });

  return {
    async post(body, token) {
      try {
        return await postOnce(body, token);
      } catch (error) {
        // A kept-alive connection the console closed just as we reused it: try once on a new one.
        // Safe to repeat, since the console counts a re-sent sample as a duplicate.
        const reused = (error as { reusedSocket?: boolean }).reusedSocket && (error as NodeJS.ErrnoException).code === "ECONNRESET";
        if (reused && !options.isStopping()) return postOnce(body, token);
        throw error;
      }
    },
    cutOff(reason) {
      for (const request of inFlight) request.destroy(new Error(reason));
    },
    close: () => pool.destroy(),
  };
}

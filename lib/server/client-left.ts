/**
 * A client that went away before its request was complete (an agent past its own timeout while
 * the database was behind, a closed laptop): not a failure of the server's. Nobody is left to
 * answer, so the request listener (lib/server/request-listener.ts) writes no answer and notes it
 * below the errors an operator must look at, instead of logging "[route] failed:" with a stack.
 */
import "server-only";

export class ClientLeft extends Error {
  constructor(options?: { cause?: unknown }) {
    super("The client closed the connection before its body was complete.", options);
    this.name = "ClientLeft";
  }
}

/** An error on a request's body stream, as ClientLeft when it is the client's connection going (Node's "aborted", a reset). */
export function asClientLeft(error: Error): Error {
  return (error as NodeJS.ErrnoException).code === "ECONNRESET" ? new ClientLeft({ cause: error }) : error;
}

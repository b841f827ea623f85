import "server-only";
/** What a command answers when it will not do what was asked: the status, the reason, and the fields to fix. */
export type CommandRefusal = {
  ok: false;
  status: 400 | 404 | 409;
  message: string;
  errors?: Partial<Record<string, string[]>>;
  /** "stale": the record changed since the version the caller named (the API answers 412). */
  reason?: "stale";
};

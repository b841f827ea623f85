import { describe, expect, it } from "vitest";
import { describeLoadError } from "./load-error";
import { HttpError } from "./queries";

describe("describeLoadError", () => {
  it.each([
    [new HttpError("/x", 401), "Your session has ended, so the latency history cannot be loaded. Sign in again."],
    [new HttpError("/x", 404), "The latency history is no longer available to this account: it was removed, or access was withdrawn. Reload the page."],
    [new HttpError("/x", 503), "The console answered 503 for the latency history; it tries again on its own every 30 seconds."],
    [new TypeError("Failed to fetch"), "The console cannot be reached for the latency history; it tries again on its own every 30 seconds."],
  ])("names the cause and the next step for %s", (error, expected) => {
    expect(describeLoadError(error, "the latency history")).toBe(expected);
  });
});

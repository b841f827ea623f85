import { describe, expect, it } from "vitest";
import { isForeignStateChange, refuseForeignServerAction } from "./origin";

const CONSOLE = "https://console.test";

describe("isForeignStateChange", () => {
  it.each([
    ["POST", "https://evil.example", true],
    ["DELETE", null, true],
    ["post", "https://console.test.evil.example", true],
    ["POST", "http://console.test", true],
    ["POST", CONSOLE, false],
    ["GET", "https://evil.example", false],
    ["HEAD", null, false],
  ] as const)("%s from %s is foreign: %s", (method, origin, foreign) => {
    expect(isForeignStateChange(method, origin, CONSOLE)).toBe(foreign);
  });
});

describe("refuseForeignServerAction", () => {
  const action = (origin: string | null) =>
    ({ method: "POST", headers: new Headers({ "next-action": "7f616e28", ...(origin ? { origin } : {}) }) }) as const;

  it("answers a server action from another site, or without an Origin, with 403 and the reason", async () => {
    for (const origin of ["https://evil.example", null]) {
      const response = refuseForeignServerAction(action(origin), CONSOLE);
      expect(response?.status).toBe(403);
      expect(await response!.json()).toEqual({ error: `Refused: the request came from another site. Server actions are accepted only from pages of ${CONSOLE}.` });
    }
  });

  it("refuses a form posted from another site too: Next.js runs a multipart POST as an action without the header", async () => {
    // What a cross-site page can send: a plain <form enctype="multipart/form-data"> naming the
    // action in a `$ACTION_ID_…` field. It cannot set custom headers, so this is the real attack.
    const form = (origin: string | null, contentType = "multipart/form-data; boundary=----x") =>
      ({ method: "POST", headers: new Headers({ "content-type": contentType, ...(origin ? { origin } : {}) }) }) as const;
    for (const origin of ["https://evil.example", "null", null]) {
      const response = refuseForeignServerAction(form(origin), CONSOLE);
      expect(response?.status, String(origin)).toBe(403);
      expect(await response!.json()).toEqual({ error: `Refused: the request came from another site. Server actions are accepted only from pages of ${CONSOLE}.` });
    }
    expect(refuseForeignServerAction(form(CONSOLE), CONSOLE)).toBeNull();
    // A url-encoded form is never an action to Next.js: the page answers it as before.
    expect(refuseForeignServerAction(form("https://evil.example", "application/x-www-form-urlencoded"), CONSOLE)).toBeNull();
  });

  it("lets the console's own actions, and requests that are not actions, through", () => {
    expect(refuseForeignServerAction(action(CONSOLE), CONSOLE)).toBeNull();
    expect(refuseForeignServerAction({ method: "POST", headers: new Headers({ origin: "https://evil.example" }) }, CONSOLE)).toBeNull();
  });
});

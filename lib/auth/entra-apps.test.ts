import { describe, expect, it } from "vitest";
import { looksLikeJwt, scopeOfAppRoles } from "./entra-apps";

describe("scopeOfAppRoles", () => {
  it.each([
    [["Bridgehead.Read"], "read"],
    [["Bridgehead.Write"], "write"],
    [["Bridgehead.Read", "Bridgehead.Write"], "write"],
    [["Bridgehead.Admin"], null], // a person's role: not an API role, grants an app nothing
    [["bridgehead.read"], null], // role values are case-sensitive in Entra
    [[], null],
    [undefined, null],
    ["Bridgehead.Write", null], // `roles` is an array; a string is malformed
    [[{ value: "Bridgehead.Write" }], null],
  ])("maps %j to %s", (roles, scope) => {
    expect(scopeOfAppRoles(roles)).toBe(scope);
  });
});

describe("looksLikeJwt", () => {
  it("tells a JWT from an API token", () => {
    expect(looksLikeJwt("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln")).toBe(true);
    expect(looksLikeJwt(`bh_${"a".repeat(43)}`)).toBe(false);
    expect(looksLikeJwt("a.b")).toBe(false);
    expect(looksLikeJwt("a.b.c.d.e")).toBe(false);
  });
});

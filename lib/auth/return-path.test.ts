import { describe, expect, it } from "vitest";
import { safeReturnPath } from "./return-path";

describe("safeReturnPath", () => {
  it.each(["/admin", "/admin/access?x=1", "/t/contoso#tokens"])("keeps the console path %s", (path) => {
    expect(safeReturnPath(path)).toBe(path);
  });

  it.each([
    null,
    "",
    "admin",
    "https://evil.example/",
    "//evil.example/",
    "/\\evil.example",
    "\\\\evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "javascript:alert(1)",
    "/.//evil.example",
    "/x/..//evil.example/p",
    "/%2e//evil.example",
  ])("refuses %j", (path) => {
    expect(safeReturnPath(path)).toBeNull();
  });
});

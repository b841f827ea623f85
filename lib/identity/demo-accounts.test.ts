import { describe, expect, it } from "vitest";
import { verifyDemoPassword } from "./demo-accounts";

describe("demo account passwords", () => {
  it("accept each persona's documented password, whatever the case of the sign-in name", () => {
    expect(verifyDemoPassword("admin@bridgehead.example", "admin-demo-pass")?.name).toBe("Ada Admin");
    expect(verifyDemoPassword("NOC@bridgehead.example ", "noc-demo-pass")?.roles).toEqual(["Bridgehead.NocViewer"]);
    expect(verifyDemoPassword("alice@contoso.example", "contoso-demo-pass")?.signInName).toBe("alice@contoso.example");
    expect(verifyDemoPassword("bob@fabrikam.example", "fabrikam-demo-pass")?.signInName).toBe("bob@fabrikam.example");
  });

  it("refuse a wrong password, another persona's password, and unknown names", () => {
    expect(verifyDemoPassword("admin@bridgehead.example", "Admin-demo-pass")).toBeUndefined();
    expect(verifyDemoPassword("alice@contoso.example", "fabrikam-demo-pass")).toBeUndefined();
    expect(verifyDemoPassword("mallory@evil.example", "admin-demo-pass")).toBeUndefined();
    expect(verifyDemoPassword("", "")).toBeUndefined();
  });
});

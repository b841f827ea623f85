import { describe, expect, it } from "vitest";
import { verifyDemoPassword } from "./demo-accounts";

describe("demo account passwords", () => {
  it("accept each persona's documented password, whatever the case of the sign-in name", async () => {
    expect((await verifyDemoPassword("admin@bridgehead.example", "admin-demo-pass"))?.name).toBe("Ada Admin");
    expect((await verifyDemoPassword("NOC@bridgehead.example ", "noc-demo-pass"))?.roles).toEqual(["Bridgehead.NocViewer"]);
    expect((await verifyDemoPassword("alice@contoso.example", "contoso-demo-pass"))?.signInName).toBe("alice@contoso.example");
    expect((await verifyDemoPassword("bob@fabrikam.example", "fabrikam-demo-pass"))?.signInName).toBe("bob@fabrikam.example");
  });

  it("refuse a wrong password, another persona's password, and unknown names", async () => {
    expect(await verifyDemoPassword("admin@bridgehead.example", "Admin-demo-pass")).toBeUndefined();
    expect(await verifyDemoPassword("alice@contoso.example", "fabrikam-demo-pass")).toBeUndefined();
    expect(await verifyDemoPassword("mallory@evil.example", "admin-demo-pass")).toBeUndefined();
    expect(await verifyDemoPassword("", "")).toBeUndefined();
  });
});

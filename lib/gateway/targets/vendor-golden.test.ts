/**
 * Golden files for the VyOS, IOS XE, RouterOS, Hyper-V and strongSwan generators: the exact bytes each
 * fixture yields, reviewed by eye against the vendors' documented syntax, so they are the spec.
 * A generator change that alters its output fails here until the files are rewritten with
 *
 *   UPDATE_GOLDEN=1 npx vitest run lib/gateway/targets/vendor-golden.test.ts
 *
 * and the diff is read before it is committed.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { CONTOSO_CUTOVER_INPUT, CONTOSO_INPUT, CONTOSO_PAIR_INPUTS, FABRIKAM_INPUT } from "@/tests/support/gateway-inputs";
import type { GatewayContext, GatewayTarget } from "../types";
import { ciscoIosxeTarget } from "./cisco-iosxe";
import { cutoverIosxeTarget, cutoverRouterosTarget, cutoverVyosTarget } from "./cutover-vendors";
import { hypervPowershellTarget } from "./hyperv-powershell";
import { mikrotikRouterosTarget } from "./mikrotik-routeros";
import { variant } from "@/tests/support/gateway-variants";
import { strongswanTarget } from "./strongswan";
import { vyosTarget } from "./vyos";

const GOLDEN_ROOT = path.join(import.meta.dirname, "__golden__");
const UPDATE = process.env.UPDATE_GOLDEN === "1";

type GoldenCase = { target: GatewayTarget; fixture: "contoso" | "fabrikam" | "contoso-pair-t1" | "contoso-pair-t2" | "contoso-cutover"; context: GatewayContext };

/** Contoso's two tunnels as an active/standby pair, for every vendor: the primary's files and the standby's. */
const PAIR_CASES: GoldenCase[] = [vyosTarget, ciscoIosxeTarget, mikrotikRouterosTarget, hypervPowershellTarget].flatMap((target) =>
  ([0, 1] as const).map((index) => ({
    target,
    fixture: index === 0 ? ("contoso-pair-t1" as const) : ("contoso-pair-t2" as const),
    context: variant(CONTOSO_PAIR_INPUTS[index], (input) => {
      if (target === hypervPowershellTarget) input.tenant.sourceEnvironment = "hyper-v";
    }),
  })),
);

const CASES: GoldenCase[] = [
  { target: vyosTarget, fixture: "contoso", context: variant(CONTOSO_INPUT) },
  { target: vyosTarget, fixture: "fabrikam", context: variant(FABRIKAM_INPUT) },
  { target: ciscoIosxeTarget, fixture: "contoso", context: variant(CONTOSO_INPUT) },
  // Fabrikam names its NICs the Linux way (ens18, ens19), which IOS XE refuses (cisco-iosxe.test.ts
  // proves it); its golden files use IOS XE names for the same two NICs.
  {
    target: ciscoIosxeTarget,
    fixture: "fabrikam",
    context: variant(FABRIKAM_INPUT, (input) => {
      input.tunnel.source.underlayInterface = "GigabitEthernet3";
      input.tunnel.source.lanInterface = "GigabitEthernet4";
    }),
  },
  { target: mikrotikRouterosTarget, fixture: "contoso", context: variant(CONTOSO_INPUT) },
  { target: mikrotikRouterosTarget, fixture: "fabrikam", context: variant(FABRIKAM_INPUT) },
  // Contoso runs on Proxmox; as a Hyper-V tenant it shows the trunk case (its gateway takes the VLAN tagged).
  {
    target: hypervPowershellTarget,
    fixture: "contoso",
    context: variant(CONTOSO_INPUT, (input) => {
      input.tenant.sourceEnvironment = "hyper-v";
    }),
  },
  { target: hypervPowershellTarget, fixture: "fabrikam", context: variant(FABRIKAM_INPUT) },
  ...PAIR_CASES,
  // The IPsec peer every vendor file above must match (lib/gateway/ipsec.test.ts proves they do).
  { target: strongswanTarget, fixture: "contoso", context: variant(CONTOSO_INPUT) },
  { target: strongswanTarget, fixture: "contoso-pair-t2", context: variant(CONTOSO_PAIR_INPUTS[1]) },
  // The cut-over's source half: release 192.168.10.1 on the router holding it, and take it back.
  { target: cutoverVyosTarget, fixture: "contoso-cutover", context: variant(CONTOSO_CUTOVER_INPUT) },
  { target: cutoverIosxeTarget, fixture: "contoso-cutover", context: variant(CONTOSO_CUTOVER_INPUT, (input) => void (input.stretch!.sourceInterface = "Vlan110")) },
  { target: cutoverRouterosTarget, fixture: "contoso-cutover", context: variant(CONTOSO_CUTOVER_INPUT, (input) => void (input.stretch!.sourceInterface = "vlan110")) },
];

describe("vendor generators match their golden files", () => {
  it.each(CASES.map((c) => [c.target.id, c.fixture, c] as const))("%s / %s", (_id, _fixture, { target, fixture, context }) => {
    // A golden file for a tenant the target does not serve would pin output nobody downloads.
    expect(target.appliesTo(context)).toBe(true);
    const dir = path.join(GOLDEN_ROOT, target.id, fixture);
    const files = target.generate(context);
    // A file's golden name is its own; where two ends share one (strongSwan's), the bundle path says which.
    const basenames = files.map((file) => path.basename(file.path));
    const shared = basenames.length !== new Set(basenames).size;
    const goldenName = (file: { path: string }) => (shared ? file.path.replaceAll("/", "__") : path.basename(file.path));
    const names = files.map(goldenName);
    expect(new Set(names).size).toBe(names.length);

    if (UPDATE) {
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir, { recursive: true });
      for (const file of files) writeFileSync(path.join(dir, goldenName(file)), file.contents);
    }

    // No golden file left behind for a file the generator stopped writing.
    expect(existsSync(dir) ? readdirSync(dir).sort() : []).toEqual([...names].sort());
    for (const file of files) {
      expect(file.contents, `${target.id}/${fixture}/${goldenName(file)} differs from its golden file`).toBe(
        readFileSync(path.join(dir, goldenName(file)), "utf8"),
      );
    }
  });
});

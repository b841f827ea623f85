/**
 * Gateway config generation: each target's generate() on the two fixtures (Contoso: IPsec VPN,
 * KVM; Fabrikam: ExpressRoute, Hyper-V, jumbo underlay), the whole zip bundle, and a download as
 * the route does it (loadGatewayContext, which reads the rows and decrypts the secrets, then
 * renderBundle) on PGlite in a data folder with one onboarded tenant and its tunnel.
 *
 * Each figure is the median over many timed slices of repeated calls (bench/timing.ts).
 */
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { addTunnel } from "@/lib/commands/tunnels";
import { onboardTenant } from "@/lib/commands/onboard-tenant";
import { openDatabase } from "@/lib/db/client";
import { vlanPools } from "@/lib/db/schema";
import { renderBundle, renderBundleReadme, renderTargets } from "@/lib/gateway/bundle";
import { gatewayContext, type GatewayContextInput } from "@/lib/gateway/context";
import { CONTOSO_INPUT, FABRIKAM_INPUT } from "@/tests/support/gateway-inputs";
import { loadGatewayContext } from "@/lib/gateway/load-context";
import { TARGETS } from "@/lib/gateway/registry";
import { GeneratorInputError, type GatewayContext } from "@/lib/gateway/types";
import { addTunnelInput } from "@/lib/validation/tunnel";
import { onboardTenantInput } from "@/lib/validation/tenant";
import { tempPgliteTarget } from "./allocation";
import { microsPerCall, SLICES } from "./timing";
import { insertPrivateCloud } from "@/tests/support/fleet-rows";

const FIXTURES: [string, GatewayContextInput][] = [
  ["Contoso (IPsec VPN, KVM)", CONTOSO_INPUT],
  ["Fabrikam (ExpressRoute, Hyper-V)", FABRIKAM_INPUT],
];

export type GatewayFigures = {
  fixtures: string[];
  /** Per target, µs per generate() on each fixture; null where the target does not apply, "refused" where it cannot take a value. */
  targets: { id: string; label: string; micros: (number | null | "refused")[]; bytes: (number | null)[] }[];
  /** The whole bundle, and the same without the zip (every generator and the README). */
  bundle: { micros: number[]; unzippedMicros: number[]; files: number[]; zipBytes: number[] };
  /** loadGatewayContext + renderBundle on PGlite: the download route's work less HTTP and audit. */
  endToEndMicros: number;
  loadOnlyMicros: number;
};

export async function benchGateway(): Promise<GatewayFigures> {
  const contexts: GatewayContext[] = FIXTURES.map(([, input]) => gatewayContext(input));
  const targets: GatewayFigures["targets"] = [];
  for (const target of TARGETS) {
    const micros: GatewayFigures["targets"][number]["micros"] = [];
    const bytes: (number | null)[] = [];
    for (const context of contexts) {
      if (!target.appliesTo(context)) {
        micros.push(null);
        bytes.push(null);
        continue;
      }
      let files;
      try {
        files = target.generate(context);
      } catch (error) {
        // A platform that cannot take one of the fixture's values (IOS XE and a Linux NIC name): the bundle reports it too.
        if (!(error instanceof GeneratorInputError)) throw error;
        micros.push("refused");
        bytes.push(null);
        continue;
      }
      bytes.push(files.reduce((sum, file) => sum + Buffer.byteLength(file.contents), 0));
      micros.push(await microsPerCall(() => target.generate(context)));
    }
    targets.push({ id: target.id, label: target.label, micros, bytes });
  }
  const bundle: GatewayFigures["bundle"] = { micros: [], unzippedMicros: [], files: [], zipBytes: [] };
  for (const context of contexts) {
    const once = renderBundle(context);
    bundle.files.push(once.files.length);
    bundle.zipBytes.push(once.bytes.byteLength);
    bundle.micros.push(await microsPerCall(() => renderBundle(context)));
    bundle.unzippedMicros.push(await microsPerCall(() => renderBundleReadme(context, renderTargets(context))));
  }
  const { endToEndMicros, loadOnlyMicros } = await benchDownload();
  return { fixtures: FIXTURES.map(([name]) => name), targets, bundle, endToEndMicros, loadOnlyMicros };
}

/** One onboarded tenant with one tunnel (secrets encrypted as the console stores them), then the download's work. */
async function benchDownload(): Promise<{ endToEndMicros: number; loadOnlyMicros: number }> {
  const target = tempPgliteTarget();
  const handle = await openDatabase(target);
  try {
    const { db } = handle;
    const cloud = await insertPrivateCloud(db, "bench-gateway");
    await db.insert(vlanPools).values({ privateCloudId: cloud!.id });
    const onboarded = await onboardTenant(
      db,
      null,
      onboardTenantInput.parse({
        privateCloudId: cloud!.id,
        slug: "contoso",
        displayName: "Contoso Manufacturing",
        contacts: [{ name: "Bench", email: "bench@example.com" }],
        sourceEnvironment: "kvm-proxmox",
        transport: "ipsec-vpn",
        subnet: "192.168.10.0/24",
        gatewayLocation: "source",
        sourceGatewayUnderlayIp: "198.51.100.10",
      }),
    );
    if (!onboarded.ok) throw new Error(`onboarding refused: ${onboarded.message}`);
    const secretsKey = new Uint8Array(randomBytes(32));
    const added = await addTunnel(
      db,
      null,
      addTunnelInput.parse({
        tenantId: onboarded.tenantId,
        name: "primary",
        source: { hostname: "contoso-gw1", underlayIp: "198.51.100.10", lanTagged: true },
        avs: { hostname: "contoso-bridge1", underlayIp: "10.120.8.10" },
      }),
      secretsKey,
    );
    if (!added.ok) throw new Error(`addTunnel refused: ${added.message}`);
    const options = { secretsKey, consoleUrl: "https://bridgehead.example.com" };
    const load = async () => {
      const loaded = await loadGatewayContext(db, added.tunnelId, options);
      if (!loaded.ok) throw new Error(`loadGatewayContext refused: ${loaded.message}`);
      return loaded.context;
    };
    const loadOnlyMicros = await microsPerCall(load);
    const endToEndMicros = await microsPerCall(async () => renderBundle(await load()));
    return { endToEndMicros, loadOnlyMicros };
  } finally {
    await handle.close();
    if (target.kind === "pglite" && target.dataDir) fs.rmSync(path.dirname(target.dataDir), { recursive: true, force: true });
  }
}

export function renderGateway(figures: GatewayFigures): string {
  const cpu = os.cpus()[0]?.model ?? "unknown CPU";
  const all = figures.targets.flatMap((t) => t.micros).filter((m): m is number => typeof m === "number");
  const cheapest = Math.min(...all);
  const cell = (micros: number | null | "refused", bytes: number | null) =>
    micros === null ? "—" : micros === "refused" ? "refused (a value this platform cannot take)" : `${micros.toFixed(1)} (${(micros / cheapest).toFixed(1)}×, ${(bytes! / 1024).toFixed(1)} KiB)`;
  const [first, second] = figures.fixtures;
  const bundleCell = (i: number) => `${figures.bundle.micros[i]!.toFixed(0)} (${(figures.bundle.micros[i]! / cheapest).toFixed(0)}×; ${figures.bundle.files[i]} files, ${(figures.bundle.zipBytes[i]! / 1024).toFixed(1)} KiB zip)`;
  return [
    `Measured ${new Date().toISOString().slice(0, 10)} on ${os.cpus().length} × ${cpu}, Node ${process.version}, load average ${os.loadavg()[0]!.toFixed(1)}. ` +
      `µs per call, median of ${SLICES} slices of repeated calls; in brackets the ratio to the cheapest generator and the size of its files. "—": the target does not apply to that tenant.`,
    "",
    `| µs per call | ${first} | ${second} |`,
    "| --- | ---: | ---: |",
    ...figures.targets.map((t) => `| ${t.label} (\`${t.id}\`) | ${cell(t.micros[0]!, t.bytes[0]!)} | ${cell(t.micros[1]!, t.bytes[1]!)} |`),
    `| every applicable target and the README, no zip (renderTargets + renderBundleReadme) | ${figures.bundle.unzippedMicros[0]!.toFixed(0)} | ${figures.bundle.unzippedMicros[1]!.toFixed(0)} |`,
    `| **whole bundle** (renderBundle: the above, zipped at level 6) | ${bundleCell(0)} | ${bundleCell(1)} |`,
    "",
    `A download's work on PGlite (Contoso's tunnel, one tenant in the database): loadGatewayContext ${figures.loadOnlyMicros.toFixed(0)} µs ` +
      `(three queries: the tunnel, its ends and a partner tunnel; three secrets decrypted, the allow-lists), then renderBundle: ${figures.endToEndMicros.toFixed(0)} µs in all, ` +
      `${(figures.endToEndMicros / figures.bundle.micros[0]!).toFixed(1)}× the bundle from the in-memory fixture.`,
  ].join("\n");
}

if (process.argv[1]?.endsWith("gateway.ts")) {
  benchGateway()
    .then((figures) => console.log(renderGateway(figures)))
    .catch((error: unknown) => {
      console.error(error);
      process.exit(1);
    });
}

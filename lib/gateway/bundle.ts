/**
 * A tunnel's download: every applicable target's files, plus a README that gives the apply
 * order, in one zip. Pure (the zip's timestamps are fixed), so the same tunnel always yields
 * the same bytes.
 */
import { zipSync, strToU8, type Zippable } from "fflate";
import { SOURCE_PLATFORMS } from "@/lib/domain/tenant-options";
import { guardReadme, pairReadme } from "./pair-readme";
import { LIFECYCLE_ROLES, targetsFor } from "./registry";
import { GeneratorInputError, type GatewayContext, type GeneratedFile, type GatewayTarget, type TargetRole } from "./types";

/** Zip entries carry a DOS time; a fixed one keeps bundles byte-for-byte reproducible. */
const FIXED_MTIME = new Date("2026-01-01T00:00:00Z");

export type RenderedTarget = { target: GatewayTarget; files: GeneratedFile[] } | { target: GatewayTarget; error: GeneratorInputError };

/**
 * Runs every applicable generator; a platform that cannot take a value reports it. Whether the
 * bundle can do without that platform is findBundleGaps' to say.
 */
export function renderTargets(context: GatewayContext): RenderedTarget[] {
  return targetsFor(context).map((target) => {
    try {
      return { target, files: target.generate(context) };
    } catch (error) {
      if (error instanceof GeneratorInputError) return { target, error };
      throw error;
    }
  });
}

/**
 * The roles a tunnel cannot work without: every applicable target of these must render. The
 * source gateway is one platform of the operator's choice, so at least one of those must.
 */
const REQUIRED_ROLES = new Set<TargetRole>(["hypervisor", "edge-bridge", "transport", "agent"]);

export type BundleGap = { field: string; message: string };

/** What a bundle would lack that the tenant needs, by the field to fix; [] when it is complete. */
export function findBundleGaps(context: GatewayContext, rendered: RenderedTarget[]): BundleGap[] {
  const gaps: BundleGap[] = [];
  const gap = (item: RenderedTarget) => {
    if ("error" in item) gaps.push({ field: item.error.field, message: `${item.target.label}: ${item.error.message}` });
  };
  for (const item of rendered) if (REQUIRED_ROLES.has(item.target.role)) gap(item);
  const sources = rendered.filter((item) => item.target.role === "source-gateway");
  const chosen = context.tunnel.sourcePlatform;
  if (chosen) {
    const item = sources.find((s) => s.target.id === chosen);
    if (item) gap(item);
    else gaps.push({ field: "tunnel.sourcePlatform", message: `${SOURCE_PLATFORMS[chosen]} files are not written for this tenant (${context.tenant.encapsulation.toUpperCase()}): choose another platform.` });
  } else if (sources.length > 0 && sources.every((item) => "error" in item)) {
    sources.forEach(gap);
  }
  return gaps;
}

/** A bundle that would lack a file the tenant needs: assembly stops instead of leaving it out. */
export class BundleIncompleteError extends Error {
  override name = "BundleIncompleteError";
  constructor(readonly gaps: BundleGap[]) {
    super(`The gateway configs cannot be complete: ${gaps.map((gap) => `${gap.field}: ${gap.message}`).join(" ")}`);
  }
}

export function bundleName(context: GatewayContext): string {
  return `bridgehead-${context.tenant.slug}-t${context.tunnel.ordinal}`;
}

export function renderBundleReadme(context: GatewayContext, rendered: RenderedTarget[]): string {
  const { tenant, tunnel, mtu } = context;
  const lines = [
    `# Gateway configs: ${tenant.displayName}, tunnel ${tunnel.name}`,
    "",
    `VLAN ${tenant.vlanId}, VNI ${tenant.vni}, subnet ${tenant.subnet}, ${tenant.encapsulation.toUpperCase()} over ${tenant.transport}.`,
    `Source end ${tunnel.source.hostname} (${tunnel.source.underlayIp}); AVS end ${tunnel.avs.hostname} (${tunnel.avs.underlayIp}) on segment ${tenant.segmentName}.`,
    "",
    `MTU: ${mtu.arithmetic.join(" ")}`,
    ...(mtu.fitsStandardFrames
      ? []
      : ["", `**The underlay cannot carry 1500-byte inner packets.** Raise it to ${mtu.underlayNeededForStandard}, or run the workloads at MTU ${mtu.innerMtu} with TCP MSS clamped to ${mtu.mss}.`]),
    "",
    "Files holding secrets (the IPsec pre-shared key, the agents' tokens) are readable by their owner only. Keep them that way.",
    "",
    ...pairReadme(context),
    ...guardReadme(),
    "## Apply order",
    "",
    "Each folder is one way to do a step: pick the one for your platform (for the source gateway, one of iproute2, systemd-networkd, netplan, ifupdown2, VyOS, IOS-XE or RouterOS).",
    "",
  ];
  let step = 1;
  for (const item of rendered.filter((r) => !LIFECYCLE_ROLES.has(r.target.role))) {
    if ("error" in item) {
      lines.push(`${step++}. ${item.target.label}: not generated. ${item.error.message}`);
      continue;
    }
    lines.push(`${step++}. ${item.target.label}: ${item.target.summary}`);
    for (const file of item.files) lines.push(`   - \`${file.path}\``);
  }
  lines.push("", "Undo in the reverse order; every file's header says how.", "");
  lines.push(...lifecycleSections(context, rendered));
  return lines.join("\n");
}

/** The cut-over and unextend sections: present once a cut-over is planned. */
function lifecycleSections(context: GatewayContext, rendered: RenderedTarget[]): string[] {
  const list = (role: string) =>
    rendered
      .filter((r) => r.target.role === role)
      .flatMap((item) => ("error" in item ? [`- ${item.target.label}: not generated. ${item.error.message}`] : item.files.map((file) => `- \`${file.path}\``)));
  const stretch = context.stretch;
  if (!stretch) return [];
  const lines: string[] = [];
  const cutover = list("cut-over");
  if (cutover.length > 0) {
    const host = stretch.gatewayAddress.split("/")[0];
    lines.push(
      "## Cut-over",
      "",
      `The subnet's default gateway ${host} moves from the source site's router to the NSX-T Tier-1 ${stretch.tier1Id}. So that the`,
      "address is never answered at both ends, the order is:",
      "",
      `1. On the router that holds ${host} today, run the cut-over file for its platform (one of the folders below): it releases the address.`,
      `2. In Bridgehead, check that the gateway pre-check shows nobody answering for ${host}, then cut over: Azure gives segment`,
      `   ${context.tenant.segmentName} its gateway ${stretch.gatewayAddress} on ${stretch.tier1Id}. Workloads re-learn the gateway's MAC as their ARP entries expire (about a minute).`,
      "3. The tunnels stay up for workloads still at the source; Bridgehead re-checks that the tromboning has stopped.",
      "",
      "Rollback is the reverse: roll back in Bridgehead first (the Tier-1 lets the address go), then run the restore file on the router.",
      "",
      ...cutover,
      "",
    );
  }
  const unextend = list("unextend");
  if (unextend.length > 0) {
    lines.push("## Unextend", "", "Once cut over and no workload is left at the source: the ordered teardown (source gateway first, then the AVS edge bridge) is in `unextend/`.", "", ...unextend, "");
  }
  return lines;
}

export type Bundle = { fileName: string; bytes: Uint8Array; files: string[] };

/** Throws BundleIncompleteError rather than zip a bundle without a file the tenant needs. */
export function renderBundle(context: GatewayContext): Bundle {
  const rendered = renderTargets(context);
  const gaps = findBundleGaps(context, rendered);
  if (gaps.length > 0) throw new BundleIncompleteError(gaps);
  const root = bundleName(context);
  const entries: Zippable = {};
  const files: string[] = [];
  const add = (file: GeneratedFile) => {
    const name = `${root}/${file.path}`;
    if (entries[name]) throw new Error(`Two generators wrote ${file.path}.`);
    // The external attributes carry the Unix mode (high 16 bits), so `unzip` restores 0600 / 0755.
    entries[name] = [strToU8(file.contents), { mtime: FIXED_MTIME, attrs: (0o100000 | file.mode) << 16, os: 3 }];
    files.push(file.path);
  };
  add({ path: "README.md", contents: renderBundleReadme(context, rendered), mode: 0o644 });
  for (const item of rendered) if ("files" in item) item.files.forEach(add);
  return { fileName: `${root}.zip`, bytes: zipSync(entries, { level: 6 }), files };
}

/** One file of the bundle by its path, for a single-file download. */
export function findGeneratedFile(context: GatewayContext, path: string): GeneratedFile | null {
  for (const item of renderTargets(context)) {
    if ("files" in item) {
      const file = item.files.find((f) => f.path === path);
      if (file) return file;
    }
  }
  return null;
}

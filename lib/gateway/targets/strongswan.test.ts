import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { itWithTool, runningAsRoot, tool, type Requirement } from "@/tests/support/gateway-tools";
import { CONTOSO_INPUT, FABRIKAM_INPUT } from "@/tests/support/gateway-inputs";
import { type GatewayContext } from "../types";
import { ESP_TRANSPORT_GCM_MAX_BYTES, renderSwanctlConf, strongswanTarget } from "./strongswan";
import { commandLines, variant, inputError } from "@/tests/support/gateway-variants";

const contoso = variant(CONTOSO_INPUT);
const ipv6 = variant(CONTOSO_INPUT, (input) => {
  input.tunnel.source.underlayIp = "2001:db8:10::10";
  input.tunnel.avs.underlayIp = "2001:db8:20::10";
});
const l2tp = variant(CONTOSO_INPUT, (input) => void (input.tenant.encapsulation = "l2tpv3"));
const otherPort = variant(CONTOSO_INPUT, (input) => void (input.vxlanPort = 8472));
const suite128 = variant(CONTOSO_INPUT, (input) => void (input.tunnel.ipsecSuite = "aes128gcm-ecp256"));

function conf(context: GatewayContext, side: "source" | "avs"): string {
  const file = strongswanTarget.generate(context).find((f) => f.path.startsWith(`${side}/`));
  if (!file) throw new Error(`no ${side} file`);
  return file.contents;
}

/** swanctl.conf as "section.section.key = value" lines, comments dropped. */
function settings(contents: string): string[] {
  const stack: string[] = [];
  const out: string[] = [];
  for (const raw of commandLines(contents, "#")) {
    const line = raw.trim();
    if (line.endsWith("{")) stack.push(line.slice(0, -1).trim());
    else if (line === "}") stack.pop();
    else out.push([...stack, line].join("."));
  }
  return out;
}


describe("strongswanTarget", () => {
  it("applies to IPsec VPN tenants only, first in the apply order", () => {
    expect(strongswanTarget.appliesTo(contoso)).toBe(true);
    expect(strongswanTarget.appliesTo(variant(FABRIKAM_INPUT))).toBe(false);
    expect(strongswanTarget.applyOrder).toBeLessThan(10);
  });

  it("writes one conf.d snippet per end, mode 600 because it holds the pre-shared key, its base64 text quoted as the key itself", () => {
    const files = strongswanTarget.generate(contoso);
    expect(files.map((f) => [f.path, f.mode])).toEqual([
      ["source/strongswan/bh-contoso-t1.conf", 0o600],
      ["avs/strongswan/bh-contoso-t1.conf", 0o600],
    ]);
    for (const file of files) expect(settings(file.contents)).toContain(`secrets.ike-bh-contoso-t1.secret = "${CONTOSO_INPUT.tunnel.psk}"`);
  });

  it("names each end's own and peer's underlay address and identity, mirrored between the two files", () => {
    const source = settings(conf(contoso, "source"));
    const avs = settings(conf(contoso, "avs"));
    expect(source).toEqual(
      expect.arrayContaining([
        "connections.bh-contoso-t1.version = 2",
        "connections.bh-contoso-t1.local_addrs = 198.51.100.10",
        "connections.bh-contoso-t1.remote_addrs = 10.120.8.10",
        "connections.bh-contoso-t1.proposals = aes256gcm16-prfsha384-ecp384",
        "connections.bh-contoso-t1.local.id = 198.51.100.10",
        "connections.bh-contoso-t1.remote.id = 10.120.8.10",
      ]),
    );
    expect(avs).toEqual(
      expect.arrayContaining([
        "connections.bh-contoso-t1.local_addrs = 10.120.8.10",
        "connections.bh-contoso-t1.remote_addrs = 198.51.100.10",
        "connections.bh-contoso-t1.local.id = 10.120.8.10",
        "connections.bh-contoso-t1.remote.id = 198.51.100.10",
      ]),
    );
  });

  it("protects VXLAN in both directions on the destination port only, because the source port is a flow hash", () => {
    const children = (lines: string[]) => lines.filter((l) => /\.children\..*(_ts|mode|esp_proposals) = /.test(l));
    expect(children(settings(conf(contoso, "source")))).toEqual([
      "connections.bh-contoso-t1.children.bh-contoso-t1-out.mode = transport",
      "connections.bh-contoso-t1.children.bh-contoso-t1-out.local_ts = 198.51.100.10[udp]",
      "connections.bh-contoso-t1.children.bh-contoso-t1-out.remote_ts = 10.120.8.10[udp/4789]",
      "connections.bh-contoso-t1.children.bh-contoso-t1-out.esp_proposals = aes256gcm16-ecp384",
      "connections.bh-contoso-t1.children.bh-contoso-t1-in.mode = transport",
      "connections.bh-contoso-t1.children.bh-contoso-t1-in.local_ts = 198.51.100.10[udp/4789]",
      "connections.bh-contoso-t1.children.bh-contoso-t1-in.remote_ts = 10.120.8.10[udp]",
      "connections.bh-contoso-t1.children.bh-contoso-t1-in.esp_proposals = aes256gcm16-ecp384",
    ]);
    expect(settings(conf(otherPort, "avs"))).toEqual(
      expect.arrayContaining([
        "connections.bh-contoso-t1.children.bh-contoso-t1-out.remote_ts = 198.51.100.10[udp/8472]",
        "connections.bh-contoso-t1.children.bh-contoso-t1-in.local_ts = 10.120.8.10[udp/8472]",
      ]),
    );
  });

  it("selects IP protocol 115 for L2TPv3, which has no ports", () => {
    const lines = settings(conf(l2tp, "source")).filter((l) => l.includes("_ts = "));
    expect(lines).toEqual([
      "connections.bh-contoso-t1.children.bh-contoso-t1.local_ts = 198.51.100.10[115]",
      "connections.bh-contoso-t1.children.bh-contoso-t1.remote_ts = 10.120.8.10[115]",
    ]);
  });

  it("lets the source end initiate and the AVS end trap, each saying so", () => {
    const actions = (side: "source" | "avs") => settings(conf(contoso, side)).filter((l) => /_action = /.test(l)).map((l) => l.replace(/^.*\./, ""));
    expect(actions("source")).toEqual(["start_action = trap|start", "dpd_action = restart", "start_action = trap|start", "dpd_action = restart"]);
    expect(actions("avs")).toEqual(["start_action = trap", "dpd_action = trap", "start_action = trap", "dpd_action = trap"]);
    expect(conf(contoso, "source")).toContain("# This end INITIATES");
    expect(conf(contoso, "avs")).toContain("# This end RESPONDS");
  });

  it("explains that the budget's ESP tunnel-mode worst case over-covers transport mode, with this tunnel's numbers", () => {
    // IPv4: 1500 − 50 − 73 = 1377 inside; transport-mode GCM costs 37, so 1377 + 50 + 37 = 1464 on the wire.
    expect(contoso.mtu.transportBytes - ESP_TRANSPORT_GCM_MAX_BYTES).toBe(36);
    const text = conf(contoso, "source");
    expect(text).toContain("subtracts 73 B for ESP, the worst case of TUNNEL mode");
    expect(text).toContain("over-covers by 36 B");
    expect(text).toContain("1377 + 50 + 37 = 1464 B on the wire (underlay MTU 1500)");
    // IPv6: tunnel mode's outer header is 40 B, transport mode has none: 1337 + 70 + 37 = 1444.
    const six = conf(ipv6, "source");
    expect(six).toContain("subtracts 93 B for ESP");
    expect(six).toContain("over-covers by 56 B");
    expect(six).toContain("1337 + 70 + 37 = 1444 B on the wire");
  });

  it("refuses a tunnel without IPsec or without its key, saying what to fix", () => {
    const expressRoute = variant(FABRIKAM_INPUT);
    expect(inputError(() => renderSwanctlConf(expressRoute, "source"))).toMatchObject({ field: "tenant.transport" });
    const keyless: GatewayContext = { ...contoso, tunnel: { ...contoso.tunnel, psk: null } };
    const error = inputError(() => strongswanTarget.generate(keyless));
    expect(error.field).toBe("tunnel.psk");
    expect(error.message).toMatch(/pre-shared key/);
  });

  it("is pure: the same tunnel gives the same bytes", () => {
    expect(strongswanTarget.generate(variant(CONTOSO_INPUT))).toEqual(strongswanTarget.generate(variant(CONTOSO_INPUT)));
  });
});

// ---- The real parser and the real IKE daemon ---------------------------------------------------

const HARNESS = path.resolve(import.meta.dirname, "../../../tests/support/strongswan-harness.sh");

const unshareNet: Requirement = {
  name: "unshare --net",
  missing: () => {
    const probe = spawnSync("unshare", ["--net", "true"], { encoding: "utf8" });
    return probe.status === 0 ? null : `unshare --net fails here: ${probe.error?.message ?? (probe.stderr.trim() || `exit ${probe.status}`)}`;
  },
};
/** AES-GCM and ECP-384 come from these two plugins (libstrongswan-standard-plugins on Debian). */
const standardPlugins: Requirement = {
  name: "libstrongswan-standard-plugins",
  missing: () =>
    ["gcm", "openssl"].every((p) => existsSync(`/usr/lib/ipsec/plugins/libstrongswan-${p}.so`))
      ? null
      : "strongSwan's gcm and openssl plugins are not installed (apt-get install libstrongswan-standard-plugins)",
};
const STRONGSWAN = [tool("charon-systemd"), tool("swanctl", "strongswan-swanctl"), standardPlugins, runningAsRoot, unshareNet];

const work = mkdtempSync(path.join(tmpdir(), "bh-strongswan-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function writeConf(name: string, contents: string): string {
  const file = path.join(work, name);
  writeFileSync(file, contents, { mode: 0o600 });
  return file;
}

function harness(args: string[]): string {
  const run = spawnSync("unshare", ["--net", "--fork", "bash", HARNESS, ...args], { encoding: "utf8", timeout: 60_000 });
  if (run.status !== 0) throw new Error(`harness failed (exit ${run.status}):\n${run.stdout}\n${run.stderr}`);
  return run.stdout;
}

/** Per loaded file: what swanctl printed and the connections charon then holds. */
function load(files: string[]): { output: string; status: number; conns: string }[] {
  const dir = mkdtempSync(path.join(work, "load-"));
  const text = harness(["load", dir, ...files]);
  return [...text.matchAll(/=== load .*\n([\s\S]*?)=== status (\d+)\n([\s\S]*?)(?==== (?:load|unload))/g)].map((m) => ({
    output: m[1] ?? "",
    status: Number(m[2]),
    conns: m[3] ?? "",
  }));
}

/**
 * What is wrong with one load, or [] when swanctl parsed the file and charon took the
 * connection and the secret. swanctl exits 0 after a syntax error ("invalid config file"), so
 * its exit status alone proves nothing: the positive lines must be there.
 */
function loadProblems(result: { output: string; status: number }, name: string): string[] {
  const problems: string[] = [];
  if (result.status !== 0) problems.push(`swanctl exited ${result.status}`);
  if (/invalid config file|syntax error|failed/i.test(result.output)) problems.push(result.output.trim());
  if (!result.output.includes(`loaded ike secret 'ike-${name}'`)) problems.push("the secret was not loaded");
  if (!result.output.includes(`loaded connection '${name}'`) || !result.output.includes("successfully loaded 1 connections")) problems.push("the connection was not loaded");
  return problems;
}

describe("strongswanTarget with strongSwan itself", () => {
  itWithTool(STRONGSWAN, "charon-systemd loads every variant from conf.d (IPv4, IPv6, L2TPv3, another port, the AES-128 suite), and --load-all unloads it once the file is gone", () => {
    const variants = { contoso, ipv6, l2tp, otherPort, suite128 };
    const files = Object.entries(variants).flatMap(([name, context]) =>
      (["source", "avs"] as const).map((side) => writeConf(`${name}-${side}.conf`, renderSwanctlConf(context, side))),
    );
    const results = load(files);
    expect(results).toHaveLength(files.length);
    for (const [i, result] of results.entries()) {
      expect({ file: path.basename(files[i] ?? ""), problems: loadProblems(result, "bh-contoso-t1") }).toEqual({ file: path.basename(files[i] ?? ""), problems: [] });
    }
    // What charon made of the first file: transport-mode children with the VXLAN selectors.
    expect(results[0]?.conns).toMatch(/bh-contoso-t1-out: TRANSPORT[^\n]*\n\s+local:\s+198\.51\.100\.10\/32\[udp\]\n\s+remote:\s+10\.120\.8\.10\/32\[udp\/4789\]/);
    expect(results[0]?.conns).toMatch(/bh-contoso-t1-in: TRANSPORT[^\n]*\n\s+local:\s+198\.51\.100\.10\/32\[udp\/4789\]\n\s+remote:\s+10\.120\.8\.10\/32\[udp\]/);
    expect(results[2]?.conns).toMatch(/local:\s+2001:db8:10::10\/128\[udp\]/);
    // charon prints protocol 115 by its /etc/protocols name when it has one.
    expect(results[4]?.conns).toMatch(/bh-contoso-t1: TRANSPORT[^\n]*\n\s+local:\s+198\.51\.100\.10\/32\[(115|l2tp)\]/);
    const after = harness(["load", mkdtempSync(path.join(work, "undo-")), files[0] ?? ""]);
    expect(after.split("=== remaining")[1]?.trim()).toBe("");
  });

  itWithTool(STRONGSWAN, "the same check catches a broken file: a missing brace, a bad selector, an unknown proposal", () => {
    const good = renderSwanctlConf(contoso, "source");
    const broken = {
      brace: good.replace(/}\n$/, "\n"),
      selector: good.replace("10.120.8.10[udp/4789]", "10.120.8.300[udp/4789]"),
      proposal: good.replace("esp_proposals = aes256gcm16-ecp384", "esp_proposals = aes256gcm16-ecp385"),
    };
    expect(Object.values(broken).every((text) => text !== good)).toBe(true);
    const results = load(Object.entries(broken).map(([name, text]) => writeConf(`broken-${name}.conf`, text)));
    for (const result of results) expect(loadProblems(result, "bh-contoso-t1")).not.toEqual([]);
    expect(results[0]?.output).toMatch(/syntax error/);
    expect(results[1]?.output).toMatch(/invalid value for: remote_ts/);
    expect(results[2]?.output).toMatch(/invalid value for: esp_proposals/);
  });

  itWithTool(STRONGSWAN, "the two ends' files negotiate: IKEv2 with the PSK, each child finds its twin, ESP AES-GCM is chosen", () => {
    const dir = mkdtempSync(path.join(work, "negotiate-"));
    const log = harness([
      "negotiate", dir,
      writeConf("neg-source.conf", conf(contoso, "source")), "198.51.100.10",
      writeConf("neg-avs.conf", conf(contoso, "avs")), "10.120.8.10",
    ]);
    const [sourceLog = "", avsLog = ""] = log.split("=== source log")[1]?.split("=== avs log") ?? [];
    expect(sourceLog).toMatch(/authentication of '10\.120\.8\.10' with pre-shared key successful/);
    expect(sourceLog).toMatch(/IKE_SA bh-contoso-t1\[\d+\] established between 198\.51\.100\.10\[198\.51\.100\.10\]\.\.\.10\.120\.8\.10\[10\.120\.8\.10\]/);
    expect(avsLog).toMatch(/selected proposal: IKE:AES_GCM_16_256\/PRF_HMAC_SHA2_384\/ECP_384/);
    // The source's "out" (any port → AVS:4789) is the AVS's "in", and the other way round.
    const chosen = Object.fromEntries(
      avsLog
        .split("looking for a child config for ")
        .slice(1)
        .map((lookup) => [lookup.split("\n")[0], /found matching child config "([^"]+)"/.exec(lookup)?.[1] ?? null]),
    );
    expect(chosen).toEqual({
      "10.120.8.10/32[udp/4789] === 198.51.100.10/32[udp]": "bh-contoso-t1-in",
      "10.120.8.10/32[udp] === 198.51.100.10/32[udp/4789]": "bh-contoso-t1-out",
    });
    expect(avsLog).toMatch(/selected proposal: ESP:AES_GCM_16_256/);
  });

  itWithTool(STRONGSWAN, "the AES-128 suite negotiates as its own proposal at both levels (IKE and ESP)", () => {
    const dir = mkdtempSync(path.join(work, "negotiate-128-"));
    const log = harness([
      "negotiate", dir,
      writeConf("n128-source.conf", conf(suite128, "source")), "198.51.100.10",
      writeConf("n128-avs.conf", conf(suite128, "avs")), "10.120.8.10",
    ]);
    const avsLog = log.split("=== avs log")[1] ?? "";
    expect(log).toMatch(/IKE_SA bh-contoso-t1\[\d+\] established/);
    expect(avsLog).toMatch(/selected proposal: IKE:AES_GCM_16_128\/PRF_HMAC_SHA2_256\/ECP_256/);
    expect(avsLog).toMatch(/selected proposal: ESP:AES_GCM_16_128/);
  });

  itWithTool(STRONGSWAN, "a key whose text starts 0s is its text to charon: it authenticates against the text's bytes, as the vendors hold it", () => {
    const psk = `0s${"QmFk".repeat(10)}A=`;
    const prefixed = variant(CONTOSO_INPUT, (input) => void (input.tunnel.psk = psk));
    // The peer holds the text's bytes, written in an encoding swanctl cannot misread.
    const asText = conf(prefixed, "avs").replace(/^ {4}secret = .*$/m, `    secret = 0s${Buffer.from(psk).toString("base64")}`);
    const rendered = conf(prefixed, "source");
    expect(rendered).toMatch(/^ {4}secret = 0x[0-9a-f]+$/m);
    const good = harness([
      "negotiate", mkdtempSync(path.join(work, "prefixed-key-")),
      writeConf("pk-source.conf", rendered), "198.51.100.10",
      writeConf("pk-avs.conf", asText), "10.120.8.10",
    ]);
    expect(good).toMatch(/IKE_SA bh-contoso-t1\[\d+\] established/);
    // The quoted text, as written before: swanctl decodes it as base64 and the keys differ.
    const quoted = rendered.replace(/^ {4}secret = .*$/m, `    secret = "${psk}"`);
    const bad = harness([
      "negotiate", mkdtempSync(path.join(work, "prefixed-key-quoted-")),
      writeConf("pq-source.conf", quoted), "198.51.100.10",
      writeConf("pq-avs.conf", asText), "10.120.8.10",
    ]);
    expect(bad).toMatch(/MAC mismatched|AUTHENTICATION_FAILED/);
    expect(bad).not.toMatch(/IKE_SA bh-contoso-t1\[\d+\] established/);
  });

  itWithTool(STRONGSWAN, "two ends with different keys do not authenticate", () => {
    const dir = mkdtempSync(path.join(work, "wrong-key-"));
    const otherKey = variant(CONTOSO_INPUT, (input) => void (input.tunnel.psk = `${"b3RoZXJr".repeat(5)}xyz=`));
    const log = harness([
      "negotiate", dir,
      writeConf("key-source.conf", conf(contoso, "source")), "198.51.100.10",
      writeConf("key-avs.conf", conf(otherKey, "avs")), "10.120.8.10",
    ]);
    expect(log).toMatch(/MAC mismatched|AUTHENTICATION_FAILED/);
    expect(log).not.toMatch(/IKE_SA bh-contoso-t1\[\d+\] established/);
  });
});

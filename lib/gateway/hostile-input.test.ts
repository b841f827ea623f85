/**
 * No user-supplied value can inject a line, a command or a stanza into any generated file.
 * Every string field of every generator's input is fed hostile strings: each is either refused
 * at the boundary (parseGatewayContext, with an error naming the field) or, where the
 * allow-list lets odd characters through (the display name), rendered only inside comments.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseGatewayContext, type GatewayContextInput } from "./context";
import { CONTOSO_CUTOVER_INPUT, CONTOSO_INPUT, CONTOSO_PAIR_INPUTS, FABRIKAM_INPUT } from "@/tests/support/gateway-inputs";
import { TARGETS } from "./registry";
import { GeneratorInputError, type GatewayContext } from "./types";

/** Every string-valued field, as a path into the input. */
const STRING_FIELDS: string[][] = [
  ["tenant", "slug"],
  ["tenant", "displayName"],
  ["tenant", "subnet"],
  ["tenant", "segmentName"],
  ["tunnel", "name"],
  ["tunnel", "psk"],
  // Choices that pick the IPsec suite and the platform whose files must render: enums, so any other text is refused.
  ["tunnel", "ipsecSuite"],
  ["tunnel", "sourcePlatform"],
  ["consoleUrl"],
  ...(["source", "avs"] as const).flatMap((side) =>
    ["hostname", "underlayIp", "underlayInterface", "lanInterface", "agentToken"].map((field) => ["tunnel", side, field]),
  ),
];

/** The partner tunnel's fields, which only a tenant with two tunnels has. */
const PAIR_FIELDS: string[][] = ["name", "sourceHostname", "sourceUnderlayIp", "avsHostname", "avsUnderlayIp"].map((field) => ["pair", "partner", field]);

/** The cut-over plan's fields, which reach the cut-over and unextend files. */
const STRETCH_FIELDS: string[][] = ["gatewayAddress", "tier1Id", "sourceInterface"].map((field) => ["stretch", field]);
/** Contoso cut over: every cut-over and unextend generator renders for it. */
const CUT_OVER: GatewayContextInput = { ...CONTOSO_CUTOVER_INPUT, stretch: { ...CONTOSO_CUTOVER_INPUT.stretch!, stage: "cut-over" } };

const HOSTILE_FRAGMENTS = [
  "\n",
  "\r\n",
  "\r",
  "\u2028",
  "\u2029",
  "\u0085",
  "\u0000",
  "\t",
  "\u000b",
  "'",
  '"',
  ";",
  "&&",
  "|",
  "$(reboot)",
  "`id`",
  "${IFS}",
  "\\",
  "#",
  "!",
  "{",
  "}",
  " ",
  "%",
  "<",
  ">",
  "\u202e",
  "\u200b",
  "ﾠ",
];

function withField(input: GatewayContextInput, path: string[], value: string | number): unknown {
  const copy = structuredClone(input) as Record<string, unknown>;
  let node = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string, unknown>;
  node[path[path.length - 1]!] = value;
  return copy;
}

function get(input: GatewayContextInput, path: string[]): string {
  let node: unknown = input;
  for (const key of path) node = (node as Record<string, unknown>)[key];
  return (node as string | null) ?? "";
}

/** Renders every target, whether or not it applies, so no generator escapes the check. */
function renderAll(context: GatewayContext) {
  return TARGETS.flatMap((target) => {
    try {
      return target.generate(context);
    } catch (error) {
      if (error instanceof GeneratorInputError) return [];
      throw error;
    }
  });
}

const COMMENT = /^\s*(#|!|\/\/|--|;|<#|\*|REM\b)/;

/** Lines must not carry control characters or Unicode line breaks: the first step of any injection. */
function assertCleanLines(context: GatewayContext) {
  for (const file of renderAll(context)) {
    expect(file.path, file.path).toMatch(/^(source|avs|cutover|unextend)\/[A-Za-z0-9._/-]+$/);
    expect(file.path).not.toMatch(/(^|\/)\.\.(\/|$)/);
    expect(file.contents, file.path).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f\u0085\u2028\u2029\u202e\u200b]/);
  }
}

/** The fixtures with every choice made explicitly, so a hostile value lands beside a valid one. */
const withChoices = (input: GatewayContextInput): GatewayContextInput => ({ ...input, tunnel: { ...input.tunnel, ipsecSuite: "aes128gcm-ecp256", sourcePlatform: "vyos" } });

describe("hostile strings in every field of every generator", () => {
  const cases = [
    ...[withChoices(CONTOSO_INPUT), withChoices(FABRIKAM_INPUT)].flatMap((base) => STRING_FIELDS.map((path) => [base, path] as const)),
    ...PAIR_FIELDS.map((path) => [CONTOSO_PAIR_INPUTS[0], path] as const),
    ...STRETCH_FIELDS.map((path) => [CUT_OVER, path] as const),
  ];
  for (const [base, path] of cases) {
    it(`${base.tenant.slug}: ${path.join(".")} is refused by field, or stays inert`, () => {
      fc.assert(
        fc.property(
          fc.constantFrom(...HOSTILE_FRAGMENTS),
          fc.constantFrom("prefix", "suffix", "middle", "alone"),
          (fragment, where) => {
            const valid = get(base, path);
            const half = Math.floor(valid.length / 2);
            const value =
              where === "prefix" ? fragment + valid : where === "suffix" ? valid + fragment : where === "middle" ? valid.slice(0, half) + fragment + valid.slice(half) : fragment;
            const result = parseGatewayContext(withField(base, path, value));
            if (!result.ok) {
              // The error names the field, so the operator knows what to fix.
              expect(Object.keys(result.errors).some((key) => key.startsWith(path.join(".")) || key.startsWith(path.slice(0, -1).join("."))), JSON.stringify(result.errors)).toBe(true);
              return;
            }
            // Accepted: only the display name's own alphabet (' ( ) / & + , . -) can get here.
            assertCleanLines(result.context);
            for (const file of renderAll(result.context)) {
              for (const line of file.contents.split("\n")) {
                if (value.length > 3 && line.includes(value) && path.join(".") === "tenant.displayName") {
                  expect(line, `${file.path}: display name outside a comment`).toMatch(COMMENT);
                }
              }
            }
          },
        ),
        { numRuns: 60 },
      );
    });
  }

  /** The numbers that reach the IPsec stanzas (ports in selectors, the crypto map entry, names) and the rest of each file. */
  const NUMBER_FIELDS: string[][] = [["tenant", "vlanId"], ["tenant", "vni"], ["tenant", "underlayMtu"], ["tunnel", "ordinal"], ["vxlanPort"]];
  for (const path of NUMBER_FIELDS) {
    it(`${path.join(".")}: a number that is not whole, not finite or out of range, or a string, is refused by field`, () => {
      fc.assert(
        fc.property(
          fc.oneof(
            fc.double({ noInteger: true }),
            fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, -1, 0, 2 ** 31, 16_777_216, 65_536),
            fc.constantFrom("4789", "1e3", "0x10", "4789;reboot", ""),
          ),
          (value) => {
            const result = parseGatewayContext(withField(CONTOSO_INPUT, path, value as never));
            if (result.ok) {
              // Only an in-range whole number may pass, and then it renders cleanly.
              expect(Number.isInteger(value)).toBe(true);
              assertCleanLines(result.context);
              return;
            }
            expect(Object.keys(result.errors)).toContain(path.join("."));
          },
        ),
        { numRuns: 60 },
      );
    });
  }

  it("refuses over-long values rather than truncating them", () => {
    for (const path of [...STRING_FIELDS, ...PAIR_FIELDS, ...STRETCH_FIELDS]) {
      const base = path[0] === "pair" ? CONTOSO_PAIR_INPUTS[0] : path[0] === "stretch" ? CUT_OVER : withChoices(CONTOSO_INPUT);
      const result = parseGatewayContext(withField(base, path, `${get(base, path)}${"a".repeat(5000)}`));
      expect(result.ok, path.join(".")).toBe(false);
    }
  });

  it("puts the display name, whatever the allow-list lets through, only in comments", () => {
    fc.assert(
      // "Qzx" makes the name distinctive, so finding it in a line means the generator put it there.
      fc.property(fc.stringMatching(/^[A-Za-z0-9 .,&'()/+-]{1,60}$/).map((s) => `Qzx${s}`), (name) => {
        const result = parseGatewayContext(withField(CUT_OVER, ["tenant", "displayName"], name));
        if (!result.ok) return;
        for (const file of renderAll(result.context)) {
          for (const line of file.contents.split("\n")) {
            if (line.includes(name)) expect(line, `${file.path}: ${line}`).toMatch(COMMENT);
          }
        }
      }),
      { numRuns: 100 },
    );
  });

  it("renders only clean lines for any valid input", () => {
    const label = fc.stringMatching(/^[a-z][a-z0-9]{0,8}$/);
    fc.assert(
      fc.property(label, label, fc.integer({ min: 2, max: 4094 }), fc.integer({ min: 1, max: 16_777_215 }), fc.integer({ min: 1280, max: 9216 }), (slug, host, vlan, vni, mtu) => {
        const input = structuredClone(CONTOSO_INPUT);
        input.tenant.slug = slug;
        input.tenant.segmentName = `bh-${slug}`;
        input.tenant.vlanId = vlan;
        input.tenant.vni = vni;
        input.tenant.underlayMtu = mtu;
        input.tunnel.source.hostname = `${host}-gw`;
        const result = parseGatewayContext(input);
        expect(result.ok).toBe(true);
        if (result.ok) assertCleanLines(result.context);
      }),
      { numRuns: 50 },
    );
  });
});

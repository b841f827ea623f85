/**
 * What docs/metrics.md tells a Prometheus user to paste must work: Prometheus' own promtool
 * checks the scrape config and the alert rules, and its rule unit tests show both alerts firing
 * on series labelled exactly as /metrics labels them (and not firing during maintenance).
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "vitest";
import { describeWithTool, itWithTool } from "./support/gateway-tools";

const doc = fs.readFileSync("docs/metrics.md", "utf8");
const yamlBlocks = [...doc.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!);
const scrapeConfig = yamlBlocks.find((b) => b.includes("scrape_configs:"))!;
const rules = yamlBlocks.find((b) => b.includes("groups:"))!;

function promtool(dir: string, ...args: string[]) {
  const result = spawnSync("promtool", args, { cwd: dir, encoding: "utf8" });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

const RULE_TESTS = `
rule_files: [rules.yml]
evaluation_interval: 1m
tests:
  - interval: 1m
    input_series:
      - series: 'bridgehead_tunnel_status{tenant="contoso",tunnel="primary",status="down",instance="a"}'
        values: '0 0 1 1 1 1 1 1 1 1 1'
      - series: 'bridgehead_tunnel_status{tenant="contoso",tunnel="primary",status="maintenance",instance="a"}'
        values: '0x10'
      - series: 'bridgehead_tunnel_last_sample_age_seconds{tenant="contoso",tunnel="primary",end="avs",instance="a"}'
        values: '30 60 200 260 320 380 440 500 560 620 680'
      - series: 'bridgehead_tunnel_status{tenant="fabrikam",tunnel="primary",status="maintenance",instance="a"}'
        values: '1x10'
      - series: 'bridgehead_tunnel_last_sample_age_seconds{tenant="fabrikam",tunnel="primary",end="source",instance="a"}'
        values: '600x10'
    alert_rule_test:
      - eval_time: 4m
        alertname: BridgeheadTunnelDown
        exp_alerts: []
      - eval_time: 7m
        alertname: BridgeheadTunnelDown
        exp_alerts:
          - exp_labels: { severity: critical, tenant: contoso, tunnel: primary }
            exp_annotations:
              summary: "Tunnel primary of contoso is down"
              description: "No traffic crosses the tunnel. Open the tenant's page in Bridgehead for both ends' view."
      - eval_time: 5m
        alertname: BridgeheadTelemetryStale
        exp_alerts:
          - exp_labels: { severity: warning, tenant: contoso, tunnel: primary, end: avs }
            exp_annotations:
              summary: "No telemetry from the avs end of contoso/primary"
              description: "Its last sample is 6m 20s old. Check the agent's timer and its path to the console."
`;

describeWithTool("promtool", "the Prometheus snippets in docs/metrics.md", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bridgehead-promtool-"));
  fs.writeFileSync(path.join(dir, "rules.yml"), rules);
  fs.writeFileSync(path.join(dir, "rules.test.yml"), RULE_TESTS);
  fs.writeFileSync(path.join(dir, "bridgehead.token"), "bhm_example\n");
  fs.writeFileSync(path.join(dir, "prometheus.yml"), scrapeConfig.replace("/etc/prometheus/bridgehead.token", path.join(dir, "bridgehead.token")));

  itWithTool("promtool", "the scrape config is a valid Prometheus config", () => {
    const result = promtool(dir, "check", "config", "prometheus.yml");
    expect(result.output).toMatch(/SUCCESS/);
    expect(result.status, result.output).toBe(0);
  });

  itWithTool("promtool", "the alert rules fire when they should and not during maintenance", () => {
    const checked = promtool(dir, "check", "rules", "rules.yml");
    expect(checked.status, checked.output).toBe(0);
    expect(checked.output).toMatch(/SUCCESS: 2 rules found/);
    const tested = promtool(dir, "test", "rules", "rules.test.yml");
    expect(tested.status, tested.output).toBe(0);
    expect(tested.output).toMatch(/SUCCESS/);
  });
});

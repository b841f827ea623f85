import { evaluateTenant, evaluateTunnel } from "@/lib/telemetry/rules/evaluate";
import { tunnelHealth } from "@/lib/telemetry/health";
import { makeInput, series, FORWARD_PATH, SYMMETRIC_REVERSE_PATH } from "@/lib/telemetry/rules/test-fixtures";
const source = series({ count: 90, intervalS: 10, seed: 1, path: () => FORWARD_PATH });
const avs = series({ count: 90, intervalS: 10, seed: 2, path: () => SYMMETRIC_REVERSE_PATH });
const input = makeInput({ source, avs });
for (let k=0;k<3;k++){
const N = 2000;
let t = performance.now();
for (let i=0;i<N;i++) { const e = evaluateTenant([input]); tunnelHealth(input, evaluateTunnel(input)); }
console.log("µs per tunnel (evaluateTenant + health)", ((performance.now()-t)*1000/N).toFixed(0));
}

/**
 * Every platform the console writes configs for. Adding one is a file in targets/, one line
 * here, and its tests; downloads, bundles, the README's apply order and the benchmark pick it up.
 */
import type { GatewayContext, GatewayTarget } from "./types";

export const TARGETS: readonly GatewayTarget[] = [
  // (targets are added here, one import each)
];

export function findTarget(id: string): GatewayTarget | undefined {
  return TARGETS.find((target) => target.id === id);
}

/** The targets that apply to this tunnel, in apply order. */
export function targetsFor(context: GatewayContext): GatewayTarget[] {
  return TARGETS.filter((target) => target.appliesTo(context)).sort((a, b) => a.applyOrder - b.applyOrder);
}

import { WARNING_KINDS, type WarningKind } from "@/lib/telemetry/rules/types";

/**
 * A warning kind's name in words. A kind this release does not know (written by a newer rule
 * during a rolling upgrade) reads as itself rather than as a blank.
 */
export function warningKindLabel(kind: string): string {
  return Object.hasOwn(WARNING_KINDS, kind) ? WARNING_KINDS[kind as WarningKind].label : kind;
}

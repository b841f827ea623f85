/**
 * If-Match as RFC 9110 §13.1.1 reads it: `*`, or a comma-separated list of entity tags, each
 * `"opaque"` or weak `W/"opaque"`. Edits use the strong comparison (§8.8.3.2), under which a weak
 * tag never matches, even one whose opaque part is the current version: a weak tag vouches only
 * for an equivalent representation, not for the bytes an edit was computed from.
 */

export type EntityTag = { weak: boolean; opaque: string };

export type IfMatch =
  | { kind: "absent" }
  | { kind: "any" }
  | { kind: "tags"; tags: EntityTag[] }
  | { kind: "invalid"; message: string };

/** entity-tag = [ "W/" ] DQUOTE *etagc DQUOTE; etagc = %x21 / %x23-7E / obs-text. */
const ENTITY_TAG = /^(W\/)?"([\x21\x23-\x7e\x80-\xff]*)"$/;

const INVALID = 'If-Match must be *, or entity tags as GET sent them in ETag, each in double quotes ("…"), separated by commas.';

export function parseIfMatch(header: string | null): IfMatch {
  if (header === null) return { kind: "absent" };
  const trimmed = header.trim();
  if (trimmed === "*") return { kind: "any" };
  // Empty list elements (", ,") are allowed by the list rule (RFC 9110 §5.6.1) and ignored.
  const parts = trimmed.split(",").map((part) => part.trim()).filter((part) => part !== "");
  if (parts.length === 0) return { kind: "invalid", message: INVALID };
  const tags: EntityTag[] = [];
  for (const part of parts) {
    const match = ENTITY_TAG.exec(part);
    if (!match) return { kind: "invalid", message: INVALID };
    tags.push({ weak: match[1] !== undefined, opaque: match[2]! });
  }
  return { kind: "tags", tags };
}

/** Strong comparison: both tags strong and their opaque parts equal. */
export function matchesStrongly(tags: readonly EntityTag[], currentOpaque: string): boolean {
  return tags.some((tag) => !tag.weak && tag.opaque === currentOpaque);
}

/** The ETag header value for a version. */
export function entityTag(opaque: string): string {
  return `"${opaque}"`;
}

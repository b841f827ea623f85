/**
 * Where to go after sign-in: only a path on this console. Anything else (another origin,
 * protocol-relative `//host`, backslash tricks, schemes) would make the sign-in page an open
 * redirect that hands a fresh session's first page to someone else's site.
 */
export function safeReturnPath(value: string | null | undefined): string | null {
  if (!value || !value.startsWith("/") || value.startsWith("//") || value.includes("\\")) return null;
  // Control characters (tab, newline) are stripped by URL parsers and can turn /\t/evil into //evil.
  if (/[\u0000-\u001f\u007f]/.test(value)) return null;
  try {
    const resolved = new URL(value, "https://console.invalid");
    // Resolution removes dot-segments: "/.//evil.example" resolves to the path "//evil.example",
    // which a router treats as another host.
    if (resolved.origin !== "https://console.invalid" || resolved.pathname.startsWith("//")) return null;
    return resolved.pathname + resolved.search + resolved.hash;
  } catch {
    return null;
  }
}

/**
 * A very small router for ARM-shaped paths. Literal path segments match case-insensitively, as
 * ARM's do ("resourcegroups" works as well as "resourceGroups"); `:name` segments capture the
 * decoded value with its casing intact.
 */
export type Reply = { status: number; body?: unknown; headers?: Record<string, string> };

export type RouteContext = {
  params: Record<string, string>;
  url: URL;
  method: string;
  /** The parsed JSON body, or undefined when there was none. */
  body: unknown;
};

export type Handler = (context: RouteContext) => Reply;

type Route = { method: string; parts: string[]; handler: Handler };

export type RouteMatch =
  | { kind: "found"; handler: Handler; params: Record<string, string> }
  | { kind: "method-not-allowed" }
  | { kind: "not-found" };

export class Router {
  private readonly routes: Route[] = [];

  on(method: string, pattern: string, handler: Handler): this {
    this.routes.push({ method: method.toUpperCase(), parts: split(pattern), handler });
    return this;
  }

  match(method: string, pathname: string): RouteMatch {
    const parts = split(pathname);
    let pathKnown = false;
    for (const route of this.routes) {
      const params = matchParts(route.parts, parts);
      if (!params) continue;
      if (route.method === method.toUpperCase()) return { kind: "found", handler: route.handler, params };
      pathKnown = true;
    }
    return pathKnown ? { kind: "method-not-allowed" } : { kind: "not-found" };
  }
}

function split(path: string): string[] {
  return path.split("/").filter((part) => part !== "");
}

function matchParts(pattern: string[], actual: string[]): Record<string, string> | undefined {
  if (pattern.length !== actual.length) return undefined;
  const params: Record<string, string> = {};
  for (const [index, part] of pattern.entries()) {
    const value = actual[index]!;
    if (part.startsWith(":")) {
      let decoded: string;
      try {
        decoded = decodeURIComponent(value);
      } catch {
        return undefined;
      }
      params[part.slice(1)] = decoded;
    } else if (part.toLowerCase() !== value.toLowerCase()) {
      return undefined;
    }
  }
  return params;
}

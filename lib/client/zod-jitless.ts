import { z } from "zod";

/**
 * In the browser, zod parses without compiling parsers through `new Function`: the pages' CSP
 * forbids eval, and even zod's probe for it (caught) is reported as a CSP violation. The server
 * keeps the faster compiled parsers. Imported for its effect by the root client provider.
 */
if (typeof window !== "undefined") z.config({ jitless: true });

/** A table's keys as the non-empty tuple zod's and drizzle's enums want, in the table's order. */
export function keysOf<T extends Record<string, unknown>>(table: T): [keyof T & string, ...(keyof T & string)[]] {
  return Object.keys(table) as [keyof T & string, ...(keyof T & string)[]];
}

import "server-only";
/**
 * Values shared by every copy of a module in this process. server.ts and Next's bundled route
 * handlers and server actions load the same sources as separate module instances in one
 * process, so a module-level variable would exist twice: the database opened twice (two PGlites
 * on one folder), keys read twice, the Azure clients made by server.ts invisible to the routes.
 * Such values live here, on globalThis, each under its name.
 */
type Slots = Map<string, unknown>;
const root = globalThis as typeof globalThis & { __bridgeheadSlots?: Slots };
const slots = (): Slots => (root.__bridgeheadSlots ??= new Map());

export type ProcessSlot<T> = {
  get(): T | undefined;
  /** undefined empties the slot. */
  set(value: T | undefined): void;
  /** The value, made by `create` on first use. */
  getOrCreate(create: () => T): T;
};

export function processSlot<T>(name: string): ProcessSlot<T> {
  return {
    get: () => slots().get(name) as T | undefined,
    set(value) {
      if (value === undefined) slots().delete(name);
      else slots().set(name, value);
    },
    getOrCreate(create) {
      if (!slots().has(name)) slots().set(name, create());
      return slots().get(name) as T;
    },
  };
}

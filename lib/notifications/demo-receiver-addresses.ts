/**
 * Where the built-in receivers listen, for pages (which render in server.ts's process as another
 * module instance, and should not load an SMTP server to learn a port).
 */
import { processSlot } from "@/lib/server/process-slot";

export type DemoReceiverAddresses = { webhookUrl: string; teamsUrl: string; smtp: { host: string; port: number } };

const running = processSlot<DemoReceiverAddresses>("demo-receivers");

/** The built-in receivers' addresses while they run (embedded defaults), else null. */
export function getDemoReceivers(): DemoReceiverAddresses | null {
  return running.get() ?? null;
}

export function setDemoReceivers(addresses: DemoReceiverAddresses | undefined): void {
  running.set(addresses);
}

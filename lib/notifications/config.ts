import "server-only";
import type { AppConfig } from "@/lib/config";
import { readConfig } from "@/lib/config";
import { getSecretsKey } from "@/lib/secrets";

/**
 * Loopback receivers (the built-in ones, plain http to 127.0.0.1) are allowed only on the
 * embedded defaults: built-in sign-in and the AVS emulator, where no real customer's data is.
 */
export function allowsLoopbackReceivers(config: Pick<AppConfig, "identity" | "azure">): boolean {
  return config.identity.mode === "builtin" && config.azure.mode === "emulator";
}

/** What the channel commands need from the running console. */
export function notificationEnv() {
  const config = readConfig();
  return { secretsKey: getSecretsKey(config), allowLoopback: allowsLoopbackReceivers(config), consoleUrl: config.publicUrl };
}

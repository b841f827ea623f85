/**
 * The one place an AVS client is made: real Azure Resource Manager with DefaultAzureCredential,
 * or the built-in emulator on loopback through the very same SDK. The SDK refuses bearer tokens
 * over plain http, so for the emulator the bearer policy is swapped for one that sends the
 * emulator's own token, and insecure connections are allowed (loopback only).
 */
import { AzureVMwareSolutionAPI } from "@azure/arm-avs";
import type { TokenCredential } from "@azure/core-auth";
import { bearerTokenAuthenticationPolicyName, isRestError, systemErrorRetryPolicy, type PipelinePolicy } from "@azure/core-rest-pipeline";
import { performance } from "node:perf_hooks";
import { processMetrics } from "@/lib/metrics/registry";

export type AvsTarget =
  | { mode: "azure"; subscriptionId: string; credential: TokenCredential }
  | { mode: "emulator"; subscriptionId: string; endpoint: string; token: string };

/** Never asked for a token: the emulator policy below replaces the bearer policy that would. */
const unusedCredential: TokenCredential = {
  getToken: async () => {
    throw new Error("the emulator client does not use Azure credentials");
  },
};

/**
 * `retries: "caller"` removes the SDK's own retry policy: the provisioning job retries by
 * rescheduling itself (honouring Retry-After without blocking, and surviving a restart), and
 * an SDK call that sleeps through three Retry-Afters would outlive the job's lease.
 */
export function createAvsClient(target: AvsTarget, options: { retries?: "sdk" | "caller" } = {}): AzureVMwareSolutionAPI {
  const client = makeClient(target);
  // After the retry phase, so every attempt on the wire is counted, retries included.
  client.pipeline.addPolicy(countAzureRequests, { afterPhase: "Retry" });
  if (options.retries === "caller") {
    // The job schedules its own retries of 429s and 5xx; a reset or refused connection (a stale
    // keep-alive socket, a blip) is still retried here, at once, or the job would mistake it
    // for an operation that no longer exists.
    client.pipeline.removePolicy({ name: "defaultRetryPolicy" });
    client.pipeline.addPolicy(systemErrorRetryPolicy({ maxRetries: 3, retryDelayInMs: 100, maxRetryDelayInMs: 1_000 }), { phase: "Retry" });
  }
  return client;
}

/** bridgehead_azure_requests_total{method,code} and its duration: Azure's answers, 429s and 5xx included. */
const countAzureRequests: PipelinePolicy = {
  name: "bridgeheadAzureMetrics",
  async sendRequest(request, next) {
    const metrics = processMetrics();
    const started = performance.now();
    const method = request.method;
    try {
      const response = await next(request);
      metrics.azureRequests.inc({ method, code: String(response.status) });
      return response;
    } catch (error) {
      metrics.azureRequests.inc({ method, code: isRestError(error) && error.statusCode ? String(error.statusCode) : "error" });
      throw error;
    } finally {
      metrics.azureDuration.observe({ method }, (performance.now() - started) / 1000);
    }
  },
};

function makeClient(target: AvsTarget): AzureVMwareSolutionAPI {
  if (target.mode === "azure") return new AzureVMwareSolutionAPI(target.credential, target.subscriptionId);

  const endpoint = new URL(target.endpoint);
  if (!["127.0.0.1", "localhost", "[::1]"].includes(endpoint.hostname)) {
    throw new Error(`The AVS emulator must be on loopback, not ${endpoint.hostname}: its token travels in the clear.`);
  }
  const client = new AzureVMwareSolutionAPI(unusedCredential, target.subscriptionId, {
    endpoint: target.endpoint,
    allowInsecureConnection: true,
  });
  client.pipeline.removePolicy({ name: bearerTokenAuthenticationPolicyName });
  const emulatorToken: PipelinePolicy = {
    name: "bridgeheadEmulatorToken",
    sendRequest: (request, next) => {
      request.headers.set("authorization", `Bearer ${target.token}`);
      request.allowInsecureConnection = true;
      return next(request);
    },
  };
  client.pipeline.addPolicy(emulatorToken, { phase: "Sign" });
  return client;
}

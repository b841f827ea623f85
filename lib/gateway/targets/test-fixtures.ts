/**
 * For the vendor generators' tests: a fixture with one thing changed, run through the same
 * parseGatewayContext boundary the console uses, so a variant can never be an input the
 * console would refuse.
 */
import { gatewayContext, type GatewayContextInput } from "../context";
import { GeneratorInputError, type GatewayContext } from "../types";

export function variant(input: GatewayContextInput, change: (copy: GatewayContextInput) => void = () => {}): GatewayContext {
  const copy = structuredClone(input);
  change(copy);
  return gatewayContext(copy);
}

/** The lines of a generated file that are commands, not comments or blank lines. */
export function commandLines(contents: string, comment: string): string[] {
  return contents.split("\n").filter((line) => line.trim() !== "" && !line.trimStart().startsWith(comment));
}

/** The GeneratorInputError a generator throws, so a test can check its field and message. */
export function inputError(run: () => unknown): GeneratorInputError {
  try {
    run();
  } catch (error) {
    if (error instanceof GeneratorInputError) return error;
    throw error;
  }
  throw new Error("expected a GeneratorInputError");
}

import type { ActionResult } from "@/lib/auth/guards";

export function ActionMessage({ result }: { result: ActionResult<unknown> | null }) {
  if (!result?.message) return null;
  return (
    <p role={result.ok ? "status" : "alert"} className={`text-sm ${result.ok ? "text-green-800" : "text-red-700"}`}>
      {result.message}
    </p>
  );
}

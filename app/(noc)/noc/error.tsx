"use client";

import { useEffect, useState } from "react";

const RETRY_S = 30;

/**
 * The wall could not be rendered at all (the database was unreachable when the page loaded).
 * Nobody stands at a wall to press "try again", so it counts down and retries by itself.
 */
export default function NocWallError({ error, retry }: { error: unknown; retry: () => void }) {
  const [left, setLeft] = useState(RETRY_S);
  useEffect(() => {
    console.error("[noc] wall failed to render:", error);
  }, [error]);
  useEffect(() => {
    const timer = setInterval(() => setLeft((s) => Math.max(0, s - 1)), 1_000);
    return () => clearInterval(timer);
  }, []);
  useEffect(() => {
    if (left === 0) {
      retry();
      setLeft(RETRY_S);
    }
  }, [left, retry]);
  const digest = error instanceof Error && "digest" in error && typeof error.digest === "string" ? error.digest : null;
  return (
    <div
      className="fixed inset-0 grid cursor-none place-items-center bg-black p-[2em] text-center text-slate-100"
      style={{ fontSize: "max(8px, min(0.8333vw, 1.4815vh))" }}
    >
      <div role="alert" className="rounded-[0.4em] border-[0.2em] border-amber-300 px-[3em] py-[2em]">
        <p className="text-[3em] font-bold text-amber-300">
          <span aria-hidden="true">⚠ </span>The wall cannot reach the console
        </p>
        <p className="mt-[0.5em] text-[1.5em]">
          Retrying in {left} s{digest ? ` · reference ${digest} in the server log` : ""}
        </p>
      </div>
    </div>
  );
}

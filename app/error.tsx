"use client";

export default function ErrorPage({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <main className="mx-auto max-w-2xl px-6 py-12">
      <h1 className="text-2xl font-bold">Something went wrong</h1>
      <p className="mt-2 text-slate-600">
        The console could not load this page. If it persists, check that the database is reachable
        ({error.digest ? `reference ${error.digest}` : "see the server log"}).
      </p>
      <button
        type="button"
        onClick={reset}
        className="mt-4 rounded-md bg-sky-700 px-4 py-2 font-medium text-white hover:bg-sky-800"
      >
        Try again
      </button>
    </main>
  );
}

import Link from "next/link";

export default function Forbidden() {
  return (
    <main className="mx-auto max-w-2xl px-6 py-12">
      <h1 className="text-2xl font-bold">Not allowed</h1>
      <p className="mt-2 text-slate-600">
        Your account is signed in but has no role that opens this page. Ask a Bridgehead administrator for access.
      </p>
      <Link href="/" className="mt-4 inline-block text-sky-700 underline">
        Back to the start page
      </Link>
    </main>
  );
}

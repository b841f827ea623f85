import Link from "next/link";

export default function NotFound() {
  return (
    <main className="mx-auto max-w-2xl px-6 py-12">
      <h1 className="text-2xl font-bold">Not found</h1>
      <p className="mt-2 text-slate-600">There is nothing at this address, or it is not yours to see.</p>
      <Link href="/" className="mt-4 inline-block text-sky-700 underline">
        Back to the start page
      </Link>
    </main>
  );
}

import Link from "next/link";

export default function AdminLayout({ children }: { children: React.ReactNode }) {
  return (
    <div className="min-h-screen">
      <header className="border-b border-slate-200 bg-white">
        <div className="mx-auto flex max-w-6xl items-center gap-6 px-6 py-3">
          <Link href="/admin" className="font-bold tracking-tight">
            Bridgehead <span className="font-normal text-slate-500">admin</span>
          </Link>
          <nav aria-label="Admin" className="flex gap-4 text-sm">
            <Link href="/admin" className="text-slate-700 hover:text-sky-700">
              Overview
            </Link>
          </nav>
        </div>
      </header>
      <main className="mx-auto max-w-6xl px-6 py-8">{children}</main>
    </div>
  );
}

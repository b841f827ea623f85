export default function NocLayout({ children }: { children: React.ReactNode }) {
  // The wall screen is dark and high-contrast whatever the rest of the console looks like.
  return <div className="min-h-screen bg-black text-slate-100 [color-scheme:dark]">{children}</div>;
}

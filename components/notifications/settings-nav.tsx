import Link from "next/link";

const LINKS = [
  { href: "/admin/settings/notifications", label: "Notifications" },
  { href: "/admin/settings/metrics", label: "Metrics" },
  { href: "/admin/settings/api-tokens", label: "API tokens" },
];

/** The settings pages' own small navigation; the built-in receiver only where it runs. */
export function SettingsNav({ current, builtinReceiver }: { current: string; builtinReceiver: boolean }) {
  const links = builtinReceiver ? [...LINKS, { href: "/admin/settings/notifications/inbox", label: "Built-in receiver" }] : LINKS;
  return (
    <nav aria-label="Settings" className="flex gap-4 border-b border-slate-200 pb-2 text-sm">
      {links.map((l) => (
        <Link key={l.href} href={l.href} aria-current={l.href === current ? "page" : undefined} className={l.href === current ? "font-semibold text-slate-900" : "text-sky-800 hover:underline"}>
          {l.label}
        </Link>
      ))}
    </nav>
  );
}

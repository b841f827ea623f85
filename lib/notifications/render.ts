/**
 * A notification as each channel carries it: the Teams Adaptive Card (wrapped as Teams' Workflows
 * and incoming webhooks expect it) and the e-mail's subject, plain text and HTML. Pure functions
 * of the stored notification, so a retry renders the same message.
 */
import { WARNING_SEVERITY, type WarningSeverity } from "@/lib/domain/status";
import { worstFiring, type Notification, type NotificationWarning } from "./payload";

/** More than this many warnings in one message are summarised ("and 7 more"): Teams caps a card at about 28 KB. */
export const MAX_WARNINGS_SHOWN = 10;

type CardColor = "attention" | "warning" | "accent" | "good";
const SEVERITY_COLOR: Record<WarningSeverity, CardColor> = { critical: "attention", warning: "warning", info: "accent" };

export function cardColor(notification: Notification): CardColor {
  const worst = worstFiring(notification);
  return worst ? SEVERITY_COLOR[worst] : "good";
}

function when(iso: string): string {
  return `${iso.slice(0, 16).replace("T", " ")} UTC`;
}

function warningLine(w: NotificationWarning): string {
  return `${WARNING_SEVERITY[w.severity].symbol} ${WARNING_SEVERITY[w.severity].label} · ${w.kindLabel}${w.tunnel ? ` on tunnel ${w.tunnel.name}` : ""}`;
}

function cardWarning(w: NotificationWarning, resolved: boolean): Record<string, unknown>[] {
  const facts = [
    { title: "Tenant", value: `${w.tenant.name} (${w.tenant.slug})` },
    { title: "Tunnel", value: w.tunnel ? w.tunnel.name : "whole tenant" },
    { title: "Severity", value: WARNING_SEVERITY[w.severity].label },
    { title: "Opened", value: when(w.openedAt) },
    ...(w.resolvedAt ? [{ title: "Resolved", value: when(w.resolvedAt) }] : []),
  ];
  return [
    {
      type: "TextBlock",
      text: `${resolved ? "✓ Resolved · " : w.isNew ? "New · " : ""}${warningLine(w)}`,
      weight: "Bolder",
      color: resolved ? "good" : SEVERITY_COLOR[w.severity],
      wrap: true,
      separator: true,
    },
    { type: "TextBlock", text: w.summary, wrap: true },
    { type: "FactSet", facts },
    ...(resolved ? [] : [{ type: "TextBlock", text: `What to do: ${w.remedy}`, wrap: true, isSubtle: true }]),
  ];
}

function shown<T>(items: T[]): { items: T[]; more: number } {
  return { items: items.slice(0, MAX_WARNINGS_SHOWN), more: Math.max(0, items.length - MAX_WARNINGS_SHOWN) };
}

/** The message body Teams' Workflows "post to a channel when a webhook request is received" and incoming webhooks take. */
export function renderTeamsMessage(notification: Notification): Record<string, unknown> {
  const firing = shown(notification.firing);
  const resolved = shown(notification.resolved);
  const target = notification.tenant ? `${notification.consoleUrl}/t/${encodeURIComponent(notification.tenant.slug)}` : notification.consoleUrl;
  const body: Record<string, unknown>[] = [
    {
      type: "Container",
      style: cardColor(notification),
      bleed: true,
      items: [{ type: "TextBlock", text: notification.title, size: "Large", weight: "Bolder", wrap: true }],
    },
    ...firing.items.flatMap((w) => cardWarning(w, false)),
    ...(firing.more ? [{ type: "TextBlock", text: `and ${firing.more} more firing`, isSubtle: true }] : []),
    ...resolved.items.flatMap((w) => cardWarning(w, true)),
    ...(resolved.more ? [{ type: "TextBlock", text: `and ${resolved.more} more resolved`, isSubtle: true }] : []),
  ];
  if (notification.event === "test") body.push({ type: "TextBlock", text: "This channel will receive Bridgehead's warnings as cards like this one.", wrap: true });
  return {
    type: "message",
    attachments: [
      {
        contentType: "application/vnd.microsoft.card.adaptive",
        contentUrl: null,
        content: {
          $schema: "http://adaptivecards.io/schemas/adaptive-card.json",
          type: "AdaptiveCard",
          version: "1.4",
          msteams: { width: "Full" },
          body,
          actions: [{ type: "Action.OpenUrl", title: notification.tenant ? "Open in Bridgehead" : "Open Bridgehead", url: target }],
        },
      },
    ],
  };
}

export type EmailMessage = { subject: string; text: string; html: string };

const HTML_ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

/** Subjects are one line: a warning message with a line break must not add a header. */
function oneLine(text: string): string {
  return text.replace(/[\r\n]+/g, " ").slice(0, 200);
}

const HTML_COLOR: Record<CardColor, string> = { attention: "#b91c1c", warning: "#b45309", accent: "#1d4ed8", good: "#15803d" };

export function renderEmail(notification: Notification): EmailMessage {
  const subject = oneLine(`[Bridgehead] ${notification.title}`);
  const firing = shown(notification.firing);
  const resolved = shown(notification.resolved);
  const textBlock = (w: NotificationWarning, isResolved: boolean) =>
    [
      `${isResolved ? "RESOLVED " : w.isNew ? "NEW " : ""}${warningLine(w)}`,
      `  ${w.summary}`,
      `  Tenant: ${w.tenant.name} (${w.tenant.slug})   Tunnel: ${w.tunnel?.name ?? "whole tenant"}`,
      `  Opened: ${when(w.openedAt)}${w.resolvedAt ? `   Resolved: ${when(w.resolvedAt)}` : ""}`,
      ...(isResolved ? [] : [`  What to do: ${w.remedy}`]),
      `  ${w.url}`,
    ].join("\n");
  const text = [
    notification.title,
    "",
    ...firing.items.map((w) => textBlock(w, false)),
    ...(firing.more ? [`… and ${firing.more} more firing`] : []),
    ...resolved.items.map((w) => textBlock(w, true)),
    ...(resolved.more ? [`… and ${resolved.more} more resolved`] : []),
    ...(notification.event === "test" ? ["This channel will receive Bridgehead's warnings as messages like this one."] : []),
    "",
    `Bridgehead: ${notification.consoleUrl}`,
  ].join("\n");

  const htmlBlock = (w: NotificationWarning, isResolved: boolean) => {
    const color = isResolved ? HTML_COLOR.good : HTML_COLOR[SEVERITY_COLOR[w.severity]];
    return `<li style="margin:0 0 12px 0">
<strong style="color:${color}">${escapeHtml(`${isResolved ? "Resolved · " : w.isNew ? "New · " : ""}${warningLine(w)}`)}</strong><br>
${escapeHtml(w.summary)}<br>
<small>Tenant: ${escapeHtml(`${w.tenant.name} (${w.tenant.slug})`)} · Tunnel: ${escapeHtml(w.tunnel?.name ?? "whole tenant")} · Opened ${escapeHtml(when(w.openedAt))}${w.resolvedAt ? ` · Resolved ${escapeHtml(when(w.resolvedAt))}` : ""}</small><br>
${isResolved ? "" : `<em>What to do:</em> ${escapeHtml(w.remedy)}<br>`}<a href="${escapeHtml(w.url)}">Open in Bridgehead</a>
</li>`;
  };
  const html = `<!doctype html><html><body style="font-family:system-ui,sans-serif">
<h2 style="color:${HTML_COLOR[cardColor(notification)]}">${escapeHtml(notification.title)}</h2>
<ul style="padding-left:18px">
${firing.items.map((w) => htmlBlock(w, false)).join("\n")}
${firing.more ? `<li>… and ${firing.more} more firing</li>` : ""}
${resolved.items.map((w) => htmlBlock(w, true)).join("\n")}
${resolved.more ? `<li>… and ${resolved.more} more resolved</li>` : ""}
</ul>
${notification.event === "test" ? "<p>This channel will receive Bridgehead's warnings as messages like this one.</p>" : ""}
<p><a href="${escapeHtml(notification.consoleUrl)}">Bridgehead</a></p>
</body></html>`;
  return { subject, text, html };
}

"use client";

import { useRouter } from "next/navigation";
import { useEffect, useId, useRef } from "react";
import { EMPTY_SEQUENCE, isTypingTarget, pressKey, SHORTCUTS, type SequenceState } from "@/lib/shortcuts/shortcuts";

/** The admin header's search box (built with the search feature); `/` focuses it when the page has one. */
const SEARCH_BOX_ID = "global-search";

/**
 * The views' keyboard shortcuts (lib/shortcuts/shortcuts.ts) and the `?` dialog that lists
 * them. Keys typed into a field are the field's; a key with Ctrl, ⌘ or Alt is the browser's.
 * The dialog is a native modal <dialog>: it holds focus, Escape closes it, and focus returns to
 * where it was.
 */
export function KeyboardShortcuts({ warningsHref, tenantsHref }: { warningsHref: string; tenantsHref: string }) {
  const router = useRouter();
  const dialog = useRef<HTMLDialogElement>(null);
  const sequence = useRef<SequenceState>(EMPTY_SEQUENCE);
  const titleId = useId();

  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.defaultPrevented || event.isComposing || dialog.current?.open) return;
      if (isTypingTarget(event.target instanceof HTMLElement ? event.target : null)) return;
      const result = pressKey(sequence.current, { key: event.key, at: event.timeStamp, ctrlKey: event.ctrlKey, metaKey: event.metaKey, altKey: event.altKey });
      sequence.current = result.state;
      if (result.action === "search") {
        const box = document.getElementById(SEARCH_BOX_ID);
        // No search box on this page: the key is left to the browser.
        if (!box) return;
        event.preventDefault();
        box.focus();
        return;
      }
      if (result.taken) event.preventDefault();
      if (result.action === "warnings") router.push(warningsHref);
      else if (result.action === "tenants") router.push(tenantsHref);
      else if (result.action === "help") dialog.current?.showModal();
    };
    document.addEventListener("keydown", onKeyDown);
    return () => document.removeEventListener("keydown", onKeyDown);
  }, [router, warningsHref, tenantsHref]);

  return (
    <>
      <button
        type="button"
        onClick={() => dialog.current?.showModal()}
        aria-haspopup="dialog"
        className="rounded border border-slate-300 px-2 py-0.5 text-slate-700 hover:bg-slate-100"
      >
        <span aria-hidden="true">?</span>
        <span className="sr-only">Keyboard shortcuts</span>
      </button>
      <dialog
        ref={dialog}
        aria-labelledby={titleId}
        className="m-auto w-full max-w-md rounded-lg border border-slate-300 bg-white p-6 text-slate-900 shadow-xl backdrop:bg-black/50"
      >
        <h2 id={titleId} className="text-lg font-semibold">
          Keyboard shortcuts
        </h2>
        <p className="mt-1 text-sm text-slate-600">Anywhere but in a text field.</p>
        <table className="mt-4 w-full text-sm">
          <caption className="sr-only">Keys and what they do</caption>
          <thead>
            <tr className="text-left text-slate-600">
              <th scope="col" className="pb-2 font-medium">
                Keys
              </th>
              <th scope="col" className="pb-2 font-medium">
                Does
              </th>
            </tr>
          </thead>
          <tbody>
            {SHORTCUTS.map((shortcut) => (
              <tr key={shortcut.action} className="border-t border-slate-200">
                <td className="py-2 pr-4 whitespace-nowrap">
                  {shortcut.keys.map((key, i) => (
                    <span key={i}>
                      {i > 0 && <span className="px-1 text-slate-600">then</span>}
                      <kbd className="rounded border border-slate-300 bg-slate-100 px-1.5 py-0.5 font-mono">{key}</kbd>
                    </span>
                  ))}
                </td>
                <td className="py-2">{shortcut.description}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <form method="dialog" className="mt-6 text-right">
          <button type="submit" autoFocus className="rounded bg-sky-700 px-3 py-1.5 font-medium text-white hover:bg-sky-800">
            Close
          </button>
        </form>
      </dialog>
    </>
  );
}

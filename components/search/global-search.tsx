"use client";

/**
 * The header's search box, as the WAI-ARIA combobox pattern has it: focus stays in the input,
 * arrow keys move through the results (aria-activedescendant), Enter opens the one highlighted,
 * Escape closes the list and then clears the box. Results come grouped by kind, each a link to
 * its page, so a click, a middle-click or Enter all land in the same place.
 */
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { usePathname, useRouter } from "next/navigation";
import { useEffect, useId, useMemo, useRef, useState } from "react";
import { HttpError, searchQuery } from "@/lib/client/queries";
import { isSearchable, parseSearchQuery } from "@/lib/domain/search-query";
import { hitToOpen } from "./hit-to-open";

/** Other parts of the page (the `/` shortcut) focus the box by this id. */
export const GLOBAL_SEARCH_ID = "global-search";
const TYPING_PAUSE_MS = 150;

export function GlobalSearch({ label, placeholder }: { label: string; placeholder: string }) {
  const router = useRouter();
  const pathname = usePathname();
  const listboxId = useId();
  const [text, setText] = useState("");
  const [settled, setSettled] = useState("");
  const [open, setOpen] = useState(false);
  // The highlighted result, tied to the list it was chosen in: new results start unhighlighted
  // without an effect (an effect runs after paint, and could undo a key pressed in between).
  const [cursor, setCursor] = useState<{ list: string; index: number }>({ list: "", index: -1 });

  // Ask once typing pauses, not on every key.
  useEffect(() => {
    const timer = setTimeout(() => setSettled(text.trim()), TYPING_PAUSE_MS);
    return () => clearTimeout(timer);
  }, [text]);
  const input = useRef<HTMLInputElement>(null);
  // Typed before the page's script took over: hydration keeps what is in the box but tells React
  // nothing of it, so without this the box shows the words and never searches for them.
  useEffect(() => {
    const typed = input.current?.value ?? "";
    if (typed === "") return;
    setText(typed);
    setOpen(document.activeElement === input.current);
  }, []);
  // A result opened (by any means) is done with: close and empty the box on the new page. Only
  // on a move: on the first page the box holds what was typed before hydration (above).
  const shownAt = useRef(pathname);
  useEffect(() => {
    if (shownAt.current === pathname) return;
    shownAt.current = pathname;
    setOpen(false);
    setText("");
    setSettled("");
  }, [pathname]);

  const searchable = isSearchable(parseSearchQuery(settled));
  const { data, isError, error, isFetching, isPlaceholderData } = useQuery({ ...searchQuery(settled), enabled: searchable });
  const groups = useMemo(() => (searchable ? (data?.groups ?? []) : []), [data, searchable]);
  const hits = useMemo(() => groups.flatMap((group) => group.hits), [groups]);
  // By content, not identity: a refetch with the same answer keeps the highlight where it is.
  const listKey = `${settled}\n${hits.map((hit) => hit.key).join("\n")}`;
  const active = cursor.list === listKey ? cursor.index : -1;
  /** Closing the list, or typing, starts the next look from the top. */
  const close = () => {
    setOpen(false);
    setCursor({ list: "", index: -1 });
  };

  const optionId = (index: number) => `${listboxId}-option-${index}`;
  const showList = open && text.trim() !== "";
  // The listbox exists only with options in it (an empty listbox is an ARIA error); "nothing
  // found" and the hints are said by the status line instead.
  const listed = showList && hits.length > 0;
  const status = !searchable
    ? "Type at least two characters, or a VLAN number."
    : isError
      ? error instanceof HttpError && error.status === 401
        ? "Your session has ended; sign in again to search."
        : "The search could not be run; try again in a moment."
      : data && hits.length === 0 && !isFetching
        ? `Nothing found for “${settled}”.`
        : data && !isPlaceholderData
          ? `${hits.length} result${hits.length === 1 ? "" : "s"}.`
          : "Searching…";

  function onKeyDown(event: React.KeyboardEvent<HTMLInputElement>) {
    switch (event.key) {
      case "ArrowDown":
      case "ArrowUp": {
        event.preventDefault();
        setOpen(true);
        if (hits.length === 0) return;
        const step = event.key === "ArrowDown" ? 1 : -1;
        setCursor((previous) => {
          const current = previous.list === listKey ? previous.index : -1;
          return { list: listKey, index: current === -1 ? (step === 1 ? 0 : hits.length - 1) : (current + step + hits.length) % hits.length };
        });
        return;
      }
      case "Enter": {
        const hit = hitToOpen({ hits, active, typed: text, answered: settled, stale: isPlaceholderData });
        if (!hit) return;
        event.preventDefault();
        close();
        router.push(hit.href);
        return;
      }
      case "Escape":
        event.preventDefault();
        if (showList) close();
        else setText("");
        return;
    }
  }

  let index = -1;
  return (
    <div role="search" aria-label={label} className="relative w-60" onBlur={(event) => !event.currentTarget.contains(event.relatedTarget) && close()}>
      <label htmlFor={GLOBAL_SEARCH_ID} className="sr-only">
        {label}
      </label>
      <input
        ref={input}
        id={GLOBAL_SEARCH_ID}
        type="search"
        role="combobox"
        autoComplete="off"
        spellCheck={false}
        aria-autocomplete="list"
        aria-expanded={listed}
        aria-controls={listed ? listboxId : undefined}
        aria-activedescendant={listed && active >= 0 ? optionId(active) : undefined}
        aria-describedby={`${listboxId}-status`}
        placeholder={placeholder}
        value={text}
        maxLength={100}
        onChange={(event) => {
          setText(event.target.value);
          setCursor({ list: "", index: -1 });
          setOpen(true);
        }}
        onFocus={() => setOpen(true)}
        onKeyDown={onKeyDown}
        className="w-full rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm text-slate-900 placeholder:text-slate-500 focus:border-sky-600 focus:outline-none focus:ring-2 focus:ring-sky-600/30"
      />
      <p id={`${listboxId}-status`} role="status" className="sr-only">
        {showList ? status : ""}
      </p>
      <div hidden={!showList} className="absolute right-0 z-50 mt-1 max-h-[70vh] w-[28rem] overflow-y-auto rounded-md border border-slate-200 bg-white py-1 text-sm shadow-lg">
        {listed && (
          <div id={listboxId} role="listbox" aria-label="Search results">
            {groups.map((group) => (
              <div key={group.kind} role="group" aria-labelledby={`${listboxId}-${group.kind}`}>
                <div id={`${listboxId}-${group.kind}`} role="presentation" className="px-3 pb-1 pt-2 text-xs font-semibold uppercase tracking-wide text-slate-600">
                  {group.label}
                </div>
                {group.hits.map((hit) => {
                  index += 1;
                  const selected = index === active;
                  return (
                    <Link
                      key={hit.key}
                      id={optionId(index)}
                      role="option"
                      aria-selected={selected}
                      tabIndex={-1}
                      href={hit.href}
                      onMouseDown={(event) => event.preventDefault()}
                      className={`block px-3 py-1.5 ${selected ? "bg-sky-100" : "hover:bg-slate-100"}`}
                    >
                      <span className="block font-medium text-slate-900">{hit.title}</span>
                      <span className="block text-xs text-slate-600">{hit.detail}</span>
                    </Link>
                  );
                })}
              </div>
            ))}
          </div>
        )}
        {showList && !listed && <p className="px-3 py-2 text-slate-600">{status}</p>}
      </div>
    </div>
  );
}

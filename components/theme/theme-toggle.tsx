"use client";

import { useId, useState } from "react";
import { THEME_CHOICES, THEME_CLASSES, THEME_LABEL, themeClassOf, themeCookie, type ThemeChoice } from "@/lib/theme/theme";

/**
 * Light, dark or the system's setting. The choice goes into a cookie the server renders the
 * next page from, and onto <html> at once; nothing reloads.
 */
export function ThemeToggle({ initial }: { initial: ThemeChoice }) {
  const [choice, setChoice] = useState(initial);
  const id = useId();
  const choose = (next: ThemeChoice) => {
    setChoice(next);
    document.cookie = themeCookie(next, window.location.protocol === "https:");
    const root = document.documentElement;
    root.classList.remove(...THEME_CLASSES);
    root.classList.add(themeClassOf(next));
  };
  return (
    <span className="flex items-center gap-1">
      <label htmlFor={id} className="text-slate-600">
        Theme
      </label>
      <select
        id={id}
        value={choice}
        onChange={(event) => choose(event.target.value as ThemeChoice)}
        className="rounded border border-slate-300 bg-white px-1 py-0.5 text-slate-900"
      >
        {THEME_CHOICES.map((value) => (
          <option key={value} value={value}>
            {THEME_LABEL[value]}
          </option>
        ))}
      </select>
    </span>
  );
}

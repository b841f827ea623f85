import { memo, useMemo } from "react";
import { sparklinePath } from "@/lib/noc/sparkline";

// The path is built once in this fixed box and stretched to the tile, so resizing the wall
// does not rebuild a thousand paths; the stroke keeps its width on screen.
const BOX = { width: 120, height: 40 };

/** A last-hour latency line in plain SVG: decoration beside the RTT figure, hidden from screen readers. */
export const Sparkline = memo(function Sparkline({
  values,
  strokeWidth,
  className,
}: {
  values: readonly (number | null)[];
  strokeWidth: number;
  className?: string;
}) {
  const d = useMemo(() => sparklinePath(values, BOX.width, BOX.height, { padding: 3, minRelativeSpan: 0.3 }), [values]);
  if (!d) return null;
  return (
    <svg
      aria-hidden="true"
      focusable="false"
      viewBox={`0 0 ${BOX.width} ${BOX.height}`}
      preserveAspectRatio="none"
      className={className}
    >
      <path
        d={d}
        fill="none"
        stroke="currentColor"
        strokeWidth={strokeWidth}
        strokeLinecap="round"
        strokeLinejoin="round"
        vectorEffect="non-scaling-stroke"
      />
    </svg>
  );
});

"use client";

import { useLayoutEffect, useRef } from "react";
import type { TunnelStatus } from "@/lib/domain/status";
import { traceSparkline, type SparklineBox, type SparklinePen } from "@/lib/noc/sparkline";
import type { WallTheme } from "@/lib/noc/wall-options";
import { usePixelRatio } from "./use-pixel-ratio";

export type SparklineItem = {
  status: TunnelStatus;
  values: readonly (number | null)[];
  /** Where the line goes, in CSS pixels from the top left of the canvas. */
  box: SparklineBox;
  /** Behind the words on the smallest tiles, so fainter. */
  faint: boolean;
};

/** As the SVG lines had it: 3 units of 40 clear above and below, a wobble under 30 % of the value kept small. */
const PADDING = 3 / 40;
const MIN_RELATIVE_SPAN = 0.3;
const ALPHA = { faint: 0.4, normal: 0.35 };

/**
 * Every tile's last-hour latency line on one canvas over the tile grid: decoration beside the
 * RTT figure (which the tile says in words), hidden from screen readers and from the pointer.
 * One stroke per status colour instead of a thousand SVG elements to style, lay out and paint;
 * redrawn in a layout effect, so a refresh's lines appear in the same frame as its tiles.
 *
 * A line takes its tile's text colour, read from a drawn tile of that status (getComputedStyle
 * after the commit that drew it: the style the frame computes anyway), so the canvas follows the
 * wall's theme and the shared status colours without a table of its own. Redrawn when the
 * theme changes (the colours it read are the old theme's) and when the device pixel ratio does
 * (a bitmap sized for the old ratio is blurred), though neither moves a tile.
 */
export function SparklineCanvas({ items, width, height, strokeWidth, theme }: { items: readonly SparklineItem[]; width: number; height: number; strokeWidth: number; theme: WallTheme }) {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const ratio = usePixelRatio();
  useLayoutEffect(() => {
    const canvas = canvasRef.current;
    const context = canvas?.getContext("2d");
    if (!canvas || !context) return;
    const pixels = { width: Math.max(1, Math.round(width * ratio)), height: Math.max(1, Math.round(height * ratio)) };
    // Setting a canvas's size clears it and reallocates its bitmap: only when it changed.
    if (canvas.width !== pixels.width) canvas.width = pixels.width;
    if (canvas.height !== pixels.height) canvas.height = pixels.height;
    context.setTransform(ratio, 0, 0, ratio, 0, 0);
    context.clearRect(0, 0, width, height);
    context.lineWidth = strokeWidth;
    // Butt caps and bevel joins: round ones cost the software rasteriser several times more,
    // and at a pixel wide nobody at 5 m sees the difference.
    context.lineCap = "butt";
    context.lineJoin = "bevel";

    const groups = new Map<string, { status: TunnelStatus; faint: boolean; items: SparklineItem[] }>();
    for (const item of items) {
      if (!(item.box.width > 0 && item.box.height > 0)) continue;
      const key = `${item.status}:${item.faint}`;
      const group = groups.get(key) ?? { status: item.status, faint: item.faint, items: [] };
      group.items.push(item);
      groups.set(key, group);
    }
    const host = canvas.parentElement;
    for (const group of groups.values()) {
      const tile = host?.querySelector(`li[data-status="${group.status}"]`);
      const colour = tile ? getComputedStyle(tile).color : "currentColor";
      const lines = new Path2D();
      const dots = new Path2D();
      const radius = strokeWidth / 2;
      const pen: SparklinePen = {
        moveTo: (x, y) => lines.moveTo(x, y),
        lineTo: (x, y) => lines.lineTo(x, y),
        dot: (x, y) => {
          dots.moveTo(x + radius, y);
          dots.arc(x, y, radius, 0, 2 * Math.PI);
        },
      };
      for (const { values, box } of group.items) {
        // Drawn half a stroke in from the sides, so a line's end stays inside its tile (the SVG
        // lines were clipped there) and never reaches the gap or the next tile.
        const inset = Math.min(radius, box.width / 4);
        traceSparkline(values, { ...box, x: box.x + inset, width: box.width - 2 * inset }, pen, { padding: box.height * PADDING, minRelativeSpan: MIN_RELATIVE_SPAN });
      }
      context.globalAlpha = group.faint ? ALPHA.faint : ALPHA.normal;
      context.strokeStyle = colour;
      context.fillStyle = colour;
      context.stroke(lines);
      context.fill(dots);
    }
    context.globalAlpha = 1;
    // `theme` only says when the colours read above have changed.
  }, [items, width, height, strokeWidth, ratio, theme]);
  return (
    <canvas
      ref={canvasRef}
      aria-hidden="true"
      data-sparklines={items.length}
      className="pointer-events-none absolute top-0 left-0 z-10"
      style={{ width: `${width}px`, height: `${height}px` }}
    />
  );
}

/**
 * Where each tile of a wall plan (lib/noc/wall-plan.ts) sits, in CSS pixels from the top left of
 * the grid area. The wall positions its tiles from this and strokes their sparklines on one
 * canvas from the same rectangles, so nothing is measured in the page (a thousand
 * getBoundingClientRect calls after every refresh would force layout), and each tile is laid out
 * on its own (`contain: strict`) instead of the browser placing a thousand grid items.
 *
 * The placement is CSS grid's `grid-auto-flow: row dense` for tiles in the wall's order: problem
 * tiles in bands of `problemSpan` cells, the summary tile after them, healthy tiles in the first
 * free cells, left to right, top to bottom (beside the last band, then below). The grid's
 * columns are centred across the area, rows start at the top.
 *
 * Pure functions only.
 */
import type { WallPlan } from "./wall-plan";

export type TileRect = { x: number; y: number; width: number; height: number };

export type WallPlacement = {
  /** One per problem tile drawn on this page, in the plan's order. */
  problems: TileRect[];
  /** The tile counting healthy tunnels not drawn, when the plan has one. */
  summary: TileRect | null;
  /** One per healthy tile drawn on this page, in the plan's order. */
  healthy: TileRect[];
};

type Span = { columns: number; rows: number };

/** Cells taken, row by row; rows are added as tiles need them (CSS grid's implicit rows). */
function cellGrid(columns: number) {
  const taken: boolean[] = [];
  // Every cell before this index is taken: a scan for room starts here, not at the top.
  let firstFree = 0;
  const free = (row: number, column: number, span: Span) => {
    for (let r = row; r < row + span.rows; r++) {
      for (let c = column; c < column + span.columns; c++) if (taken[r * columns + c]) return false;
    }
    return true;
  };
  return {
    /** The first cell, in reading order, where a block of `span` fits; marks it taken. */
    take(span: Span): { row: number; column: number } {
      const width = Math.min(span.columns, columns);
      const block = { columns: width, rows: span.rows };
      for (let row = Math.floor(firstFree / columns); ; row++) {
        for (let column = 0; column + width <= columns; column++) {
          if (row * columns + column < firstFree || !free(row, column, block)) continue;
          for (let r = row; r < row + block.rows; r++) {
            for (let c = column; c < column + width; c++) taken[r * columns + c] = true;
          }
          while (taken[firstFree]) firstFree++;
          return { row, column };
        }
      }
    },
  };
}

/** The rectangles of every tile a plan draws. */
export function placeTiles(plan: Pick<WallPlan, "mode" | "columns" | "cellWidth" | "cellHeight" | "problemSpan" | "problems" | "healthy" | "healthySummarized" | "layout">): WallPlacement {
  const columns = Math.max(1, plan.columns);
  const { gap } = plan.layout;
  const tracks = columns * plan.cellWidth + (columns - 1) * gap;
  // `justify-content: center`, as the grid had.
  const left = (plan.layout.grid.width - tracks) / 2;
  const cells = cellGrid(columns);
  const rect = (span: Span): TileRect => {
    const { row, column } = cells.take(span);
    const width = Math.min(span.columns, columns);
    return {
      x: left + column * (plan.cellWidth + gap),
      y: row * (plan.cellHeight + gap),
      width: width * plan.cellWidth + (width - 1) * gap,
      height: span.rows * plan.cellHeight + (span.rows - 1) * gap,
    };
  };
  const one = { columns: 1, rows: 1 };
  const problemSpan = plan.mode === "uniform" ? one : plan.problemSpan;
  const problems = Array.from({ length: plan.problems.end - plan.problems.start }, () => rect(problemSpan));
  const summary = plan.healthySummarized > 0 ? rect(problemSpan) : null;
  const healthy = Array.from({ length: plan.healthy.end - plan.healthy.start }, () => rect(one));
  return { problems, summary, healthy };
}

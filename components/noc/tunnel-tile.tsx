import { memo } from "react";
import { tileThroughputSpoken, tileThroughputText } from "@/lib/noc/throughput-text";
import { TUNNEL_PAIR_ROLE, TUNNEL_STATUS, type TunnelStatus } from "@/lib/domain/status";
import type { TileDensity } from "@/lib/noc/layout";
import { formatAge } from "@/lib/noc/staleness";
import type { TileRect } from "@/lib/noc/wall-placement";
import { fitFontPx } from "@/lib/noc/wall-plan";
import type { NocTile } from "@/lib/queries/noc";
import { WALL_STATUS_CLASS } from "./wall-colours";

/** What fits beside the symbol on the smallest tiles; the full word is always in the accessible name. */
const SHORT_STATUS: Record<TunnelStatus, string> = {
  operational: "OK",
  degraded: "DEGR",
  down: "DOWN",
  stale: "STALE",
  maintenance: "MAINT",
};

const rttText = (ms: number | null) => (ms === null ? "—" : `${ms} ms`);

/** One line of a full tile, as large as fits its width between `min` and `max` ems of the tile's font. */
function FittedLine({ text, max, min, fontPx, widthPx, bold }: { text: string; max: number; min: number; fontPx: number; widthPx: number; bold?: boolean }) {
  // The tile's padding is 0.5 em each side.
  const size = fitFontPx(text, { widthPx: widthPx - fontPx, maxPx: max * fontPx, minPx: min * fontPx });
  return (
    <span aria-hidden="true" className={bold ? "truncate font-bold" : "truncate"} style={{ fontSize: `${size}px` }}>
      {text}
    </span>
  );
}

/** A tile's label is `tenant-slug/tunnel-name`. */
const tenantOf = (label: string) => label.slice(0, Math.max(0, label.indexOf("/")) || label.length);
const tunnelOf = (label: string) => label.slice(label.indexOf("/") + 1);

type TunnelTileProps = {
  tile: NocTile;
  density: TileDensity;
  /** From the tile's size (lib/noc/wall-plan.ts `tileFontPx`), so a name fills what it can. */
  fontPx: number;
  /** Where the tile sits in the grid area (lib/noc/wall-placement.ts). */
  rect: TileRect;
  /** Only for `full` tiles, which say how long the tunnel has been in its status. */
  generatedAt?: string;
};

/**
 * What a tile draws from its tunnel. Not the sparkline: the grid's canvas draws it, so a refresh
 * that only moves the lines (each minute, every tile) re-renders no tile. The snapshot's
 * structural sharing keeps unchanged tiles the same object; a tile whose line moved is a new
 * object with the same words, which this tells apart.
 */
function sameWords(a: NocTile, b: NocTile): boolean {
  if (a === b) return true;
  return (
    a.tunnelId === b.tunnelId &&
    a.label === b.label &&
    a.status === b.status &&
    a.statusChangedAt === b.statusChangedAt &&
    a.rttMs === b.rttMs &&
    a.pairRole === b.pairRole &&
    a.throughput?.toAvsBps === b.throughput?.toAvsBps &&
    a.throughput?.fromAvsBps === b.throughput?.fromAvsBps &&
    (a.throughput === null) === (b.throughput === null)
  );
}

function sameProps(a: TunnelTileProps, b: TunnelTileProps): boolean {
  return (
    a.density === b.density &&
    a.fontPx === b.fontPx &&
    a.generatedAt === b.generatedAt &&
    a.rect.x === b.rect.x &&
    a.rect.y === b.rect.y &&
    a.rect.width === b.rect.width &&
    a.rect.height === b.rect.height &&
    sameWords(a.tile, b.tile)
  );
}

/**
 * One tunnel: colour, symbol and word for its status (never colour alone), its name, latest RTT
 * and, on the canvas behind, the last hour of latency. Screen readers get one plain sentence
 * instead of the visual pieces. Each piece of text is one string (one text node): a thousand
 * tiles re-rendered on a refresh are a thousand small diffs, not five thousand.
 *
 * Placed absolutely from the wall's placement with `contain: strict`: a tile's new text lays out
 * that tile alone, not the grid of a thousand around it.
 */
export const TunnelTile = memo(function TunnelTile({ tile, density, fontPx, rect, generatedAt }: TunnelTileProps) {
  const status = TUNNEL_STATUS[tile.status];
  const pair = tile.pairRole ? TUNNEL_PAIR_ROLE[tile.pairRole] : null;
  const throughputText = tileThroughputText(tile.throughput);
  const spokenThroughput = tileThroughputSpoken(tile.throughput);
  const since =
    density === "full" && generatedAt && tile.status !== "operational"
      ? formatAge(Date.parse(generatedAt) - Date.parse(tile.statusChangedAt))
      : null;
  const spoken =
    `${tile.label}: ${status.label}` +
    (tile.rttMs === null ? ", no recent latency" : `, latency ${tile.rttMs} milliseconds`) +
    (since ? `, for ${since}` : "") +
    (pair ? `; in its pair: ${pair.label}` : "") +
    (spokenThroughput ? `; ${spokenThroughput}` : "");
  return (
    <li
      data-status={tile.status}
      className={`absolute flex min-w-0 flex-col overflow-hidden rounded-[0.25em] leading-[1.15] [contain:strict] ${WALL_STATUS_CLASS[tile.status]}`}
      style={{
        left: `${rect.x}px`,
        top: `${rect.y}px`,
        width: `${rect.width}px`,
        height: `${rect.height}px`,
        fontSize: `${fontPx}px`,
        padding: density === "tiny" ? "0.15em 0.3em" : "0.3em 0.5em",
      }}
    >
      <span className="sr-only">{spoken}</span>
      {density === "full" ? (
        // Lines fitted to the tile: status and for how long; the tenant, largest, what the room
        // reads first; the tunnel, its RTT and its role in a pair; its throughput, when known.
        <>
          <FittedLine text={`${status.symbol} ${status.label}${since ? ` · ${since}` : ""}`} max={0.9} min={0.7} fontPx={fontPx} widthPx={rect.width} bold />
          <FittedLine text={tenantOf(tile.label)} max={1.15} min={0.75} fontPx={fontPx} widthPx={rect.width} bold />
          <FittedLine
            text={[tunnelOf(tile.label), tile.rttMs === null ? null : rttText(tile.rttMs), pair ? `${pair.symbol} ${pair.label}` : null].filter(Boolean).join(" · ")}
            max={0.8}
            min={0.65}
            fontPx={fontPx}
            widthPx={rect.width}
          />
          {throughputText && <FittedLine text={throughputText} max={0.8} min={0.65} fontPx={fontPx} widthPx={rect.width} />}
        </>
      ) : (
        <>
          <span aria-hidden="true" className="flex min-w-0 items-baseline justify-between gap-[0.4em] font-bold">
            <span className="truncate">{`${status.symbol} ${SHORT_STATUS[tile.status]}`}</span>
            {density !== "tiny" && <span className="shrink-0 tabular-nums">{rttText(tile.rttMs)}</span>}
          </span>
          <span aria-hidden="true" className={density === "tiny" ? "truncate" : "truncate text-[1.15em] font-bold"}>
            {pair ? `${pair.symbol} ${tile.label}` : tile.label}
          </span>
        </>
      )}
    </li>
  );
}, sameProps);

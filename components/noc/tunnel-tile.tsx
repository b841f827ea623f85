import { memo } from "react";
import { tileThroughputSpoken, tileThroughputText } from "@/lib/noc/throughput-text";
import { TUNNEL_PAIR_ROLE, TUNNEL_STATUS, type TunnelStatus } from "@/lib/domain/status";
import type { TileDensity } from "@/lib/noc/layout";
import { formatAge } from "@/lib/noc/staleness";
import { fitFontPx } from "@/lib/noc/wall-plan";
import type { NocTile } from "@/lib/queries/noc";
import { Sparkline } from "./sparkline";
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
    <span aria-hidden="true" className={`relative z-10 truncate ${bold ? "font-bold" : ""}`} style={{ fontSize: `${size}px` }}>
      {text}
    </span>
  );
}

/** A tile's label is `tenant-slug/tunnel-name`. */
const tenantOf = (label: string) => label.slice(0, Math.max(0, label.indexOf("/")) || label.length);
const tunnelOf = (label: string) => label.slice(label.indexOf("/") + 1);

/**
 * One tunnel: colour, symbol and word for its status (never colour alone), its name, latest RTT
 * and last hour of latency. Screen readers get one plain sentence instead of the visual pieces.
 */
export const TunnelTile = memo(function TunnelTile({
  tile,
  density,
  strokeWidth,
  generatedAt,
  fontPx,
  widthPx,
  span,
}: {
  tile: NocTile;
  density: TileDensity;
  strokeWidth: number;
  /** From the tile's size (lib/noc/wall-plan.ts `tileFontPx`), so a name fills what it can. */
  fontPx: number;
  /** The tile's width, so each line's font can be fitted to it. */
  widthPx: number;
  /** Cells of the wall's grid the tile covers (problem tiles are larger than healthy ones). */
  span?: { columns: number; rows: number };
  /** Only for `full` tiles, which say how long the tunnel has been in its status. */
  generatedAt?: string;
}) {
  const status = TUNNEL_STATUS[tile.status];
  const pair = tile.pairRole ? TUNNEL_PAIR_ROLE[tile.pairRole] : null;
  const throughputText = tileThroughputText(tile.throughput);
  const spokenThroughput = tileThroughputSpoken(tile.throughput);
  const since =
    density === "full" && generatedAt && tile.status !== "operational"
      ? formatAge(Date.parse(generatedAt) - Date.parse(tile.statusChangedAt))
      : null;
  return (
    <li
      data-status={tile.status}
      className={`relative flex min-w-0 flex-col overflow-hidden rounded-[0.25em] leading-[1.15] ${WALL_STATUS_CLASS[tile.status]}`}
      style={{
        fontSize: `${fontPx}px`,
        padding: density === "tiny" ? "0.15em 0.3em" : "0.3em 0.5em",
        ...(span && (span.columns > 1 || span.rows > 1) ? { gridColumn: `span ${span.columns}`, gridRow: `span ${span.rows}` } : {}),
      }}
    >
      <span className="sr-only">
        {tile.label}: {status.label}
        {tile.rttMs === null ? ", no recent latency" : `, latency ${tile.rttMs} milliseconds`}
        {since ? `, for ${since}` : ""}
        {pair ? `; in its pair: ${pair.label}` : ""}
        {spokenThroughput ? `; ${spokenThroughput}` : ""}
      </span>
      {density === "full" ? (
        // Lines fitted to the tile: status and for how long; the tenant, largest, what the room
        // reads first; the tunnel, its RTT and its role in a pair; its throughput, when known.
        <>
          <FittedLine text={`${status.symbol} ${status.label}${since ? ` · ${since}` : ""}`} max={0.9} min={0.7} fontPx={fontPx} widthPx={widthPx} bold />
          <FittedLine text={tenantOf(tile.label)} max={1.15} min={0.75} fontPx={fontPx} widthPx={widthPx} bold />
          <FittedLine
            text={[tunnelOf(tile.label), tile.rttMs === null ? null : rttText(tile.rttMs), pair ? `${pair.symbol} ${pair.label}` : null].filter(Boolean).join(" · ")}
            max={0.8}
            min={0.65}
            fontPx={fontPx}
            widthPx={widthPx}
          />
          {throughputText && <FittedLine text={throughputText} max={0.8} min={0.65} fontPx={fontPx} widthPx={widthPx} />}
        </>
      ) : (
        <>
          <span aria-hidden="true" className="relative z-10 flex min-w-0 items-baseline justify-between gap-[0.4em] font-bold">
            <span className="truncate">
              {status.symbol} {SHORT_STATUS[tile.status]}
            </span>
            {density !== "tiny" && <span className="shrink-0 tabular-nums">{rttText(tile.rttMs)}</span>}
          </span>
          <span aria-hidden="true" className={`relative z-10 truncate ${density === "tiny" ? "" : "text-[1.15em] font-bold"}`}>
            {pair ? `${pair.symbol} ` : ""}
            {tile.label}
          </span>
        </>
      )}
      {density === "tiny" ? (
        // No room beside the words: the line runs faintly behind them.
        <Sparkline values={tile.sparkline} strokeWidth={strokeWidth} className="absolute inset-0 h-full w-full opacity-40" />
      ) : (
        <Sparkline values={tile.sparkline} strokeWidth={strokeWidth} className="absolute bottom-[0.3em] left-[0.5em] h-[35%] w-[calc(100%-1em)] opacity-35" />
      )}
    </li>
  );
});

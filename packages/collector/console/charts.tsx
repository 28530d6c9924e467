import { METHODS, type Method, type Stats } from './api.js';
import type { Translate } from './i18n.js';

const WIDTH = 760;

/** Receipts per day, one bar per day stacked by method (inline SVG: geometry as attributes, colours from classes). */
export function DayChart({ days, t, title }: { days: Stats['days']; t: Translate; title: string }) {
  const height = 220;
  const left = 44;
  const bottom = 24;
  const plot = { width: WIDTH - left - 8, height: height - bottom - 8 };
  const max = niceCeiling(Math.max(1, ...days.map((d) => d.receipts)));
  const slot = plot.width / Math.max(1, days.length);
  const bar = Math.max(1, Math.min(28, slot * 0.7));
  const y = (value: number) => 8 + plot.height - (value / max) * plot.height;
  const labels = new Set([0, Math.floor((days.length - 1) / 2), days.length - 1]);
  return (
    <figure class="chart">
      <svg viewBox={`0 0 ${WIDTH} ${height}`} role="img" aria-label={title} class="chart-svg" data-chart="days">
        {[0, max / 2, max].filter(Number.isInteger).map((tick) => (
          <g key={tick}>
            <line x1={left} x2={WIDTH - 8} y1={y(tick)} y2={y(tick)} class="grid" />
            <text x={left - 6} y={y(tick) + 4} text-anchor="end" class="axis">
              {tick}
            </text>
          </g>
        ))}
        {days.map((d, i) => {
          let base = 0;
          const x = left + i * slot + (slot - bar) / 2;
          return (
            <g key={d.day} data-day={d.day} data-receipts={d.receipts}>
              {METHODS.map((m) => {
                const value = d.byMethod[m] ?? 0;
                if (!value) return null;
                const top = y(base + value);
                const rect = <rect key={m} x={x} y={top} width={bar} height={y(base) - top} class={`fill-${m}`} />;
                base += value;
                return rect;
              })}
              {labels.has(i) && (
                <text x={x + bar / 2} y={height - 6} text-anchor="middle" class="axis">
                  {d.day.slice(5)}
                </text>
              )}
            </g>
          );
        })}
      </svg>
      <figcaption>
        <ul class="legend">
          {METHODS.map((m: Method) => (
            <li key={m}>
              <span class={`swatch fill-${m}`} aria-hidden="true" />
              {t(m)}
            </li>
          ))}
        </ul>
      </figcaption>
    </figure>
  );
}

export interface ShareRow {
  label: string;
  share: number;
  detail: string;
}

/** Horizontal bars of shares (0–1), each labelled with its percentage. */
export function ShareChart({ rows, title, kind }: { rows: ShareRow[]; title: string; kind: string }) {
  const row = 22;
  const left = 140;
  const right = 130;
  const height = rows.length * row + 8;
  const span = WIDTH - left - right;
  return (
    <figure class="chart">
      <svg viewBox={`0 0 ${WIDTH} ${height}`} role="img" aria-label={title} class="chart-svg" data-chart={kind}>
        {rows.map((r, i) => (
          <g key={r.label} data-label={r.label} data-share={r.share}>
            <text x={left - 10} y={i * row + 18} text-anchor="end" class="label">
              {r.label}
            </text>
            <rect x={left} y={i * row + 8} width={span} height={14} class="track" />
            <rect x={left} y={i * row + 8} width={Math.max(0, r.share) * span} height={14} class="fill-share" />
            <text x={left + span + 10} y={i * row + 18} class="label">
              {r.detail}
            </text>
          </g>
        ))}
      </svg>
    </figure>
  );
}

/** 1, 2, 5 × 10ⁿ at or above `value`: round axis ticks. */
function niceCeiling(value: number): number {
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (step * power >= value) return step * power;
  return 10 * power;
}

/**
 * Hand-written SVG charts for the benchmark results (no plotting dependency): line charts (linear or
 * log x, optional error bars) and grouped bar charts (linear or log y), each drawn as a panel that
 * svgDocument places side by side in one file.
 */

export interface Panel {
  width: number;
  height: number;
  /** SVG elements drawn with the panel's top-left corner at (0, 0) */
  body: string;
}

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f'];
const FONT = 'font-family="sans-serif"';
const MARGIN = { left: 64, right: 16, top: 34, bottom: 48 };

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Panels in a row (wrapping after `perRow`), with an optional overall title. */
export function svgDocument(panels: Panel[], title?: string, perRow = panels.length): string {
  const top = title ? 28 : 0;
  const rows: Panel[][] = [];
  for (let i = 0; i < panels.length; i += perRow) rows.push(panels.slice(i, i + perRow));
  const width = Math.max(...rows.map((r) => r.reduce((s, p) => s + p.width, 0)));
  const heights = rows.map((r) => Math.max(...r.map((p) => p.height)));
  const height = top + heights.reduce((s, h) => s + h, 0);
  const parts: string[] = [];
  let y = top;
  rows.forEach((row, i) => {
    let x = 0;
    for (const p of row) {
      parts.push(`<g transform="translate(${x},${y})">${p.body}</g>`);
      x += p.width;
    }
    y += heights[i];
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    title ? `<text x="${width / 2}" y="19" text-anchor="middle" font-size="15" font-weight="bold" ${FONT}>${escapeXml(title)}</text>` : '',
    ...parts,
    '</svg>',
    '',
  ].join('\n');
}

function niceTicks(min: number, max: number, count = 5): number[] {
  if (!(max > min)) {
    const pad = Math.abs(min) * 0.1 || 1;
    [min, max] = [min - pad, max + pad];
  }
  const raw = (max - min) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw)!;
  const ticks: number[] = [];
  for (let t = Math.floor(min / step) * step; t <= max + step * 1e-9; t += step) ticks.push(Number(t.toPrecision(12)));
  if (ticks[0] > min) ticks.unshift(ticks[0] - step);
  if (ticks[ticks.length - 1] < max) ticks.push(ticks[ticks.length - 1] + step);
  return ticks;
}

function formatTick(v: number): string {
  const a = Math.abs(v);
  if (a >= 1e6) return `${Number((v / 1e6).toPrecision(3))}M`;
  if (a >= 1e4) return `${Number((v / 1e3).toPrecision(3))}k`;
  return String(Number(v.toPrecision(4)));
}

function axes(w: number, h: number, xLabel: string, yLabel: string, title: string): string {
  const pw = w - MARGIN.left - MARGIN.right;
  const ph = h - MARGIN.top - MARGIN.bottom;
  return [
    `<text x="${MARGIN.left + pw / 2}" y="20" text-anchor="middle" font-size="13" font-weight="bold" ${FONT}>${escapeXml(title)}</text>`,
    `<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${pw}" height="${ph}" fill="none" stroke="#333"/>`,
    `<text x="${MARGIN.left + pw / 2}" y="${h - 10}" text-anchor="middle" font-size="12" ${FONT}>${escapeXml(xLabel)}</text>`,
    `<text transform="translate(14,${MARGIN.top + ph / 2}) rotate(-90)" text-anchor="middle" font-size="12" ${FONT}>${escapeXml(yLabel)}</text>`,
  ].join('');
}

function legend(names: string[], x: number, y: number, kind: 'line' | 'box', dashed: boolean[] = []): string {
  const width = 16 + 7 * Math.max(...names.map((n) => n.length)) + 12;
  const parts = [`<rect x="${x - width}" y="${y}" width="${width}" height="${names.length * 16 + 6}" fill="white" fill-opacity="0.85" stroke="#999"/>`];
  names.forEach((name, i) => {
    const cy = y + 12 + i * 16;
    const color = COLORS[i % COLORS.length];
    parts.push(
      kind === 'line'
        ? `<line x1="${x - width + 5}" x2="${x - width + 19}" y1="${cy - 4}" y2="${cy - 4}" stroke="${color}" stroke-width="2.5"${dashed[i] ? ' stroke-dasharray="4,2"' : ''}/>`
        : `<rect x="${x - width + 6}" y="${cy - 9}" width="11" height="10" fill="${color}"/>`,
      `<text x="${x - width + 24}" y="${cy}" font-size="11" ${FONT}>${escapeXml(name)}</text>`,
    );
  });
  return parts.join('');
}

export interface LineSeries {
  name: string;
  /** [x, y] with an optional ± error (drawn as a bar) and an optional tick label for x */
  points: { x: number; y: number; err?: number; label?: string }[];
  dashed?: boolean;
}

/** `yMax` clips the y axis: points above it sit on the top edge, labelled with their value. */
export function lineChart(opts: {
  title: string;
  xLabel: string;
  yLabel: string;
  series: LineSeries[];
  logX?: boolean;
  yMax?: number;
  width?: number;
  height?: number;
  legendAt?: 'top-right' | 'bottom-left';
}): Panel {
  const w = opts.width ?? 520;
  const h = opts.height ?? 360;
  const pw = w - MARGIN.left - MARGIN.right;
  const ph = h - MARGIN.top - MARGIN.bottom;
  const all = opts.series.flatMap((s) => s.points).filter((p) => Number.isFinite(p.y));
  if (all.length === 0) throw new Error(`lineChart "${opts.title}": no finite points`);
  const fx = (x: number) => (opts.logX ? Math.log10(x) : x);
  const xs = all.map((p) => fx(p.x));
  let [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  if (x1 === x0) [x0, x1] = [x0 - 1, x1 + 1];
  const padX = (x1 - x0) * 0.05;
  [x0, x1] = [x0 - padX, x1 + padX];
  const cap = opts.yMax ?? Infinity;
  const yTicks = niceTicks(Math.min(...all.map((p) => p.y - (p.err ?? 0))), Math.min(cap, Math.max(...all.map((p) => p.y + (p.err ?? 0)))));
  const [y0, y1] = [yTicks[0], yTicks[yTicks.length - 1]];
  const clipped = (y: number) => Math.min(y1, y);
  const px = (x: number) => MARGIN.left + ((fx(x) - x0) / (x1 - x0)) * pw;
  const py = (y: number) => MARGIN.top + ph - ((y - y0) / (y1 - y0)) * ph;
  const parts = [axes(w, h, opts.xLabel + (opts.logX ? ' (log scale)' : ''), opts.yLabel, opts.title)];
  for (const t of yTicks) {
    parts.push(`<line x1="${MARGIN.left}" x2="${MARGIN.left + pw}" y1="${py(t)}" y2="${py(t)}" stroke="#ddd"/>`);
    parts.push(`<text x="${MARGIN.left - 5}" y="${py(t) + 4}" text-anchor="end" font-size="10" ${FONT}>${formatTick(t)}</text>`);
  }
  const xTicks = [...new Set(all.map((p) => p.x))].sort((a, b) => a - b);
  for (const t of xTicks) {
    parts.push(`<line x1="${px(t)}" x2="${px(t)}" y1="${MARGIN.top + ph}" y2="${MARGIN.top + ph + 4}" stroke="#333"/>`);
    const label = all.find((p) => p.x === t && p.label !== undefined)?.label ?? formatTick(t);
    parts.push(`<text x="${px(t)}" y="${MARGIN.top + ph + 16}" text-anchor="middle" font-size="10" ${FONT}>${escapeXml(label)}</text>`);
  }
  opts.series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length];
    const pts = s.points.filter((p) => Number.isFinite(p.y)).sort((a, b) => a.x - b.x);
    if (pts.length === 0) return;
    const d = pts.map((p, k) => `${k ? 'L' : 'M'}${px(p.x).toFixed(1)},${py(clipped(p.y)).toFixed(1)}`).join('');
    parts.push(`<path d="${d}" fill="none" stroke="${color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6,4"' : ''}/>`);
    for (const p of pts) {
      parts.push(`<circle cx="${px(p.x).toFixed(1)}" cy="${py(clipped(p.y)).toFixed(1)}" r="3" fill="${color}"/>`);
      if (p.y > y1) {
        parts.push(
          `<text x="${(px(p.x) + 6).toFixed(1)}" y="${(MARGIN.top + 14 + 12 * i).toFixed(1)}" font-size="10" fill="${color}" stroke="white" stroke-width="3" paint-order="stroke" ${FONT}>↑ ${formatTick(p.y)}</text>`,
        );
        continue;
      }
      if (p.err && p.err > 0)
        parts.push(
          `<line x1="${px(p.x).toFixed(1)}" x2="${px(p.x).toFixed(1)}" y1="${py(p.y - p.err).toFixed(1)}" y2="${py(p.y + p.err).toFixed(1)}" stroke="${color}" stroke-width="1"/>`,
        );
    }
  });
  const names = opts.series.map((s) => s.name);
  const dashed = opts.series.map((s) => Boolean(s.dashed));
  parts.push(
    opts.legendAt === 'bottom-left'
      ? legend(names, MARGIN.left + 8 + 16 + 7 * Math.max(...names.map((n) => n.length)) + 12, MARGIN.top + ph - names.length * 16 - 12, 'line', dashed)
      : legend(names, MARGIN.left + pw - 6, MARGIN.top + 6, 'line', dashed),
  );
  return { width: w, height: h, body: parts.join('\n') };
}

export interface BarGroup {
  name: string;
  /** one value per series; null = not measured (drawn as "n/a") */
  values: (number | null)[];
}

/**
 * Grouped bars. `zero: false` zooms the (linear) y axis onto the values, for differences of a few
 * per cent; say so in the title, since bar lengths are then not proportional to the values.
 */
export function barChart(opts: {
  title: string;
  yLabel: string;
  xLabel?: string;
  series: string[];
  groups: BarGroup[];
  logY?: boolean;
  zero?: boolean;
  width?: number;
  height?: number;
  labels?: boolean;
  reference?: { value: number; label: string };
}): Panel {
  const w = opts.width ?? 520;
  const h = opts.height ?? 360;
  const pw = w - MARGIN.left - MARGIN.right;
  const ph = h - MARGIN.top - MARGIN.bottom;
  const values = [...opts.groups.flatMap((g) => g.values), opts.reference?.value ?? null].filter((v): v is number => v !== null && Number.isFinite(v) && (!opts.logY || v > 0));
  if (values.length === 0) throw new Error(`barChart "${opts.title}": no values`);
  let ticks: number[];
  let fy: (v: number) => number;
  if (opts.logY) {
    const lo = Math.floor(Math.log10(Math.min(...values)));
    const hi = Math.ceil(Math.log10(Math.max(...values)) + 1e-9);
    ticks = Array.from({ length: Math.max(1, hi - lo) + 1 }, (_, i) => 10 ** (lo + i));
    fy = (v) => Math.log10(v);
  } else {
    const [lo, hi] = [Math.min(...values), Math.max(...values)];
    ticks = opts.zero === false ? niceTicks(lo - (hi - lo) * 0.15, hi + (hi - lo) * 0.15) : niceTicks(Math.min(0, lo), hi * 1.08);
    fy = (v) => v;
  }
  const [t0, t1] = [fy(ticks[0]), fy(ticks[ticks.length - 1])];
  const py = (v: number) => MARGIN.top + ph - ((fy(v) - t0) / (t1 - t0)) * ph;
  const parts = [axes(w, h, opts.xLabel ?? '', opts.yLabel + (opts.logY ? ' (log scale)' : ''), opts.title)];
  for (const t of ticks) {
    parts.push(`<line x1="${MARGIN.left}" x2="${MARGIN.left + pw}" y1="${py(t)}" y2="${py(t)}" stroke="#ddd"/>`);
    parts.push(`<text x="${MARGIN.left - 5}" y="${py(t) + 4}" text-anchor="end" font-size="10" ${FONT}>${formatTick(t)}</text>`);
  }
  const groupWidth = pw / opts.groups.length;
  const barWidth = (groupWidth * 0.8) / opts.series.length;
  const base = opts.logY || opts.zero === false ? MARGIN.top + ph : py(0);
  opts.groups.forEach((g, gi) => {
    const gx = MARGIN.left + gi * groupWidth + groupWidth * 0.1;
    // names wrap at spaces onto lines of about 12 characters
    const lines: string[] = [];
    for (const word of g.name.split(' ')) {
      if (lines.length && (lines[lines.length - 1] + ' ' + word).length <= 12) lines[lines.length - 1] += ' ' + word;
      else lines.push(word);
    }
    lines.forEach((line, li) =>
      parts.push(`<text x="${MARGIN.left + (gi + 0.5) * groupWidth}" y="${MARGIN.top + ph + 15 + li * 12}" text-anchor="middle" font-size="11" ${FONT}>${escapeXml(line)}</text>`),
    );
    g.values.forEach((v, si) => {
      const x = gx + si * barWidth;
      if (v === null || !Number.isFinite(v) || (opts.logY && v <= 0)) {
        parts.push(`<text x="${x + barWidth / 2}" y="${base - 4}" text-anchor="middle" font-size="9" fill="#900" ${FONT}>n/a</text>`);
        return;
      }
      const y = py(v);
      parts.push(
        `<rect x="${x.toFixed(1)}" y="${Math.min(y, base).toFixed(1)}" width="${(barWidth - 1).toFixed(1)}" height="${Math.abs(base - y).toFixed(1)}" fill="${COLORS[si % COLORS.length]}"/>`,
      );
      if (opts.labels !== false)
        parts.push(`<text x="${(x + barWidth / 2).toFixed(1)}" y="${(Math.min(y, base) - 3).toFixed(1)}" text-anchor="middle" font-size="9" ${FONT}>${formatTick(v)}</text>`);
    });
  });
  if (opts.reference) {
    const y = py(opts.reference.value).toFixed(1);
    parts.push(`<line x1="${MARGIN.left}" x2="${MARGIN.left + pw}" y1="${y}" y2="${y}" stroke="#8c564b" stroke-width="1.5" stroke-dasharray="6,4"/>`);
    parts.push(
      `<text x="${MARGIN.left + pw - 4}" y="${Number(y) - 4}" text-anchor="end" font-size="10" fill="#8c564b" stroke="white" stroke-width="3" paint-order="stroke" ${FONT}>${escapeXml(opts.reference.label)}</text>`,
    );
  }
  if (opts.series.length > 1) parts.push(legend(opts.series, MARGIN.left + pw - 6, MARGIN.top + 6, 'box'));
  return { width: w, height: h, body: parts.join('\n') };
}

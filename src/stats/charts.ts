/**
 * Chart geometry for server-rendered SVG. These are view models of plain numbers and strings: the partials in
 * views/partials/stats/ draw them with `{{ }}`, so every text (a city, a field, a vendor's name) is escaped by
 * Handlebars and no markup is ever built by string concatenation. Pixel arithmetic uses floats — it is geometry,
 * never money: every amount shown is a preformatted string.
 */

export interface ChartPoint {
  label: string;
  /** The quantity drawn (a count, or an amount in fen); negatives are drawn as zero. */
  value: number;
  /** The value as a person reads it ("¥1,180,000.00", "1,097"). */
  display: string;
}

export interface BarChart {
  id: string;
  title: string;
  desc: string;
  width: number;
  height: number;
  plot: { x: number; y: number; w: number; h: number; right: number; bottom: number };
  bars: Array<{ x: number; y: number; w: number; h: number; label: string; display: string }>;
  grid: Array<{ y: number; label: string }>;
  xLabels: Array<{ x: number; y: number; text: string }>;
  empty: boolean;
}

const r1 = (n: number) => Math.round(n * 10) / 10;

/** A round upper bound for an axis: 1, 2 or 5 times a power of ten. */
export function niceMax(max: number): number {
  if (max <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(max));
  for (const m of [1, 2, 5, 10]) if (m * p >= max) return m * p;
  return 10 * p;
}

/**
 * Vertical bars (e.g. one per month), with gridlines labelled by `tick`. Nothing to draw (no point above zero): no
 * bars, gridlines or labels at all — an empty chart once showed an axis of "1, 1, 1, 0, 0". A gridline whose label
 * repeats the one below it (small counts rounded) is left out.
 */
export function barChart(id: string, title: string, desc: string, points: ChartPoint[], tick: (v: number) => string): BarChart {
  const width = 640;
  const height = 260;
  const plot = { x: 84, y: 14, w: width - 96, h: height - 56, right: width - 12, bottom: height - 42 };
  const top = niceMax(Math.max(0, ...points.map((p) => p.value)));
  const band = points.length ? plot.w / points.length : plot.w;
  const barW = Math.max(1, Math.min(band * 0.7, 56));
  const every = Math.max(1, Math.ceil(points.length / 12));
  if (!points.some((p) => p.value > 0)) return { id, title, desc, width, height, plot, bars: [], grid: [], xLabels: [], empty: true };
  const grid = [0, 1, 2, 3, 4].map((i) => ({ y: r1(plot.y + plot.h - (plot.h * i) / 4), label: tick((top * i) / 4) }));
  return {
    id,
    title,
    desc,
    width,
    height,
    plot,
    bars: points.map((p, i) => {
      const h = (Math.max(0, p.value) / top) * plot.h;
      return { x: r1(plot.x + i * band + (band - barW) / 2), y: r1(plot.y + plot.h - h), w: r1(barW), h: r1(h), label: p.label, display: p.display };
    }),
    grid: grid.filter((g, i) => i === 0 || g.label !== grid[i - 1]!.label),
    xLabels: points
      .map((p, i) => ({ x: r1(plot.x + i * band + band / 2), y: plot.y + plot.h + 18, text: p.label, i }))
      .filter((l) => l.i % every === 0)
      .map(({ x, y, text }) => ({ x, y, text })),
    empty: false,
  };
}

export interface ShareChart {
  id: string;
  title: string;
  desc: string;
  width: number;
  height: number;
  rows: Array<{ y: number; textY: number; label: string; w: number; pctX: number; percent: string; display: string; fill: string }>;
  barX: number;
  empty: boolean;
}

const SHARE_COLOURS = ['#0b5cad', '#c8102e', '#0e6b5c', '#b44d12', '#6b3fa0', '#8a1c1c', '#1d7a38', '#9a6700', '#084785', '#52606d', '#3e7cb1', '#a23b72'];

/** Horizontal bars of each part's share of the whole, with its percentage (one decimal, computed by the caller). */
export function shareChart(id: string, title: string, desc: string, parts: Array<ChartPoint & { percent: string }>): ShareChart {
  const rowH = 28;
  const barX = 180;
  const barMax = 360;
  const max = Math.max(0, ...parts.map((p) => Number(p.percent)));
  return {
    id,
    title,
    desc,
    width: 640,
    height: Math.max(1, parts.length) * rowH + 12,
    barX,
    rows: parts.map((p, i) => {
      const w = r1(max > 0 ? (Math.max(0, Number(p.percent)) / max) * barMax : 0);
      return {
      y: 6 + i * rowH,
      textY: 6 + i * rowH + 17,
      label: p.label,
      w,
      pctX: r1(barX + w + 8),
      percent: p.percent,
      display: p.display,
      fill: SHARE_COLOURS[i % SHARE_COLOURS.length],
      };
    }),
    empty: parts.length === 0,
  };
}

/** Where each city sits on a sketch of Zhejiang (longitude, latitude of its seat, nudged apart). */
const CITY_POSITIONS: Record<string, [number, number]> = {
  湖州: [120.0, 30.87],
  嘉兴: [120.85, 30.75],
  杭州: [119.65, 30.05],
  绍兴: [120.55, 29.9],
  宁波: [121.5, 29.85],
  舟山: [122.25, 30.15],
  衢州: [118.85, 28.95],
  金华: [119.8, 29.1],
  台州: [121.3, 28.8],
  丽水: [119.8, 28.3],
  温州: [120.7, 27.95],
};

export interface CityMap {
  id: string;
  title: string;
  desc: string;
  width: number;
  height: number;
  cities: Array<{ cx: number; cy: number; r: number; fill: string; textFill: string; name: string; rank: number | null; rankText: string; display: string; labelY: number }>;
}

const SHADES = ['#084785', '#0b5cad', '#3e7cb1', '#7fa7cf', '#bcd2e8'];

/**
 * A map-like ranking: each city a disc placed where it lies, sized by its amount and shaded by its rank (darker is
 * higher). Cities without trades are drawn empty. `points` come ranked, highest first.
 */
export function cityMap(
  id: string,
  title: string,
  desc: string,
  cities: Array<{ key: string; name: string }>,
  points: Array<ChartPoint & { key: string }>,
  rankText: (rank: number) => string,
): CityMap {
  const width = 520;
  const height = 490;
  const lon = (x: number) => 40 + (x - 118.6) * 118;
  const lat = (y: number) => 40 + (31.15 - y) * 118;
  const max = Math.max(0, ...points.map((p) => p.value));
  const rank = new Map(points.map((p, i) => [p.key, { i, p }]));
  return {
    id,
    title,
    desc,
    width,
    height,
    cities: cities.map((c) => {
      const [x, y] = CITY_POSITIONS[c.key] ?? [120, 29.5];
      const hit = rank.get(c.key);
      const value = hit ? Math.max(0, hit.p.value) : 0;
      const r = r1(value > 0 && max > 0 ? 12 + 24 * Math.sqrt(value / max) : 10);
      const shade = hit && value > 0 ? SHADES[Math.min(SHADES.length - 1, Math.floor((hit.i * SHADES.length) / Math.max(points.length, 1)))] : '#ffffff';
      return {
        cx: r1(lon(x)),
        cy: r1(lat(y)),
        r,
        fill: shade,
        textFill: hit && value > 0 && SHADES.indexOf(shade) < 3 ? '#ffffff' : '#1f2933',
        name: c.name,
        rank: hit && value > 0 ? hit.i + 1 : null,
        rankText: hit && value > 0 ? rankText(hit.i + 1) : '',
        display: hit ? hit.p.display : '',
        labelY: r1(lat(y) + r + 14),
      };
    }),
  };
}

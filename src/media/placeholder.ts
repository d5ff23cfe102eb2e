import { FIELDS } from '../domain';

/**
 * The picture of a listing without one: an SVG drawn here (no external asset, no script, no font file), the first
 * character of the product's field on a colour of its own per field, so the cards of one field look alike.
 * Colours are dark enough for white text (contrast ≥ 4.5:1).
 */
const PALETTE = ['#1f5f99', '#2f6b3b', '#7a3d8f', '#8a4b12', '#a12f3b', '#2d6a73', '#5a5f1f', '#44508a', '#6b4a3a', '#1d6e5c'];

const escapeXml = (s: string) => s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c] as string);

export function placeholderColour(field: string): string {
  const i = FIELDS.findIndex((f) => f.name === field || f.code === field);
  if (i >= 0) return PALETTE[i % PALETTE.length];
  let h = 0;
  for (const ch of field) h = (h * 31 + (ch.codePointAt(0) ?? 0)) >>> 0;
  return PALETTE[h % PALETTE.length];
}

export function placeholderSvg(field: string): string {
  const initial = escapeXml(Array.from(field.trim())[0] ?? '?');
  const colour = placeholderColour(field);
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="400" height="300" viewBox="0 0 400 300">` +
    `<rect width="400" height="300" fill="${colour}"/>` +
    `<circle cx="200" cy="150" r="88" fill="#ffffff" fill-opacity="0.14"/>` +
    `<text x="200" y="150" dy="0.35em" text-anchor="middle" font-family="'Noto Sans SC','Noto Sans CJK SC','PingFang SC','Microsoft YaHei',sans-serif" font-size="110" fill="#ffffff">${initial}</text>` +
    `</svg>`
  );
}

/** Small helpers for asserting on server-rendered HTML without a DOM. */

const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

/** Decodes the character references Handlebars and browsers use (`&amp;`, `&#x3D;`, `&#39;`…). */
export function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (m, ref: string) => {
    if (ref[0] === '#') return String.fromCodePoint(ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10));
    return NAMED[ref.toLowerCase()] ?? m;
  });
}

/** Every value of the given attributes (default: the ones that point somewhere), decoded. */
export function attributeValues(html: string, names: string[] = ['href', 'src', 'action']): Array<{ name: string; value: string }> {
  const re = new RegExp(`\\s(${names.join('|')})\\s*=\\s*"([^"]*)"`, 'gi');
  return [...html.matchAll(re)].map((m) => ({ name: m[1].toLowerCase(), value: decodeEntities(m[2]) }));
}

/** The decoded hrefs of the page. */
export const hrefs = (html: string): string[] => attributeValues(html, ['href']).map((a) => a.value);

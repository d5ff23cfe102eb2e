/** The public Atom feed of notices (RFC 4287), newest first: what a host or a reader polls for new notices. */
export interface FeedNotice {
  id: number;
  type: string;
  title: string;
  publishedAt: string;
  projectName?: string;
  purchaserName?: string;
}

const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] as string);

export function atomFeed(
  notices: FeedNotice[],
  o: { origin: string; base: string; type?: string; title: string; typeLabel: (type: string) => string; now: Date },
): string {
  const root = `${o.origin}${o.base}`;
  const self = `${root}/notices.atom${o.type ? `?type=${encodeURIComponent(o.type)}` : ''}`;
  const alternate = `${root}/notices${o.type ? `?type=${encodeURIComponent(o.type)}` : ''}`;
  const updated = notices[0]?.publishedAt ?? o.now.toISOString();
  const title = o.type ? `${o.title} · ${o.typeLabel(o.type)}` : o.title;
  const entries = notices.map((n) => {
    const url = `${root}/notices/${n.id}`;
    const summary = [o.typeLabel(n.type), n.projectName, n.purchaserName].filter(Boolean).join(' · ');
    return [
      '  <entry>',
      `    <id>${esc(url)}</id>`,
      `    <title>${esc(n.title)}</title>`,
      `    <link rel="alternate" type="text/html" href="${esc(url)}"/>`,
      `    <category term="${esc(n.type)}" label="${esc(o.typeLabel(n.type))}"/>`,
      `    <published>${esc(n.publishedAt)}</published>`,
      `    <updated>${esc(n.publishedAt)}</updated>`,
      ...(n.purchaserName ? [`    <author><name>${esc(n.purchaserName)}</name></author>`] : []),
      `    <summary>${esc(summary)}</summary>`,
      '  </entry>',
    ].join('\n');
  });
  return [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<feed xmlns="http://www.w3.org/2005/Atom">',
    `  <id>${esc(self)}</id>`,
    `  <title>${esc(title)}</title>`,
    `  <updated>${esc(updated)}</updated>`,
    `  <link rel="self" type="application/atom+xml" href="${esc(self)}"/>`,
    `  <link rel="alternate" type="text/html" href="${esc(alternate)}"/>`,
    `  <author><name>${esc(o.title)}</name></author>`,
    ...entries,
    '</feed>',
    '',
  ].join('\n');
}

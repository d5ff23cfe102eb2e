import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';
import { Money, formatLarge, formatYuan } from '../money';
import { DEFAULT_LOCALE, hasKey, largeUnits, t, translator, unitName, type Locale } from '../i18n';
import { ROOT } from '../paths';

/**
 * One isolated Handlebars instance; every template compiled once at boot, strict (a missing property is an error,
 * so view models are explicit). Only the layout uses `{{{body}}}`; user data is always escaped.
 */
export interface ViewGlobals {
  locale: Locale;
  base: string;
  /** Printed by the csrf partial; an object so that only a rendered form creates the session secret. */
  csrfToken: { toString(): string };
  actor: { username: string; role: string; displayName: string } | null;
  path: string;
  query: Record<string, string>;
  nav: Record<string, unknown>;
}

type Template = Handlebars.TemplateDelegate;

const TZ = 'Asia/Shanghai';

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? walk(full) : name.endsWith('.hbs') ? [full] : [];
  });
}

/** Only site-relative paths become links: no scheme, no protocol-relative '//' (URL allow-list). */
export function safePath(p: unknown): string {
  const s = String(p ?? '/');
  return s.startsWith('/') && !s.startsWith('//') ? s : '/';
}

/**
 * An instant as people read it, in Asia/Shanghai: `2026-12-11 23:59` (a day alone `2026-12-11`), the same in both
 * languages — the way the pages write a day everywhere else, and never a day/month order an English reader could
 * take for month/day. `locale` is kept for the helpers' signature.
 */
export function formatDateTime(iso: unknown, _locale: Locale, withTime = true): string {
  if (iso === null || iso === undefined || iso === '') return '';
  const d = new Date(String(iso));
  if (Number.isNaN(d.getTime())) return String(iso);
  const parts = Object.fromEntries(SHANGHAI_PARTS.formatToParts(d).map((p) => [p.type, p.value]));
  const day = `${parts.year}-${parts.month}-${parts.day}`;
  return withTime ? `${day} ${parts.hour === '24' ? '00' : parts.hour}:${parts.minute}` : day;
}
const SHANGHAI_PARTS = new Intl.DateTimeFormat('en-CA', { timeZone: TZ, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });

export class Views {
  private readonly hb = Handlebars.create();
  private readonly templates = new Map<string, Template>();
  private readonly layout: Template;

  constructor(dir = path.join(ROOT, 'views')) {
    this.registerHelpers();
    const opts = { strict: true, preventIndent: true };
    for (const file of walk(path.join(dir, 'partials'))) {
      const name = path.relative(path.join(dir, 'partials'), file).replace(/\\/g, '/').replace(/\.hbs$/, '');
      this.hb.registerPartial(name, this.hb.compile(readFileSync(file, 'utf8'), opts));
    }
    for (const file of walk(dir)) {
      const name = path.relative(dir, file).replace(/\\/g, '/').replace(/\.hbs$/, '');
      if (name.startsWith('partials/')) continue;
      this.templates.set(name, this.hb.compile(readFileSync(file, 'utf8'), opts));
    }
    const layout = this.templates.get('layouts/main');
    if (!layout) throw new Error('views/layouts/main.hbs is missing');
    this.layout = layout;
  }

  has(view: string): boolean {
    return this.templates.has(view);
  }

  render(view: string, model: Record<string, unknown>, globals: ViewGlobals, layout = true): string {
    const tpl = this.templates.get(view);
    if (!tpl) throw new Error(`no view ${view}`);
    const data = { ...globals };
    const body = tpl(model, { data });
    if (!layout) return body;
    return this.layout({ ...model, body }, { data });
  }

  private registerHelpers(): void {
    const hb = this.hb;
    type Opts = Handlebars.HelperOptions & { data: ViewGlobals };
    hb.registerHelper('t', function (key: string, options: Opts) {
      return t(options.data.locale, key, options.hash);
    });
    // {{tOr (concat "insurance.rule_version_" v) v}}: a value's translation where the catalogue has one, else the
    // value as stored (a name an administrator gave, such as a rule version added later).
    hb.registerHelper('tOr', function (key: string, fallback: unknown, options: Opts) {
      return hasKey(options.data.locale, key) || hasKey(DEFAULT_LOCALE, key) ? t(options.data.locale, key, options.hash) : String(fallback ?? '');
    });
    // {{url "/products"}} → the path under the mount prefix.
    hb.registerHelper('url', function (p: unknown, options: Opts) {
      return options.data.base + safePath(p);
    });
    // {{urlq "/products" query page=2}}: the current query with some parameters replaced ('' removes one).
    hb.registerHelper('urlq', function (p: unknown, query: Record<string, unknown>, options: Opts) {
      const params = new URLSearchParams();
      for (const [k, v] of Object.entries({ ...(query ?? {}), ...options.hash })) {
        if (v === undefined || v === null || v === '') continue;
        params.set(k, String(v));
      }
      const qs = params.toString();
      return options.data.base + safePath(p) + (qs ? `?${qs}` : '');
    });
    // Money arrives as integer fen (a number) or as the JSON string form ("1180000.00").
    const toMoney = (v: unknown): Money | null =>
      v === null || v === undefined || v === '' ? null : typeof v === 'string' ? Money.fromString(v) : Money.ofFen(v as number);
    hb.registerHelper('yuan', (v: unknown) => {
      const m = toMoney(v);
      return m ? formatYuan(m) : '';
    });
    hb.registerHelper('large', function (v: unknown, options: Opts) {
      const m = toMoney(v);
      if (!m) return '';
      const l = options.data.locale;
      return formatLarge(m, largeUnits(translator(l)));
    });
    // {{saleUnit unit}} → the unit of sale in the page's language ("per unit"); {{saleUnit unit n=quantity}} counts it
    // ("3 sets"). A unit the catalogue does not know is printed as the vendor typed it.
    hb.registerHelper('saleUnit', function (unit: unknown, options: Opts) {
      const n = options.hash.n as unknown;
      return unitName(options.data.locale, typeof unit === 'string' ? unit : String(unit ?? ''), typeof n === 'number' || typeof n === 'string' ? n : 1);
    });
    hb.registerHelper('datetime', (iso: unknown, options: Opts) => formatDateTime(iso, options.data.locale));
    hb.registerHelper('date', (iso: unknown, options: Opts) => formatDateTime(iso, options.data.locale, false));
    hb.registerHelper('eq', (a: unknown, b: unknown) => a === b);
    hb.registerHelper('ne', (a: unknown, b: unknown) => a !== b);
    hb.registerHelper('or', (...args: unknown[]) => args.slice(0, -1).some(Boolean));
    hb.registerHelper('and', (...args: unknown[]) => args.slice(0, -1).every(Boolean));
    hb.registerHelper('not', (a: unknown) => !a);
    hb.registerHelper('concat', (...args: unknown[]) => args.slice(0, -1).map(String).join(''));
  }
}

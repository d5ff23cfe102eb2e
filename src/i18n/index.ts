import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from '../paths';
import { shanghaiIso } from '../time';

/**
 * Message catalogues: src/i18n/<locale>/<namespace>.json, each a flat object of keys. A key is used as
 * `<namespace>.<key>`; `{name}` placeholders are filled from params; `<key>_one` is the singular form.
 */
export const LOCALES = ['zh-CN', 'en'] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = 'zh-CN';

type Catalogue = Map<string, string>;
const catalogues = new Map<Locale, Catalogue>();

function load(locale: Locale): Catalogue {
  // The JSON catalogues stay in src/ (the compiled build in dist/ reads them from there too).
  const dir = path.join(ROOT, 'src', 'i18n', locale);
  const out: Catalogue = new Map();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
    const ns = path.basename(file, '.json');
    const entries = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as Record<string, string>;
    for (const [k, v] of Object.entries(entries)) out.set(`${ns}.${k}`, v);
  }
  return out;
}

export function catalogue(locale: Locale): Catalogue {
  let c = catalogues.get(locale);
  if (!c) {
    c = load(locale);
    catalogues.set(locale, c);
  }
  return c;
}

export function isLocale(v: unknown): v is Locale {
  return typeof v === 'string' && (LOCALES as readonly string[]).includes(v);
}

export function hasKey(locale: Locale, key: string): boolean {
  return catalogue(locale).has(key);
}

/**
 * `{n}` of exactly one picks the key's `_one` form where there is one ("1 order", not "1 orders"); Chinese keeps one
 * form, so its `_one` messages repeat the plain ones.
 */
function pluralKey(locale: Locale, key: string, params: Record<string, unknown>): string {
  const n = params.n;
  return (n === 1 || n === '1') && catalogue(locale).has(`${key}_one`) ? `${key}_one` : key;
}

/**
 * Keys asked for that neither catalogue holds, each shown as itself ("audit.action_x" on a page): kept so that the
 * test suite can fail on one (test/helpers/tiers.ts). Bounded, since a key may be built from data.
 */
const missing = new Set<string>();
export const missingKeys = (): string[] => [...missing];
/** Forgets the keys found missing so far (a test that asks for one on purpose). */
export const forgetMissingKeys = (): void => missing.clear();

export function t(locale: Locale, key: string, params: Record<string, unknown> = {}): string {
  key = pluralKey(locale, key, params);
  const template = catalogue(locale).get(key) ?? catalogue(DEFAULT_LOCALE).get(key);
  if (template === undefined) {
    if (missing.size < 100) missing.add(key);
    return key;
  }
  return template.replace(/\{(\w+)\}/g, (m, name: string) => {
    const v = params[name];
    if (v === undefined || v === null) return m;
    // An instant in a message reads as people read it: Asia/Shanghai wall time, not ISO 8601 (a day stays a day).
    if (typeof v === 'string' && INSTANT.test(v)) return shanghaiIso(new Date(v)).slice(0, 19).replace('T', ' ');
    return String(v);
  });
}

/** An ISO 8601 instant with a zone ("2026-10-12T15:59:59.000Z", "2026-10-12T23:59:59+08:00"). */
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?(?:Z|[+-]\d{2}:\d{2})$/;

export type Translator = (key: string, params?: Record<string, unknown>) => string;

/** The large-unit form's units and scales in a language (common.unit_*, common.large_scales as two powers of ten). */
export function largeUnits(translate: Translator): { yi: string; wan: string; yuan: string; scales: [number, number] } {
  const [big, mid] = translate('common.large_scales').split(' ').map(Number);
  return { yi: translate('common.unit_yi'), wan: translate('common.unit_wan'), yuan: translate('common.unit_yuan'), scales: [10 ** big, 10 ** mid] };
}
export const translator = (locale: Locale): Translator => (key, params) => t(locale, key, params);

/**
 * A product's unit of sale (台, 套, 条, …) in a language: the `units` catalogue's name for it, singular for a count of
 * one (the default: "per unit") and plural otherwise ("3 sets"). A unit the catalogue does not know — vendors may type
 * their own — is shown as typed.
 */
export function unitName(locale: Locale, unit: string, n: number | string = 1): string {
  const key = `units.${unit}`;
  if (unit === '' || unit.endsWith('_one') || !catalogue(locale).has(key)) return unit;
  return t(locale, key, { n });
}

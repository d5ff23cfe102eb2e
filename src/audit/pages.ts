import type { Executor } from '../db';
import { hasKey, type Locale, type Translator } from '../i18n';
import { Money, formatYuan } from '../money';
import { shanghaiIso } from '../time';

/**
 * The audit log for people (issue 18 item 7): who (their name), what (the action in words, a label per action in
 * both languages), on what (the object's name or number), the change in words — statuses translated, money in yuan
 * (never `amount_fen`), times in Asia/Shanghai — with the raw record one click away (the page's <details>).
 */

/** The catalogue key of an action's label: `order.place` → `audit.action_order_place`. */
export const actionKey = (action: string): string => `audit.action_${action.replace(/\./g, '_')}`;
export const entityKey = (entity: string): string => `audit.entity_${entity}`;

/** An action in words, or its code where no label exists yet (a new action shows, never disappears). */
export const actionLabel = (locale: Locale, t: Translator, action: string): string => (hasKey(locale, actionKey(action)) ? t(actionKey(action)) : action);

/** How an entity's objects are named: its table, the id column, and the columns that name it. */
const NAMES: Record<string, { table: string; columns: string[] }> = {
  order: { table: 'orders', columns: ['order_no'] },
  fp_case: { table: 'fp_cases', columns: ['project_name'] },
  product: { table: 'products', columns: ['title', 'model'] },
  vendor: { table: 'vendors', columns: ['name'] },
  purchaser: { table: 'purchasers', columns: ['name'] },
  certification: { table: 'certifications', columns: ['cert_no', 'product_name'] },
  cert_application: { table: 'cert_applications', columns: ['application_no', 'product_name'] },
  user: { table: 'users', columns: ['display_name', 'username'] },
  expert: { table: 'experts', columns: ['name'] },
  insurance_claim: { table: 'insurance_claims', columns: ['claim_no'] },
  search_synonym: { table: 'search_synonyms', columns: ['term'] },
};

/** The names of the objects on one page of the log, by `entity:id`: one query per entity that occurs. */
export async function objectNames(db: Executor, rows: Array<{ entity: string; entityId: string | null }>): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const byEntity = new Map<string, Set<number>>();
  for (const r of rows) {
    if (!NAMES[r.entity] || !r.entityId || !/^\d{1,9}$/.test(r.entityId)) continue;
    (byEntity.get(r.entity) ?? byEntity.set(r.entity, new Set()).get(r.entity)!).add(Number(r.entityId));
  }
  for (const [entity, ids] of byEntity) {
    const { table, columns } = NAMES[entity]!;
    const found: Array<Record<string, unknown>> = await db(table).whereIn('id', [...ids]).select('id', ...columns);
    for (const f of found) {
      const name = columns.map((c) => f[c]).filter((v) => v !== null && v !== undefined && v !== '').join(' · ');
      if (name) out.set(`${entity}:${String(f.id)}`, name);
    }
  }
  return out;
}

/** The names of the people acting, by user id (display name, else username). */
export async function actorNames(db: Executor, ids: Array<number | null>): Promise<Map<number, string>> {
  const wanted = [...new Set(ids.filter((i): i is number => i !== null))];
  if (!wanted.length) return new Map();
  const rows: Array<{ id: number; display_name: string; username: string }> = await db('users').whereIn('id', wanted).select('id', 'display_name', 'username');
  return new Map(rows.map((r) => [Number(r.id), r.display_name || r.username]));
}

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;
const MONEY_STRING = /^-?\d{1,16}\.\d{2}$/;
const MONEY_KEYS = /^(total|amount|price|budget|balance|allocated|available|reserved|spent|insuredValue|premium|compensation|subsidy|yearlyCap|limit|directPurchaseLimit)$/i;

/** A field's label: the form label where there is one (fields.*), else the audit catalogue's, else the key. */
function fieldLabel(locale: Locale, t: Translator, key: string): string {
  const plain = key.replace(/_fen$|Fen$/, '');
  const camel = plain.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());
  for (const k of [`audit.field_${plain}`, `fields.${camel}`, `fields.${plain}`]) if (hasKey(locale, k)) return t(k);
  return key;
}

/** Status vocabularies by entity, for `status` values in words. */
const STATUS_KEYS: Record<string, (status: string) => string> = {
  order: (s) => `orders.status_${s}`,
  product: (s) => `vendor.status_${s}`,
  vendor: (s) => `vendor.vendor_status_${s}`,
  fp_case: (s) => `first_purchase.status_${s}`,
  cert_application: (s) => `recognition.status_${s}`,
  insurance_claim: (s) => `insurance.status_${s}`,
};

/** One value as a person reads it: money in yuan, times in Shanghai, statuses translated, lists joined. */
function valueText(locale: Locale, t: Translator, entity: string, key: string, v: unknown): string {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'number' && /(_fen|Fen)$/.test(key)) return formatYuan(Money.ofFen(Math.round(v)));
  if (typeof v === 'string' && MONEY_KEYS.test(key) && MONEY_STRING.test(v)) return formatYuan(Money.fromString(v));
  if (typeof v === 'string' && ISO_INSTANT.test(v)) return shanghaiIso(new Date(v)).slice(0, 16).replace('T', ' ');
  const statusKey = key === 'status' && typeof v === 'string' ? STATUS_KEYS[entity]?.(v) : undefined;
  if (statusKey && hasKey(locale, statusKey)) return t(statusKey);
  if (typeof v === 'boolean') return t(v ? 'common.yes' : 'common.no');
  if (Array.isArray(v)) return v.map((x) => (x !== null && typeof x === 'object' ? JSON.stringify(x) : String(x))).join('、');
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

export interface ChangeLine {
  label: string;
  before: string | null;
  after: string | null;
}

/** The change a record describes, field by field in words: before → after where both snapshots name the field. */
export function changeLines(locale: Locale, t: Translator, entity: string, before: unknown, after: unknown): ChangeLine[] {
  const obj = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
  const b = obj(before);
  const a = obj(after);
  const keys = [...new Set([...Object.keys(b), ...Object.keys(a)])];
  return keys.map((k) => ({
    label: fieldLabel(locale, t, k),
    before: k in b ? valueText(locale, t, entity, k, b[k]) : null,
    after: k in a ? valueText(locale, t, entity, k, a[k]) : null,
  }));
}

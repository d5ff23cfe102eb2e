import type { Executor } from '../db';
import { hasKey, unitName, type Locale, type Translator } from '../i18n';
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
/** Amounts kept as whole fen without the `_fen` suffix: the award amounts by level (recognition.award_settings). */
const FEN_KEYS = new Set(['international', 'domestic', 'provincial']);
/** Flags a SQLite row keeps as 0/1. */
const FLAG_KEYS = new Set(['boutique', 'keySupported', 'keySupportedOnly', 'isDefault', 'active', 'twoWay', 'required']);

/**
 * Keys a person has nothing to read in: file digests, the allocation's idempotency key, the ids of a round's
 * applications (its `applicationNos` beside them say the same in numbers people use). They stay in the raw record.
 */
const HIDDEN_KEYS = new Set(['sha256', 'hash', 'key', 'searchText', 'passwordHash', 'applications']);

/** `review_reason` and `reviewReason` alike: the camelCase form every lookup below is keyed by. */
const camelKey = (key: string): string => key.replace(/_fen$|Fen$/, '').replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());

/** Keys whose values are ids of objects with names (objectNames): shown by name, the id beside a single one. */
const REFS: Record<string, string> = {
  vendorId: 'vendor',
  productId: 'product',
  purchaserId: 'purchaser',
  expertId: 'expert',
  pool: 'expert',
  drawn: 'expert',
  userId: 'user',
  approvedBy: 'user',
  filedBy: 'user',
  caseId: 'fp_case',
  applicationId: 'cert_application',
  certId: 'certification',
};

/** What the lines of a record may be read with: its action (labels by action), and the names of the objects it refers to. */
export interface ChangeContext {
  action?: string;
  /** By `entity:id`, as objectNames answers. */
  names?: Map<string, string>;
}

/**
 * A field's label: the audit catalogue's for the entity (a vendor's `name` is its enterprise name) or the action,
 * else the audit catalogue's for the key, else the form label (fields.*), else the key itself.
 */
export function fieldLabel(locale: Locale, t: Translator, key: string, entity = '', action = ''): string {
  const plain = key.replace(/_fen$|Fen$/, '');
  const camel = camelKey(key);
  const keys = [
    ...(action ? [`audit.field_${action.replace(/\./g, '_')}__${camel}`] : []),
    ...(entity ? [`audit.field_${entity}__${camel}`] : []),
    `audit.field_${camel}`,
    `audit.field_${plain}`,
    `fields.${camel}`,
    `fields.${plain}`,
  ];
  for (const k of keys) if (hasKey(locale, k)) return t(k);
  return key;
}

/** Status vocabularies by entity, for `status` values in words. */
const STATUS_KEYS: Record<string, (status: string) => string> = {
  order: (s) => `orders.status_${s}`,
  product: (s) => `vendor.status_${s}`,
  vendor: (s) => `vendor.vendor_status_${s}`,
  user: (s) => `audit.value_user_status_${s}`,
  certification: (s) => `cert_status.${s}`,
  fp_case: (s) => `first_purchase.status_${s}`,
  fp_objection: (s) => `first_purchase.objection_status_${s}`,
  cert_application: (s) => `recognition.status_${s}`,
  cert_objection: (s) => `first_purchase.objection_status_${s}`,
  cert_round: (s) => `audit.value_round_status_${s}`,
  cert_award: (s) => `audit.value_award_status_${s}`,
  insurance_claim: (s) => `insurance.status_${s}`,
  webhook_delivery: (s) => `integration.status_${s}`,
};

/** Other coded values by key (camelCase), each to the catalogue keys that may name it, the first found winning. */
const VOCABULARIES: Record<string, (v: string, entity: string) => string[]> = {
  kind: (v) => [`kinds.${v}`, `recognition.kind_${v}`],
  level: (v) => [`levels.${v}`],
  levelClaimed: (v) => [`levels.${v}`],
  recommendLevel: (v) => [`levels.${v}`],
  recommendedLevel: (v) => [`levels.${v}`],
  field: (v) => [`fieldnames.${v}`],
  fields: (v) => [`fieldnames.${v}`],
  city: (v) => [`cities.${v}`],
  role: (v) => [`roles.${v}`],
  type: (v, entity) => (entity === 'notice' ? [`notices.type_${v}`] : []),
  terminationCause: (v) => [`first_purchase.cause_${v}`],
  delistCause: (v) => [`audit.value_delist_cause_${v}`],
  reason: (v) => [`audit.value_draw_reason_${v}`],
};

/** One coded value in words, or null where no vocabulary names it (an unknown value shows as it is). */
function coded(locale: Locale, t: Translator, entity: string, camel: string, v: string): string | null {
  const candidates = camel === 'status' ? (STATUS_KEYS[entity] ? [STATUS_KEYS[entity](v)] : []) : (VOCABULARIES[camel]?.(v, entity) ?? []);
  for (const k of candidates) if (hasKey(locale, k)) return t(k);
  if (camel === 'unit' && entity === 'product') return unitName(locale, v);
  return null;
}

const fileSize = (bytes: number): string =>
  bytes < 1024 ? `${bytes} B` : bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/** A JSON array or object kept as a string in a row (indicators, experts, the negotiation record): its value, else the string. */
function parsedJson(v: string): unknown {
  if (!/^\s*[[{]/.test(v)) return v;
  try {
    return JSON.parse(v) as unknown;
  } catch {
    return v;
  }
}

/** One value as a person reads it: money in yuan, times in Shanghai, codes and ids in words, lists joined. */
function valueText(locale: Locale, t: Translator, entity: string, key: string, v: unknown, ctx: ChangeContext = {}): string {
  const camel = camelKey(key);
  if (v === null || v === undefined || v === '') return '—';
  if (typeof v === 'number' && (/(_fen|Fen)$/.test(key) || FEN_KEYS.has(key))) return formatYuan(Money.ofFen(Math.round(v)));
  if (typeof v === 'string' && MONEY_KEYS.test(camel) && MONEY_STRING.test(v)) return formatYuan(Money.fromString(v));
  if (typeof v === 'string' && ISO_INSTANT.test(v)) return shanghaiIso(new Date(v)).slice(0, 16).replace('T', ' ');
  if (FLAG_KEYS.has(camel) && (v === 0 || v === 1)) return t(v ? 'common.yes' : 'common.no');
  if (typeof v === 'boolean') return t(v ? 'common.yes' : 'common.no');
  if (camel === 'size' && typeof v === 'number') return fileSize(v);
  const ref = REFS[camel];
  const nameOf = (id: unknown): string | undefined => (ref && (typeof id === 'number' || typeof id === 'string') ? ctx.names?.get(`${ref}:${String(id)}`) : undefined);
  const sep = t('common.list_separator');
  if (typeof v === 'string') {
    const parsed = parsedJson(v);
    if (parsed !== v) return valueText(locale, t, entity, key, parsed, ctx);
    return coded(locale, t, entity, camel, v) ?? v;
  }
  if (typeof v === 'number') {
    const name = nameOf(v);
    return name ? t('audit.ref', { name, id: v }) : String(v);
  }
  if (Array.isArray(v)) {
    return v
      .map((x) => {
        if (x !== null && typeof x === 'object') return objectText(locale, t, x as Record<string, unknown>, ctx);
        if (typeof x === 'string') return coded(locale, t, entity, camel, x) ?? x;
        return nameOf(x) ?? String(x);
      })
      .join(sep);
  }
  if (typeof v === 'object') return objectText(locale, t, v as Record<string, unknown>, ctx);
  return String(v);
}

/** An object inside a snapshot: an order line as product × quantity, a person or unit by name, a record by its day and place. */
function objectText(locale: Locale, t: Translator, o: Record<string, unknown>, ctx: ChangeContext): string {
  if ('productId' in o && 'quantity' in o) {
    const name = ctx.names?.get(`product:${String(o.productId)}`) ?? `#${String(o.productId)}`;
    return t('audit.value_item', { product: name, n: String(o.quantity) });
  }
  if (typeof o.name === 'string') return o.name;
  const parts = ['date', 'place'].map((k) => o[k]).filter((x): x is string => typeof x === 'string' && x !== '');
  if (parts.length) return parts.join(' · ');
  return JSON.stringify(o);
}

export interface ChangeLine {
  label: string;
  before: string | null;
  after: string | null;
}

const snapshotObject = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
const empty = (v: unknown): boolean => v === null || v === undefined || v === '';

/**
 * The change a record describes, field by field in words: before → after where both snapshots name the field. Keys
 * with nothing to read (HIDDEN_KEYS) are left out, and so is a field that is empty on both sides (or only named,
 * empty, by a new record): the raw record keeps them.
 */
export function changeLines(locale: Locale, t: Translator, entity: string, before: unknown, after: unknown, ctx: ChangeContext = {}): ChangeLine[] {
  const b = snapshotObject(before);
  const a = snapshotObject(after);
  const keys = [...new Set([...Object.keys(b), ...Object.keys(a)])].filter((k) => !HIDDEN_KEYS.has(camelKey(k)) && !(empty(b[k]) && empty(a[k])));
  return keys.map((k) => ({
    label: fieldLabel(locale, t, k, entity, ctx.action),
    before: k in b ? valueText(locale, t, entity, k, b[k], ctx) : null,
    after: k in a ? valueText(locale, t, entity, k, a[k], ctx) : null,
  }));
}

/** The objects a page of records refers to by id (REFS; an order's lines by product), for objectNames to name. */
export function referencedObjects(snapshots: unknown[]): Array<{ entity: string; entityId: string | null }> {
  const out: Array<{ entity: string; entityId: string | null }> = [];
  const add = (entity: string, id: unknown) => {
    if (typeof id === 'number' || (typeof id === 'string' && /^\d{1,9}$/.test(id))) out.push({ entity, entityId: String(id) });
  };
  for (const s of snapshots) {
    for (const [k, v] of Object.entries(snapshotObject(s))) {
      const ref = REFS[camelKey(k)];
      if (ref) for (const id of Array.isArray(v) ? v : [v]) add(ref, id);
      if (camelKey(k) === 'items' && Array.isArray(v)) for (const line of v) add('product', snapshotObject(line).productId);
    }
  }
  return out;
}

/** Who acted, for the two actors that are no account: a member of the public (异议) and the system's own jobs. */
export function actorText(t: Translator, actorId: number | null, login: string): string | null {
  if (actorId !== null) return null;
  if (login === 'public') return t('audit.actor_public');
  if (login === 'system') return t('audit.actor_system');
  return null;
}

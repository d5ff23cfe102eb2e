import { hashPassword } from '../../src/auth/passwords';
import { productSearchText } from '../../src/search-text';
import { withCheckChar } from '../../src/credit-code';
import type { Executor } from '../../src/db';
import { CITIES } from '../../src/domain';

/** Factories for tests: small, explicit rows with sensible defaults; every call makes new unique values. */
let seq = 0;
const next = () => ++seq;
const NOW = '2026-01-05T02:00:00.000Z';
const ALPHA = '0123456789ABCDEFGHJKLMNPQRTUWXY';

export function creditCode(n = next()): string {
  const city = CITIES[n % CITIES.length];
  let body = '';
  let x = n * 7919 + 104729;
  for (let i = 0; i < 9; i++) {
    body += ALPHA[x % 31];
    x = Math.floor(x / 31) + i * 17 + 3;
  }
  return withCheckChar(`91${city.division}${body}`);
}

let passwordHash: Promise<string> | null = null;
export const DEMO_PASSWORD = 'demo-password';
const demoHash = () => (passwordHash ??= hashPassword(DEMO_PASSWORD));

/** A purchasing unit; with a default delivery address (checkout's and the order API's defaults) unless `noAddress`. */
export async function makePurchaser(db: Executor, over: Partial<{ name: string; city: string; type: string; noAddress: boolean }> = {}) {
  const n = next();
  const [row] = await db('purchasers')
    .insert({ name: over.name ?? `测试采购单位${n}`, credit_code: creditCode(n), city: over.city ?? '杭州', type: over.type ?? 'hospital', contact: '0571-88880000', created_at: NOW })
    .returning('*');
  if (!over.noAddress && (await db.schema.hasTable('purchaser_addresses'))) {
    await db('purchaser_addresses').insert({ purchaser_id: row.id, label: '本部', address: `浙江省杭州市测试路${n}号`, contact_person: '测试联系人', phone: '0571-88880000', is_default: true, created_at: NOW, updated_at: NOW });
  }
  return row as { id: number; name: string; city: string; type: string; credit_code: string };
}

export async function makeVendor(db: Executor, over: Partial<{ name: string; city: string; status: string; credit_code: string }> = {}) {
  const n = next();
  const [row] = await db('vendors')
    .insert({
      name: over.name ?? `测试供应商${n}有限公司`,
      credit_code: over.credit_code ?? creditCode(n),
      city: over.city ?? '宁波',
      address: '浙江省宁波市测试路1号',
      contact: '0574-88880000',
      status: over.status ?? 'approved',
      created_at: NOW,
    })
    .returning('*');
  return row as { id: number; name: string; city: string; credit_code: string };
}

export async function makeUser(
  db: Executor,
  over: { role: 'purchaser' | 'vendor' | 'admin' | 'finance' | 'expert'; purchaser_id?: number; vendor_id?: number; username?: string; status?: string },
) {
  const n = next();
  const [row] = await db('users')
    .insert({
      username: over.username ?? `${over.role}${n}`,
      password_hash: await demoHash(),
      role: over.role,
      purchaser_id: over.purchaser_id ?? null,
      vendor_id: over.vendor_id ?? null,
      display_name: `${over.role} ${n}`,
      status: over.status ?? 'active',
      created_at: NOW,
    })
    .returning('*');
  return row as { id: number; username: string; role: string };
}

export async function makeCert(
  db: Executor,
  vendor: { name: string; credit_code: string },
  over: Partial<{ level: string; kind: string; field: string; status: string; valid_until: string; year: number; product_name: string; cert_no: string }> = {},
) {
  const n = next();
  const [row] = await db('certifications')
    .insert({
      cert_no: over.cert_no ?? `ZJSTT-T-${String(n).padStart(5, '0')}`,
      product_name: over.product_name ?? `测试认定产品${n}`,
      enterprise_name: vendor.name,
      credit_code: vendor.credit_code,
      kind: over.kind ?? 'equipment',
      level: over.level ?? 'provincial',
      field: over.field ?? '智能装备',
      year: over.year ?? 2025,
      valid_until: over.valid_until ?? '2028-12-31',
      status: over.status ?? 'valid',
      indicators: JSON.stringify(['定位精度 ≤ 0.005 mm']),
      created_at: NOW,
      updated_at: NOW,
    })
    .returning('*');
  return row as { id: number; cert_no: string; level: string; kind: string; field: string };
}

export async function makeProduct(
  db: Executor,
  vendor: { id: number; name: string; city: string },
  over: Partial<{
    cert: { id: number; cert_no: string; level: string; kind: string; field: string } | null;
    boutique: boolean;
    title: string;
    model: string;
    description: string;
    field: string;
    kind: string;
    price_fen: number;
    stock: number;
    status: string;
    created_at: string;
  }> = {},
) {
  const n = next();
  const cert = over.cert ?? null;
  const title = over.title ?? `测试产品${n}`;
  const model = over.model ?? `T-${n}`;
  const field = over.field ?? cert?.field ?? '智能装备';
  const [row] = await db('products')
    .insert({
      vendor_id: vendor.id,
      cert_id: cert?.id ?? null,
      boutique: over.boutique ?? !cert,
      title,
      model,
      description: over.description ?? '测试用产品',
      field,
      kind: over.kind ?? cert?.kind ?? 'boutique',
      level: cert?.level ?? null,
      city: vendor.city,
      price_fen: over.price_fen ?? 1_000_000,
      unit: '台',
      stock: over.stock ?? 10,
      status: over.status ?? 'approved',
      search_text: productSearchText({ title, model, field, certNo: cert?.cert_no, vendorName: vendor.name, description: over.description ?? '测试用产品' }),
      created_at: over.created_at ?? NOW,
      updated_at: over.created_at ?? NOW,
    })
    .returning('*');
  return row as { id: number; title: string; price_fen: number; stock: number };
}

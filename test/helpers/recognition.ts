import type { Db } from '../../src/db';
import { makeUser, makeVendor } from './factories';

/** The parties of a certification (认定) test: two enterprises, the department, finance, and an expert pool. */
export interface RecWorld {
  vendorA: { id: number; name: string; credit_code: string };
  vendorB: { id: number; name: string; credit_code: string };
  users: { vendor: string; vendor2: string; admin: string; finance: string; purchaser: string };
  /** Experts with logins, in `field`; the last one works at vendor A (never drawn for A). */
  experts: Array<{ id: number; userId: number; username: string; unit: string }>;
}

export const REC_FIELD = '数控机床';

export async function makeRecWorld(db: Db, opts: { experts?: number } = {}): Promise<RecWorld> {
  const vendorA = await makeVendor(db, { city: '杭州' });
  const vendorB = await makeVendor(db, { city: '温州' });
  const users = {
    vendor: (await makeUser(db, { role: 'vendor', vendor_id: vendorA.id })).username,
    vendor2: (await makeUser(db, { role: 'vendor', vendor_id: vendorB.id })).username,
    admin: (await makeUser(db, { role: 'admin' })).username,
    finance: (await makeUser(db, { role: 'finance' })).username,
    purchaser: (await makeUser(db, { role: 'purchaser' })).username,
  };
  const experts: RecWorld['experts'] = [];
  const n = opts.experts ?? 8;
  for (let i = 0; i < n; i++) {
    const u = await makeUser(db, { role: 'expert' });
    const unit = i === n - 1 ? vendorA.name : `测试大学${i}`;
    const [row] = await db('experts')
      .insert({ name: `专家${i}`, unit, title: '教授', fields: JSON.stringify([REC_FIELD]), user_id: u.id, active: true, demo: false, created_at: '2026-01-05T02:00:00.000Z' })
      .returning('id');
    experts.push({ id: typeof row === 'object' ? (row as { id: number }).id : (row as number), userId: u.id, username: u.username, unit });
  }
  return { vendorA, vendorB, users, experts };
}

export const LIST_ENTRY = {
  year: 2026,
  field: REC_FIELD,
  product: '五轴联动数控机床',
  indicators: [
    { name: '定位精度', comparator: '<=', threshold: '0.005', unit: 'mm' },
    { name: '主轴转速', comparator: '>=', threshold: 20000, unit: 'r/min' },
  ],
};

export const applicationBody = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  productName: '五轴联动卧式加工中心',
  model: 'VMC-5X',
  kind: 'equipment',
  field: REC_FIELD,
  levelClaimed: 'domestic',
  indicators: [
    { name: '定位精度', value: '0.004' },
    { name: '主轴转速', value: 24000 },
  ],
  description: '国内首台五轴联动卧式加工中心。',
  ...over,
});

type Http = ReturnType<typeof import('supertest')>;

/**
 * Through the JSON API as the parties do it: a list entry (unless given), then one application of vendor A per call
 * walked to `recommended` (submitted, screened, 3 experts drawn, each scoring `score` at `level`). Returns the ids.
 */
export async function recommendedApplications(
  http: Http,
  w: RecWorld,
  token: (username: string) => Promise<string>,
  n: number,
  opts: { entryId?: number; level?: string; score?: number } = {},
): Promise<{ entryId: number; ids: number[] }> {
  const as = async (u: string) => ({ Authorization: await token(u) });
  const ok = (res: { status: number; body: unknown }, status = 200) => {
    if (res.status !== status) throw new Error(`${res.status} ${JSON.stringify(res.body)}`);
    return res.body as Record<string, unknown>;
  };
  const entryId = opts.entryId ?? (ok(await http.post('/api/v1/admin/indicator-list').set(await as(w.users.admin)).send(LIST_ENTRY), 201).id as number);
  const ids: number[] = [];
  for (let i = 0; i < n; i++) {
    const id = ok(await http.post('/api/v1/vendor/applications').set(await as(w.users.vendor)).send(applicationBody({ listEntryId: entryId, productName: `五轴联动卧式加工中心 ${i + 1}` })), 201).id as number;
    ok(await http.post(`/api/v1/vendor/applications/${id}/submit`).set(await as(w.users.vendor)));
    ok(await http.post(`/api/v1/admin/applications/${id}/screen`).set(await as(w.users.admin)).send({ passed: true, opinion: '材料齐全' }));
    const drawn = ok(await http.post(`/api/v1/admin/applications/${id}/experts`).set(await as(w.users.admin)).send({ count: 3 })).experts as Array<{ username: string }>;
    for (const e of drawn) ok(await http.post(`/api/v1/expert/reviews/${id}`).set(await as(e.username)).send({ score: opts.score ?? 85, recommendLevel: opts.level ?? 'domestic', opinion: '指标先进，同意推荐' }));
    ok(await http.post(`/api/v1/admin/applications/${id}/recommend`).set(await as(w.users.admin)));
    ids.push(id);
  }
  return { entryId, ids };
}

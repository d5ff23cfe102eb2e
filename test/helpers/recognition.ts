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

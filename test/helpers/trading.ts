import type request from 'supertest';
import type { Db } from '../../src/db';
import { makeProduct, makePurchaser, makeUser, makeVendor } from './factories';

type Http = ReturnType<typeof request>;

/** Two purchasing units, two vendors (each with a user), an admin, and a few products: the cast of the trading tests. */
export async function tradingCast(db: Db) {
  const unitA = await makePurchaser(db, { name: '杭州市测试医院', city: '杭州', type: 'hospital' });
  const unitB = await makePurchaser(db, { name: '宁波市测试学校', city: '宁波', type: 'school' });
  const vendorA = await makeVendor(db, { name: '测试精品甲有限公司', city: '温州' });
  const vendorB = await makeVendor(db, { name: '测试精品乙有限公司', city: '台州' });
  const users = {
    buyerA: await makeUser(db, { role: 'purchaser', purchaser_id: unitA.id }),
    buyerA2: await makeUser(db, { role: 'purchaser', purchaser_id: unitA.id }),
    buyerB: await makeUser(db, { role: 'purchaser', purchaser_id: unitB.id }),
    sellerA: await makeUser(db, { role: 'vendor', vendor_id: vendorA.id }),
    sellerB: await makeUser(db, { role: 'vendor', vendor_id: vendorB.id }),
    admin: await makeUser(db, { role: 'admin' }),
  };
  return { unitA, unitB, vendorA, vendorB, users };
}

export type Cast = Awaited<ReturnType<typeof tradingCast>>;

/** Bearer headers for every user of the cast. */
export async function tokens(http: Http, cast: Cast, login: (http: Http, username: string) => Promise<string>) {
  const out = {} as Record<keyof Cast['users'], string>;
  for (const [k, u] of Object.entries(cast.users)) out[k as keyof Cast['users']] = await login(http, u.username);
  return out;
}

/** Walks every value of a JSON body and returns the paths of the numbers found under money-like keys. */
export function moneyFloats(body: unknown, path = '$'): string[] {
  const MONEY_KEYS = /^(total|amount|price|unitPrice|allocated|reserved|available|spent|balance)$/;
  if (Array.isArray(body)) return body.flatMap((v, i) => moneyFloats(v, `${path}[${i}]`));
  if (body && typeof body === 'object') {
    const obj = body as Record<string, unknown>;
    // A list page's `total` is a count, not money.
    const paged = 'pageSize' in obj;
    return Object.entries(obj).flatMap(([k, v]) =>
      MONEY_KEYS.test(k) && !(paged && k === 'total') && typeof v !== 'string' && v !== null ? [`${path}.${k}`] : moneyFloats(v, `${path}.${k}`),
    );
  }
  return [];
}

export { makeProduct };

import type { Db } from '../../src/db';
import { bearer, testApp } from './app';
import { loginAgent } from './session';
import { tokens, tradingCast, tradingSide } from './trading';

/**
 * The two sides of an order, over HTTP and on the pages: the app, the trading cast, a purchaser A / vendor A pair with
 * a product and a budget, their bearer tokens, and a signed-in agent for each.
 */
export async function orderParties(db: Db) {
  const t = testApp(db);
  const cast = await tradingCast(db);
  const side = await tradingSide(db, cast.users.buyerA.username, cast.users.sellerA.username);
  const tok = await tokens(t.http, cast, bearer);
  const buyer = await loginAgent(t.app, cast.users.buyerA.username);
  const seller = await loginAgent(t.app, cast.users.sellerA.username);
  return { t, cast, side, tok, buyer, seller };
}

export type OrderParties = Awaited<ReturnType<typeof orderParties>>;

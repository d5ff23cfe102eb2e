import assert from 'node:assert/strict';
import { FakeClock } from '../../src/clock';
import { EVENTS, recordAudit, recordAudits } from '../../src/audit';
import type { Db } from '../../src/db';
import { ENGINE, useMigratedDb } from '../helpers/db';
import { caseInState, makeFpWorld } from '../helpers/first-purchase';
import { FirstPurchaseService } from '../../src/first-purchase/service';

const events = (db: Db) => db('outbox_events').orderBy('seq');

/** The transactional outbox (issue 17 item 1): audit records of public actions become events in the same transaction. */
describe(`transactional outbox (${ENGINE})`, function () {
  this.timeout(60000);
  const ctx = useMigratedDb();
  const clock = new FakeClock();

  it('an event\'s data speaks the API: camelCase names, money as a yuan string, instants with +08:00, stored JSON as JSON', async () => {
    const db = ctx.db;
    const before = (await events(db)).length;
    await db.transaction((trx) =>
      recordAudit(trx, clock, {
        actor: null,
        action: 'first_purchase.award',
        entity: 'fp_case',
        entityId: 4242,
        before: { status: 'approved' },
        after: { status: 'awarded', amount_fen: 376_000_000, awarded_at: '2020-06-28T02:00:00.000Z', negotiation: '{"agreed_terms":"交货期 60 日","staff":["张三"]}', note: '[加急] 尽快' },
      }),
    );
    const [row] = (await events(db)).slice(before);
    const data = (typeof row.data === 'string' ? JSON.parse(row.data) : row.data) as Record<string, unknown>;
    assert.deepEqual(data, {
      entity: 'fp_case',
      entityId: 4242,
      before: { status: 'approved' },
      after: { status: 'awarded', amount: '3760000.00', awardedAt: '2020-06-28T10:00:00.000+08:00', negotiation: { agreedTerms: '交货期 60 日', staff: ['张三'] }, note: '[加急] 尽快' },
    });
  });

  it('every mapped audit action produces its event, numbered globally and per stream', async () => {
    const db = ctx.db;
    const before = (await events(db)).length;
    const actions = Object.keys(EVENTS);
    await db.transaction(async (trx) => {
      for (const [i, action] of actions.entries()) await recordAudit(trx, clock, { actor: null, action, entity: 'thing', entityId: 1000 + i, after: { status: 'x' } });
      // twice on one stream: its numbers go 1, 2
      await recordAudit(trx, clock, { actor: null, action: 'order.place', entity: 'order', entityId: 99, after: {} });
      await recordAudit(trx, clock, { actor: null, action: 'order.pay', entity: 'order', entityId: 99, after: {} });
    });
    const rows = (await events(db)).slice(before);
    assert.equal(rows.length, actions.length + 2);
    actions.forEach((action, i) => {
      assert.equal(rows[i].type, EVENTS[action].type, action);
      assert.match(rows[i].id, /^[0-9a-f-]{36}$/);
      assert.equal(JSON.parse(rows[i].data).entityId, 1000 + i);
    });
    const seqs = rows.map((r) => Number(r.seq));
    assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b));
    const order99 = rows.filter((r) => r.stream === 'order:99');
    assert.deepEqual(order99.map((r) => [r.type, Number(r.stream_seq)]), [['order.placed', 1], ['order.paid', 2]]);
  });

  it('an action that is not public makes no event; recordAudits (the payment batch) makes one per entry', async () => {
    const db = ctx.db;
    const before = (await events(db)).length;
    await db.transaction(async (trx) => {
      await recordAudit(trx, clock, { actor: null, action: 'user.password_change', entity: 'user', entityId: 1 });
      await recordAudits(trx, clock, [
        { actor: null, action: 'order.pay', entity: 'order', entityId: 501, after: { status: 'paid' } },
        { actor: null, action: 'order.pay', entity: 'order', entityId: 502, after: { status: 'paid' } },
      ]);
    });
    const rows = (await events(db)).slice(before);
    assert.deepEqual(rows.map((r) => [r.type, r.stream]), [['order.paid', 'order:501'], ['order.paid', 'order:502']]);
  });

  it('a batched writer\'s records that carry their own instants (the demo loader) keep them, in the audit log and on their events', async () => {
    const db = ctx.db;
    clock.set(new Date('2026-06-01T02:00:00.000Z'), { freeze: true });
    const before = (await events(db)).length;
    await db.transaction((trx) =>
      recordAudits(trx, clock, [
        { actor: null, action: 'order.pay', entity: 'order', entityId: 701, after: {}, at: '2020-03-02T01:00:00.000Z' },
        { actor: null, action: 'order.pay', entity: 'order', entityId: 702, after: {} },
        { actor: null, action: 'order.pay', entity: 'order', entityId: 703, after: {}, at: '2020-04-06T01:00:00.000Z' },
      ]),
    );
    const rows = (await events(db)).slice(before);
    assert.deepEqual(rows.map((r) => [r.stream, r.occurred_at]), [
      ['order:701', '2020-03-02T01:00:00.000Z'],
      ['order:702', '2026-06-01T02:00:00.000Z'],
      ['order:703', '2020-04-06T01:00:00.000Z'],
    ]);
    const audit = await db('audit_log').whereIn('entity_id', ['701', '702', '703']).orderBy('id').pluck('at');
    assert.deepEqual(audit, ['2020-03-02T01:00:00.000Z', '2026-06-01T02:00:00.000Z', '2020-04-06T01:00:00.000Z']);
  });

  it('one batch with several events of a stream numbers them on from the stream\'s last, in order; event ids sort as they were written', async () => {
    const db = ctx.db;
    const before = (await events(db)).length;
    const pay = (entityId: number, action = 'order.pay') => ({ actor: null, action, entity: 'order', entityId, after: {} });
    await db.transaction((trx) => recordAudit(trx, clock, pay(601, 'order.place')));
    await db.transaction((trx) => recordAudits(trx, clock, [pay(601, 'order.confirm'), pay(602, 'order.place'), pay(601, 'order.deliver'), pay(601, 'order.accept'), pay(602, 'order.confirm')]));
    const rows = (await events(db)).slice(before);
    assert.deepEqual(
      rows.map((r) => [r.stream, r.type, Number(r.stream_seq)]),
      [
        ['order:601', 'order.placed', 1],
        ['order:601', 'order.confirmed', 2],
        ['order:602', 'order.placed', 1],
        ['order:601', 'order.delivered', 3],
        ['order:601', 'order.accepted', 4],
        ['order:602', 'order.confirmed', 2],
      ],
    );
    const ids = rows.map((r) => r.id as string);
    assert.deepEqual([...ids].sort(), ids, 'ids in the order of seq (UUIDv7)');
    for (const id of ids) assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('a crash (rollback) after the change leaves neither the audit record nor the event', async () => {
    const db = ctx.db;
    const [a, e] = [(await db('audit_log').count({ n: '*' }))[0].n, (await events(db)).length];
    await assert.rejects(
      db.transaction(async (trx) => {
        await recordAudit(trx, clock, { actor: null, action: 'order.place', entity: 'order', entityId: 777, after: {} });
        throw new Error('crash');
      }),
      /crash/,
    );
    assert.equal((await db('audit_log').count({ n: '*' }))[0].n, a);
    assert.equal((await events(db)).length, e);
  });

  it('a full 政府首购 case writes its events in order on its stream', async () => {
    const db = ctx.db;
    const w = await makeFpWorld(db);
    const buyer = { id: w.userIds.purchaser, username: w.users.purchaser, role: 'purchaser' as const, displayName: 'p', purchaserId: w.unit.id, vendorId: null };
    const admin = { id: w.userIds.admin, username: w.users.admin, role: 'admin' as const, displayName: 'a', purchaserId: null, vendorId: null };
    const { id } = await caseInState(db, new Date(), { buyer, admin, productId: w.products.ct }, 'accepted');
    await new FirstPurchaseService(db, clock).pay(buyer, id);
    const rows = await db('outbox_events').where('stream', `first_purchase:${id}`).orderBy('seq');
    assert.deepEqual(
      rows.map((r) => r.type),
      ['first_purchase.created', 'first_purchase.submitted', 'notice.published', 'first_purchase.approved', 'first_purchase.awarded', 'notice.published', 'first_purchase.contracted', 'notice.published', 'first_purchase.accepted', 'first_purchase.paid'],
    );
    assert.deepEqual(rows.map((r) => Number(r.stream_seq)), rows.map((_r, i) => i + 1));
    // Each of the case's own events names it by its number (API.md "Numbers people read").
    const no = `ZJSS-${new Date().getFullYear()}-${String(id).padStart(5, '0')}`;
    for (const r of rows.filter((x) => x.type.startsWith('first_purchase.'))) {
      const data = (typeof r.data === 'string' ? JSON.parse(r.data) : r.data) as { after: { caseNo?: string } };
      assert.match(data.after.caseNo ?? '', /^ZJSS-\d{4}-\d{5}$/, r.type);
      assert.ok(data.after.caseNo!.endsWith(no.slice(-5)), r.type);
    }
  });

  it('an objection filed and then ruled on: both events on the case\'s stream (docs/integration.md), the ruling too', async () => {
    const db = ctx.db;
    const w = await makeFpWorld(db);
    const buyer = { id: w.userIds.purchaser, username: w.users.purchaser, role: 'purchaser' as const, displayName: 'p', purchaserId: w.unit.id, vendorId: null };
    const admin = { id: w.userIds.admin, username: w.users.admin, role: 'admin' as const, displayName: 'a', purchaserId: null, vendorId: null };
    const { id, objectionId } = await caseInState(db, new Date(), { buyer, admin, productId: w.products.ct }, 'objection');
    await new FirstPurchaseService(db, clock).resolveObjection(admin, id, objectionId!, { upheld: false, opinion: '异议不成立', reply: null });
    const types = (await db('outbox_events').where('stream', `first_purchase:${id}`).orderBy('seq')).map((r) => r.type);
    assert.deepEqual(types.slice(-2), ['first_purchase.objection_filed', 'first_purchase.objection_resolved']);
    assert.equal((await db('outbox_events').where('stream', `objection:${objectionId}`)).length, 0, 'no stream of its own');
  });
});

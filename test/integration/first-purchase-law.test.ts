import assert from 'node:assert/strict';
import { testApp, type TestApp } from '../helpers/app';
import { ENGINE, useMigratedDb } from '../helpers/db';
import { ACCEPTANCE, FINANCE_DEPARTMENT, allocate, caseBody, clockedTokens, makeFpWorld, negotiation, type FpWorld } from '../helpers/first-purchase';
import { bearer } from '../helpers/app';

type Who = keyof FpWorld['users'] | null;
const OBJECTION = { name: '赵六', organization: '杭州某医疗科技有限公司', contact: '13800000000', content: '我公司同类产品亦能满足需求，不具有唯一性' };
const AGENCY = { name: '浙江某招标代理有限公司', address: '浙江省杭州市西湖区文三路 90 号', contactPerson: '钱工', phone: '0571-88990000' };

/**
 * Issue 14 items 1, 5–9 (MoF Order No. 74 arts. 38–42; GP Law arts. 41, 46; Regulations arts. 43, 50): what each
 * document of a single-source case must say, through the JSON contract and the pages.
 */
describe(`first purchase: the documents the law requires (${ENGINE})`, function () {
  this.timeout(60000);
  const ctx = useMigratedDb();
  let t: TestApp;
  let w: FpWorld;
  let token: ReturnType<typeof clockedTokens>;

  const at = (iso: string) => t.clock.set(new Date(iso), { freeze: true });
  const post = async (path: string, who: Who, body?: object) => {
    const req = t.http.post(`/api/v1/first-purchases${path}`);
    if (who) req.set('Authorization', await token(who));
    return body ? req.send(body) : req.send();
  };
  const get = async (path: string, who: Who) => {
    const req = t.http.get(path);
    if (who) req.set('Authorization', await token(who));
    return req;
  };
  const ok = (res: { status: number; body: unknown }, status = 200) => assert.equal(res.status, status, JSON.stringify(res.body));
  const field = (res: { status: number; body: { error?: { field?: string } } }, name: string) => {
    assert.equal(res.status, 422, JSON.stringify(res.body));
    assert.equal(res.body.error?.field, name, JSON.stringify(res.body));
  };
  const noticeOf = async (id: number, type: string) => {
    const row = await ctx.db('notices').where({ case_id: id, type }).orderBy('id').first('id');
    assert.ok(row, `a ${type} notice for case ${id}`);
    const res = await t.http.get(`/api/v1/notices/${row.id}`);
    ok(res);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a notice's content is read field by field
    return res.body as { id: number; content: Record<string, any>; objections: Array<Record<string, unknown>> };
  };

  async function caseIn(stage: 'draft' | 'notice' | 'approved' | 'awarded', over: Record<string, unknown> = {}): Promise<number> {
    at('2026-09-29T10:00:00+08:00');
    const created = await post('', 'purchaser', caseBody(w.products.ct, over));
    ok(created, 201);
    const id = created.body.id as number;
    if (stage === 'draft') return id;
    ok(await post(`/${id}/submit`, 'purchaser'));
    if (stage === 'notice') return id;
    at('2026-10-13T09:00:00+08:00');
    ok(await post(`/${id}/approve`, 'finance', { opinion: '同意', approvalNo: `浙财采监〔2026〕${id}号` }));
    if (stage === 'approved') return id;
    ok(await post(`/${id}/negotiate`, 'purchaser', negotiation('3000000.00', { date: '2026-10-13' })));
    return id;
  }

  before(async () => {
    w = await makeFpWorld(ctx.db);
    t = testApp(ctx.db);
    token = clockedTokens(t, w.users);
    await allocate(ctx.db, w.unit.id, 100_000_000_00, `test:law:${ENGINE}:alloc`);
  });

  describe('art. 38: the 公示', () => {
    it('art. 38: the project content and the experts’ own opinion are required; the opinion may not be the purchaser’s reason', async () => {
      at('2026-09-29T10:00:00+08:00');
      const count = async () => Number((await ctx.db('fp_cases').count({ n: '*' }).first())?.n ?? 0);
      const before = await count();
      const body = caseBody(w.products.ct) as Record<string, unknown>;
      field(await post('', 'purchaser', { ...body, projectContent: undefined }), 'projectContent');
      field(await post('', 'purchaser', { ...body, projectContent: '  ' }), 'projectContent');
      field(await post('', 'purchaser', { ...body, expertOpinion: undefined }), 'expertOpinion');
      field(await post('', 'purchaser', { ...body, expertOpinion: ` ${String(body.reason)} ` }), 'expertOpinion');
      assert.equal(await count(), before, 'nothing written');
    });

    it('art. 38: the 公示 states the experts’ own opinion, never the purchaser’s reason', async () => {
      const id = await caseIn('notice');
      const n = await noticeOf(id, 'single_source');
      assert.equal(n.content.expertOpinion, '经论证，该产品的核心探测器技术为供应商专有，具有唯一性');
      assert.notEqual(n.content.expertOpinion, n.content.reason);
      assert.equal(n.content.project.content, '采购64排螺旋CT一台，含安装调试与三年保修');
    });

    it('art. 38: the 公示 names the purchaser’s address, contact person and phone, and any agency’s', async () => {
      const id = await caseIn('notice', { agency: AGENCY });
      const c = (await noticeOf(id, 'single_source')).content;
      assert.deepEqual(c.contacts.purchaserContact, { name: w.unit.name, address: '浙江省杭州市上城区上塘路158号', contactPerson: '张老师', phone: '0571-87666666' });
      assert.deepEqual(c.contacts.agency, AGENCY);
      assert.equal(c.purchaser.address, '浙江省杭州市上城区上塘路158号');
      const page = await t.http.get(`/notices/${(await noticeOf(id, 'single_source')).id}`);
      for (const s of [AGENCY.name, AGENCY.address, AGENCY.contactPerson, AGENCY.phone, '张老师', '0571-87666666']) assert.ok(page.text.includes(s), `page shows ${s}`);
    });

    it('art. 38: the 公示 names the finance department’s address, contact and phone', async () => {
      const id = await caseIn('notice');
      const n = await noticeOf(id, 'single_source');
      assert.deepEqual(n.content.contacts.financeDepartment, FINANCE_DEPARTMENT);
      const page = await t.http.get(`/notices/${n.id}`);
      for (const s of ['财政部门', FINANCE_DEPARTMENT.name, FINANCE_DEPARTMENT.address, FINANCE_DEPARTMENT.contactPerson, FINANCE_DEPARTMENT.phone]) assert.ok(page.text.includes(s), `page shows ${s}`);
    });

    it('art. 38: without the finance department’s contacts the 公示 is not published (409 saying why); the admin sets them', async () => {
      const id = await caseIn('draft');
      await ctx.db('settings').where({ key: 'finance_department' }).delete();
      try {
        const refused = await post(`/${id}/submit`, 'purchaser');
        assert.equal(refused.status, 409, JSON.stringify(refused.body));
        assert.match(refused.body.error.message, /财政部门的地址、联系人和联系电话/);
        const admin = await bearer(t.http, w.users.admin);
        const bad = await t.http.post('/api/v1/admin/settings/finance-department').set('Authorization', admin).send({ ...FINANCE_DEPARTMENT, phone: '' });
        field(bad, 'phone');
        assert.equal((await t.http.post('/api/v1/admin/settings/finance-department').set('Authorization', await token('finance')).send(FINANCE_DEPARTMENT)).status, 403);
        const set = await t.http.post('/api/v1/admin/settings/finance-department').set('Authorization', admin).send(FINANCE_DEPARTMENT);
        ok(set);
        assert.deepEqual(set.body, FINANCE_DEPARTMENT);
        assert.deepEqual((await t.http.get('/api/v1/admin/settings/finance-department').set('Authorization', admin)).body, FINANCE_DEPARTMENT);
        ok(await post(`/${id}/submit`, 'purchaser'));
      } finally {
        const row = await ctx.db('settings').where({ key: 'finance_department' }).first('key');
        if (!row) await ctx.db('settings').insert({ key: 'finance_department', value: JSON.stringify(FINANCE_DEPARTMENT), updated_at: new Date().toISOString() });
      }
    });

    it('art. 38: the purchaser’s address comes from the case, else the unit’s profile, else its default address (收货地址簿); with none, a 422 naming purchaserAddress', async () => {
      at('2026-09-29T10:00:00+08:00');
      const body = caseBody(w.products.ct) as Record<string, unknown>;
      field(await post('', 'purchaser', { ...body, contact: '0571-87666666' }), 'contactPerson');
      field(await post('', 'purchaser', { ...body, contactPhone: 'abc' }), 'contactPhone');
      const addressOf = async (res: { body: { id: number } }) => (await get(`/api/v1/first-purchases/${res.body.id}`, 'purchaser')).body.contacts.purchaser.address;
      const defaults = (await ctx.db('purchaser_addresses').where({ purchaser_id: w.unit.id, is_default: true }).select('id')).map((r: { id: number }) => r.id);
      const [home] = await ctx.db('purchaser_addresses').insert({ purchaser_id: w.unit.id, label: '单位本部', address: '浙江省杭州市上城区上塘路 158 号', contact_person: '张老师', phone: '0571-87666666', is_default: false, created_at: '2026-09-01T00:00:00Z', updated_at: '2026-09-01T00:00:00Z' }).returning('id');
      const homeId = typeof home === 'object' ? (home as { id: number }).id : (home as number);
      try {
        await ctx.db('purchaser_addresses').whereIn('id', defaults).update({ is_default: false });
        field(await post('', 'purchaser', { ...body, purchaserAddress: undefined }), 'purchaserAddress');
        await ctx.db('purchaser_addresses').where({ id: homeId }).update({ is_default: true });
        const fromBook = await post('', 'purchaser', { ...body, purchaserAddress: undefined });
        ok(fromBook, 201);
        assert.equal(await addressOf(fromBook), '浙江省杭州市上城区上塘路 158 号', 'the default address of the unit’s address book');
        await ctx.db('purchasers').where({ id: w.unit.id }).update({ address: '浙江省杭州市上城区解放路 1 号' });
        const created = await post('', 'purchaser', { ...body, purchaserAddress: undefined, contactPerson: '王科长', contactPhone: '0571-80000000' });
        ok(created, 201);
        const c = (await get(`/api/v1/first-purchases/${created.body.id}`, 'purchaser')).body;
        assert.deepEqual(c.contacts.purchaser, { name: w.unit.name, address: '浙江省杭州市上城区解放路 1 号', contactPerson: '王科长', phone: '0571-80000000' }, 'the profile’s address first');
        const own = await post('', 'purchaser', { ...body, purchaserAddress: '浙江省杭州市西湖区文三路 2 号' });
        ok(own, 201);
        assert.equal(await addressOf(own), '浙江省杭州市西湖区文三路 2 号', 'the case’s own address before either');
      } finally {
        await ctx.db('purchasers').where({ id: w.unit.id }).update({ address: '' });
        await ctx.db('purchaser_addresses').where({ id: homeId }).del();
        await ctx.db('purchaser_addresses').whereIn('id', defaults).update({ is_default: true });
      }
    });
  });

  describe('arts. 39–40: objections', () => {
    it('arts. 39–40: the reply to the objector is recorded with the ruling; the 公示 shows the objection was answered, without the objector', async () => {
      const id = await caseIn('notice');
      at('2026-10-09T10:00:00+08:00');
      const o = await post(`/${id}/objections`, null, OBJECTION);
      ok(o, 201);
      let n = await noticeOf(id, 'single_source');
      assert.deepEqual(n.objections.map((x) => [x.seq, x.status, x.answered]), [[1, 'open', false]]);
      at('2026-10-13T10:00:00+08:00');
      const admin = await bearer(t.http, w.users.admin);
      const res = await t.http
        .post(`/api/v1/first-purchases/${id}/objections/${o.body.id}/resolve`)
        .set('Authorization', admin)
        .send({ upheld: false, opinion: '经补充论证，异议不成立', reply: '赵六：经组织专家补充论证，贵公司产品关键指标不满足要求，异议不成立。' });
      ok(res);
      const mine = res.body.objections[0];
      assert.equal(mine.reply, '赵六：经组织专家补充论证，贵公司产品关键指标不满足要求，异议不成立。');
      assert.equal(mine.repliedAt, '2026-10-13T10:00:00.000+08:00');
      n = await noticeOf(id, 'single_source');
      assert.deepEqual(n.objections, [{ seq: 1, receivedAt: '2026-10-09T10:00:00.000+08:00', status: 'dismissed', answered: true, answeredAt: '2026-10-13T10:00:00.000+08:00' }]);
      const text = JSON.stringify(n);
      for (const secret of [OBJECTION.contact, OBJECTION.name]) assert.ok(!text.includes(secret), `the notice does not show ${secret}`);
      const page = await t.http.get(`/notices/${n.id}`);
      assert.match(page.text, /已于 .* 答复异议人/);
      assert.ok(!page.text.includes(OBJECTION.contact));
      const casePage = await t.http.get(`/first-purchases/${id}`).set('Authorization', await token('purchaser'));
      assert.ok(casePage.text.includes('贵公司产品关键指标不满足要求'), 'the reply is on the case');
    });

    it('arts. 39–40: the API.md body {upheld, opinion} still works; the opinion is the reply', async () => {
      const id = await caseIn('notice');
      at('2026-10-09T10:00:00+08:00');
      const o = await post(`/${id}/objections`, null, OBJECTION);
      at('2026-10-13T10:00:00+08:00');
      const res = await t.http.post(`/api/v1/first-purchases/${id}/objections/${o.body.id}/resolve`).set('Authorization', await bearer(t.http, w.users.admin)).send({ upheld: false, opinion: '异议不成立' });
      ok(res);
      assert.equal(res.body.objections[0].reply, '异议不成立');
    });

    it('art. 40: the admin desk shows each open objection’s review deadline (5 working days after the period) and marks it overdue', async () => {
      const id = await caseIn('notice');
      at('2026-10-09T10:00:00+08:00');
      ok(await post(`/${id}/objections`, null, OBJECTION), 201);
      at('2026-10-20T10:00:00+08:00'); // the period ended 10-12; review due 10-19
      const desk = await t.http.get('/admin/first-purchases').set('Authorization', await bearer(t.http, w.users.admin));
      ok(desk);
      assert.match(desk.text, /2026-10-19 <strong class="fp-overdue">已逾期<\/strong>/);
    });
  });

  describe('art. 42: the negotiation record', () => {
    it('art. 42: the supplier’s cost is required; comparable prices, patents and agreed terms are kept when given, and API.md’s record {date, place, staff, costNote} is answered too', async () => {
      const id = await caseIn('approved');
      field(await post(`/${id}/negotiate`, 'purchaser', negotiation('3000000.00', { date: '2026-10-13', costNote: '' })), 'record.costNote');
      field(await post(`/${id}/negotiate`, 'purchaser', negotiation('3000000.00', { date: '2026-10-13', patents: 42 })), 'record.patents');
      assert.equal((await get(`/api/v1/first-purchases/${id}`, 'purchaser')).body.status, 'approved', 'nothing written');
      const bare = { amount: '3000000.00', record: { date: '2026-10-13', place: '浙江省人民医院行政楼 3 楼会议室', staff: ['张三', '王五'], costNote: '供应商提供的成本构成：整机成本 280 万元' } };
      const res = await post(`/${id}/negotiate`, 'purchaser', bare);
      ok(res);
      assert.equal(res.body.status, 'awarded');
      assert.deepEqual([res.body.negotiation.comparablePrices, res.body.negotiation.patents, res.body.negotiation.agreedTerms], ['', '', '']);
      const page = await t.http.get(`/first-purchases/${id}`).set('Authorization', await token('purchaser'));
      assert.equal(page.status, 200);
      assert.ok(page.text.includes('整机成本 280 万元'));
    });

    it('art. 42: every negotiator confirms the record; a dissent is kept', async () => {
      const id = await caseIn('approved');
      const refused = await post(`/${id}/negotiate`, 'purchaser', negotiation('3000000.00', { date: '2026-10-13', staff: [{ name: '张三', confirmed: true }, { name: '王五', confirmed: false }] }));
      field(refused, 'record.staff.1.confirmed');
      const res = await post(`/${id}/negotiate`, 'purchaser', negotiation('3000000.00', { date: '2026-10-13' }));
      ok(res);
      assert.deepEqual(res.body.negotiation.negotiators, [
        { name: '张三', confirmed: true, dissent: null },
        { name: '王五', confirmed: true, dissent: null },
        { name: '赵六', confirmed: true, dissent: '认为保修期应延长至五年' },
      ]);
      assert.equal(res.body.negotiation.patents, '探测器与重建算法为供应商发明专利（ZL2019XXXXXXXX.X），无其他许可方');
    });

    it('art. 42: the supplier’s representative is not one of the 采购人员 (422 naming the staff entry)', async () => {
      const id = await caseIn('approved');
      const res = await post(`/${id}/negotiate`, 'purchaser', negotiation('3000000.00', { date: '2026-10-13', staff: ['张三', '李四'], supplierRepresentative: '李四' }));
      field(res, 'record.staff.1');
      assert.match(res.body.error.message, /李四/);
      assert.equal((await get(`/api/v1/first-purchases/${id}`, 'purchaser')).body.status, 'approved', 'nothing written');
    });

    it('art. 42(1): the record gives an account of the notice’s outcome (objections received, or none)', async () => {
      const quiet = await caseIn('awarded');
      assert.deepEqual((await get(`/api/v1/first-purchases/${quiet}`, 'purchaser')).body.negotiation.noticeOutcome, { objections: 0, upheld: 0, dismissed: 0, setAside: 0, text: '公示期内未收到异议。' });
      const id = await caseIn('notice');
      at('2026-10-09T10:00:00+08:00');
      const o = await post(`/${id}/objections`, null, OBJECTION);
      at('2026-10-13T08:00:00+08:00');
      ok(await t.http.post(`/api/v1/first-purchases/${id}/objections/${o.body.id}/resolve`).set('Authorization', await bearer(t.http, w.users.admin)).send({ upheld: false, opinion: '不成立' }));
      at('2026-10-13T09:00:00+08:00');
      ok(await post(`/${id}/approve`, 'finance', {}));
      const res = await post(`/${id}/negotiate`, 'purchaser', negotiation('3000000.00', { date: '2026-10-13' }));
      ok(res);
      assert.equal(res.body.negotiation.noticeOutcome.objections, 1);
      assert.equal(res.body.negotiation.noticeOutcome.dismissed, 1);
      assert.match(res.body.negotiation.noticeOutcome.text, /收到异议 1 件/);
      // The case page says it in the reader's language, from the counts (a workday pass, 2026-12-08).
      const page = await t.http.get(`/first-purchases/${id}?lang=en`).set('Authorization', await bearer(t.http, w.users.purchaser));
      assert.match(page.text, /1 objection\(s\) received during the notice period: 0 upheld, 1 dismissed, 0 set aside/);
      assert.doesNotMatch(page.text, /收到异议/);
    });
  });

  describe('the result notice and the 成交通知书', () => {
    it('Regulations art. 43: the result notice lists the negotiators (单一来源采购人员名单), not the uniqueness experts, and the purchaser’s address', async () => {
      const id = await caseIn('awarded');
      const n = await noticeOf(id, 'result');
      assert.deepEqual(n.content.procurementStaff, ['张三', '王五', '赵六']);
      assert.equal(n.content.purchaser.address, '浙江省杭州市上城区上塘路158号');
      const page = await t.http.get(`/notices/${n.id}`);
      assert.match(page.text, /单一来源采购人员名单/);
      assert.ok(page.text.includes('赵六'));
      assert.ok(!page.text.includes('王建国'), 'the uniqueness experts are not listed as the procurement staff');
      assert.ok(page.text.includes('浙江省杭州市上城区上塘路158号'));
    });

    it('GP Law art. 46: the 成交通知书 for the supplier, JSON and printable page, for the case’s parties only; 30 days to sign', async () => {
      const id = await caseIn('awarded');
      const letter = await get(`/api/v1/first-purchases/${id}/award-letter`, 'vendor');
      ok(letter);
      assert.equal(letter.body.issuedOn, '2026-10-13');
      assert.equal(letter.body.signBy, '2026-11-12');
      assert.equal(letter.body.amount, '3000000.00');
      assert.equal(letter.body.supplier.name, w.vendor.name);
      assert.match(letter.body.letterNo, /^ZJSS-2026-\d{5}-CJTZ$/);
      assert.equal((await get(`/api/v1/first-purchases/${id}/award-letter`, 'vendor2')).status, 403);
      assert.equal((await get(`/api/v1/first-purchases/${id}/award-letter`, 'purchaser2')).status, 403);
      assert.equal((await get(`/api/v1/first-purchases/${id}/award-letter`, null)).status, 401);
      const draft = await caseIn('approved');
      assert.equal((await get(`/api/v1/first-purchases/${draft}/award-letter`, 'purchaser')).status, 409);
      const page = await get(`/first-purchases/${id}/award-letter`, 'vendor');
      ok(page);
      for (const s of ['成交通知书', w.vendor.name, '¥3,000,000.00', '2026-11-12']) assert.ok(page.text.includes(s), `page shows ${s}`);
    });
  });

  describe('the contract', () => {
    it('GP Law art. 46: the contract is due within 30 days of the 成交通知书; past that, the case and the admin desk show it overdue', async () => {
      const id = await caseIn('awarded');
      let c = (await get(`/api/v1/first-purchases/${id}`, 'purchaser')).body;
      assert.deepEqual([c.awardedOn, c.contractDueAt, c.contractOverdue], ['2026-10-13', '2026-11-12', false]);
      at('2026-11-13T09:00:00+08:00');
      c = (await get(`/api/v1/first-purchases/${id}`, 'purchaser')).body;
      assert.equal(c.contractOverdue, true);
      const desk = await t.http.get('/admin/first-purchases').set('Authorization', await bearer(t.http, w.users.admin));
      assert.match(desk.text, /2026-11-12 <strong class="fp-overdue">已逾期<\/strong>/);
    });

    it('GP Law art. 46: a contract signed after the 30 days is recorded and marked signed late on the case and its notice, not passed off as on time', async () => {
      const id = await caseIn('awarded');
      at('2026-11-20T09:00:00+08:00');
      const res = await post(`/${id}/contract`, 'purchaser', { contractNo: `HT-S-${id}`, signedAt: '2026-11-19' });
      ok(res);
      assert.deepEqual([res.body.status, res.body.contractDueAt, res.body.signedLate], ['contracted', '2026-11-12', true]);
      const n = await noticeOf(id, 'contract');
      assert.deepEqual([n.content.signBy, n.content.signedOn, n.content.signedLate, n.content.late], ['2026-11-12', '2026-11-19', true, false]);
      const page = await t.http.get(`/notices/${n.id}`);
      assert.match(page.text, /逾期签订（应于 2026-11-12 前签订）/);
      const casePage = await t.http.get(`/first-purchases/${id}`).set('Authorization', await token('purchaser'));
      assert.match(casePage.text, /逾期签订（应于 2026-11-12 前签订）/);
      // Signed on the last day is on time.
      const onTime = await caseIn('awarded');
      at('2026-11-20T09:00:00+08:00');
      ok(await post(`/${onTime}/contract`, 'purchaser', { contractNo: `HT-S-${onTime}`, signedAt: '2026-11-12' }));
      assert.equal((await get(`/api/v1/first-purchases/${onTime}`, 'purchaser')).body.signedLate, false);
      assert.equal((await noticeOf(onTime, 'contract')).content.signedLate, false);
    });

    it('Regulations art. 50: a contract signed 3+ working days ago is published and marked late; its main terms are on the notice', async () => {
      const id = await caseIn('awarded');
      at('2026-10-20T09:00:00+08:00');
      const res = await post(`/${id}/contract`, 'purchaser', { contractNo: `HT-L-${id}`, signedAt: '2026-10-13' });
      ok(res);
      const n = await noticeOf(id, 'contract');
      assert.equal(n.content.late, true);
      assert.equal(n.content.mainTerms, '含安装调试与三年保修，交货期 60 日', 'the negotiation’s agreed terms by default');
      const page = await t.http.get(`/notices/${n.id}`);
      assert.match(page.text, /逾期公告/);
      assert.ok(page.text.includes('含安装调试与三年保修'));
      const onTime = await caseIn('awarded');
      ok(await post(`/${onTime}/contract`, 'purchaser', { contractNo: `HT-T-${onTime}`, signedAt: '2026-10-13', mainTerms: '交货期 60 日；质保五年；验收合格后 30 日内付款' }));
      const n2 = await noticeOf(onTime, 'contract');
      assert.equal(n2.content.late, false);
      assert.equal(n2.content.mainTerms, '交货期 60 日；质保五年；验收合格后 30 日内付款');
    });
  });

  it('GP Law art. 41: acceptance records the acceptance team and report, shown on the case', async () => {
    const id = await caseIn('awarded');
    ok(await post(`/${id}/contract`, 'purchaser', { contractNo: `HT-A-${id}`, signedAt: '2026-10-13' }));
    field(await post(`/${id}/accept`, 'purchaser', { team: '张三', report: '合格' }), 'team');
    const res = await post(`/${id}/accept`, 'purchaser', ACCEPTANCE);
    ok(res);
    assert.deepEqual(res.body.acceptance.team, ACCEPTANCE.team);
    const page = await t.http.get(`/first-purchases/${id}`).set('Authorization', await token('purchaser'));
    assert.ok(page.text.includes(ACCEPTANCE.report));
  });

  it('art. 43: a termination notice page shows its legal basis and what happens next', async () => {
    const id = await caseIn('awarded');
    ok(await post(`/${id}/terminate`, 'purchaser', { cause: 'supplier_declined', explanation: '成交供应商书面表示不签订合同' }));
    const n = await noticeOf(id, 'termination');
    const page = await t.http.get(`/notices/${n.id}`);
    assert.ok(page.text.includes(n.content.legalBasis as string));
    assert.ok(page.text.includes('采购人将依法重新开展采购活动'));
    assert.ok(page.text.includes('成交供应商拒绝签订政府采购合同'), 'the cause’s label');
    const en = await t.http.get(`/notices/${n.id}?lang=en`);
    assert.ok(en.text.includes('The awarded supplier declined to sign the contract'));
  });
});

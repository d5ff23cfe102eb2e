import assert from 'node:assert/strict';
import { useMigratedDb } from '../helpers/db';
import { testApp, type TestApp } from '../helpers/app';
import { creditCode, makeCert, makeUser, makeVendor } from '../helpers/factories';
import { agentFor, csrfFor, csrfOf, loginAgent, type Agent } from '../helpers/session';

describe('vendor portal pages', function () {
  const ctx = useMigratedDb();
  let t: TestApp;
  let vendor: Awaited<ReturnType<typeof makeVendor>>;
  let cert: Awaited<ReturnType<typeof makeCert>>;
  let agent: Agent;

  before(async () => {
    t = testApp(ctx.db);
    t.clock.set(new Date('2026-03-02T02:00:00Z'));
    vendor = await makeVendor(ctx.db);
    cert = await makeCert(ctx.db, vendor, { product_name: '高能颚式破碎机' });
    const u = await makeUser(ctx.db, { role: 'vendor', vendor_id: vendor.id });
    agent = await loginAgent(t.app, u.username);
  });

  it('anonymous visitors are sent to the login page', async () => {
    const res = await t.http.get('/vendor/products');
    assert.equal(res.status, 302);
    assert.match(res.headers.location, /^\/login\?next=%2Fvendor%2Fproducts/);
  });

  it('renders the dashboard, certificates, listings and the new-listing form', async () => {
    for (const path of ['/vendor', '/vendor/certifications', '/vendor/products', '/vendor/products/new', `/vendor/products/new?certNo=${cert.cert_no}`]) {
      const res = await agent.get(path);
      assert.equal(res.status, 200, path);
      assert.match(res.text, /<form method="post" action="\/logout"/);
    }
    const certs = await agent.get('/vendor/certifications');
    assert.match(certs.text, /高能颚式破碎机/);
  });

  it('listing from a certificate (据此上架产品) starts with the certified product’s name; another’s certificate number starts nothing', async () => {
    const page = await agent.get(`/vendor/products/new?certNo=${cert.cert_no}`);
    assert.equal(page.status, 200);
    assert.match(page.text, /name="title"[^>]*value="高能颚式破碎机"/);
    const unknown = await agent.get('/vendor/products/new?certNo=NOT-MINE-1');
    assert.doesNotMatch(unknown.text, /name="title"[^>]*value="高能颚式破碎机"/);
  });

  it('the form says what a listing rests on: a certificate, a boutique item, or both', async () => {
    const page = await agent.get('/vendor/products/new');
    assert.match(page.text, /id="l-basis-hint"/);
    assert.match(page.text, /<option value="">— 不依据首台（套）证书 —<\/option>/);
    assert.match(page.text, /本产品为浙江制造精品，列入精品馆/);
  });

  it('a bad form comes back with the values typed and a message per field; nothing written', async () => {
    const page = await agent.get('/vendor/products/new');
    const res = await agent
      .post('/vendor/products')
      .type('form')
      .send({ _csrf: csrfOf(page.text), certNo: cert.cert_no, title: '', model: 'JC-1200', price: '12.345', unit: '台', stock: 'abc' });
    assert.equal(res.status, 422);
    assert.match(res.text, /value="JC-1200"/);
    assert.match(res.text, /value="12.345"/);
    assert.match(res.text, /产品名称：必填/);
    assert.match(res.text, /单价：金额格式/);
    assert.match(res.text, /库存：须为整数/);
    const n = await ctx.db('products').count<{ n: number }[]>({ n: '*' }).first();
    assert.equal(Number(n?.n), 0);
  });

  it('a good form creates the listing and shows it with its status', async () => {
    const res = await agent
      .post('/vendor/products')
      .type('form')
      .send({ _csrf: await csrfFor(agent, '/vendor/products/new'), certNo: cert.cert_no, title: '高能颚式破碎机', model: 'PE-1200', description: '矿山破碎', price: '368000', unit: '台', stock: '2' });
    assert.equal(res.status, 302);
    const list = await agent.get('/vendor/products');
    assert.match(list.text, /高能颚式破碎机/);
    assert.match(list.text, /待审核/);
    assert.match(list.text, /¥368,000.00/);
  });

  it('the edit form keeps the certificate and a price change applies', async () => {
    const row = await ctx.db('products').where({ vendor_id: vendor.id }).first();
    await ctx.db('products').where({ id: row.id }).update({ status: 'approved' });
    const edit = await agent.get(`/vendor/products/${row.id}/edit`);
    assert.equal(edit.status, 200);
    assert.match(edit.text, new RegExp(`<option value="${cert.cert_no}" selected>`));
    const res = await agent
      .post(`/vendor/products/${row.id}`)
      .type('form')
      .send({ _csrf: csrfOf(edit.text), certNo: cert.cert_no, title: row.title, model: row.model, description: row.description, price: '350000.00', unit: '台', stock: '5' });
    assert.equal(res.status, 302);
    const after = await ctx.db('products').where({ id: row.id }).first();
    assert.equal(after.status, 'approved');
    assert.equal(after.price_fen, 35000000);
  });

  it('the form refuses a 浙江制造精品 claim without its evidence, as its box says (a new user’s pass, 2026-12-08); nothing written', async () => {
    const before = Number((await ctx.db('products').count<{ n: number }[]>({ n: '*' }).first())?.n);
    const form = { title: '精品护理床', model: 'HL-1', description: '电动护理床', price: '56000', unit: '台', stock: '10', field: '智能装备', boutique: 'on' };
    const res = await agent.post('/vendor/products').type('form').send({ _csrf: await csrfFor(agent, '/vendor/products/new'), ...form });
    assert.equal(res.status, 422);
    assert.match(res.text, /浙江制造认证依据：必填/);
    assert.match(res.text, /value="精品护理床"/);
    assert.equal(Number((await ctx.db('products').count<{ n: number }[]>({ n: '*' }).first())?.n), before);
    const ok = await agent.post('/vendor/products').type('form').send({ _csrf: await csrfFor(agent, '/vendor/products/new'), ...form, boutiqueEvidence: '浙江制造认证证书 CZJM-2026-0001' });
    assert.equal(ok.status, 302, ok.text.slice(0, 300));
    const row = await ctx.db('products').where({ title: '精品护理床' }).first();
    assert.equal(row.boutique_evidence, '浙江制造认证证书 CZJM-2026-0001');
    // Editing it without the evidence is refused likewise; the JSON route (API.md: `{certNo?, boutique?, …}`) is not the form.
    const edit = await agent.get(`/vendor/products/${row.id}/edit`);
    const cleared = await agent.post(`/vendor/products/${row.id}`).type('form').send({ _csrf: csrfOf(edit.text), ...form, boutiqueEvidence: '' });
    assert.equal(cleared.status, 422);
    assert.match(cleared.text, /浙江制造认证依据：必填/);
    assert.equal((await ctx.db('products').where({ id: row.id }).first()).boutique_evidence, '浙江制造认证证书 CZJM-2026-0001');
  });

  it('the dashboard counts listings by status and points at the ones that need attention', async () => {
    const revoked = await makeCert(ctx.db, vendor, { status: 'revoked' });
    const p = await ctx.db('products').insert({
      vendor_id: vendor.id, cert_id: revoked.id, boutique: false, title: '证书被撤销的产品', model: 'R-1', description: '', field: '智能装备', kind: 'equipment',
      level: 'provincial', city: vendor.city, price_fen: 100, unit: '台', stock: 1, status: 'delisted', delist_cause: 'cert_revoked', review_reason: '申报材料不实',
      search_text: '', created_at: '2026-03-01T00:00:00.000Z', updated_at: '2026-03-01T00:00:00.000Z',
    }).returning('id');
    assert.ok(p);
    const res = await agent.get('/vendor');
    assert.equal(res.status, 200);
    assert.match(res.text, /证书被撤销的产品<\/a> — <span class="alert-error">证书 .* 已被撤销（申报材料不实）/);
  });

  it('registration: a bad credit code and a common password are refused per field; a good one is pending', async () => {
    const anon = agentFor(t.app);
    const form = await anon.get('/vendor/register');
    assert.equal(form.status, 200);
    const bad = await anon.post('/vendor/register').type('form').send({
      _csrf: csrfOf(form.text),
      enterpriseName: '杭州测试装备有限公司',
      creditCode: '91330100MA2XXXXXX1',
      city: '杭州',
      contact: '张三 0571-88888888',
      username: 'newvendor',
      password: 'password123',
    });
    assert.equal(bad.status, 422);
    assert.match(bad.text, /统一社会信用代码无效/);
    // A username too short says how short it may be (was "至少 {min} 个字符").
    const short = await anon.post('/vendor/register').type('form').send({ _csrf: csrfOf(form.text), enterpriseName: '杭州测试装备有限公司', creditCode: creditCode(9002), city: '杭州', contact: '张三', username: 'ab', password: 'Zhejiang-Strong-Pass-2026' });
    assert.equal(short.status, 422);
    assert.match(short.text, /用户名：至少 3 个字符/);
    assert.doesNotMatch(short.text, /\{min\}/);
    assert.match(bad.text, /常见密码/);
    assert.match(bad.text, /value="杭州测试装备有限公司"/);
    assert.doesNotMatch(bad.text, /value="password123"/);
    const good = await anon.post('/vendor/register').type('form').send({
      _csrf: csrfOf(bad.text),
      enterpriseName: '杭州测试装备有限公司',
      creditCode: creditCode(9001),
      city: '杭州',
      contact: '张三 0571-88888888',
      username: 'newvendor',
      password: 'a-long-and-unusual-passphrase',
    });
    assert.equal(good.status, 200);
    const v = await ctx.db('vendors').where({ name: '杭州测试装备有限公司' }).first();
    assert.equal(v.status, 'pending');
    const u = await ctx.db('users').where({ username: 'newvendor' }).first();
    assert.equal(u.status, 'pending');
    assert.equal(u.vendor_id, v.id);
    assert.match(u.password_hash, /^\$argon2id\$/);
  });
});

import assert from 'node:assert/strict';
import { recordAudits, type AuditEntry } from '../../src/audit';
import { changeLines, fieldLabel } from '../../src/audit/pages';
import { translator } from '../../src/i18n';
import { useMigratedDb } from '../helpers/db';
import { bearer, testApp, type TestApp } from '../helpers/app';
import { creditCode, makePurchaser, makeUser, makeVendor } from '../helpers/factories';
import { decodeEntities } from '../helpers/html';
import { csrfOf, loginAgent, type Agent } from '../helpers/session';

/**
 * The audit log's lines for people (/admin/audit): every key of a record's snapshots under a label in the page's
 * language, coded values (statuses, kinds, levels, fields, cities, roles, notice types…) in words, the ids of people
 * and things by name, the anonymous objector as "the public" — and the raw record, keys and codes as stored, still
 * one click away and in the JSON API.
 */

/** The raw keys and codes the tester found in the lines (issue: audit log detail lines). */
const RAW_KEYS = ['cert_id', 'created_at', 'updated_at', 'reviewReason', 'createdAt', 'reviewedAt', 'caseId', 'activated_users', 'addressId', 'expertId', 'drawId', 'pool', 'drawn', 'attachmentId', 'sha256', 'review_reason'];
const RAW_CODES = ['boutique', 'pending_review', 'single_source', 'provincial', 'test_report', 'vendor', 'open', 'pending'];

/** The "what changed" lines of a page, one per field, tags stripped: what a person reads outside the raw record. */
const changeLineList = (html: string): string[] =>
  [...html.matchAll(/<ul class="audit-changes">([\s\S]*?)<\/ul>/g)].flatMap((m) => [...m[1]!.matchAll(/<li>([\s\S]*?)<\/li>/g)].map((li) => decodeEntities(li[1]!.replace(/<[^>]+>/g, ' ')).replace(/\s+/g, ' ').trim()));

/** A line's label and its values (before and after). */
const split = (line: string): { label: string; values: string[] } => {
  const m = /^(.*?)(?:：|: )(.*)$/.exec(line);
  return m ? { label: m[1]!, values: m[2]!.split(' → ').map((v) => v.trim()) } : { label: line, values: [] };
};

/** No line is labelled by a raw key, and no value is a raw code. */
function assertNoRaw(list: string[]): void {
  for (const { label, values } of list.map(split)) {
    assert.ok(!RAW_KEYS.includes(label), `raw key as a label: ${label}`);
    for (const v of values) assert.ok(!RAW_CODES.includes(v), `raw code as a value: ${label}: ${v}`);
  }
}

/** A page's text outside the raw records (no <details>), tags stripped. */
const textOutsideRaw = (html: string): string => decodeEntities(html.replace(/<details class="audit-raw">[\s\S]*?<\/details>/g, '').replace(/<[^>]+>/g, ' ')).replace(/\s+/g, ' ');


/** The keys each entity's records carry (every recordAudit call site in src/, their snapshots' shapes). */
const KEYS: Record<string, string> = {
  product:
    'id vendor_id cert_id boutique boutique_evidence title model description field kind level city price_fen unit stock status review_reason delist_cause created_at updated_at imageId width height size order documentId filename',
  vendor: 'id name creditCode city address contact status reviewReason createdAt reviewedAt activated_users review_reason',
  user: 'username role vendor_id status sessions_ended tokens_revoked',
  order: 'orderNo status total vendorId items note reason',
  purchaser: 'addressId address isDefault invoiceTitle amount',
  certification: 'cert_no product_name enterprise_name credit_code kind level field year valid_until status revoked_reason indicators key_supported',
  insurance_rule: 'version fromYear',
  insurance_claim: 'status claimNo policyNo policyYear',
  national_insurance: 'year projectName subsidy',
  settings: 'ocidPrefix keySupportedOnly directPurchaseLimit name address contactPerson phone required minDays international domestic provincial',
  purchase_intention: 'id purchaser projectName goods budget expectedMonth productId publishedAt',
  webhook: 'url events',
  webhook_delivery: 'status',
  fp_case:
    'caseNo status productId budget vendorId certId projectName projectContent quantity reason experts expertOpinion contact purchaserAddress contactPerson contactPhone agency notice_starts_at notice_ends_at approval_opinion approval_no approved_by approved_at filed_at filed_by amount_fen negotiation awarded_at contract_no signed_at acceptance_note acceptance_team acceptance_report accepted_at termination_reason termination_cause',
  fp_objection: 'caseId caseNo status opinion reply duplicateOf remark',
  notice: 'caseId type',
  indicator_list: 'year field product',
  expert: 'name unit fields userId title active',
  cert_application:
    'status applicationNo productName drawId pool drawn expertId score recommendLevel model kind field levelClaimed listEntryId indicators description attachmentId filename contentType size',
  cert_round: 'year applicationNos noticeId status awards',
  cert_objection: 'roundId applicationId status opinion',
  cert_award: 'applicationNo status amount',
};

describe('audit log labels: every key and coded value in words (zh-CN and en)', function () {
  const ctx = useMigratedDb();
  let t: TestApp;
  let admin: Agent;
  let vendorId: number;
  let expertId: number;

  before(async () => {
    t = testApp(ctx.db);
    t.clock.set(new Date('2026-03-02T02:00:00Z'));
    const ad = await makeUser(ctx.db, { role: 'admin' });
    admin = await loginAgent(t.app, ad.username);

    // A vendor registering (vendor.register, user.create) and approved (vendor.approve), through the app.
    const reg = await t.http.post('/api/v1/vendors').send({
      enterpriseName: '审计标签装备有限公司',
      creditCode: creditCode(8101),
      city: '杭州',
      contact: '王五 0571-8888',
      username: 'labelvendor',
      password: 'correct-horse-battery',
    });
    assert.equal(reg.status, 201);
    vendorId = reg.body.id as number;
    const queue = await admin.get('/admin/vendors');
    assert.equal((await admin.post(`/admin/vendors/${vendorId}/approve`).type('form').send({ _csrf: csrfOf(queue.text) })).status, 302);

    // The other records as their services write them (the snapshots' shapes of the recordAudit call sites).
    const other = await makeVendor(ctx.db, { name: '另一家测试供应商有限公司' });
    const unit = await makePurchaser(ctx.db, { name: '审计标签医院' });
    const expertUser = await makeUser(ctx.db, { role: 'expert' });
    [expertId] = (await ctx.db('experts').insert({ name: '审计专家甲', unit: '浙江大学', title: '教授', fields: JSON.stringify(['智能装备']), user_id: expertUser.id, active: true, created_at: '2026-03-01T02:00:00.000Z' }).returning('id')).map((r: { id: number } | number) =>
      typeof r === 'object' ? r.id : r,
    );
    const actor = { id: ad.id, username: ad.username };
    const entries: AuditEntry[] = [
      {
        actor,
        action: 'product.create',
        entity: 'product',
        entityId: 9001,
        after: {
          vendor_id: other.id,
          cert_id: null,
          boutique: 1,
          title: '审计测试精品',
          kind: 'boutique',
          level: null,
          field: '智能装备',
          city: '杭州',
          price_fen: 1234500,
          unit: '台',
          status: 'pending_review',
          review_reason: null,
          created_at: '2026-03-02T02:00:00.000Z',
          updated_at: '2026-03-02T02:00:00.000Z',
        },
      },
      { actor: { id: null, username: 'public' } as unknown as AuditEntry['actor'], action: 'first_purchase.objection_file', entity: 'fp_objection', entityId: 1, after: { caseId: 24, caseNo: 'ZJSS-2026-00024', status: 'open' } },
      { actor, action: 'notice.publish', entity: 'notice', entityId: 3, after: { caseId: 24, type: 'single_source' } },
      { actor, action: 'recognition.draw', entity: 'cert_application', entityId: 5, after: { drawId: 7, pool: [expertId, 8], drawn: [expertId] } },
      { actor, action: 'recognition.review', entity: 'cert_application', entityId: 5, after: { expertId, score: 88, recommendLevel: 'provincial' } },
      { actor, action: 'recognition.attachment_add', entity: 'cert_application', entityId: 5, after: { attachmentId: 11, kind: 'test_report', filename: '检测报告.pdf', contentType: 'application/pdf', size: 204800, sha256: 'ab'.repeat(32) } },
      { actor, action: 'purchaser.address_add', entity: 'purchaser', entityId: unit.id, after: { addressId: 1, address: '浙江省杭州市审计路1号', isDefault: true } },
      { actor, action: 'recognition.award_settings', entity: 'settings', entityId: null, before: { international: 100000000, domestic: 50000000, provincial: 20000000 }, after: { international: 100000000, domestic: 50000000, provincial: 30000000 } },
    ];
    await ctx.db.transaction((trx) => recordAudits(trx, t.clock, entries));
  });

  it('zh-CN: labels for every key, statuses, kinds, roles and codes in Chinese, the public objector, the enterprise name', async () => {
    const page = await admin.get('/admin/audit?pageSize=100');
    assert.equal(page.status, 200);
    const list = changeLineList(page.text);
    const lines = list.join('\n');
    assert.ok(list.length >= 30, `only ${list.length} lines`);
    // The vendor's registration: its name is the enterprise's, its status and times in words, no empty review fields.
    assert.match(lines, /企业名称：审计标签装备有限公司/);
    assert.doesNotMatch(lines, /姓名：审计标签装备有限公司/);
    assert.match(lines, /地市：杭州/);
    assert.match(lines, /状态：待审核 → 已通过/);
    assert.match(lines, /创建时间：2026-03-02 10:00/);
    assert.match(lines, /启用的账户数：1/);
    // The account created with it.
    assert.match(lines, /角色：供应商/);
    assert.match(lines, /状态：待启用/);
    // The listing.
    assert.match(lines, /类别：浙江制造精品/);
    assert.match(lines, /状态：待审核/);
    assert.match(lines, /单价：¥12,345\.00/);
    assert.match(lines, /供应商：另一家测试供应商有限公司（#\d+）/);
    assert.match(lines, /更新时间：2026-03-02 10:00/);
    // The objection and the notice.
    assert.match(lines, /首购项目：24/);
    assert.match(lines, /状态：待处理/);
    assert.match(lines, /公告类型：单一来源公示/);
    // The draw, the review, the attachment.
    assert.match(lines, /抽取批次：7/);
    assert.match(lines, /候选专家：审计专家甲、8/);
    assert.match(lines, /抽中专家：审计专家甲/);
    assert.match(lines, new RegExp(`专家：审计专家甲（#${expertId}）`));
    assert.match(lines, /推荐级别：省内首台（套）/);
    assert.match(lines, /附件编号：11/);
    assert.match(lines, /材料类别：检测报告/);
    assert.match(lines, /文件大小：200\.0 KB/);
    // The address and the award amounts.
    assert.match(lines, /收货地址编号：1/);
    assert.match(lines, /默认地址：是/);
    assert.match(lines, /省内首台（套）奖励金额：¥200,000\.00 → ¥300,000\.00/);

    assertNoRaw(list);
    // The objector of a public objection is the public, not the login "public".
    const outside = textOutsideRaw(page.text);
    assert.match(outside, /社会公众 提出异议/);
    assert.doesNotMatch(outside, /\bpublic\b/);
  });

  it('en: the same lines in English, values translated through the app’s vocabularies', async () => {
    const page = await admin.get('/admin/audit?pageSize=100&lang=en');
    assert.equal(page.status, 200);
    const list = changeLineList(page.text);
    const lines = list.join('\n');
    assert.ok(list.length >= 30, `only ${list.length} lines`);
    assert.match(lines, /Enterprise name: 审计标签装备有限公司/);
    assert.match(lines, /City: Hangzhou/);
    assert.match(lines, /Kind: Zhejiang Made boutique/);
    assert.match(lines, /Field: Intelligent equipment/);
    assert.match(lines, /Status: In review/);
    assert.match(lines, /Status: Pending approval/);
    assert.match(lines, /Role: Vendor/);
    assert.match(lines, /Status: Open/);
    assert.match(lines, /Notice type: Single-source notice/);
    assert.match(lines, /Recommended level: Provincial first unit/);
    assert.match(lines, /Attachment type: Test report/);
    assert.match(lines, /Experts drawn: 审计专家甲/);
    assert.match(lines, /Eligible experts: 审计专家甲, 8/);
    assert.match(lines, /Created at: 2026-03-02 10:00/);
    assert.match(lines, /Accounts activated: 1/);
    assertNoRaw(list);
    assert.doesNotMatch(lines, /Field: 智能装备|City: 杭州/);
    assert.match(textOutsideRaw(page.text), /Member of the public/);
  });

  it('the raw record stays as stored: behind <details> on the page, and in the JSON API', async () => {
    const page = await admin.get('/admin/audit?entity=product');
    assert.match(page.text, /<details class="audit-raw">[\s\S]*&quot;kind&quot;: &quot;boutique&quot;/);
    const asAdmin = await bearer(t.http, (await ctx.db('users').where({ role: 'admin' }).first('username')).username);
    const api = await t.http.get('/api/v1/admin/audit?entity=fp_objection').set('Authorization', asAdmin);
    assert.equal(api.status, 200);
    assert.deepEqual(api.body.items[0].after, { caseId: 24, caseNo: 'ZJSS-2026-00024', status: 'open' });
    assert.equal(api.body.items[0].actor.name, 'public');
  });

  it('every key the code writes into a snapshot has a label in both languages (no raw key shown)', () => {
    for (const locale of ['zh-CN', 'en'] as const) {
      const t = translator(locale);
      const unlabelled = Object.entries(KEYS).flatMap(([entity, keys]) => keys.split(' ').filter((k) => fieldLabel(locale, t, k, entity) === k).map((k) => `${entity}.${k}`));
      assert.deepEqual(unlabelled, [], locale);
    }
  });

  it('changeLines: labels by entity and action, unknown codes as they are, digests and empty fields left out', () => {
    const zh = translator('zh-CN');
    const en = translator('en');
    assert.deepEqual(changeLines('zh-CN', zh, 'vendor', null, { name: '某企业', status: 'pending', reviewReason: null }), [
      { label: '企业名称', before: null, after: '某企业' },
      { label: '状态', before: null, after: '待审核' },
    ]);
    assert.deepEqual(changeLines('en', en, 'expert', null, { name: '张三', unit: '浙江大学', fields: ['智能装备', '未知领域'] }), [
      { label: 'Name', before: null, after: '张三' },
      { label: 'Organisation', before: null, after: '浙江大学' },
      { label: 'Fields of expertise', before: null, after: 'Intelligent equipment, 未知领域' },
    ]);
    assert.deepEqual(changeLines('zh-CN', zh, 'product', { status: 'approved' }, { status: 'no_such_status', sha256: 'x' }), [{ label: '状态', before: zh('vendor.status_approved'), after: 'no_such_status' }]);
    assert.deepEqual(changeLines('en', en, 'cert_application', null, { attachmentId: 3, kind: 'ip' }, { action: 'recognition.attachment_add' }), [
      { label: 'Attachment no.', before: null, after: '3' },
      { label: 'Attachment type', before: null, after: 'Intellectual property' },
    ]);
    assert.deepEqual(changeLines('zh-CN', zh, 'fp_case', { status: 'approved' }, { status: 'terminated', termination_cause: 'over_budget', amount_fen: 500000000 }), [
      { label: '状态', before: zh('first_purchase.status_approved'), after: zh('first_purchase.status_terminated') },
      { label: '终止原因类别', before: null, after: zh('first_purchase.cause_over_budget') },
      { label: '成交金额', before: null, after: '¥5,000,000.00' },
    ]);
    assert.deepEqual(changeLines('en', en, 'order', null, { items: [{ productId: 5, quantity: 2 }] }, { names: new Map([['product:5', 'CNC lathe']]) }), [{ label: 'Items', before: null, after: 'CNC lathe × 2' }]);
  });
});

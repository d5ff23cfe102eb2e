import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { awardLetterDocument, noticeDocument } from '../../src/first-purchase/notice-documents';
import type { NoticeDetail } from '../../src/first-purchase/notice-service';
import type { AwardLetter } from '../../src/first-purchase/notices';
import { CASE_WORKFLOW } from '../../src/first-purchase/transitions';
import { translator, unitName, type Locale } from '../../src/i18n';
import { Views, type ViewGlobals } from '../../src/web/views';
import type { Actor } from '../../src/web/state';
import { nextSteps, stepForms } from '../../src/workflow';

const VIEWS = path.join(__dirname, '..', '..', 'views');

/** A views folder of a few pages of our own beside the real partials they test (Views compiles a folder). */
function viewsWith(pages: Record<string, string>, partials: string[]): { views: Views; done: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'views-'));
  mkdirSync(path.join(dir, 'layouts'));
  mkdirSync(path.join(dir, 'partials'));
  writeFileSync(path.join(dir, 'layouts', 'main.hbs'), '{{{body}}}');
  for (const p of partials) copyFileSync(path.join(VIEWS, 'partials', `${p}.hbs`), path.join(dir, 'partials', `${p}.hbs`));
  for (const [name, src] of Object.entries(pages)) writeFileSync(path.join(dir, `${name}.hbs`), src);
  return { views: new Views(dir), done: () => rmSync(dir, { recursive: true, force: true }) };
}

const globals = (locale: Locale): ViewGlobals => ({ locale, base: '', csrfToken: { toString: () => 'token' }, actor: null, path: '/', query: {}, nav: {} });

describe('units of sale in the reader’s language', () => {
  it('a known unit by its catalogue name, singular for one (the default) and plural otherwise', () => {
    assert.equal(unitName('en', '台'), 'unit');
    assert.equal(unitName('en', '台', 3), 'units');
    assert.equal(unitName('en', '台', '1'), 'unit');
    assert.equal(unitName('en', '套', 0), 'sets');
    assert.equal(unitName('en', '批', 2), 'batches');
    // The demo catalogue's every unit reads in English (具 was left in Chinese: a new user's pass, 2026-12-08).
    for (const [unit, one, many] of [['具', 'unit', 'units'], ['座', 'unit', 'units'], ['系统', 'system', 'systems'], ['千瓦', 'kW', 'kW']] as const) {
      assert.deepEqual([unitName('en', unit, 1), unitName('en', unit, 2)], [one, many], unit);
      assert.equal(unitName('zh-CN', unit, 2), unit);
    }
    assert.equal(unitName('zh-CN', '台', 3), '台');
    assert.equal(unitName('zh-CN', '套'), '套');
  });

  it('a unit the vendor typed that the catalogue does not know, as typed (never a key, never a placeholder)', () => {
    for (const unit of ['樘', 'pcs', '', '台_one', '{n}', 'constructor', '台.x']) {
      assert.equal(unitName('en', unit, 2), unit);
      assert.equal(unitName('zh-CN', unit), unit);
    }
  });

  it('{{saleUnit}} in a template: per unit, counted, in Chinese, and unknown', () => {
    const { views, done } = viewsWith({ units: '[{{t "catalogue.per_unit" unit=(saleUnit u)}}] [{{n}} {{saleUnit u n=n}}] [{{saleUnit other}}]' }, []);
    try {
      assert.equal(views.render('units', { u: '台', n: 5, other: '樘' }, globals('en')), '[per unit] [5 units] [樘]');
      assert.equal(views.render('units', { u: '套', n: 1, other: '樘' }, globals('en')), '[per set] [1 set] [樘]');
      assert.equal(views.render('units', { u: '台', n: 5, other: '樘' }, globals('zh-CN')), '[/台] [5 台] [樘]');
    } finally {
      done();
    }
  });

  it('the printed notices and the 成交通知书 count their goods in the reader’s language too', () => {
    const goods = { name: '64排CT', model: 'CT-64', quantity: 2, unit: '台', unitPrice: '1000000.00' };
    const letter = {
      caseId: 1, caseNo: 'ZJSC-2026-0001', letterNo: 'ZJSC-2026-0001-CJTZ', title: '成交通知书', issuedOn: '2026-03-02', signBy: '2026-04-01',
      supplier: { name: '供应商', address: '地址', creditCode: '91330000000000000X' },
      purchaser: { name: '采购人', address: '地址', contactPerson: '联系人', phone: '0571-1' },
      agency: null, project: { name: '项目' }, goods, amount: '2000000.00', agreedTerms: '条款', procurementStaff: ['甲'], negotiation: { date: '2026-03-01', place: '会议室' },
    } as unknown as AwardLetter;
    const rows = (doc: ReturnType<typeof awardLetterDocument>) => doc.sections.flatMap((s) => s.rows ?? []).map((r) => r.value);
    const now = new Date('2026-03-02T02:00:00Z');
    assert.ok(rows(awardLetterDocument(letter, translator('en'), 'en', now)).includes('2 units'));
    assert.ok(rows(awardLetterDocument(letter, translator('zh-CN'), 'zh-CN', now)).includes('2 台'));
    const notice = { id: 9, type: 'result', title: '成交结果公告', publishedAt: '2026-03-02T02:00:00Z', content: { caseNo: 'ZJSC-2026-0001', goods } } as unknown as NoticeDetail;
    assert.ok(rows(noticeDocument(notice, translator('en'), 'en', now)).includes('2 units'));
    assert.ok(rows(noticeDocument(notice, translator('zh-CN'), 'zh-CN', now)).includes('2 台'));
  });
});

describe('step forms: a refused danger step comes back open, once', () => {
  const buyer: Actor = { id: 1, username: 'p', role: 'purchaser', displayName: 'p', purchaserId: 1, vendorId: null };
  const terminate = () => nextSteps(CASE_WORKFLOW, buyer, 'notice', () => true, {} as never).filter((n) => n.step.name === 'terminate');
  const forms = (errors?: Record<string, string>) => stepForms(terminate(), { t: translator('en'), action: (s) => `/first-purchases/1/${s.name}`, today: '2026-03-02', errors });

  it('one flag per step: open when any of its fields was refused, shut otherwise', () => {
    assert.equal(terminate().length, 1, 'the purchaser may terminate a case in its notice period');
    const [fresh] = forms();
    assert.equal(fresh!.danger, true);
    assert.equal(fresh!.open, false);
    assert.equal(forms({ explanation: 'required' })[0]!.open, true);
    assert.equal(forms({ cause: 'required', explanation: 'required' })[0]!.open, true);
  });

  it('the partial prints the open attribute once, however many fields were refused', () => {
    const { views, done } = viewsWith({ page: '{{> step-forms}}' }, ['step-forms', 'csrf']);
    try {
      const both = views.render('page', { steps: forms({ cause: 'Choose a cause', explanation: 'Required' }) }, globals('en'));
      const details = /<details class="step-danger"[^>]*>/.exec(both)?.[0];
      assert.equal(details, '<details class="step-danger" open>');
      assert.equal((both.match(/class="field-error"/g) ?? []).length, 2, 'both messages beside their fields');
      const shut = views.render('page', { steps: forms() }, globals('en'));
      assert.equal(/<details class="step-danger"[^>]*>/.exec(shut)?.[0], '<details class="step-danger">');
    } finally {
      done();
    }
  });
});

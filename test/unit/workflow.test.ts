import assert from 'node:assert/strict';
import { z } from 'zod';
import { hasKey } from '../../src/i18n';
import { CASE_WORKFLOW } from '../../src/first-purchase/transitions';
import { ORDER_ACTIONS, ORDER_WORKFLOW } from '../../src/orders/transitions';
import type { Actor } from '../../src/web/state';
import { decide, nextSteps, stepForms, stepRoutes, type Workflow } from '../../src/workflow';

const actor = (role: Actor['role']): Actor => ({ id: 1, username: role, role, displayName: role, purchaserId: role === 'purchaser' ? 1 : null, vendorId: role === 'vendor' ? 1 : null });

/** A small workflow of its own, so the registrar is tested apart from any domain. */
type S = 'draft' | 'sent' | 'done' | 'dropped';
const LETTER: Workflow<S, { ready: boolean }> = {
  name: 'letter',
  statuses: ['draft', 'sent', 'done', 'dropped'],
  final: ['done', 'dropped'],
  apiPrefix: '/api/v1/letters',
  pagePrefix: '/letters',
  wrongStateKey: (s) => `letter.in_${s}`,
  steps: [
    { name: 'send', from: ['draft'], to: 'sent', roles: ['purchaser'], may: 'writer', guard: (f) => (f.ready ? null : { key: 'letter.not_ready', params: { n: 2 } }), done: 'd', form: { button: 'b', showWhenRefused: true } },
    {
      name: 'close',
      from: ['sent'],
      to: 'done',
      outcomes: ['dropped'],
      roles: ['admin'],
      may: 'desk',
      input: z.object({ note: z.string() }),
      movesMoney: true,
      done: 'd',
      form: { button: 'b', fields: [{ name: 'note[text]', field: 'note.text', id: 'c-note', label: 'l', control: 'textarea', initial: 'today' }] },
    },
    { name: 'archive', from: ['done', 'dropped'], to: 'done', roles: ['admin'], may: 'desk', done: 'd' },
  ],
};

describe('workflows as data (src/workflow)', () => {
  it('decides a step from the table: the state first (409 in the status’s words), then the guard, then where it leads', () => {
    const send = LETTER.steps[0]!;
    assert.deepEqual(decide(LETTER, send, 'sent', { ready: true }), { ok: false, reason: 'state', key: 'letter.in_sent', params: { status: 'sent', action: 'send' } });
    assert.deepEqual(decide(LETTER, send, 'draft', { ready: false }), { ok: false, reason: 'guard', key: 'letter.not_ready', params: { n: 2, status: 'draft' } });
    assert.deepEqual(decide(LETTER, send, 'draft', { ready: true }), { ok: true, to: 'sent' });
    const close = LETTER.steps[1]!;
    assert.deepEqual(decide(LETTER, close, 'sent', { ready: true }, 'dropped'), { ok: true, to: 'dropped' });
    assert.throws(() => decide(LETTER, send, 'draft', { ready: true }, 'done'), /does not lead to done/);
  });

  it('lists the next steps a role and party may take; a refused step shows with its reason only when its form says so', () => {
    const writer = actor('purchaser');
    const all = () => true;
    assert.deepEqual(nextSteps(LETTER, writer, 'draft', all, { ready: true }).map((n) => [n.step.name, n.enabled]), [['send', true]]);
    assert.deepEqual(nextSteps(LETTER, writer, 'draft', all, { ready: false }).map((n) => [n.step.name, n.enabled, n.reasonKey]), [['send', false, 'letter.not_ready']]);
    assert.deepEqual(nextSteps(LETTER, writer, 'draft', () => false, { ready: true }), [], 'not a party of this object');
    assert.deepEqual(nextSteps(LETTER, actor('vendor'), 'draft', all, { ready: true }), [], 'a role the step does not admit');
    assert.deepEqual(nextSteps(LETTER, null, 'draft', all, { ready: true }), []);
    assert.deepEqual(nextSteps(LETTER, actor('admin'), 'sent', all, { ready: true }).map((n) => n.step.name), ['close']);
  });

  it('derives the page forms: typed values come back, a fresh date field shows today, errors sit beside their field', () => {
    const next = nextSteps(LETTER, actor('admin'), 'sent', () => true, { ready: true });
    const t = (k: string) => `«${k}»`;
    const [fresh] = stepForms(next, { t, action: (s) => `/letters/7/${s.name}`, today: '2026-12-05' });
    assert.equal(fresh!.action, '/letters/7/close');
    assert.equal(fresh!.fields[0]!.value, '2026-12-05');
    assert.equal(fresh!.fields[0]!.textarea, true);
    const [typed] = stepForms(next, { t, action: () => '', today: '2026-12-05', body: { note: { text: ['a', 'b'] } }, errors: { 'note.text': 'too long' } });
    assert.equal(typed!.fields[0]!.value, 'a\nb');
    assert.equal(typed!.fields[0]!.error, 'too long');
  });

  it('a select field lists its values with their labels, the typed one selected', () => {
    const wf: Workflow<S, { ready: boolean }> = {
      ...LETTER,
      steps: [{ name: 'drop', from: ['sent'], to: 'dropped', roles: ['admin'], may: 'desk', done: 'd', form: { button: 'b', fields: [{ name: 'why', field: 'why', id: 'd-why', label: 'l', control: 'select', options: ['late', 'wrong'], optionLabel: 'letter.why_' }] } }],
    };
    const next = nextSteps(wf, actor('admin'), 'sent', () => true, { ready: true });
    const [form] = stepForms(next, { t: (k) => `«${k}»`, action: () => '', today: '', body: { why: 'wrong' } });
    const f = form!.fields[0]!;
    assert.equal(f.select, true);
    assert.deepEqual(f.options, [
      { value: 'late', label: '«letter.why_late»', selected: false },
      { value: 'wrong', label: '«letter.why_wrong»', selected: true },
    ]);
  });

  it('derives every route with who may call it; a step without a form has a JSON route only', () => {
    assert.deepEqual(
      stepRoutes(LETTER).map((r) => r.route),
      ['POST /api/v1/letters/:id/send', 'POST /letters/:id/send', 'POST /api/v1/letters/:id/close', 'POST /letters/:id/close', 'POST /api/v1/letters/:id/archive'],
    );
  });

  it('the orders and the single-source case are tables of steps whose every state, message and label exists in both languages', () => {
    assert.deepEqual(
      ORDER_WORKFLOW.steps.map((s) => s.name),
      [...ORDER_ACTIONS],
    );
    for (const wf of [ORDER_WORKFLOW, CASE_WORKFLOW] as Array<Workflow<string, unknown>>) {
      const keys = [
        ...wf.statuses.map(wf.wrongStateKey),
        ...wf.steps.flatMap((s) => [s.done, s.form?.button, s.form?.title, s.form?.hint, ...(s.form?.fields ?? []).flatMap((f) => [f.label, f.hint])]),
      ].filter((k): k is string => typeof k === 'string');
      assert.deepEqual(keys.filter((k) => !hasKey('zh-CN', k) || !hasKey('en', k)), [], wf.name);
      for (const s of wf.steps) {
        for (const from of s.from) assert.ok(wf.statuses.includes(from), `${wf.name}.${s.name} from ${from}`);
        assert.ok(wf.statuses.includes(s.to));
        assert.ok(!s.from.some((f) => wf.final.includes(f)) || wf.name !== 'first_purchase', 'no step leads out of a final state');
      }
    }
  });
});

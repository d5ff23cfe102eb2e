import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { hasKey } from '../../src/i18n';
import { actionKey } from '../../src/audit/pages';
import { ORDER_WORKFLOW } from '../../src/orders/transitions';
import { CASE_WORKFLOW } from '../../src/first-purchase/transitions';
import { ADMIN_APPLICATION, VENDOR_APPLICATION } from '../../src/recognition/transitions';

const SRC = path.resolve(__dirname, '..', '..', 'src');
const files = (dir: string): string[] => readdirSync(dir).flatMap((n) => (statSync(path.join(dir, n)).isDirectory() ? files(path.join(dir, n)) : n.endsWith('.ts') ? [path.join(dir, n)] : []));

/** Every audit action the code writes: the literal ones, and the steps of the workflow tables it writes as `<domain>.<step>`. */
function actions(): string[] {
  const literal = files(SRC).flatMap((f) => [...readFileSync(f, 'utf8').matchAll(/action: '([a-z_]+\.[a-z_]+)'/g)].map((m) => m[1]!));
  const steps = [
    ...ORDER_WORKFLOW.steps.map((s) => `order.${s.name}`),
    ...CASE_WORKFLOW.steps.map((s) => `first_purchase.${s.name}`),
    // The negotiation's two outcomes, written under their own names (first-purchase/service.ts `negotiate`).
    'first_purchase.award',
    'first_purchase.over_budget',
    ...[...VENDOR_APPLICATION.steps, ...ADMIN_APPLICATION.steps].map((s) => `recognition.${s.name}`),
  ];
  return [...new Set([...literal, ...steps])].sort();
}

describe('audit log labels (issue 18 item 7)', () => {
  it('every audit action the code writes has its label in both languages', () => {
    const found = actions();
    assert.ok(found.length > 60, `only ${found.length} actions found`);
    for (const locale of ['zh-CN', 'en'] as const) {
      assert.deepEqual(found.filter((a) => !hasKey(locale, actionKey(a))), [], locale);
    }
  });
});

import assert from 'node:assert/strict';
import { auditView } from '../../src/audit/routes';
import type { AuditRow } from '../../src/audit/service';
import { parseIndicators } from '../../src/certification/presenters';
import { AppError, CorruptDataError, parseStoredArray, parseStoredJson } from '../../src/errors';
import { expertsOf } from '../../src/first-purchase/notices';

const at = { table: 'certifications', column: 'indicators', id: 7 };

function corrupt(fn: () => unknown): CorruptDataError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof CorruptDataError, String(e));
    return e;
  }
  assert.fail('expected a CorruptDataError');
}

describe('stored JSON: a corrupt row is an internal error, never a silent default', () => {
  it('parses what the app wrote', () => {
    assert.deepEqual(parseStoredJson('{"a":1}', at), { a: 1 });
    assert.equal(parseStoredJson('null', at), null);
    assert.deepEqual(parseStoredArray('["x"]', at), ['x']);
  });

  it('JSON that does not parse is a CorruptDataError naming the row, an AppError coded corrupt_data', () => {
    const e = corrupt(() => parseStoredJson('["x"', at));
    assert.ok(e instanceof AppError);
    assert.equal(e.code, 'corrupt_data');
    assert.equal(e.messageKey, 'errors.internal');
    assert.deepEqual(e.params, { table: 'certifications', column: 'indicators', id: 7 });
    assert.deepEqual(e.at, at);
    assert.match(e.message, /certifications\.indicators of row 7/);
  });

  it('an array column holding something else is corrupt too', () => {
    assert.match(corrupt(() => parseStoredArray('{"a":1}', at)).message, /not an array/);
    assert.match(corrupt(() => parseStoredArray('"text"', at)).message, /not an array/);
  });

  it('a certificate\'s indicators, a case\'s experts and an audit snapshot', () => {
    assert.deepEqual(parseIndicators({ id: 3, indicators: '["精度 0.005 mm", 5]' }), ['精度 0.005 mm', '5']);
    assert.deepEqual(corrupt(() => parseIndicators({ id: 3, indicators: 'not json' })).at, { table: 'certifications', column: 'indicators', id: 3 });
    assert.deepEqual(corrupt(() => parseIndicators({ id: 3, indicators: '{}' })).at.id, 3);
    assert.deepEqual(expertsOf({ id: 9, experts: '[{"name":"张三","unit":"浙大","title":"教授"}]' }), [{ name: '张三', unit: '浙大', title: '教授' }]);
    assert.deepEqual(corrupt(() => expertsOf({ id: 9, experts: '[{"name":' })).at, { table: 'fp_cases', column: 'experts', id: 9 });
    const row: AuditRow = { id: 12, actor_id: null, actor_name: 'system', action: 'x', entity: 'y', entity_id: null, before: null, after: '{"a":1}', at: '2026-01-01T00:00:00.000Z', prev_hash: '0', hash: '1' };
    assert.deepEqual([auditView(row).before, auditView(row).after], [null, { a: 1 }]);
    assert.deepEqual(corrupt(() => auditView({ ...row, after: '{"a":' })).at, { table: 'audit_log', column: 'after', id: 12 });
  });
});

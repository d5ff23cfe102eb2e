import assert from 'node:assert/strict';
import { formatDateTime } from '../../src/web/views';

/** How the pages write an instant: one way in both languages, in Asia/Shanghai, as a day is written everywhere else. */
describe('an instant on a page', () => {
  it('reads YYYY-MM-DD HH:mm in Shanghai time, the same in Chinese and English (never a day/month order)', () => {
    for (const locale of ['zh-CN', 'en'] as const) {
      assert.equal(formatDateTime('2027-01-06T05:52:00Z', locale), '2027-01-06 13:52');
      assert.equal(formatDateTime('2026-03-02T16:00:00Z', locale), '2026-03-03 00:00', 'midnight is 00:00, on the Shanghai day');
      assert.equal(formatDateTime('2026-10-12T15:59:59.999Z', locale), '2026-10-12 23:59');
      assert.equal(formatDateTime('2026-03-02T02:00:00Z', locale, false), '2026-03-02');
    }
  });

  it('leaves nothing for nothing, and text that is not an instant as it is', () => {
    assert.equal(formatDateTime(null, 'zh-CN'), '');
    assert.equal(formatDateTime('', 'en'), '');
    assert.equal(formatDateTime('不是时间', 'zh-CN'), '不是时间');
  });
});

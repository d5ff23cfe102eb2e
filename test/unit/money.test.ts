import assert from 'node:assert/strict';
import { largeUnits, translator } from '../../src/i18n';
import { Money, MoneyError, formatLarge, formatYuan } from '../../src/money';

describe('Money', () => {
  it('parses the input forms API.md allows into whole fen', () => {
    assert.equal(Money.parse('1234').fen, 123400);
    assert.equal(Money.parse('1234.5').fen, 123450);
    assert.equal(Money.parse('1234.50').fen, 123450);
    assert.equal(Money.parse('0.01').fen, 1);
    assert.equal(Money.parse('0').fen, 0);
    assert.ok(Money.parse('1') instanceof Money);
  });

  it('refuses exponents, three decimals, signs, blanks, numbers and leading zeros', () => {
    for (const bad of ['1e3', '12.345', '-1', '', ' 1', '1.', '.5', '01', '1,00', 'abc', 12, null, undefined, '10000000000000']) {
      assert.throws(() => Money.parse(bad), MoneyError, String(bad));
    }
  });

  it('keeps the contract’s grammar: thousands separators are refused here (API.md: anything else is a 422; page forms lose them before parsing)', () => {
    for (const bad of ['1,880,000', '1,234.50', '1,00', ',100', '1,,000']) assert.throws(() => Money.parse(bad), MoneyError, bad);
  });

  it('adds and multiplies without floating-point drift', () => {
    const a = Money.parse('0.1');
    const b = Money.parse('0.2');
    assert.equal(a.plus(b).toString(), '0.30');
    assert.equal(Money.parse('19.99').times(3).toString(), '59.97');
    assert.equal(Money.parse('100').minus(Money.parse('0.01')).toString(), '99.99');
  });

  it('serialises to a string with two decimals', () => {
    assert.equal(JSON.stringify({ total: Money.ofFen(118000000_00) }), '{"total":"118000000.00"}');
    assert.equal(Money.ofFen(5).toString(), '0.05');
  });

  it('gives the yuan as a number for JSON and spreadsheet cells, exact to the fen up to the range’s ends', () => {
    assert.equal(Money.ofFen(123405).toYuanNumber(), 1234.05);
    assert.equal(Money.ofFen(-5).toYuanNumber(), -0.05);
    assert.equal(Money.ofFen(10).toYuanNumber(), 0.1);
    // 0.1 + 0.2 would be 0.30000000000000004 in float arithmetic; from fen it is 0.3.
    assert.equal(Money.ofFen(10).plus(Money.ofFen(20)).toYuanNumber(), 0.3);
    assert.equal(Money.fromString('9999999999999.99').toYuanNumber().toFixed(2), '9999999999999.99');
    assert.equal(Money.fromString('-9999999999999.99').toYuanNumber().toFixed(2), '-9999999999999.99');
  });

  it('formats yuan with thousands separators', () => {
    assert.equal(formatYuan(Money.ofFen(118000000_00 / 100)), '¥1,180,000.00');
    assert.equal(formatYuan(Money.parse('1180000')), '¥1,180,000.00');
    assert.equal(formatYuan(Money.parse('999.5')), '¥999.50');
    assert.equal(formatYuan(Money.ofFen(-150)), '-¥1.50');
  });

  it('formats totals in the Chinese large-unit form: one rule — unit by magnitude, at most two decimals, trailing zeros dropped', () => {
    assert.equal(formatLarge(Money.parse('118000000')), '1.18亿元');
    assert.equal(formatLarge(Money.parse('117654321.99')), '1.18亿元');
    assert.equal(formatLarge(Money.parse('11200000')), '1120万元');
    assert.equal(formatLarge(Money.parse('11205000')), '1120.5万元');
    assert.equal(formatLarge(Money.parse('14669600')), '1466.96万元');
    assert.equal(formatLarge(Money.parse('100000000')), '1亿元');
    assert.equal(formatLarge(Money.parse('99999999.99')), '10000万元');
    // Below 1万 the same rule in 元 (grouped in thousands), zero included: no "0.00元" beside "1120万元".
    assert.equal(formatLarge(Money.parse('5000')), '5,000元');
    assert.equal(formatLarge(Money.parse('9800.5')), '9,800.5元');
    assert.equal(formatLarge(Money.parse('0.05')), '0.05元');
    assert.equal(formatLarge(Money.zero()), '0元');
    assert.equal(formatLarge(Money.ofFen(-1_120_000_00)), '-112万元');
  });

  it('in English the same totals read in millions and billions (the catalogue gives units and scales)', () => {
    const en = largeUnits(translator('en'));
    assert.equal(formatLarge(Money.parse('118000570'), en), '118 million yuan');
    assert.equal(formatLarge(Money.parse('11200000'), en), '11.2 million yuan');
    assert.equal(formatLarge(Money.parse('2500000000'), en), '2.5 billion yuan');
    assert.equal(formatLarge(Money.parse('350000'), en), '350,000 yuan');
    assert.equal(formatLarge(Money.zero(), en), '0 yuan');
    assert.equal(formatLarge(Money.parse('118000000'), largeUnits(translator('zh-CN'))), '1.18亿元');
  });
});

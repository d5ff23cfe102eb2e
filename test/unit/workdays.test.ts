import assert from 'node:assert/strict';
import {
  addDays,
  addWorkdays,
  endOfDay,
  isArranged,
  isMakeUpWorkday,
  isWorkday,
  nextWorkday,
  noticePeriod,
  provisionalRestDays,
  shanghaiIsoSeconds,
  workdayDeadline,
  workdaysBetween,
} from '../../src/workdays';

describe('workdays (Chinese working-day calendar, Asia/Shanghai)', () => {
  describe('isWorkday', () => {
    it('ordinary weeks: Monday–Friday work, Saturday and Sunday rest', () => {
      // 2026-03-09 is a Monday with no holiday around it.
      assert.deepEqual(
        ['2026-03-09', '2026-03-10', '2026-03-11', '2026-03-12', '2026-03-13', '2026-03-14', '2026-03-15'].map(isWorkday),
        [true, true, true, true, true, false, false],
      );
    });

    it('2026 National Day: 10-01…10-07 rest; Sunday 09-20 and Saturday 10-10 are make-up workdays', () => {
      for (let d = '2026-10-01'; d <= '2026-10-07'; d = addDays(d, 1)) assert.equal(isWorkday(d), false, d);
      assert.equal(isWorkday('2026-09-20'), true);
      assert.equal(isWorkday('2026-10-10'), true);
      assert.equal(isMakeUpWorkday('2026-09-20'), true);
      assert.equal(isMakeUpWorkday('2026-10-10'), true);
      assert.equal(isMakeUpWorkday('2026-10-09'), false); // an ordinary Friday
      assert.equal(isWorkday('2026-10-11'), false); // the Sunday after stays a rest day
      assert.equal(isWorkday('2026-10-08'), true);
    });

    it('2026 Spring Festival: 02-15…02-23 rest; Saturday 02-14 and Saturday 02-28 are make-up workdays', () => {
      for (let d = '2026-02-15'; d <= '2026-02-23'; d = addDays(d, 1)) assert.equal(isWorkday(d), false, d);
      assert.equal(isWorkday('2026-02-13'), true);
      assert.equal(isWorkday('2026-02-14'), true);
      assert.equal(isWorkday('2026-02-24'), true);
      assert.equal(isWorkday('2026-02-28'), true);
      assert.equal(isWorkday('2026-03-01'), false);
    });

    it('does not depend on the server process time zone', () => {
      const saved = process.env.TZ;
      try {
        for (const tz of ['America/Los_Angeles', 'Pacific/Kiritimati', 'UTC']) {
          process.env.TZ = tz;
          assert.equal(isWorkday('2026-09-20'), true, tz);
          assert.equal(isWorkday('2026-10-01'), false, tz);
          assert.equal(isWorkday('2026-10-10'), true, tz);
          assert.equal(isWorkday('2026-10-11'), false, tz);
        }
      } finally {
        if (saved === undefined) delete process.env.TZ;
        else process.env.TZ = saved;
      }
    });

    it('knows which years carry an official arrangement', () => {
      assert.equal(isArranged(2020), true);
      assert.equal(isArranged(2026), true);
      assert.equal(isArranged(2027), false);
    });

    it('a year without a published arrangement still rests on its statutory holidays (2027)', () => {
      assert.equal(isWorkday('2027-01-01'), false, '元旦, a Friday');
      assert.equal(isWorkday('2027-01-04'), true);
      // Lunar new year 2027-02-06: from two days before the eve to the 8th day.
      for (const d of ['2027-02-04', '2027-02-05', '2027-02-08', '2027-02-12']) assert.equal(isWorkday(d), false, d);
      assert.equal(isWorkday('2027-02-15'), true);
      for (const d of ['2027-04-05', '2027-05-03', '2027-06-09', '2027-09-15', '2027-10-08']) assert.equal(isWorkday(d), false, d);
      assert.equal(isMakeUpWorkday('2027-02-20'), false, 'no weekend is assumed worked');
    });

    it('the provisional rules would have given every weekday holiday of the published years 2020–2026', () => {
      for (let year = 2020; year <= 2026; year++) {
        const assumed = provisionalRestDays(year);
        const missed: string[] = [];
        for (let d = `${year}-01-01`; d <= `${year}-12-31`; d = addDays(d, 1)) {
          const weekday = new Date(`${d}T00:00:00Z`).getUTCDay();
          if (weekday !== 0 && weekday !== 6 && !isWorkday(d) && !assumed.has(d)) missed.push(d);
        }
        assert.deepEqual(missed, [], `${year}: official weekday holidays the provisional calendar would count as working days`);
      }
    });

    it('refuses what is not a YYYY-MM-DD day', () => {
      assert.throws(() => isWorkday('2026-9-1'));
      assert.throws(() => isWorkday('tomorrow'));
    });
  });

  describe('addWorkdays and friends', () => {
    it('counts over a weekend', () => {
      assert.equal(addWorkdays('2026-03-13', 1), '2026-03-16'); // Friday → Monday
      assert.equal(addWorkdays('2026-03-14', 1), '2026-03-16'); // Saturday → Monday
      assert.equal(addWorkdays('2026-03-09', 5), '2026-03-16');
      assert.equal(nextWorkday('2026-03-13'), '2026-03-16');
    });

    it('counts across National Day including the make-up Saturday', () => {
      assert.equal(addWorkdays('2026-09-30', 1), '2026-10-08');
      assert.equal(addWorkdays('2026-09-29', 5), '2026-10-12');
      assert.equal(addWorkdays('2026-10-09', 1), '2026-10-10');
      assert.equal(addWorkdays('2026-09-18', 1), '2026-09-20'); // Friday → the make-up Sunday
    });

    it('counts across the Spring Festival', () => {
      assert.equal(addWorkdays('2026-02-13', 1), '2026-02-14');
      assert.equal(addWorkdays('2026-02-14', 1), '2026-02-24');
      assert.equal(addWorkdays('2026-02-12', 5), '2026-02-26');
    });

    it('0 is the day itself when it is a working day, else the next one; negative counts backwards', () => {
      assert.equal(addWorkdays('2026-10-09', 0), '2026-10-09');
      assert.equal(addWorkdays('2026-10-03', 0), '2026-10-08');
      assert.equal(addWorkdays('2026-10-08', -1), '2026-09-30');
      assert.throws(() => addWorkdays('2026-10-08', 1.5));
    });

    it('workdaysBetween counts (from, to]', () => {
      assert.equal(workdaysBetween('2026-09-29', '2026-10-12'), 5);
      assert.equal(workdaysBetween('2026-09-30', '2026-10-07'), 0);
      assert.equal(workdaysBetween('2026-03-09', '2026-03-09'), 0);
    });

    it('calendar arithmetic crosses months and leap days', () => {
      assert.equal(addDays('2024-02-28', 1), '2024-02-29');
      assert.equal(addDays('2026-12-31', 1), '2027-01-01');
      assert.equal(addDays('2026-03-01', -1), '2026-02-28');
    });
  });

  describe('noticePeriod', () => {
    it('published on 2026-09-29 (Tue): five full working days end on Monday 2026-10-12 at 23:59:59+08:00', () => {
      const p = noticePeriod(new Date('2026-09-29T10:00:00+08:00'));
      assert.equal(p.publishedDay, '2026-09-29');
      assert.equal(p.firstDay, '2026-09-30');
      assert.equal(p.lastDay, '2026-10-12');
      assert.equal(shanghaiIsoSeconds(p.endsAt), '2026-10-12T23:59:59+08:00');
      assert.equal(p.endsAt.toISOString(), '2026-10-12T15:59:59.999Z');
      assert.equal(workdaysBetween(p.publishedDay, p.lastDay), 5);
    });

    it('the publication day is never counted, even at one minute past midnight', () => {
      assert.equal(noticePeriod(new Date('2026-03-09T00:01:00+08:00')).lastDay, '2026-03-16');
    });

    it('uses the Shanghai day, not the UTC day, of the publication instant', () => {
      // 2026-09-29 23:30 UTC is already Wednesday 09-30 in Shanghai.
      assert.equal(noticePeriod(new Date('2026-09-29T23:30:00Z')).publishedDay, '2026-09-30');
      assert.equal(noticePeriod(new Date('2026-09-29T23:30:00Z')).lastDay, '2026-10-13');
    });

    it('published on a rest day: the period starts on the next working day', () => {
      const p = noticePeriod(new Date('2026-10-03T09:00:00+08:00'));
      assert.equal(p.firstDay, '2026-10-08');
      assert.equal(p.lastDay, '2026-10-13');
    });

    it('published the Friday before the Spring Festival (2026-02-13) it runs past the holiday', () => {
      const p = noticePeriod(new Date('2026-02-13T09:00:00+08:00'));
      assert.equal(p.firstDay, '2026-02-14');
      assert.equal(p.lastDay, '2026-02-27');
    });

    it('published on the last day of 2026 it does not count New Year’s Day 2027, though 2027 is not yet arranged', () => {
      const p = noticePeriod(new Date('2026-12-31T10:00:00+08:00'));
      assert.equal(p.firstDay, '2027-01-04');
      assert.equal(p.lastDay, '2027-01-08');
    });

    it('refuses a period shorter than one working day', () => {
      assert.throws(() => noticePeriod(new Date(), 0));
    });
  });

  it('endOfDay and workdayDeadline give the last instant of the day in Shanghai', () => {
    assert.equal(endOfDay('2026-10-12').toISOString(), '2026-10-12T15:59:59.999Z');
    assert.equal(shanghaiIsoSeconds(workdayDeadline(new Date('2026-09-30T15:00:00+08:00'), 2)), '2026-10-09T23:59:59+08:00');
  });
});

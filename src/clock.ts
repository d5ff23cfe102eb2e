/** Time comes from here, so tests (and FAKE_CLOCK=1) can walk a notice period forward. */
export interface Clock {
  now(): Date;
}

export class SystemClock implements Clock {
  now(): Date {
    return new Date();
  }
}

/**
 * A settable clock. Once set, it moves on with real time from the set instant so that
 * successive events stay ordered; `freeze` keeps it still.
 */
export class FakeClock implements Clock {
  private base: number | null = null;
  private setAt = 0;
  private frozen = false;

  set(at: Date, opts: { freeze?: boolean } = {}): void {
    this.base = at.getTime();
    this.setAt = Date.now();
    this.frozen = opts.freeze ?? false;
  }

  now(): Date {
    if (this.base === null) return new Date();
    return new Date(this.frozen ? this.base : this.base + (Date.now() - this.setAt));
  }
}

export const isoNow = (clock: Clock): string => clock.now().toISOString();

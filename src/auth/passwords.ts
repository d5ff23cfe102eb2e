import { hash, verify, Algorithm } from '@node-rs/argon2';
import { AppError } from '../errors';

// argon2id with OWASP's recommended minimum: m = 19 MiB, t = 2, p = 1. Parameters travel inside the hash string,
// so raising them later re-hashes nothing that already exists.
const PARAMS = { algorithm: Algorithm.Argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 };

/**
 * Password hashing is bounded per process: at most `concurrency` hashes or verifications run at once (each takes a
 * libuv worker thread, 19 MiB and a core for tens of milliseconds), at most `maxQueue` more wait their turn, and a
 * request beyond that is refused at once (429 with Retry-After) rather than piling up — 500 registrations at once
 * must not starve every other request of the CPU and the thread pool.
 */
export const HASHING = { concurrency: 2, maxQueue: 64, retryAfterSeconds: 5 };

class Semaphore {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.active >= HASHING.concurrency) {
      if (this.waiting.length >= HASHING.maxQueue) {
        const retryAfter = HASHING.retryAfterSeconds;
        throw new AppError('too_many_attempts', 'auth.server_busy', { retryAfter, minutes: 1, n: 1 });
      }
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.active++;
    }
    try {
      return await work();
    } finally {
      // Hand the slot straight to the next waiter (the count stays), or free it.
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }

  /** For tests and metrics: running and waiting. */
  get load(): { active: number; waiting: number } {
    return { active: this.active, waiting: this.waiting.length };
  }
}

const hashing = new Semaphore();

/** How many password hashes run and wait right now (this process). */
export const hashingLoad = (): { active: number; waiting: number } => hashing.load;

/** Throws 429 `too_many_attempts` (auth.server_busy) when too many hashes already wait. */
export const hashPassword = (password: string): Promise<string> => hashing.run(() => hash(password, PARAMS));

/** False for a wrong password or an unreadable hash; throws (429, auth.server_busy) when too many already wait. */
export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  return hashing.run(async () => {
    try {
      return await verify(stored, password);
    } catch {
      return false;
    }
  });
}

/** A hash to verify against when the user does not exist, so timing does not reveal which usernames exist. */
let dummy: Promise<string> | null = null;
export function dummyHash(): Promise<string> {
  dummy ??= hashPassword('not-a-real-password-0').catch((err: unknown) => {
    dummy = null; // refused while busy: try again next time
    throw err;
  });
  return dummy;
}

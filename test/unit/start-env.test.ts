import assert from 'node:assert/strict';
import { startScriptEnv } from '../helpers/server';

/** What `npm start` sets before the server starts, as package.json's start script says, and as the benches run it. */
describe('npm start’s environment', () => {
  it('bounds glibc’s heap thresholds (freed memory goes back to the system) unless the environment sets its own', () => {
    assert.deepEqual(startScriptEnv({}), { MALLOC_MMAP_THRESHOLD_: '4194304' });
    assert.deepEqual(startScriptEnv({ MALLOC_MMAP_THRESHOLD_: '131072' }), { MALLOC_MMAP_THRESHOLD_: '131072' });
  });
});

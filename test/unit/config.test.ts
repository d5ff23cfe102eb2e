import assert from 'node:assert/strict';
import { ConfigError, loadConfig, loadDatabaseUrl, parseTrustProxy } from '../../src/config';

describe('configuration from the environment (DESIGN §7)', () => {
  it('has the documented defaults', () => {
    const c = loadConfig({}, { demoData: true });
    assert.equal(c.port, 3000);
    assert.equal(c.databaseUrl, 'sqlite:data/marketplace.sqlite3');
    assert.equal(c.demoData, true);
    assert.equal(c.fakeClock, false);
    assert.equal(c.logLevel, 'info');
    assert.ok(c.sessionSecret.length >= 32, 'a random secret per start outside production');
    assert.equal(c.trustProxy, false, 'X-Forwarded-For ignored unless TRUST_PROXY says otherwise');
    assert.equal(c.metricsToken, null);
    assert.equal(c.shutdownTimeoutMs, 10000);
    assert.equal(c.heapGrowthPercent, 50, 'the heap may grow to 1.5 times what is live');
  });

  it('metrics: on for the standalone server unless METRICS=0, off for a mounted plugin unless asked', () => {
    assert.equal(loadConfig({}, { metrics: true }).metrics, true);
    assert.equal(loadConfig({ METRICS: '0' }, { metrics: true }).metrics, false);
    assert.equal(loadConfig({}).metrics, false);
    assert.equal(loadConfig({ METRICS: '1' }).metrics, true);
  });

  it('TRUST_PROXY: none, a number of proxies, or a list of proxy addresses', () => {
    assert.equal(loadConfig({ TRUST_PROXY: 'none' }).trustProxy, false);
    assert.equal(loadConfig({ TRUST_PROXY: '0' }).trustProxy, false);
    assert.equal(loadConfig({ TRUST_PROXY: '1' }).trustProxy, 1);
    assert.equal(loadConfig({ TRUST_PROXY: '2' }).trustProxy, 2);
    assert.deepEqual(loadConfig({ TRUST_PROXY: '10.0.0.5, 10.0.0.6,::1' }).trustProxy, ['10.0.0.5', '10.0.0.6', '::1']);
    for (const wrong of ['yes', 'true', '-1', '10', '1.5', '10.0.0.300', '10.0.0.5,', '10.0.0.0/8', 'proxy.internal']) assert.equal(parseTrustProxy(wrong), undefined, wrong);
  });

  it('reads every variable', () => {
    const c = loadConfig({ PORT: '0', DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test', DEMO_DATA: '0', FAKE_CLOCK: '1', LOG_LEVEL: 'warn', TRUST_PROXY: '1', METRICS: '1', METRICS_TOKEN: 't'.repeat(20), SHUTDOWN_TIMEOUT_MS: '2500', HEAP_GROWTH_PERCENT: '0' });
    assert.deepEqual(
      [c.port, c.databaseUrl, c.demoData, c.fakeClock, c.logLevel, c.trustProxy, c.metrics, c.metricsToken, c.shutdownTimeoutMs, c.heapGrowthPercent],
      [0, 'postgres://postgres@127.0.0.1:5432/test', false, true, 'warn', 1, true, 't'.repeat(20), 2500, 0],
    );
  });

  const wrong: Array<[Record<string, string>, RegExp]> = [
    [{ PORT: 'abc' }, /^PORT: expected a port number/],
    [{ PORT: '70000' }, /^PORT:/],
    [{ DATABASE_URL: 'mysql://x' }, /^DATABASE_URL: expected 'sqlite:<file>' or 'postgres:/],
    [{ DEMO_DATA: 'yes' }, /^DEMO_DATA: expected 0 or 1/],
    [{ LOG_LEVEL: 'loud' }, /^LOG_LEVEL: expected one of/],
    [{ NODE_ENV: 'production', DEMO_DATA: '1', SESSION_SECRET: 'x'.repeat(40) }, /^DEMO_DATA: demo data is refused/],
    [{ NODE_ENV: 'production', FAKE_CLOCK: '1', SESSION_SECRET: 'x'.repeat(40) }, /^FAKE_CLOCK:/],
    [{ NODE_ENV: 'production' }, /^SESSION_SECRET: required/],
    [{ NODE_ENV: 'production', SESSION_SECRET: 'short' }, /^SESSION_SECRET: expected a secret of at least 32/],
    [{ TRUST_PROXY: 'true' }, /^TRUST_PROXY: expected none, a number of proxies from 1 to 9, or a comma-separated list of proxy IP addresses, got 'true'$/],
    [{ TRUST_PROXY: '10.0.0.0/8' }, /^TRUST_PROXY: expected .*, got '10\.0\.0\.0\/8'$/],
    [{ METRICS: 'on' }, /^METRICS: expected 0 or 1, got 'on'$/],
    [{ METRICS_TOKEN: 'abc' }, /^METRICS_TOKEN: expected a token of at least 16 printable characters, got 3 characters$/],
    [{ SHUTDOWN_TIMEOUT_MS: '10s' }, /^SHUTDOWN_TIMEOUT_MS: expected a number of milliseconds/],
    [{ HEAP_GROWTH_PERCENT: '1.5' }, /^HEAP_GROWTH_PERCENT: expected a whole number of percent from 0 to 999/],
    [{ HEAP_GROWTH_PERCENT: '-5' }, /^HEAP_GROWTH_PERCENT: expected/],
  ];
  for (const [env, message] of wrong) {
    it(`refuses ${JSON.stringify(env)} with one line naming the variable`, () => {
      assert.throws(() => loadConfig(env), (err: unknown) => err instanceof ConfigError && message.test(err.message) && !err.message.includes('\n'));
    });
  }

  it('reports every wrong variable at once, one line each', () => {
    assert.throws(
      () => loadConfig({ PORT: 'abc', LOG_LEVEL: 'loud', DEMO_DATA: 'yes' }),
      (err: unknown) => err instanceof ConfigError && err.message.split('\n').length === 3 && /^DEMO_DATA:/m.test(err.message) && /^PORT:/m.test(err.message) && /^LOG_LEVEL:/m.test(err.message),
    );
  });

  it('never prints the session secret back', () => {
    assert.throws(
      () => loadConfig({ NODE_ENV: 'production', SESSION_SECRET: 'hunter2-typo' }),
      (err: unknown) => err instanceof ConfigError && !err.message.includes('hunter2') && /got 12 characters/.test(err.message),
    );
  });

  it('the command-line tools read DATABASE_URL alone (no session secret needed beside a production server)', () => {
    assert.equal(loadDatabaseUrl({ NODE_ENV: 'production', DATABASE_URL: 'sqlite:x.sqlite3' }), 'sqlite:x.sqlite3');
    assert.equal(loadDatabaseUrl({}), 'sqlite:data/marketplace.sqlite3');
    assert.throws(() => loadDatabaseUrl({ DATABASE_URL: 'mysql://x' }), (err: unknown) => err instanceof ConfigError && /^DATABASE_URL: expected/.test(err.message));
  });

  it('in production, demo data is off by default', () => {
    assert.equal(loadConfig({ NODE_ENV: 'production', SESSION_SECRET: 'y'.repeat(40) }).demoData, false);
  });
});

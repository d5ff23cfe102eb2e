import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { hasKey, LOCALES } from '../../src/i18n';

const ROOT = path.resolve(__dirname, '..', '..');
const files = (dir: string, ext: string): string[] =>
  readdirSync(path.join(ROOT, dir)).filter((f) => f.endsWith(ext)).map((f) => path.join(ROOT, dir, f));

/** Every catalogue key the accounts, vendor, admin, registry and audit screens use exists in both languages. */
describe('i18n: the accounts / vendor / admin screens', () => {
  const views = [...files('views/vendor', '.hbs'), ...files('views/admin', '.hbs'), ...files('views/audit', '.hbs')];
  const sources = [...files('src/vendors', '.ts'), ...files('src/certification', '.ts'), ...files('src/admin', '.ts'), ...files('src/audit', '.ts'), ...files('src/auth', '.ts')]
    // The outbox's table maps audit actions to event type names, which are not messages either.
    .filter((f) => !f.endsWith('outbox.ts'));
  const keys = new Set<string>();
  for (const f of views) for (const m of readFileSync(f, 'utf8').matchAll(/[({]t "([a-z_]+\.[a-z_0-9]+)"/g)) keys.add(m[1]);
  for (const f of sources) {
    for (const m of readFileSync(f, 'utf8').matchAll(/'((?:vendor|admin|certification|audit|auth|validation|errors)\.[a-z_0-9]+)'/g)) keys.add(m[1]);
  }
  // Audit action names and policy names look like keys but are not shown through the catalogue.
  const notMessages = /^(vendor\.(approve|reject|register|read|review)|certification\.(create|update|expire|import_add|import_update|issue|manage|read_own|revoke)|audit\.read)$/;

  for (const locale of LOCALES) {
    it(`${locale}: no missing key`, () => {
      const missing = [...keys].filter((k) => !notMessages.test(k) && !hasKey(locale, k));
      assert.deepEqual(missing, []);
    });
  }

  it('both languages of each of these namespaces have the same keys', () => {
    for (const ns of ['vendor', 'admin', 'certification', 'audit']) {
      const zh = Object.keys(JSON.parse(readFileSync(path.join(ROOT, 'src/i18n/zh-CN', `${ns}.json`), 'utf8'))).sort();
      const en = Object.keys(JSON.parse(readFileSync(path.join(ROOT, 'src/i18n/en', `${ns}.json`), 'utf8'))).sort();
      assert.deepEqual(en, zh, ns);
    }
  });
});

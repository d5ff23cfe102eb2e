import js from '@eslint/js';
import boundaries from 'eslint-plugin-boundaries';
import importX, { createNodeResolver } from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

/**
 * The modules of src/ from the bottom up (docs/architecture.md): a folder src/<name>/ or a file src/<name>.ts. A
 * module may import, at run time, only the modules listed before it — so the module graph has no cycle — and a
 * folder module only through its index.ts. Type-only imports may point anywhere (they vanish at run time), but
 * also only through index.ts. A new module gets its place here; until then nothing may import it and it may import
 * nothing.
 */
const LAYERS = [
  // the kernel: no module of the app below it
  'errors', 'paths', 'time', 'clock', 'config', 'domain', 'credit-code', 'filenames', 'money', 'workdays', 'numbers', 'i18n', 'db', 'search-text', 'schema', 'worker-file',
  // the web kit, then the policy table (pure rules over plain objects)
  'web', 'policies', 'workflow',
  // the domain modules, each above the ones it reads
  'audit', 'auth', 'settings', 'integration', 'ledger', 'certification', 'vendors', 'recognition', 'insurance', 'first-purchase', 'finance', 'catalogue', 'media', 'orders', 'purchaser', 'admin', 'stats', 'reports',
  // operations (health, metrics, backup), then the composition root
  'ops', 'deps', 'services', 'modules', 'app', 'server',
];
/** A module by name, or by names: a folder's element, or a top-level file. */
const moduleNamed = (name) => [{ element: { type: 'module', captured: { name } } }, { file: { categories: 'top-level', captured: { name } } }];
const NAME = (side) => `{{${side}.element.captured.name}}{{${side}.file.captured.name}}`;

export default tseslint.config(
  { ignores: ['dist/**', 'dist-test-*/**', '.run/**', 'node_modules/**', 'data/**', 'test-artifacts/**', 'public/vendor/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', __dirname: 'readonly', require: 'readonly', module: 'writable', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setImmediate: 'readonly', URL: 'readonly', document: 'readonly', window: 'readonly' } },
    rules: {
      'no-console': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'warn',
    },
  },
  { files: ['bench/**', 'scripts/**', '.ci/**'], rules: { 'no-console': 'off' } },
  { files: ['public/**/*.js'], languageOptions: { sourceType: 'script' } },
  { files: ['knexfile.js'], rules: { '@typescript-eslint/no-require-imports': 'off' } },
  {
    // Homes and boundaries (issue 13): no import cycle among files (import-x) nor among modules (the layers above).
    files: ['src/**/*.ts'],
    plugins: { boundaries, 'import-x': importX },
    settings: {
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.js', '.json'] })],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import/resolver': { node: { extensions: ['.ts', '.js', '.json'] } },
      'boundaries/include': ['src/**/*.ts'],
      'boundaries/dependency-nodes': ['import', 'export', 'dynamic-import'],
      'boundaries/elements': [{ type: 'module', pattern: 'src/*', capture: ['name'] }],
      'boundaries/files': [{ category: 'top-level', pattern: 'src/(*).ts', capture: ['name'] }],
    },
    rules: {
      'import-x/no-cycle': 'error',
      'boundaries/dependencies': [
        'error',
        {
          default: 'disallow',
          checkUnknownLocals: true,
          message: `${NAME('from')} may not import ${NAME('to')}: a module imports only the modules below it (LAYERS in eslint.config.mjs, docs/architecture.md)`,
          policies: [
            { allow: { dependency: { kind: 'type' } } },
            ...LAYERS.map((name, i) => ({ from: moduleNamed(name), allow: { to: moduleNamed(LAYERS.slice(0, i)) } })),
            {
              disallow: { to: { element: { type: 'module', fileInternalPath: '!index.ts' } } },
              message: '{{to.element.captured.name}}/{{to.element.fileInternalPath}} is inside {{to.element.captured.name}}: import it from {{to.element.captured.name}}/index.ts',
            },
          ],
        },
      ],
    },
  },
);

import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'dist-test-*/**', 'node_modules/**', 'data/**', 'test-artifacts/**', 'public/vendor/**'] },
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
);

// Flat config: typescript-eslint's recommended rules, no type-aware rules (keeps lint fast).
const js = require('@eslint/js');
const tseslint = require('typescript-eslint');
const globals = require('globals');

module.exports = tseslint.config(
  { ignores: ['node_modules/', 'cdktf.out/', 'dist/', 'coverage/', '.abca/', 'agent/dist/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node, ...globals.jest } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-require-imports': 'off',
      'no-restricted-imports': [
        'error',
        { paths: [{ name: '@cdktf/provider-aws', message: 'Import from @cdktf/provider-aws/lib/<name> (deep import) instead.' }] },
      ],
    },
  },
);

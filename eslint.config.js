// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', '.cfgitops/', 'bin/'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-unnecessary-condition': 'off',
      '@typescript-eslint/no-extraneous-class': 'off',
      // State and catalogs are string-keyed records by design.
      '@typescript-eslint/no-dynamic-delete': 'off',
      // With noUncheckedIndexedAccess, `m[1]!` after a successful regex match is clearer than a dead branch.
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    // The planner is pure: no I/O, no clock, no network. Keep that line enforced — also on the planning parts of
    // each resource kind (src/kinds/<kind>/: comparison, planning, guardrails, schema).
    files: [
      'src/planner/**/*.ts',
      'src/kinds/*/compare.ts',
      'src/kinds/*/plan.ts',
      'src/kinds/*/policy.ts',
      'src/kinds/*/schema.ts',
    ],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['node:*', 'fs', 'http', 'https', 'net', 'child_process'],
              message: 'The planner is pure: no I/O.',
            },
            {
              group: [
                'undici',
                'pino',
                'pg',
                '**/cloudflare/*',
                '**/state/*',
                '**/secrets/*',
                '**/executor/*',
                '**/emulator/*',
              ],
              allowTypeImports: true,
              message: 'The planner is pure: import only types from effectful layers.',
            },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'Date', message: 'Time is an input to the planner (pass `now`).' },
        'fetch',
        'process',
      ],
    },
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts', 'bench/**/*.js'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  { files: ['**/*.js'], ...tseslint.configs.disableTypeChecked },
);

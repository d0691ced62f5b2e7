import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { sandboxImports } from './tools/eslint/sandbox-imports.mjs';

const relay = { rules: { 'sandbox-imports': sandboxImports } };

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'src/generated/', '.tools/', '.data/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { module: 'writable', require: 'readonly', __dirname: 'readonly', process: 'readonly', console: 'readonly', Buffer: 'readonly', globalThis: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', WebAssembly: 'readonly', URL: 'readonly', TextEncoder: 'readonly', TextDecoder: 'readonly' },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // As in Temporal's own samples: an un-awaited promise in a workflow or activity is a bug.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
    },
  },
  {
    // Workflow code runs in Temporal's deterministic sandbox: it may import only
    // orchestration APIs, other workflow code and pure definitions (src/domain).
    files: ['src/workflows/**/*.ts'],
    plugins: { relay },
    rules: {
      'relay/sandbox-imports': [
        'error',
        { packages: ['@temporalio/workflow', '@temporalio/common'], folders: ['src/workflows', 'src/domain'] },
      ],
    },
  },
  {
    // src/domain holds definitions shared with workflows: it must stay as pure as they are.
    files: ['src/domain/**/*.ts'],
    plugins: { relay },
    rules: { 'relay/sandbox-imports': ['error', { packages: ['@temporalio/common'], folders: ['src/domain'] }] },
  },
  {
    // libphonenumber-js is pure too (numbering-plan metadata and functions: no I/O, no clock).
    files: ['src/domain/phone-numbers.ts'],
    plugins: { relay },
    rules: { 'relay/sandbox-imports': ['error', { packages: ['@temporalio/common', 'libphonenumber-js/core', 'libphonenumber-js/min/metadata'], folders: ['src/domain'] }] },
  },
);

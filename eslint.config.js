// One lint config for the repo. The per-folder import rules keep the sans-I/O cores honest
// (architecture.md §2.1): only src/listener, src/cli, src/config (file loading) and the
// emulator wiring may touch sockets, HTTP, TLS or the file system.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const ioModules = ['fastify', 'node:net', 'node:tls', 'node:http', 'node:https', 'node:fs', 'node:fs/promises', 'fs', 'net', 'tls', 'http', 'https'];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      // Protocol code escapes and validates control characters on purpose.
      'no-control-regex': 'off',
    },
  },
  {
    files: ['src/wsman/**', 'src/shell/**', 'src/sandbox/**', 'src/hosts/**', 'src/authz/**', 'src/auth/**'],
    // The opt-in real-process backend is the sandbox's one piece of host I/O, by design.
    ignores: ['src/sandbox/real-process.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: ioModules.map((name) => ({ name, message: 'Protocol cores are sans-I/O (architecture.md §2.1): only src/listener touches sockets, HTTP, TLS and files.' })) }],
      'no-restricted-globals': ['error', { name: 'setTimeout', message: 'Cores take an injected Clock.' }, { name: 'setInterval', message: 'Cores take an injected Clock.' }],
      'no-restricted-properties': ['error', { object: 'Date', property: 'now', message: 'Cores take an injected Clock.' }],
    },
  },
);

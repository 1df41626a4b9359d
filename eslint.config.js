import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// Layering (style.md "who may import whom"): patterns name folders, not files, so moving a file inside a layer keeps
// the rule true. Matching is on the import specifier, so '**/store/**' catches '../store/x.js' at any depth.
const concreteBackends = {
  group: [
    '**/store/**',
    '!**/store/store.js',
    '!**/store/records.js',
    // The webhook outbox's interface and records, beside the Store's.
    '!**/store/webhook-outbox.js',
    '!**/store/webhook-records.js',
    // The media interfaces, as store.ts and records.ts are for the rest (gitignore rules: the folder must be
    // re-included before files in it can be).
    '!**/store/media',
    '**/store/media/*',
    '!**/store/media/media-store.js',
    '!**/store/media/media-records.js',
    '**/bus/**',
    '!**/bus/bus.js',
  ],
  message:
    'Only src/server/parley-server.ts (the composition root) imports concrete stores, buses and the shared SQL; ' +
    'elsewhere use the Store and Bus interfaces (store/store.ts, store/records.ts, store/media/media-store.ts, ' +
    'store/media/media-records.ts, bus/bus.ts).',
};
const upperLayers = (...names) => ({
  group: names.map((name) => `**/${name}/**`),
  message:
    'Dependencies point one way: protocol <- store <- core <- server, and client depends on protocol only.',
});
// ESLint's own rule flags type imports too; the typescript-eslint one is used only where types are allowed (it lets
// a type import through as soon as any one pattern allows types, so the two cannot share a list).
const layerRule = (...patterns) => ({ 'no-restricted-imports': ['error', { patterns }] });

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'data/**', 'coverage/**', 'bench/results/**', 'bench/tmp/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['*.js', 'scripts/*.mjs'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-console': 'error',
    },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/server/parley-server.ts', 'src/store/**', 'src/bus/**'],
    rules: layerRule(concreteBackends),
  },
  {
    // protocol is the wire vocabulary every other layer (and bench) shares: it imports nothing of ours.
    files: ['src/protocol/**/*.ts'],
    rules: layerRule({ group: ['../**', '..'], message: 'src/protocol imports nothing from the project.' }),
  },
  {
    // core sees storage only through the Store interface and its record types.
    files: ['src/core/**/*.ts'],
    rules: {
      ...layerRule(upperLayers('server', 'bus', 'client', 'cli', 'web'), concreteBackends),
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/store/**'],
              allowTypeImports: true,
              message: 'src/core imports only types from the store (store/store.ts, store/records.ts).',
            },
          ],
        },
      ],
    },
  },
  {
    // The SDK is bundled for browsers: it may share the wire vocabulary and nothing of the server.
    files: ['src/client/**/*.ts'],
    rules: layerRule(upperLayers('core', 'server', 'store', 'bus', 'cli', 'web')),
  },
  {
    files: ['src/cli/**', 'bench/**', 'test/**', 'bin/**'],
    rules: { 'no-console': 'off' },
  },
  {
    files: ['test/**'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-base-to-string': 'off',
    },
  },
);

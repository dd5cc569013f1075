// One lint toolchain for the whole repository: ESLint flat config with typescript-eslint's
// type-checked rules, Prettier for formatting (eslint-config-prettier turns off rules it owns).
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

const deepImports = {
  group: ['@qt-led/*/src/*', '@qt-led/*/dist/*'],
  message: 'Import a workspace by its package name, never by a deep path.',
};

// Libraries under packages/ are what services are built from; an import the other way round would make a
// library depend on a process. The services' names come from their manifests, so a new service is covered.
const servicesDir = join(import.meta.dirname, 'services');
const serviceNames = readdirSync(servicesDir, { withFileTypes: true })
  .map((entry) => join(servicesDir, entry.name, 'package.json'))
  .filter((manifest) => existsSync(manifest))
  .map((manifest) => JSON.parse(readFileSync(manifest, 'utf8')).name);
const escapeRegExp = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const serviceImports = [
  {
    regex: `^(${serviceNames.map(escapeRegExp).join('|')})(/|$)`,
    message: 'A package must not import a service (services/*): move what both need into a package.',
  },
  {
    regex: '^(\\.\\./)+services/',
    message: 'A package must not import a service (services/*): move what both need into a package.',
  },
];

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'coverage/**', 'reports/**'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        project: ['./tsconfig.check.json'],
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-confusing-void-expression': ['error', { ignoreArrowShorthand: true }],
      'no-restricted-imports': ['error', { patterns: [deepImports] }],
    },
  },
  // Options replace, they do not merge: the deep-path rule is repeated here.
  {
    files: ['packages/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [deepImports, ...serviceImports] }] },
  },
  // The dashboard is a browser program with its own tsconfig (DOM types, bundler resolution).
  {
    files: ['dashboard/**/*.ts'],
    languageOptions: {
      parserOptions: { project: ['./dashboard/tsconfig.json'], tsconfigRootDir: import.meta.dirname },
    },
  },
  // Plain JavaScript (this file, CI helpers) is not part of the TypeScript program.
  {
    files: ['**/*.js', '**/*.mjs'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: { console: 'readonly', process: 'readonly' } },
  },
  prettier,
);

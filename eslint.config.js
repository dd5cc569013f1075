// One lint toolchain for the whole repository: ESLint flat config with typescript-eslint's
// type-checked rules, Prettier for formatting (eslint-config-prettier turns off rules it owns).
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

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
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@qt-led/*/src/*', '@qt-led/*/dist/*'],
              message: 'Import a workspace by its package name, never by a deep path.',
            },
          ],
        },
      ],
    },
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

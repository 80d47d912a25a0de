// Lint (npm run lint, part of npm test): typescript-eslint with type information, for the promises a
// reviewer cannot see at a glance: one left floating loses its error, one passed where a callback returns
// nothing runs unawaited; and no line over Prettier's width. Formatting itself is Prettier's (npm run format:check).
import tseslint from 'typescript-eslint';
import stylistic from '@stylistic/eslint-plugin';
import prettier from 'eslint-config-prettier';
import vue from 'eslint-plugin-vue';
import vueParser from 'vue-eslint-parser';

export default tseslint.config(
  { ignores: ['dist/**', 'coverage/**', 'node_modules/**', '**/*.js', '**/*.mjs', '**/*.mts'] },
  {
    files: ['**/*.ts', 'apps/web/**/*.vue'],
    extends: [tseslint.configs.recommended, prettier],
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname, extraFileExtensions: ['.vue'] },
    },
    plugins: { '@stylistic': stylistic },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // Prettier's width, for what Prettier does not wrap (comments, strings, SQL in template literals).
      '@stylistic/max-len': ['error', { code: 120, tabWidth: 2, ignoreUrls: true }],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      // BullMQ's and the drivers' generic types are spelled with `any` where no narrower type exists.
      '@typescript-eslint/no-explicit-any': 'off',
      // A leading underscore names what a destructuring leaves out on purpose.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
    },
  },
  {
    // The web app's components: Vue's essential rules, and the same type-aware rules inside <script setup>.
    files: ['apps/web/**/*.vue'],
    extends: [vue.configs['flat/essential'], prettier],
    languageOptions: {
      parser: vueParser,
      parserOptions: {
        parser: tseslint.parser,
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
        extraFileExtensions: ['.vue'],
      },
    },
  },
);

// ESLint 9 flat config: @eslint/js and typescript-eslint recommended, eslint-plugin-svelte recommended for .svelte.
// Type-aware rules are left out: tsc (strict, noUnused*) and svelte-check already type-check every file in `npm run check`.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'public/catalog*/', 'bench/results/', 'tests/artifacts/', '.vite/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...svelte.configs.recommended,
  {
    // The engine runs in pages, workers and Node (CLI, tests, benches): all three sets of globals.
    languageOptions: { globals: { ...globals.browser, ...globals.worker, ...globals.node } },
    rules: {
      // Same convention as tsc's noUnusedLocals/noUnusedParameters: a leading underscore marks a value kept on
      // purpose (a positional parameter, a field dropped from a rest copy such as `{ picture: _picture, ...rest }`).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true }],
    },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.svelte'] } },
    rules: {
      // The pages key the lists whose items carry state or are reordered (search results, saved composites, the
      // catalog grid); the unkeyed ones are static text and <option> lists rebuilt whole, where a key adds nothing.
      'svelte/require-each-key': 'off',
      // The rendered state lives in $state fields that are reassigned, never mutated in place; the Sets and Maps in
      // these files are lookups built and dropped inside one function, where SvelteSet/SvelteMap would only add proxies.
      'svelte/prefer-svelte-reactivity': 'off',
      // `{' '}` is how the pages keep a space between inline elements that line breaks (or the formatter) must not
      // remove or add; the rule calls that a useless mustache.
      'svelte/no-useless-mustaches': 'off',
    },
  },
);

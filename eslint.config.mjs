// typescript-eslint with type information: the rules that catch what tsc does not (promises
// nobody awaits, code nobody uses). Formatting is prettier's job, not eslint's.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'generated/**',
      'node_modules/**',
      'third_party/**',
      '**/fixtures/**',
      'examples/**',
      'coverage/**',
    ],
  },
  {
    files: ['src/**/*.ts', 'test/**/*.ts'],
    extends: [tseslint.configs.base],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      '@typescript-eslint/no-unused-expressions': 'error',
      '@typescript-eslint/await-thenable': 'error',
    },
  },
  {
    // The dashboard's browser code (bundled by scripts/bundle-web.mjs): no Node, and data reaches the
    // page only as text (textContent, text nodes), never as HTML.
    files: ['src/web/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['node:*'], message: 'src/web runs in the browser: no Node modules.' },
            {
              group: ['nice-grpc*', '@grpc/*'],
              message: 'src/web calls the control plane over gRPC-Web (src/web/rpc).',
            },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'process', message: 'src/web runs in the browser: no Node globals.' },
        { name: 'require', message: 'src/web runs in the browser: no Node globals.' },
      ],
      'no-restricted-properties': [
        'error',
        { property: 'innerHTML', message: 'Put data in the page as text (dom.ts h(), textContent), never as HTML.' },
        { property: 'outerHTML', message: 'Put data in the page as text (dom.ts h(), textContent), never as HTML.' },
        {
          property: 'insertAdjacentHTML',
          message: 'Put data in the page as text (dom.ts h(), textContent), never as HTML.',
        },
      ],
    },
  },
);

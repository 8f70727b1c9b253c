// Lint configuration: typescript-eslint's recommended rules over src, test, bench and scripts, and
// the layers of src/ (README, "Layout"): a folder imports only from the layers below it.
import js from '@eslint/js';
import boundaries from 'eslint-plugin-boundaries';
import tseslint from 'typescript-eslint';

/** Each folder of src/ and what it may import besides itself, bottom layer first. */
const LAYERS = {
  core: [],
  shared: ['core'],
  state: ['core', 'shared'],
  imap: ['core', 'shared'],
  // Credentials (OAuth2 flows, token file, admin logins): beside imap, composed by the CLI.
  auth: ['core', 'shared'],
  plan: ['core', 'shared'],
  engine: ['core', 'shared', 'state', 'plan'],
  verify: ['core', 'shared', 'state', 'plan'],
  report: ['core', 'shared', 'state', 'plan', 'engine', 'verify'],
  notify: ['core', 'shared'],
  dashboard: ['core', 'shared', 'state', 'report'],
  watch: ['core', 'shared', 'state', 'plan', 'engine', 'verify', 'report', 'notify'],
  cli: [
    'core',
    'shared',
    'state',
    'imap',
    'auth',
    'plan',
    'engine',
    'verify',
    'report',
    'notify',
    'dashboard',
    'watch',
  ],
};

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', '.mailshift/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  {
    files: ['src/**/*.ts'],
    plugins: { boundaries },
    settings: {
      'import/resolver': { typescript: { project: './tsconfig.json' } },
      'boundaries/elements': Object.keys(LAYERS).map((type) => ({
        type,
        pattern: `src/${type}`,
      })),
    },
    rules: {
      'boundaries/dependencies': [
        'error',
        {
          default: 'disallow',
          message:
            'src/{{from.type}} may not import src/{{to.type}}: the layers are in eslint.config.js and the README',
          policies: Object.entries(LAYERS).map(([type, below]) => ({
            from: { element: { type } },
            allow: { to: { element: { types: { anyOf: [type, ...below] } } } },
          })),
        },
      ],
      // Every import must land in a known layer: a new folder needs a place in LAYERS first.
      'boundaries/no-unknown-dependencies': 'error',
      'no-restricted-syntax': [
        'error',
        {
          selector:
            "ImportDeclaration[source.value='zod'][importKind!='type'] > :matches(ImportSpecifier[imported.name='z'], ImportDefaultSpecifier)",
          message:
            "import * as z from 'zod': its `z` object holds every locale, and the bundle would carry all 64 (0.4 MB the CLI compiles at each start)",
        },
      ],
    },
  },
);

// Type-aware linting would double the type-check time on two cores; tsc already runs
// in strict mode, so the linter keeps to the syntactic rules that catch real mistakes.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
	{ignores: ['dist/**', 'node_modules/**', 'coverage/**', '.cache/**']},
	js.configs.recommended,
	...tseslint.configs.recommended,
	{
		files: ['**/*.{ts,tsx}'],
		rules: {
			'@typescript-eslint/no-unused-vars': ['error', {argsIgnorePattern: '^_', varsIgnorePattern: '^_'}],
			'@typescript-eslint/consistent-type-imports': 'error',
			'no-control-regex': 'off',
			eqeqeq: ['error', 'smart'],
		},
	},
	{
		files: ['**/*.{js,mjs}'],
		languageOptions: {globals: globals.node},
	},
);

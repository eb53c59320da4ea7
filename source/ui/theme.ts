// Colours by role. With colour off every colour is undefined and only attributes (bold,
// inverse) remain, so the dashboard stays readable on monochrome terminals and with NO_COLOR.
export type ThemeName = 'default' | 'high-contrast';

export type Theme = {
	accent: string | undefined;
	muted: string | undefined;
	ok: string | undefined;
	warn: string | undefined;
	error: string | undefined;
	/** Dim secondary text (help hints). High contrast never dims. */
	dim: boolean;
};

export function makeTheme(name: ThemeName = 'default', colour = true): Theme {
	if (!colour) return {accent: undefined, muted: undefined, ok: undefined, warn: undefined, error: undefined, dim: name !== 'high-contrast'};
	if (name === 'high-contrast') return {accent: 'whiteBright', muted: 'white', ok: 'greenBright', warn: 'yellowBright', error: 'redBright', dim: false};
	return {accent: 'cyan', muted: 'gray', ok: 'green', warn: 'yellow', error: 'red', dim: true};
}

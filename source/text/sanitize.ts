// The security boundary between untrusted bytes (log lines, pod and container names, file
// contents) and the terminal. Everything the dashboard prints that it did not write itself goes
// through `sanitizeLine` or `sanitizeName` first.
//
// The rule: the only escape sequence that may reach the terminal is SGR (`ESC [ params m`, colour
// and text attributes) with purely numeric parameters, and only in log text when colour is on.
// Every other escape sequence, C0/C1 control character, bidi override and lone surrogate is
// replaced by a visible placeholder, so a student can still see that the program tried to clear
// the screen (`␛[2J`) or set the window title (`␛]0;…`), but the terminal never acts on it.
import stringWidth from 'string-width';

export type SanitizeOptions = {
	/** Keep SGR colour sequences (otherwise they are dropped silently: they are only styling). */
	keepColour?: boolean;
	/** Tab stop width in cells. */
	tabWidth?: number;
	/** Input code units kept before the line is cut with a `…+N` marker. */
	maxLength?: number;
};

export const defaultMaxLength = 4096;
const esc = '\u001B';
/** The reset appended after a line that kept colour, so colour never bleeds into the next row. */
export const sgrReset = `${esc}[0m`;
const sgrParameters = /^[\d;:]{0,64}$/;
/** Fast path: printable ASCII only, which is most log lines. */
const plainAscii = /^[\u0020-\u007E]*$/;
const maxShownStringPayload = 24;

/** Visible stand-in for a C0 control (U+2400 block), DEL, or a C1 control (`<9B>`). */
export function controlPicture(code: number): string {
	if (code < 0x20) return String.fromCodePoint(0x2400 + code);
	if (code === 0x7F) return '\u2421';
	return `<${code.toString(16).toUpperCase().padStart(2, '0')}>`;
}

function isBidiControl(code: number): boolean {
	return (code >= 0x20_2A && code <= 0x20_2E) || (code >= 0x20_66 && code <= 0x20_69) || code === 0x06_1C || code === 0x20_0E || code === 0x20_0F;
}

/** Makes an arbitrary string printable with no escape sequences at all (used inside placeholders). */
function printableOnly(text: string): string {
	let out = '';
	for (const char of text) {
		const code = char.codePointAt(0)!;
		if (code < 0x20 || (code >= 0x7F && code <= 0x9F)) out += controlPicture(code);
		else if (code >= 0xD8_00 && code <= 0xDF_FF) out += '\uFFFD';
		else if (isBidiControl(code)) out += `<U+${code.toString(16).toUpperCase()}>`;
		else out += char;
	}

	return out;
}

type Scan = {text: string; index: number; out: string; keptSgr: boolean};

/** Index just past a string sequence's terminator (BEL, ESC \, or 8-bit ST), or the end. */
function endOfStringSequence(text: string, start: number): {payloadEnd: number; next: number} {
	for (let i = start; i < text.length; i++) {
		const code = text.codePointAt(i)!;
		if (code === 0x07 || code === 0x9C) return {payloadEnd: i, next: i + 1};
		if (code === 0x1B && text[i + 1] === '\\') return {payloadEnd: i, next: i + 2};
		if (code === 0x1B) return {payloadEnd: i, next: i}; // a new sequence starts: stop here
	}

	return {payloadEnd: text.length, next: text.length};
}

function showStringSequence(scan: Scan, introducer: string, payloadStart: number): void {
	const {payloadEnd, next} = endOfStringSequence(scan.text, payloadStart);
	const payload = scan.text.slice(payloadStart, payloadEnd);
	const shown = payload.length > maxShownStringPayload ? `${payload.slice(0, maxShownStringPayload)}…` : payload;
	append(scan, `\u241B${introducer}${printableOnly(shown)}`);
	scan.index = next;
}

/**
 * SGR parameters minus 8 (conceal), which would let a log line hide text from the reader; the
 * colour arguments of 38/48/58 (`38;5;8`, `38;2;r;g;b`) are skipped over, not mistaken for it.
 * Returns undefined when nothing is left to send.
 */
function withoutConceal(parameters: string): string | undefined {
	if (!parameters.includes('8') || parameters.includes(':')) return parameters;
	const parts = parameters.split(';');
	const kept: string[] = [];
	for (let i = 0; i < parts.length; i++) {
		const part = parts[i]!;
		if (part === '38' || part === '48' || part === '58') {
			const arguments_ = parts[i + 1] === '5' ? 2 : parts[i + 1] === '2' ? 4 : 0;
			kept.push(...parts.slice(i, i + 1 + arguments_));
			i += arguments_;
		} else if (Number(part) !== 8) {
			kept.push(part);
		}
	}

	return kept.length === 0 ? undefined : kept.join(';');
}

/** Handles a CSI whose parameters start at `start` (just past `ESC [` or the 8-bit CSI). */
function handleCsi(scan: Scan, start: number, shownIntroducer: string, options: SanitizeOptions): void {
	let i = start;
	while (i < scan.text.length) {
		const code = scan.text.codePointAt(i)!;
		if (code >= 0x30 && code <= 0x3F) i++;
		else break;
	}

	const parametersEnd = i;
	while (i < scan.text.length) {
		const code = scan.text.codePointAt(i)!;
		if (code >= 0x20 && code <= 0x2F) i++;
		else break;
	}

	const finalCode = scan.text.codePointAt(i);
	if (finalCode === undefined || finalCode < 0x40 || finalCode > 0x7E) {
		// Unterminated or malformed: show what was consumed, carry on with the next character.
		append(scan, `${shownIntroducer}${scan.text.slice(start, i)}`);
		scan.index = i;
		return;
	}

	const parameters = scan.text.slice(start, parametersEnd);
	const isSgr = finalCode === 0x6D && parametersEnd === i && sgrParameters.test(parameters) && shownIntroducer === '\u241B[';
	if (isSgr) {
		const kept = options.keepColour ? withoutConceal(parameters) : undefined;
		if (kept !== undefined) {
			scan.out += `${esc}[${kept}m`;
			scan.keptSgr = true;
		}
	} else {
		append(scan, `${shownIntroducer}${scan.text.slice(start, i + 1)}`);
	}

	scan.index = i + 1;
}

function append(scan: Scan, visible: string): void {
	scan.out += visible;
}

/**
 * Makes one line of untrusted text safe to print: see the module comment. The result has no
 * newline, every tab is expanded to spaces, and it ends with an SGR reset if it kept colour.
 */
export function sanitizeLine(raw: string, options: SanitizeOptions = {}): string {
	const maxLength = options.maxLength ?? defaultMaxLength;
	let text = raw;
	let cutMarker = '';
	if (text.endsWith('\r')) text = text.slice(0, -1); // CRLF line endings are not an overwrite
	if (text.length > maxLength) {
		cutMarker = ` …+${text.length - maxLength}`;
		text = text.slice(0, maxLength);
	}

	if (plainAscii.test(text)) return text + cutMarker;

	const tabWidth = options.tabWidth ?? 8;
	const scan: Scan = {text, index: 0, out: '', keptSgr: false};
	let run = '';
	const flushRun = () => {
		if (run) {
			append(scan, run);
			run = '';
		}
	};

	while (scan.index < text.length) {
		const code = text.codePointAt(scan.index)!;
		const char = String.fromCodePoint(code);
		const isPrintable = code >= 0x20 && code !== 0x7F && (code < 0x80 || code > 0x9F) && !isBidiControl(code) && !(code >= 0xD8_00 && code <= 0xDF_FF);
		if (isPrintable) {
			run += char;
			scan.index += char.length;
			continue;
		}

		flushRun();
		if (code === 0x09) {
			// Measured only when a tab needs it (string-width skips the SGR kept so far).
			const spaces = tabWidth - (stringWidth(scan.out) % tabWidth);
			append(scan, ' '.repeat(spaces));
			scan.index++;
		} else if (code === 0x1B) {
			const next = text[scan.index + 1];
			if (next === '[') {
				handleCsi(scan, scan.index + 2, '\u241B[', options);
			} else if (next === ']' || next === 'P' || next === 'X' || next === '^' || next === '_') {
				showStringSequence(scan, next, scan.index + 2);
			} else {
				// Two-byte escapes (ESC c, ESC 7, ESC ( B, ...): the ESC alone is neutralised and the
				// rest is ordinary printable text.
				append(scan, '\u241B');
				scan.index++;
			}
		} else if (code === 0x9B) {
			handleCsi(scan, scan.index + 1, '<9B>', options);
		} else if (code === 0x9D || code === 0x90 || code === 0x98 || code === 0x9E || code === 0x9F) {
			showStringSequence(scan, controlPicture(code), scan.index + 1);
		} else if (code >= 0xD8_00 && code <= 0xDF_FF) {
			append(scan, '\uFFFD'); // lone surrogate: the JavaScript image of invalid UTF-8
			scan.index++;
		} else if (isBidiControl(code)) {
			append(scan, `<U+${code.toString(16).toUpperCase()}>`);
			scan.index++;
		} else {
			append(scan, controlPicture(code));
			scan.index++;
		}
	}

	flushRun();
	return scan.out + (scan.keptSgr ? sgrReset : '') + cutMarker;
}

/**
 * Pod, container, namespace and other names: no escapes of any kind, no colour, one line, and at
 * most `maxLength` characters (names come from the API server, which need not be trusted).
 */
export function sanitizeName(raw: string, maxLength = 253): string {
	return sanitizeLine(raw, {keepColour: false, maxLength, tabWidth: 1});
}

/** Decodes bytes (exec output, file contents) as UTF-8, invalid sequences becoming U+FFFD. */
export function decodeUtf8(bytes: Uint8Array): string {
	return new TextDecoder('utf-8', {fatal: false}).decode(bytes);
}

const anySgr = /\u001B\[[\d;:]*m/g;

/** The text without the SGR sequences `sanitizeLine` kept (for searching and measuring). */
export function stripSgr(safe: string): string {
	return safe.includes(esc) ? safe.replace(anySgr, '') : safe;
}

import assert from 'node:assert/strict';
import {test} from 'node:test';
import {cellWidth, fitCells, truncateCells, wrapCells} from '../../source/text/cells.js';
import {highlightMatches, highlightOff, highlightOn, matchesQuery} from '../../source/text/highlight.js';
import {decodeUtf8, sanitizeLine, sanitizeName, stripSgr} from '../../source/text/sanitize.js';

const esc = '\u001B';

/** Everything a terminal could act on, other than SGR: ESC, C0 except none, DEL, C1, bidi. */
function assertNoActiveSequences(out: string, allowSgr: boolean) {
	const withoutSgr = allowSgr ? out.replaceAll(/\u001B\[[\d;:]*m/g, '') : out;
	assert.doesNotMatch(withoutSgr, /[\u0000-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/u, `active byte survived in ${JSON.stringify(out)}`);
	assert.doesNotMatch(out, /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/, 'lone surrogate survived');
}

const hostile: Array<[string, string]> = [
	['clear screen', `${esc}[2J${esc}[H`],
	['cursor up and erase line', `done${esc}[1A${esc}[2K`],
	['window title via OSC BEL', `${esc}]0;pwned\u0007`],
	['clipboard via OSC 52 ST', `${esc}]52;c;ZWNobyBoaQ==${esc}\\`],
	['hyperlink OSC 8', `${esc}]8;;https://evil${esc}\\click${esc}]8;;${esc}\\`],
	['DCS', `${esc}Pq#0;2;0;0;0${esc}\\`],
	['APC', `${esc}_Gf=100;AAAA${esc}\\`],
	['bracketed paste on', `${esc}[?2004h`],
	['alternate screen', `${esc}[?1049h`],
	['8-bit CSI', '\u009B2J'],
	['8-bit OSC', '\u009D0;title\u0007'],
	['reset terminal RIS', `${esc}c`],
	['charset switch', `${esc}(0lqk`],
	['carriage return overwrite', 'ok\rFAIL'],
	['backspace overwrite', 'safe\b\b\b\bevil'],
	['bell', 'ding\u0007'],
	['SGR with non-numeric params is not SGR', `${esc}[?25m`],
	['DECSCUSR with intermediate', `${esc}[2 q`],
	['unterminated CSI at end', `text${esc}[12`],
	['ESC at end', `text${esc}`],
	['nested ESC inside OSC', `${esc}]0;a${esc}[2Jb`],
	['C1 NEL and SS2', '\u0085\u008E'],
	['bidi override', 'abc\u202Edcba\u2066x\u2069'],
	['lone surrogates', 'a\uD800b\uDC00c'],
	['DEL and NUL', 'a\u007Fb\u0000c'],
	['newline inside a line', 'one\ntwo'],
	['very long escape flood', `${esc}[31m`.repeat(2000) + `${esc}[2J`.repeat(2000)],
];

for (const [name, input] of hostile) {
	test(`sanitizeLine neutralises: ${name}`, () => {
		assertNoActiveSequences(sanitizeLine(input, {keepColour: true}), true);
		assertNoActiveSequences(sanitizeLine(input, {keepColour: false}), false);
		assertNoActiveSequences(sanitizeName(input), false);
	});
}

test('a fuzzed corpus of random bytes never lets anything but SGR through', () => {
	let seed = 42;
	const random = () => {
		seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
		return seed / 2_147_483_648;
	};

	const alphabet = [esc, '[', ']', '\u0007', '\\', 'm', ';', '1', '2', 'J', '?', 'P', '_', '\u009B', '\u009D', '\u009C', '\r', '\b', '\t', 'a', 'é', '界', '\uD83D', '\uDE00', '\u202E', '\u0000'];
	for (let n = 0; n < 2000; n++) {
		let input = '';
		const length = Math.floor(random() * 40);
		for (let i = 0; i < length; i++) input += alphabet[Math.floor(random() * alphabet.length)];
		assertNoActiveSequences(sanitizeLine(input, {keepColour: true}), true);
		assertNoActiveSequences(sanitizeLine(input, {keepColour: false}), false);
	}
});

test('placeholders are visible and name the sequence', () => {
	assert.equal(sanitizeLine(`${esc}[2Jcleared`), '␛[2Jcleared');
	assert.equal(sanitizeLine(`${esc}]0;pwned\u0007after`), '␛]0;pwnedafter');
	assert.equal(sanitizeLine('\u009B2J'), '<9B>2J');
	assert.equal(sanitizeLine('ok\rFAIL'), 'ok␍FAIL');
	assert.equal(sanitizeLine('a\bb'), 'a␈b');
	assert.equal(sanitizeLine(`${esc}c`), '␛c');
});

test('SGR colour is kept when asked and always reset at the end of the line', () => {
	const input = `${esc}[31mred${esc}[0m plain ${esc}[1;38;5;208mbold`;
	const kept = sanitizeLine(input, {keepColour: true});
	assert.equal(kept, `${input}${esc}[0m`);
	assert.equal(sanitizeLine(input, {keepColour: false}), 'red plain bold');
});

test('a trailing CR (CRLF logs) is dropped, not shown', () => {
	assert.equal(sanitizeLine('windows line\r'), 'windows line');
});

test('tabs expand to the next 8-cell stop, counted in cells', () => {
	assert.equal(sanitizeLine('a\tb'), 'a       b');
	assert.equal(sanitizeLine('界\tb'), '界      b');
	assert.equal(sanitizeLine('\t'), ' '.repeat(8));
});

test('invalid UTF-8 becomes U+FFFD', () => {
	assert.equal(decodeUtf8(new Uint8Array([0x6F, 0x6B, 0xFF, 0xC3])), 'ok\uFFFD\uFFFD');
	assert.equal(sanitizeLine('a\uD800b'), 'a\uFFFDb');
});

test('very long lines are cut with a marker saying how much was cut', () => {
	const out = sanitizeLine('x'.repeat(5000), {maxLength: 4096});
	assert.equal(out, `${'x'.repeat(4096)} …+904`);
});

test('names lose colour too', () => {
	assert.equal(sanitizeName(`${esc}[31mpod${esc}[0m`), 'pod');
	assert.equal(sanitizeName('x'.repeat(300)).endsWith('…+47'), true);
});

test('cell widths are right for CJK and emoji', () => {
	assert.equal(cellWidth('日本語'), 6);
	assert.equal(cellWidth('👍'), 2);
	assert.equal(cellWidth(`${esc}[31mab${esc}[0m`), 2);
	assert.equal(cellWidth(fitCells('日本語テキスト', 7)), 7);
	assert.equal(cellWidth(fitCells('ab', 5)), 5);
	assert.equal(truncateCells('abcdef', 4), 'abc…');
	for (const row of wrapCells('日本語テキストです', 5)) assert.ok(cellWidth(row) <= 5, row);
	assert.equal(wrapCells('abcdefghij', 4).join('|'), 'abcd|efgh|ij');
});

test('truncating coloured text resets colour before the marker', () => {
	const cut = truncateCells(`${esc}[31m${'r'.repeat(20)}${esc}[0m`, 6);
	assert.equal(stripSgr(cut), 'rrrrr…');
	assert.ok(cut.includes(`${esc}[0m…`) || cut.includes(`${esc}[39m`), JSON.stringify(cut));
});

test('search highlighting wraps every match, case-insensitively, in inverse video', () => {
	assert.equal(matchesQuery('Main container log entry 3', 'ENTRY'), true);
	assert.equal(matchesQuery('nothing', 'entry'), false);
	assert.equal(highlightMatches('a.b a.b', 'A.B'), `${highlightOn}a.b${highlightOff} ${highlightOn}a.b${highlightOff}`);
	assert.equal(highlightMatches('abc', 'x'), 'abc');
	assert.equal(highlightMatches('a*b', '*'), `a${highlightOn}*${highlightOff}b`);
});

test('SGR conceal (8) is dropped so a line cannot hide text; colour 8 and RGB arguments are not', () => {
	assert.equal(sanitizeLine(`${esc}[8msecret`, {keepColour: true}), 'secret');
	assert.equal(sanitizeLine(`${esc}[1;8;31mx`, {keepColour: true}), `${esc}[1;31mx${esc}[0m`);
	assert.equal(sanitizeLine(`${esc}[38;5;8mgrey`, {keepColour: true}), `${esc}[38;5;8mgrey${esc}[0m`);
	assert.equal(sanitizeLine(`${esc}[48;2;8;8;8mbg`, {keepColour: true}), `${esc}[48;2;8;8;8mbg${esc}[0m`);
	assert.equal(sanitizeLine(`${esc}[28mshown`, {keepColour: true}), `${esc}[28mshown${esc}[0m`);
});

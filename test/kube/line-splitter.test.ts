import assert from 'node:assert/strict';
import {test} from 'node:test';
import {cutMarker, LineSplitter} from '../../source/kube/line-splitter.js';

function split(chunks: Buffer[], max?: number): string[] {
	const lines: string[] = [];
	const splitter = new LineSplitter((line) => lines.push(line), max);
	for (const chunk of chunks) splitter.push(chunk);
	splitter.end();
	return lines;
}

test('every split point of a UTF-8, CRLF, multi-line input gives the same lines', () => {
	const text = 'first ✓\r\nzweite Zeile é\n日本語の行\n\nemoji 🚀 end\r\nno newline at end 🚀';
	const expected = ['first ✓', 'zweite Zeile é', '日本語の行', '', 'emoji 🚀 end', 'no newline at end 🚀'];
	const bytes = Buffer.from(text);
	for (let a = 0; a <= bytes.length; a++) {
		for (let b = a; b <= bytes.length; b += 3) {
			const chunks = [bytes.subarray(0, a), bytes.subarray(a, b), bytes.subarray(b)];
			assert.deepEqual(split(chunks), expected, `split at ${a}/${b}`);
		}
	}
	// One byte at a time.
	assert.deepEqual(split([...bytes].map((byte) => Buffer.from([byte]))), expected);
});

test('a final line without newline is delivered at end, an empty tail is not', () => {
	assert.deepEqual(split([Buffer.from('a\nb')]), ['a', 'b']);
	assert.deepEqual(split([Buffer.from('a\n')]), ['a']);
	assert.deepEqual(split([]), []);
});

test('a line longer than the cap is cut (marked, at a character boundary) and the next line is intact', () => {
	const long = 'é'.repeat(100); // 200 bytes
	const lines = split([Buffer.from(`${long}\nnext\n`)], 51);
	assert.equal(lines.length, 2);
	assert.equal(lines[0], 'é'.repeat(25) + cutMarker);
	assert.equal(lines[1], 'next');
	// The same when the long line arrives in many chunks.
	const bytes = Buffer.from(`${long}${long}\nnext\n`);
	const chunks = [];
	for (let i = 0; i < bytes.length; i += 9) chunks.push(bytes.subarray(i, i + 9));
	assert.deepEqual(split(chunks, 51), ['é'.repeat(25) + cutMarker, 'next']);
});

// The bytes a terminal sends for the keys the tests press, shared by the component tests
// (ink-testing-library) and the end-to-end tests (a real PTY).
export const keys = {
	tab: '\t',
	shiftTab: '\u001B[Z',
	enter: '\r',
	escape: '\u001B',
	up: '\u001B[A',
	down: '\u001B[B',
	right: '\u001B[C',
	left: '\u001B[D',
	pageUp: '\u001B[5~',
	pageDown: '\u001B[6~',
	ctrlC: '\u0003',
};

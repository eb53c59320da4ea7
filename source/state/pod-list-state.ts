// View state of the pod list as a pure reducer. The selection is a pod key (namespace/name), not
// an index, so it stays on the same pod while pods come and go around it; `lastIndex` is where
// it was, so a deleted selection falls to its neighbour instead of jumping to the top.
export type PodListState = {
	selected: string | undefined;
	lastIndex: number;
	filter: string;
	editingFilter: boolean;
};

export type PodListAction =
	/** `keys` are the rows currently shown (after filtering), in display order. */
	| {type: 'move'; delta: number; keys: readonly string[]}
	| {type: 'move-to'; index: number; keys: readonly string[]}
	| {type: 'filter-start'}
	| {type: 'filter-input'; text: string}
	| {type: 'filter-backspace'}
	| {type: 'filter-submit'}
	| {type: 'filter-clear'};

export const initialPodListState: PodListState = {selected: undefined, lastIndex: 0, filter: '', editingFilter: false};

/** The index of the selected row among `keys` (falls back near where it was). */
export function selectedIndex(state: PodListState, keys: readonly string[]): number {
	if (keys.length === 0) return -1;
	const index = state.selected === undefined ? -1 : keys.indexOf(state.selected);
	if (index !== -1) return index;
	return Math.min(Math.max(0, state.lastIndex), keys.length - 1);
}

function selectIndex(state: PodListState, index: number, keys: readonly string[]): PodListState {
	if (keys.length === 0) return state;
	const clamped = Math.min(Math.max(0, index), keys.length - 1);
	return {...state, selected: keys[clamped], lastIndex: clamped};
}

export function podListReducer(state: PodListState, action: PodListAction): PodListState {
	switch (action.type) {
		case 'move': {
			return selectIndex(state, selectedIndex(state, action.keys) + action.delta, action.keys);
		}

		case 'move-to': {
			return selectIndex(state, action.index < 0 ? action.keys.length + action.index : action.index, action.keys);
		}

		case 'filter-start': {
			return {...state, editingFilter: true};
		}

		case 'filter-input': {
			return state.editingFilter ? {...state, filter: state.filter + action.text} : state;
		}

		case 'filter-backspace': {
			return state.editingFilter ? {...state, filter: state.filter.slice(0, -1)} : state;
		}

		case 'filter-submit': {
			return {...state, editingFilter: false};
		}

		case 'filter-clear': {
			return {...state, filter: '', editingFilter: false};
		}
	}
}

/** First row to draw so that the selected one is visible (it is kept near the middle). */
export function windowTop(count: number, selected: number, height: number): number {
	if (count <= height || selected < 0) return 0;
	return Math.min(Math.max(0, selected - Math.floor(height / 2)), count - height);
}

// View state of the pod screen as a pure reducer. Focus is kept by container name so it survives
// containers appearing (ephemeral debug containers) or the pod being recreated.
export type Overlay = 'none' | 'help' | 'events' | 'inspector';

export type SearchState =
	| {mode: 'off'}
	| {mode: 'editing'; query: string; previous: string}
	| {mode: 'active'; query: string; currentSeq: number | undefined};

export type PodViewState = {
	containers: readonly string[];
	focused: string | undefined;
	zoomed: boolean;
	/** Per container: the seq of the bottom row while paused; absent while following. */
	scroll: Readonly<Record<string, number>>;
	search: SearchState;
	timestamps: boolean;
	wrap: boolean;
	/** Container whose column shows the previous instance's log instead of the live one. */
	previousOf: string | undefined;
	overlay: Overlay;
};

export type PodViewAction =
	| {type: 'set-containers'; containers: readonly string[]}
	| {type: 'focus-next'}
	| {type: 'focus-previous'}
	| {type: 'focus-index'; index: number}
	| {type: 'toggle-zoom'}
	| {type: 'scroll-to'; container: string; bottomSeq: number}
	| {type: 'follow'; container: string}
	| {type: 'search-start'}
	| {type: 'search-input'; text: string}
	| {type: 'search-backspace'}
	| {type: 'search-submit'}
	| {type: 'search-cancel'}
	| {type: 'search-jump'; container: string; seq: number}
	| {type: 'toggle-timestamps'}
	| {type: 'toggle-wrap'}
	| {type: 'toggle-previous'}
	| {type: 'show-overlay'; overlay: Overlay}
	| {type: 'close-overlay'};

export function initialPodViewState(options: {focused?: string; timestamps?: boolean; overlay?: Overlay} = {}): PodViewState {
	return {
		containers: [],
		focused: options.focused,
		zoomed: false,
		scroll: {},
		search: {mode: 'off'},
		timestamps: options.timestamps ?? false,
		// Side by side, columns are narrow: a cut line hides the part students came to see.
		wrap: true,
		previousOf: undefined,
		overlay: options.overlay ?? 'none',
	};
}

export function focusIndex(state: PodViewState): number {
	const index = state.focused === undefined ? -1 : state.containers.indexOf(state.focused);
	return index === -1 ? 0 : index;
}

/** The query whose matches are highlighted, if any. */
export function activeQuery(state: PodViewState): string {
	if (state.search.mode === 'off') return '';
	return state.search.query;
}

function moveFocus(state: PodViewState, delta: number): PodViewState {
	const count = state.containers.length;
	if (count === 0) return state;
	const index = (((focusIndex(state) + delta) % count) + count) % count;
	return {...state, focused: state.containers[index]};
}

export function podViewReducer(state: PodViewState, action: PodViewAction): PodViewState {
	switch (action.type) {
		case 'set-containers': {
			const {containers} = action;
			const focused = state.focused !== undefined && containers.includes(state.focused) ? state.focused : containers[0];
			return {...state, containers, focused: focused ?? state.focused};
		}

		case 'focus-next': {
			return moveFocus(state, 1);
		}

		case 'focus-previous': {
			return moveFocus(state, -1);
		}

		case 'focus-index': {
			const container = state.containers[action.index];
			return container === undefined ? state : {...state, focused: container};
		}

		case 'toggle-zoom': {
			return {...state, zoomed: !state.zoomed};
		}

		case 'scroll-to': {
			return {...state, scroll: {...state.scroll, [action.container]: action.bottomSeq}};
		}

		case 'follow': {
			const {[action.container]: _dropped, ...scroll} = state.scroll;
			return {...state, scroll};
		}

		case 'search-start': {
			const previous = state.search.mode === 'off' ? '' : state.search.query;
			return {...state, search: {mode: 'editing', query: '', previous}};
		}

		case 'search-input': {
			if (state.search.mode !== 'editing') return state;
			return {...state, search: {...state.search, query: state.search.query + action.text}};
		}

		case 'search-backspace': {
			if (state.search.mode !== 'editing') return state;
			return {...state, search: {...state.search, query: state.search.query.slice(0, -1)}};
		}

		case 'search-submit': {
			if (state.search.mode !== 'editing') return state;
			const query = state.search.query || state.search.previous;
			return {...state, search: query ? {mode: 'active', query, currentSeq: undefined} : {mode: 'off'}};
		}

		case 'search-cancel': {
			return {...state, search: {mode: 'off'}};
		}

		case 'search-jump': {
			if (state.search.mode !== 'active') return state;
			return {
				...state,
				search: {...state.search, currentSeq: action.seq},
				scroll: {...state.scroll, [action.container]: action.seq},
			};
		}

		case 'toggle-timestamps': {
			return {...state, timestamps: !state.timestamps};
		}

		case 'toggle-wrap': {
			return {...state, wrap: !state.wrap};
		}

		case 'toggle-previous': {
			const focused = state.containers[focusIndex(state)];
			return {...state, previousOf: state.previousOf === undefined || state.previousOf !== focused ? focused : undefined};
		}

		case 'show-overlay': {
			return {...state, overlay: state.overlay === action.overlay ? 'none' : action.overlay};
		}

		case 'close-overlay': {
			return {...state, overlay: 'none'};
		}
	}
}

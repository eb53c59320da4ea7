// A fixed-capacity FIFO: pushing past capacity drops the oldest item. Memory stays flat however
// long a log is followed. Indexes are 0 = oldest retained item.
export class RingBuffer<T> {
	readonly #items: Array<T | undefined>;
	#start = 0;
	#size = 0;
	#dropped = 0;

	constructor(readonly capacity: number) {
		if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
		this.#items = new Array<T | undefined>(capacity);
	}

	get size(): number {
		return this.#size;
	}

	/** How many items have been evicted since creation (or the last clear). */
	get dropped(): number {
		return this.#dropped;
	}

	push(item: T): void {
		if (this.#size < this.capacity) {
			this.#items[(this.#start + this.#size) % this.capacity] = item;
			this.#size++;
			return;
		}

		this.#items[this.#start] = item;
		this.#start = (this.#start + 1) % this.capacity;
		this.#dropped++;
	}

	at(index: number): T | undefined {
		if (index < 0 || index >= this.#size) return undefined;
		return this.#items[(this.#start + index) % this.capacity];
	}

	clear(): void {
		this.#items.fill(undefined);
		this.#start = 0;
		this.#size = 0;
		this.#dropped = 0;
	}

	toArray(): T[] {
		const out: T[] = [];
		for (let i = 0; i < this.#size; i++) out.push(this.at(i)!);
		return out;
	}
}

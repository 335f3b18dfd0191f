/**
 * Things a worker keeps for the page by id (search results, reuse results, opened composites),
 * instead of "the last one": the page names what it means, so the order of its calls does not
 * matter. Bounded: the oldest goes first (with `release`, e.g. to free its models).
 */
import { InputError } from '../src/engine/core/errors.js';

export class HeldById<T> {
  private readonly items = new Map<string, T>();
  private next = 1;

  /** `kind` names what is kept, in the message for an id that is not (or no longer) held. */
  constructor(
    private readonly kind: string,
    private readonly capacity: number,
    private readonly release: (item: T) => void | Promise<void> = () => {},
  ) {}

  add(item: T): string {
    const id = `${this.kind}-${this.next++}`;
    this.items.set(id, item);
    while (this.items.size > this.capacity) {
      const [oldest, value] = this.items.entries().next().value as [string, T];
      this.items.delete(oldest);
      void this.release(value);
    }
    return id;
  }

  get(id: string): T {
    const item = this.items.get(id);
    if (item === undefined) throw new InputError('UNKNOWN_RESULT', `no ${this.kind} "${id}" is kept (only the last ${this.capacity} are): run it again`, { id });
    return item;
  }
}

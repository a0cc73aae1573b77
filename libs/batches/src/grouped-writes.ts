interface Waiting<I, R> {
  id: string;
  input: I;
  wanted?: () => boolean;
  resolve: (result: R | null) => void;
  reject: (error: unknown) => void;
}

interface Lane<I, R> {
  running: boolean;
  waiting: Array<Waiting<I, R>>;
}

/** Writes a group of items in one statement; the result of each item written, by id (absent: not written). */
export type GroupWrite<I, R> = (group: ReadonlyArray<{ id: string; input: I }>) => Promise<Map<string, R>>;

/**
 * Item writes of one lane (a batch), one statement at a time: writes that arrive while one runs go
 * together in the next, so a burst takes the batch's row lock once per statement instead of once per
 * item (bench (a): one at a time, a result waited a median 0.5 s for its turn). A lone write goes at
 * once. An item submitted twice goes in two statements, so each call learns whether it was the one that
 * wrote. A write no longer wanted when its turn comes is dropped. A group that fails is written again item by item, so one bad item fails alone.
 */
export class GroupedWrites<I, R> {
  private readonly lanes = new Map<string, Lane<I, R>>();

  constructor(
    private readonly write: GroupWrite<I, R>,
    private readonly maxGroup = 500,
  ) {}

  /** Null when nothing was written for the item, or when `wanted` said no before its turn came. */
  submit(lane: string, id: string, input: I, wanted?: () => boolean): Promise<R | null> {
    return new Promise<R | null>((resolve, reject) => {
      let queue = this.lanes.get(lane);
      if (!queue) {
        queue = { running: false, waiting: [] };
        this.lanes.set(lane, queue);
      }
      queue.waiting.push({ id, input, wanted, resolve, reject });
      if (!queue.running) void this.drain(lane, queue);
    });
  }

  private async drain(lane: string, queue: Lane<I, R>): Promise<void> {
    queue.running = true;
    while (queue.waiting.length > 0) await this.writeGroup(this.takeGroup(queue));
    queue.running = false;
    this.lanes.delete(lane);
  }

  /** Up to maxGroup waiting writes, each id once; a repeated id stays for the next statement. */
  private takeGroup(queue: Lane<I, R>): Array<Waiting<I, R>> {
    const ids = new Set<string>();
    const group: Array<Waiting<I, R>> = [];
    const rest: Array<Waiting<I, R>> = [];
    for (const waiting of queue.waiting) {
      if (waiting.wanted && !waiting.wanted()) waiting.resolve(null);
      else if (group.length < this.maxGroup && !ids.has(waiting.id)) {
        ids.add(waiting.id);
        group.push(waiting);
      } else rest.push(waiting);
    }
    queue.waiting = rest;
    return group;
  }

  private async writeGroup(group: Array<Waiting<I, R>>): Promise<void> {
    try {
      const written = await this.write(group);
      for (const waiting of group) waiting.resolve(written.get(waiting.id) ?? null);
    } catch (error) {
      if (group.length === 1) group[0]?.reject(error);
      else for (const waiting of group) await this.writeGroup([waiting]);
    }
  }
}

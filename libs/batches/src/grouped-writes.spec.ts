import { GroupedWrites } from './grouped-writes';

/** A write that records each statement's ids and finishes when told to. */
function recordingWrite(fail: (id: string) => boolean = () => false) {
  const statements: string[][] = [];
  const finish: Array<() => void> = [];
  const write = (group: ReadonlyArray<{ id: string; input: number }>) => {
    statements.push(group.map((item) => item.id));
    return new Promise<Map<string, number>>((resolve, reject) => {
      finish.push(() => {
        if (group.some((item) => fail(item.id))) reject(new Error('bad item in the group'));
        else resolve(new Map(group.map((item) => [item.id, item.input * 10])));
      });
    });
  };
  /** Finishes every statement started so far, and those they lead to. */
  const settleAll = async () => {
    for (let turn = 0; turn < 20; turn++) {
      finish.splice(0).forEach((done) => done());
      await new Promise((resolve) => setImmediate(resolve));
    }
  };
  return { statements, write, settleAll };
}

describe('GroupedWrites', () => {
  it('writes a lone item at once, and groups those that arrive while a statement runs', async () => {
    const { statements, write, settleAll } = recordingWrite();
    const writes = new GroupedWrites(write);
    const first = writes.submit('batch-1', 'a', 1);
    expect(statements).toEqual([['a']]);
    const later = ['b', 'c', 'd'].map((id, i) => writes.submit('batch-1', id, i + 2));
    expect(statements).toHaveLength(1); // they wait for the statement in flight
    await settleAll();
    expect(statements).toEqual([['a'], ['b', 'c', 'd']]);
    expect(await first).toBe(10);
    expect(await Promise.all(later)).toEqual([20, 30, 40]);
  });

  it('keeps lanes apart: another batch does not wait for this one', () => {
    const { statements, write } = recordingWrite();
    const writes = new GroupedWrites(write);
    void writes.submit('batch-1', 'a', 1);
    void writes.submit('batch-2', 'b', 1);
    expect(statements).toEqual([['a'], ['b']]);
  });

  it('puts an item submitted twice in two statements, and caps a statement at maxGroup', async () => {
    const { statements, write, settleAll } = recordingWrite();
    const writes = new GroupedWrites(write, 2);
    void writes.submit('lane', 'first', 0);
    const submitted = ['x', 'x', 'y', 'z'].map((id) => writes.submit('lane', id, 1));
    await settleAll();
    expect(statements).toEqual([['first'], ['x', 'y'], ['x', 'z']]);
    await Promise.all(submitted);
  });

  it('drops a write no longer wanted when its turn comes, with null and without writing it', async () => {
    const { statements, write, settleAll } = recordingWrite();
    const writes = new GroupedWrites(write);
    void writes.submit('lane', 'first', 0);
    let wanted = true;
    const dropped = writes.submit('lane', 'late', 1, () => wanted);
    const kept = writes.submit('lane', 'kept', 2, () => true);
    wanted = false;
    await settleAll();
    expect(await dropped).toBeNull();
    expect(await kept).toBe(20);
    expect(statements.flat()).not.toContain('late');
  });

  it('answers null for an item the statement did not write', async () => {
    const writes = new GroupedWrites<number, number>(() => Promise.resolve(new Map<string, number>()));
    expect(await writes.submit('lane', 'a', 1)).toBeNull();
  });

  it('writes a failed group again item by item, so only the bad item fails', async () => {
    const { statements, write, settleAll } = recordingWrite((id) => id === 'bad');
    const writes = new GroupedWrites(write);
    void writes.submit('lane', 'first', 0);
    const results = ['ok1', 'bad', 'ok2'].map((id) =>
      writes.submit('lane', id, 1).then(
        (value) => ({ value }),
        (error: Error) => ({ error: error.message }),
      ),
    );
    await settleAll();
    expect(await Promise.all(results)).toEqual([
      { value: 10 },
      { error: 'bad item in the group' },
      { value: 10 },
    ]);
    expect(statements).toEqual([['first'], ['ok1', 'bad', 'ok2'], ['ok1'], ['bad'], ['ok2']]);
  });
});

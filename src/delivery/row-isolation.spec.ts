import { isRowError, writeIsolated } from './row-isolation.js';

const refusal = (code: string) => Object.assign(new Error(`refused ${code}`), { code });

describe('writeIsolated', () => {
  it('writes everything in one statement when the database accepts it', async () => {
    const calls: number[][] = [];
    const refused = await writeIsolated([1, 2, 3], String, async (rows) => void calls.push(rows));
    expect(calls).toEqual([[1, 2, 3]]);
    expect(refused.size).toBe(0);
  });

  it('on a row refusal writes each group alone and reports only the refused group', async () => {
    const written: number[] = [];
    const refused = await writeIsolated([1, 2, 2, 3], String, async (rows) => {
      if (rows.includes(2)) throw refusal('22008');
      written.push(...rows);
    });
    expect(written).toEqual([1, 3]);
    expect([...refused.keys()]).toEqual(['2']);
  });

  it('rethrows what is not a row refusal (a lost connection is the batch’s, retried whole)', async () => {
    await expect(writeIsolated([1], String, () => Promise.reject(refusal('08006')))).rejects.toThrow('08006');
    await expect(writeIsolated([1], String, () => Promise.reject(new Error('ECONNRESET')))).rejects.toThrow();
  });

  it('knows the row classes', () => {
    expect(['22008', '22021', '23505', '54000'].map((code) => isRowError(refusal(code)))).toEqual([
      true,
      true,
      true,
      true,
    ]);
    expect(['08006', '57014', '40001'].map((code) => isRowError(refusal(code)))).toEqual([false, false, false]);
  });
});

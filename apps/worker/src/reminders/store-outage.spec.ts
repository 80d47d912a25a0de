import { StoreUnavailableError } from '@zhenggai/application';
import { DelayedError, Job } from 'bullmq';
import { outlastingStoreOutages } from './store-outage';

describe('a job whose store is out of reach', () => {
  const jobWithMoves = () => {
    const moves: Array<{ at: number; token: string }> = [];
    const job = {
      moveToDelayed: async (at: number, token: string) => {
        moves.push({ at, token });
      },
    } as unknown as Job;
    return { job, moves };
  };
  // What `pg` throws when PostgreSQL ends the connection (a restart): SQLSTATE 57P01.
  const terminated = Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' });

  it('is put back for a moment without spending an attempt when PostgreSQL is out of reach', async () => {
    const { job, moves } = jobWithMoves();
    const before = Date.now();
    await expect(
      outlastingStoreOutages(job, 'lock-token', () => Promise.reject(terminated), 1_000),
    ).rejects.toBeInstanceOf(DelayedError);
    expect(moves).toHaveLength(1);
    expect(moves[0]!.token).toBe('lock-token');
    expect(moves[0]!.at).toBeGreaterThanOrEqual(before + 1_000);
  });

  it('is put back when the event store says it is unavailable', async () => {
    const { job, moves } = jobWithMoves();
    const gone = new StoreUnavailableError('EventStoreDB', new Error('14 UNAVAILABLE'));
    await expect(outlastingStoreOutages(job, 't', () => Promise.reject(gone))).rejects.toBeInstanceOf(DelayedError);
    expect(moves).toHaveLength(1);
  });

  it("fails as before, spending an attempt, for the job's own failure (a robot answering 500)", async () => {
    const { job, moves } = jobWithMoves();
    const robot = new Error('webhook json http://robot answered HTTP 500');
    await expect(outlastingStoreOutages(job, 't', () => Promise.reject(robot))).rejects.toBe(robot);
    expect(moves).toEqual([]);
  });

  it('fails as before when no worker holds the job (no lock token to move it with)', async () => {
    const { job, moves } = jobWithMoves();
    await expect(outlastingStoreOutages(job, undefined, () => Promise.reject(terminated))).rejects.toBe(terminated);
    expect(moves).toEqual([]);
  });

  it("answers the work's result when the store answers", async () => {
    const { job } = jobWithMoves();
    await expect(outlastingStoreOutages(job, 't', async () => 'delivered')).resolves.toBe('delivered');
  });
});

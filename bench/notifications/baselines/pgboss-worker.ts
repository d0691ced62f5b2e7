import PgBoss from 'pg-boss';
import { Client } from 'pg';
import { simTargetFromEnv, postToSimulator } from '../../lib/sim-client';
import { PGBOSS_NOTIFY_CHANNEL } from './pgboss-channel';

/**
 * The pg-boss baseline's consumer process: WORKERS loops (teamSize), each fetching BATCH
 * jobs at a time (batchSize), posting a batch's messages concurrently and completing them in
 * one statement. A loop keeps fetching while there is work; on an empty queue it waits for
 * the producers' NOTIFY on PGBOSS_NOTIFY_CHANNEL (or 500 ms, pg-boss's shortest polling
 * interval). pg-boss's own work() sleeps a polling interval after every fetch unless woken,
 * which would measure the interval rather than the queue once a backlog has built up.
 */
async function main(): Promise<void> {
  const target = simTargetFromEnv();
  const queue = process.env.QUEUE!;
  const workers = Number(process.env.WORKERS ?? 4);
  const batchSize = Number(process.env.BATCH ?? 1);
  const boss = new PgBoss({ connectionString: process.env.DATABASE_URL! });
  boss.on('error', (err) => console.error(err));
  await boss.start();
  await boss.createQueue(queue);

  let stopping = false;
  let wake: Array<() => void> = [];
  const listener = new Client({ connectionString: process.env.DATABASE_URL! });
  await listener.connect();
  listener.on('notification', () => {
    const waiting = wake;
    wake = [];
    for (const w of waiting) w();
  });
  await listener.query(`LISTEN ${PGBOSS_NOTIFY_CHANNEL}`);

  const loop = async () => {
    while (!stopping) {
      const jobs = await boss.fetch<{ to: string; body: string }>(queue, { batchSize });
      if (jobs.length === 0) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, 500);
          wake.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
        continue;
      }
      const results = await Promise.allSettled(jobs.map((job) => postToSimulator(target, job.data.to, job.data.body)));
      const done = jobs.filter((_, i) => results[i]!.status === 'fulfilled').map((j) => j.id);
      const failed = jobs.filter((_, i) => results[i]!.status === 'rejected').map((j) => j.id);
      if (done.length) await boss.complete(queue, done);
      if (failed.length) await boss.fail(queue, failed);
    }
  };
  const loops = Array.from({ length: workers }, loop);
  console.log('ready');

  const stop = () => {
    stopping = true;
    for (const w of wake) w();
    void Promise.allSettled(loops)
      .then(() => Promise.allSettled([boss.stop({ graceful: false }), listener.end()]))
      .then(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

/** The channel pg-boss producers NOTIFY after queueing work, and its consumer LISTENs on. */
export const PGBOSS_NOTIFY_CHANNEL = 'bench_jobs';

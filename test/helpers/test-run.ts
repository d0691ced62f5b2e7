import type { ChildProcess } from 'node:child_process';

export const TEST_NAMESPACE = 'default';

/** What global setup leaves for global teardown. */
export interface TestRun {
  /** The dev server global setup started; none when RELAY_TEST_TEMPORAL_ADDRESS names a server. */
  server?: ChildProcess;
  databaseName: string;
}

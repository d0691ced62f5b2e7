import type { ChildProcess } from 'node:child_process';

export const TEST_NAMESPACE = 'default';

/** What global setup leaves for global teardown. */
export interface TestRun {
  server: ChildProcess;
  databaseName: string;
}

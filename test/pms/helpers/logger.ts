/** A PMS test's logger: silent unless PMS_TEST_LOG_LEVEL asks for more. */
import { createLogger } from '../../../src/logger';

export const testLogger = (name: string) => createLogger({ level: process.env.PMS_TEST_LOG_LEVEL ?? 'silent', name });

import { bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { WorkerOptions } from '@temporalio/worker';

/**
 * The one recipe for Relay's workflow bundle, used by the worker, the tests, the replay
 * tests and `npm run build` alike, so what is tested is what runs: same workflows, same
 * interceptors, same failure converter (failure messages stay encrypted).
 */
export const WORKFLOWS_PATH = require.resolve('../workflows');
export const FAILURE_CONVERTER_PATH = require.resolve('./failure-converter');
/** Workflow interceptors (run inside the sandbox). */
export const WORKFLOW_INTERCEPTOR_MODULES: string[] = [require.resolve('../workflows/interceptors/strict-payloads')];

type BundlerLogger = NonNullable<Parameters<typeof bundleWorkflowCode>[0]['logger']>;

/** `workflowsPath` is for tests that need workflows of their own under production's recipe. */
export async function buildWorkflowBundle(logger?: BundlerLogger, workflowsPath = WORKFLOWS_PATH): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({
    workflowsPath,
    workflowInterceptorModules: WORKFLOW_INTERCEPTOR_MODULES,
    failureConverterPath: FAILURE_CONVERTER_PATH,
    logger: logger ?? silentBundlerLogger,
  });
}

/**
 * A pre-built bundle (`npm run build` writes it; production images set WORKFLOW_BUNDLE_PATH)
 * or one built now, once per process, shared by every task queue's worker.
 */
export async function loadWorkflowBundle(prebuiltPath?: string): Promise<NonNullable<WorkerOptions['workflowBundle']>> {
  if (prebuiltPath) return { codePath: prebuiltPath };
  const { code } = await buildWorkflowBundle();
  return { code };
}

const noop = () => undefined;
const silentBundlerLogger: BundlerLogger = { log: noop, trace: noop, debug: noop, info: noop, warn: noop, error: noop };

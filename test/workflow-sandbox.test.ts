import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { Client } from '@temporalio/client';
import { buildWorkflowBundle } from '../src/temporal/workflow-bundle';
import { useRelay, uniqueId } from './helpers/relay';

const root = path.join(__dirname, '..');

/** Lints a would-be workflow module (not on disk) with the project's ESLint config. */
function lintAsWorkflow(code: string, file = 'src/workflows/probe.ts'): string[] {
  const out = spawnSync(
    path.join(root, 'node_modules', '.bin', 'eslint'),
    ['--stdin', '--stdin-filename', file, '--parser-options', 'projectService:false', '--rule', '@typescript-eslint/no-floating-promises: off', '-f', 'json'],
    { cwd: root, input: code, encoding: 'utf8' },
  );
  const [result] = JSON.parse(out.stdout) as { messages: { ruleId: string | null; message: string }[] }[];
  return result!.messages.filter((m) => m.ruleId === 'relay/sandbox-imports').map((m) => m.message);
}

describe('workflow sandbox', () => {
  const relay = useRelay();

  it('lets workflow code import only workflow-safe modules (an allow-list)', () => {
    const allowed = [
      "import { proxyActivities } from '@temporalio/workflow';",
      "import { ApplicationFailure } from '@temporalio/common';",
      "import { RelayStatus } from '../domain/search-attributes';",
      "import { setBusinessStatus } from './shared/business-status';",
      "import type { createCoreActivities } from '../activities';",
      'export const used = [proxyActivities, ApplicationFailure, RelayStatus, setBusinessStatus];',
    ].join('\n');
    expect(lintAsWorkflow(allowed)).toEqual([]);

    for (const spec of ['@temporalio/client', '@temporalio/proto', 'node:fs', 'crypto', 'undici', '../activities', '../temporal/search-attributes', '../logger']) {
      const errors = lintAsWorkflow(`import * as m from '${spec}';\nexport const used = m;\n`);
      expect(errors).toEqual([expect.stringContaining(`"${spec}" is not workflow-safe`)]);
    }
    expect(lintAsWorkflow("export const m = require('pg');\n")).toHaveLength(1);
  });

  it('keeps src/domain free of anything but Temporal common types', () => {
    const errors = lintAsWorkflow("import { temporal } from '@temporalio/proto';\nexport const t = temporal;\n", 'src/domain/probe.ts');
    expect(errors).toEqual([expect.stringContaining('"@temporalio/proto" is not workflow-safe')]);
  });

  it('bundles no protobuf definitions and no Node I/O', async () => {
    const { code } = await buildWorkflowBundle();
    const megabytes = Buffer.byteLength(code) / 1024 / 1024;
    console.log(`workflow bundle: ${megabytes.toFixed(2)} MB`);
    expect(code).not.toMatch(/node_modules\/@temporalio\/proto\//);
    expect(code).not.toMatch(/node_modules\/(pg|@prisma|express|pino|undici)\//);
    expect(code).not.toMatch(/require\(["'](node:)?(fs|net|http|https|child_process)["']\)/);
    expect(megabytes).toBeLessThan(3);
  });

  it('encrypts failure messages raised inside workflows (the bundle carries the failure converter)', async () => {
    const workflowId = uniqueId('echo-secret-failure');
    const handle = await relay().env.client.workflow.start('echoWorkflow', {
      taskQueue: relay().taskQueue,
      workflowId,
      args: [{ message: '', requestedBy: 'test', correlationId: 'c' }],
    });
    await expect(handle.result()).rejects.toThrow();
    // A client without Relay's data converter sees what the Temporal server stores.
    const raw = new Client({ connection: relay().env.connection, namespace: relay().config.temporal.namespace });
    const history = await raw.workflow.getHandle(workflowId).fetchHistory();
    const failed = history.events?.find((e) => e.workflowExecutionFailedEventAttributes)?.workflowExecutionFailedEventAttributes;
    expect(failed?.failure?.message).toBe('Encoded failure');
    expect(failed?.failure?.encodedAttributes?.metadata?.encoding).toBeDefined();
    expect(JSON.stringify(history)).not.toContain('echo needs a non-empty message');
  });
});

import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildWorkflowBundle } from '../src/temporal/workflow-bundle';

/**
 * `npm run build` step: the workflow bundle, built ahead of time with the same recipe the
 * worker uses at start, so a production worker starts without webpack
 * (WORKFLOW_BUNDLE_PATH=dist/workflow-bundle.js).
 */
async function main(): Promise<void> {
  const out = path.resolve(process.argv[2] ?? path.join(__dirname, '..', 'dist', 'workflow-bundle.js'));
  const { code } = await buildWorkflowBundle();
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, code);
  console.log(`wrote ${path.relative(process.cwd(), out)} (${(Buffer.byteLength(code) / 1024 / 1024).toFixed(2)} MB)`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

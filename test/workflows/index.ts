// Workflows that exist only for tests, bundled with production's recipe through
// `buildWorkflowBundle(undefined, require.resolve('./workflows'))`.
export { collectWorkflow } from './collect';
export { callActivityWorkflow } from './call-activity';
export { awaitActivityWorkflow } from './await-activity';

// The workflow bundle's entry: every module's workflows, one line per module. Workflow code
// runs in Temporal's deterministic sandbox: no I/O, clocks or randomness here, only
// orchestration of activities.
export { echoWorkflow } from './echo';
export * from './notifications';
export * from './company-sync';
export * from './pms';

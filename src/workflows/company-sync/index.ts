export { exactDivisionWorkflow } from './division';
export { exactImportWorkflow, exactIncrementalWorkflow, exactReconcileWorkflow } from './inbound-run';
export { exactScheduleTickWorkflow } from './schedule-tick';
export { syncConflictWorkflow } from './conflict';
export { companySyncOutboundWorkflow } from './outbound';

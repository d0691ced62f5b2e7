export { pmsArrivalsWorkflow, pmsRefreshWorkflow } from './arrivals';
export { pmsFetchWorkflow } from './fetch';
export { pmsWriteWorkflow } from './writes';
export { pmsScheduleReconcileWorkflow } from './reconcile';

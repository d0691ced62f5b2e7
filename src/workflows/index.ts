// Every workflow the worker hosts. Workflow code runs in Temporal's deterministic
// sandbox: no I/O, clocks or randomness here, only orchestration of activities.
export { echoWorkflow } from './echo';
export { notificationWorkflow } from './notifications/notification';
export { dossierStatusWorkflow } from './notifications/dossier-status';
export { purgeNotificationsWorkflow } from './notifications/purge';
export { appointmentWorkflow } from './notifications/appointment';

// The notifications module's workflows (re-exported by the bundle's entry, src/workflows/index.ts).
export { notificationWorkflow } from './notification';
export { dossierStatusWorkflow } from './dossier-status';
export { purgeNotificationsWorkflow } from './purge';
export { appointmentWorkflow } from './appointment';

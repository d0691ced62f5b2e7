/** Twilio Messages API simulator for tests, benchmarks and demo mode. Imports nothing from Relay's adapter. */
export { startTwilioSimulator, type TwilioSimulator, type TwilioSimulatorOptions } from './server';
export { defaultFaults, type ApiOperation, type FaultKind, type TwilioFaults } from './faults';
export { defaultCallbackBehaviour, type CallbackBehaviour } from './lifecycle';
export type { SenderRateReport } from './engine';
export type { SimMessage, MessageStatus, Channel } from './model';
export type { WebhookAttempt } from './webhook-client';
export { windowStats, type WindowStats } from './sender-queue';
export * from './demo-data';

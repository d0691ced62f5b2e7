/** Exact Online simulator for tests, benchmarks and demo mode. Imports nothing from Relay's Exact client. */
export { createExactSimulator, DEFAULT_DIVISIONS, type ExactSimulator, type ExactSimulatorOptions, type TokenAnswerBody } from './server';
export { ExactEngine, DEFAULT_TIMESTAMP_START, type DivisionSpec, type DivisionStats, type ExactEngineOptions, type ExactSnapshot } from './engine';
export { keepState, loadState, saveState } from './state-file';
export { defaultLimits, type ExactLimits } from './limits';
export { defaultLifetimes, type SimUser, type TokenLifetimes, type TokenStats } from './oauth';
export type { ExactFaults, FaultRule, FaultScope } from './faults';
export type { CallFilter, CallRecord } from './calls';
export type { DivisionView, WireAccount, WireDeleted } from './views';
export { padCode, REGULAR_PAGE_SIZE, SYNC_PAGE_SIZE } from './wire';
export * from './demo-data';

/**
 * Public, simulator-only demo values: the app's client ID and secret that demo mode configures Relay with, the
 * simulated user and the divisions (administrations) they have. None of this is a secret or a real Exact value.
 */
import type { DivisionSpec } from './engine';

/** The port `main.ts` listens on unless told otherwise (EXACT_SIMULATOR_PORT or --port). */
export const EXACT_SIMULATOR_DEFAULT_PORT = 4030;

/** Exact app client IDs are GUIDs. */
export const EXACT_DEMO_CLIENT_ID = 'de30e4ac-0000-4000-8000-000000000001';
export const EXACT_DEMO_CLIENT_SECRET = 'exact-simulator-demo-secret';

export const EXACT_DEMO_USER = {
  id: 'de30e4ac-0000-4000-8000-0000000000a1',
  userName: 'demo@relay.example',
  fullName: 'Demo Gebruiker',
  firstName: 'Demo',
  lastName: 'Gebruiker',
  email: 'demo@relay.example',
  languageCode: 'nl-NL',
} as const;

export const EXACT_DEMO_DIVISIONS: readonly DivisionSpec[] = [
  { code: 123456, description: 'Voorbeeld Afvalbeheer B.V.' },
  { code: 234567, description: 'Voorbeeld Recycling Noord B.V.' },
];

/** Accounts seeded into each demo division. */
export const EXACT_DEMO_ACCOUNTS_PER_DIVISION = 250;

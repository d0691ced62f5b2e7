import type { Router } from 'express';
import type { z } from 'zod';
import type { PmsAdapter, PmsAdapterContext, RateScope } from './adapter';
import type { CapabilityTable } from './operations';

/**
 * One PMS vendor as the PMS module sees it: its adapter, its configuration, its limit and
 * its simulator. Adding a vendor is a new folder exporting one of these and one line in
 * `registry.ts`; the core never names a vendor.
 */
export interface PmsVendorDefinition<VendorSettings = unknown, Credentials = unknown> {
  /** Stable key: URLs, database rows, logs (`mews`, `opera-cloud`, ...). */
  key: string;
  displayName: string;
  /** The vendor API version this adapter speaks, pinned (shown by `GET /v1/pms/vendors`). */
  apiVersion: string;
  capabilities: CapabilityTable;
  /**
   * Vendor-wide settings from Relay's environment (`PMS_<VENDOR>_*`): `load` returns null when
   * the vendor's credentials are absent (then it is disabled in production, simulated in
   * development), `demo` points at the local simulator with its public demo values.
   */
  settings: {
    variables: readonly string[];
    load(env: NodeJS.ProcessEnv): VendorSettings | null;
    demo(simulatorUrl: string): VendorSettings;
  };
  /** What a property of this vendor stores sealed (access tokens, passwords): validated on `POST /v1/properties`. */
  credentials: z.ZodType<Credentials>;
  /** Where the vendor counts its rate limit for this property (per access token, per hotel, per client...). */
  rateScope(settings: VendorSettings, property: { vendorPropertyId: string; credentials: Credentials }): RateScope;
  createAdapter(ctx: PmsAdapterContext<VendorSettings, Credentials>): PmsAdapter;
  /** Vendors that push changes: mounted at `/v1/webhooks/<key>`; pushes are hints, the poll reconciles. */
  webhook?: PmsWebhookDefinition<VendorSettings>;
  simulator: PmsSimulatorDefinition;
}

/** What a push names: the core refreshes these reservations (and their guests) in a workflow. */
export interface PmsPushHint {
  vendorPropertyId: string;
  reservationVendorIds: string[];
  guestVendorIds: string[];
}

export interface PmsWebhookDefinition<VendorSettings> {
  /** True when the request carries the vendor's proof (secret token, signature). Checked before the body is used. */
  authenticate(request: { query: Record<string, unknown>; headers: Record<string, string | string[] | undefined>; rawBody: Buffer }, settings: VendorSettings): boolean;
  /** The hints in an authenticated body; throws on a body that is not the vendor's format. */
  parse(body: unknown): PmsPushHint[];
}

/** The vendor's local simulator: demo mode starts `entry`, tests and benchmarks start it in process. */
export interface PmsSimulatorDefinition {
  /** Entry point relative to the repository root, run with tsx; takes `--port N` (and `--state-file F` where supported). */
  entry: string;
  defaultPort: number;
  /** Environment variable that moves its demo port. */
  portVariable: string;
  /** Starts it in this process (tests, benchmarks); it speaks the control protocol in `simulator-control.ts`. */
  start(options: { port?: number; logRequests?: boolean }): Promise<{ url: string; close(): Promise<void> }>;
}

/** A definition whose type parameters are hidden, as the registry holds them. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the registry is heterogeneous by design
export type AnyPmsVendor = PmsVendorDefinition<any, any>;

export type { Router };

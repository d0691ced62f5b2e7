/**
 * The simulator's own reading of Mews' Connector API wire format, written from Mews' public
 * documentation (guidelines/*.md, operations/*.md) and never from Relay's adapter, so that a
 * misunderstanding cannot hide on both sides.
 */

/** Every operation is `POST /api/connector/v1/{resource}/{action}[/{version}]`, matched exactly (case, no trailing slash). */
export const API_PREFIX = '/api/connector/v1/';

/** Mews' public demo ClientToken (guidelines/environments.md). */
export const DEMO_CLIENT_TOKEN = 'E0D439EE522F44368DC78E1BFB03710C-D24FB11DBE31D4621C4817E028D9E1D';

/** Mews' limit since November 2025: 200 requests per AccessToken within 30 seconds. */
export const DEFAULT_LIMIT = { requests: 200, windowMs: 30_000 };

/** `Limitation.Count` bounds. */
export const MAX_COUNT = 1000;

/** An error answer: status and `Message` (guidelines/responses.md); `RequestId` is added when it is sent. */
export class MewsError extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 405 | 408 | 409 | 429 | 500 | 503,
    message: string,
  ) {
    super(message);
  }
}

export const badRequest = (message: string) => new MewsError(400, message);
export const forbidden = (message: string) => new MewsError(403, message);

/** Mews' datetime format: `YYYY-MM-DDThh:mm:ssZ`. */
export function utc(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

// --- records as Mews returns them ----------------------------------------------------------------

export interface WireReservation {
  Id: string;
  EnterpriseId: string;
  ServiceId: string;
  AccountId: string;
  AccountType: 'Customer' | 'Company';
  CreatorProfileId: string;
  UpdaterProfileId: string;
  BookerId: string | null;
  Number: string;
  State: 'Inquired' | 'Confirmed' | 'Started' | 'Processed' | 'Canceled' | 'Optional' | 'Requested';
  Origin: string;
  CommanderOrigin: string | null;
  OriginDetails: string | null;
  CreatedUtc: string;
  UpdatedUtc: string;
  CancelledUtc: string | null;
  VoucherId: string | null;
  BusinessSegmentId: string | null;
  Options: { OwnerCheckedIn: boolean; AllCompanionsCheckedIn: boolean; AnyCompanionCheckedIn: boolean; ConnectorCheckIn: boolean };
  RateId: string;
  CreditCardId: string | null;
  GroupId: string;
  RequestedResourceCategoryId: string;
  AssignedResourceId: string | null;
  AvailabilityBlockId: string | null;
  PartnerCompanyId: string | null;
  TravelAgencyId: string | null;
  AssignedResourceLocked: boolean;
  ChannelNumber: string | null;
  ChannelManagerNumber: string | null;
  CancellationReason: string | null;
  ReleasedUtc: string | null;
  ScheduledStartUtc: string;
  ActualStartUtc: string | null;
  ScheduledEndUtc: string;
  ActualEndUtc: string | null;
  Purpose: string | null;
  QrCodeData: string | null;
  PersonCounts: Array<{ AgeCategoryId: string; Count: number }>;
  /** Deprecated, still sent. */
  StartUtc: string;
  EndUtc: string;
}

export interface WireCustomer {
  Id: string;
  ChainId: string;
  Number: string;
  Title: string | null;
  Sex: string | null;
  FirstName: string | null;
  LastName: string;
  SecondLastName: string | null;
  NationalityCode: string | null;
  PreferredLanguageCode: string | null;
  LanguageCode: string | null;
  BirthDate: string | null;
  BirthPlace: string | null;
  Occupation: string | null;
  Email: string | null;
  HasOtaEmail: boolean;
  Phone: string | null;
  TaxIdentificationNumber: string | null;
  LoyaltyCode: string | null;
  AccountingCode: string | null;
  BillingCode: string | null;
  Notes: string | null;
  CarRegistrationNumber: string | null;
  DietaryRequirements: string | null;
  CreatedUtc: string;
  UpdatedUtc: string;
  AddressId: string | null;
  Classifications: string[];
  Options: string[];
  ItalianDestinationCode: string | null;
  ItalianFiscalCode: string | null;
  CompanyId: string | null;
  MergeTargetId: string | null;
  IsActive: boolean;
  PreferredSpaceFeatures: string[];
  CreatorProfileId: string;
  UpdaterProfileId: string;
}

export interface WireResource {
  Id: string;
  EnterpriseId: string;
  IsActive: boolean;
  ParentResourceId: string | null;
  Name: string;
  State: 'Dirty' | 'Clean' | 'Inspected' | 'OutOfService' | 'OutOfOrder';
  Descriptions: Record<string, string>;
  CreatedUtc: string;
  UpdatedUtc: string;
  Data: { Discriminator: 'Space'; Value: { FloorNumber: string; LocationNotes: string | null } };
}

export interface WireService {
  Id: string;
  EnterpriseId: string;
  IsActive: boolean;
  Names: Record<string, string>;
  Options: { BillAsPackage: boolean };
  Ordering: number;
  Data: { Discriminator: 'Bookable' | 'Additional'; Value: Record<string, unknown> };
  ExternalIdentifier: string | null;
  CreatedUtc: string;
  UpdatedUtc: string;
}

export interface WireAgeCategory {
  Id: string;
  ServiceId: string;
  MinimalAge: number | null;
  MaximalAge: number | null;
  Names: Record<string, string>;
  ShortNames: Record<string, string>;
  CreatedUtc: string;
  UpdatedUtc: string;
  Classification: 'Adult' | 'Child';
  IsActive: boolean;
  ExternalIdentifier: string | null;
}

export interface WireProductServiceOrder {
  Id: string;
  ServiceId: string;
  AccountId: string;
  AccountType: 'Customer' | 'Company';
  CreatorProfileId: string;
  UpdaterProfileId: string;
  BookerId: string | null;
  Number: string;
  State: 'Confirmed';
  Origin: 'Connector';
  CommanderOrigin: null;
  OriginDetails: string | null;
  CreatedUtc: string;
  UpdatedUtc: string;
  CancelledUtc: string | null;
  VoucherId: null;
  BusinessSegmentId: string | null;
  LinkedReservationId: string | null;
  Options: { OwnerCheckedIn: boolean; AllCompanionsCheckedIn: boolean; AnyCompanionCheckedIn: boolean; ConnectorCheckIn: boolean };
}

export interface WireAmount {
  Currency: string;
  NetValue: number;
  GrossValue: number;
  TaxValues: Array<{ Code: string; Value: number }>;
  Breakdown: { Items: Array<{ TaxRateCode: string | null; NetValue: number; TaxValue: number }> };
}

export interface WireOrderItem {
  Id: string;
  EnterpriseId: string;
  AccountId: string;
  AccountType: 'Customer' | 'Company';
  ServiceId: string;
  ServiceOrderId: string;
  Notes: string | null;
  BillId: string | null;
  AccountingCategoryId: string | null;
  BillingName: string | null;
  ExternalIdentifier: string | null;
  UnitCount: number;
  UnitAmount: WireAmount;
  Amount: WireAmount;
  OriginalAmount: WireAmount;
  RevenueType: 'Additional';
  CreatorProfileId: string;
  UpdaterProfileId: string;
  CreatedUtc: string;
  UpdatedUtc: string;
  ConsumedUtc: string;
  CanceledUtc: string | null;
  ClosedUtc: string | null;
  StartUtc: string | null;
  ClaimedUtc: string | null;
  AccountingState: 'Open';
  Type: 'CustomItem';
  Options: { CanceledWithReservation: boolean };
  Data: null;
}

export interface WireServiceOrderNote {
  Id: string;
  OrderId: string;
  Text: string;
  Type: 'General' | 'ChannelManager' | 'SpecialRequest';
  CreatedUtc: string;
  UpdatedUtc: string;
}

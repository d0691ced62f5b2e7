/**
 * Twilio's JSON wire format (2010-04-01 Messages resource, snake_case, RFC 2822 dates) mapped to Relay's camelCase
 * view. Parsing is lenient about what Twilio may add (new statuses, new fields): a message Twilio accepted must
 * never be lost because its answer carried something new.
 */
import { z } from 'zod';

/** Statuses Twilio documents for a message; callbacks and the API may one day bring others. */
export const TWILIO_MESSAGE_STATUSES = [
  'queued',
  'sending',
  'sent',
  'failed',
  'delivered',
  'undelivered',
  'receiving',
  'received',
  'accepted',
  'scheduled',
  'read',
  'partially_delivered',
  'canceled',
] as const;

export type TwilioMessageStatus = (typeof TWILIO_MESSAGE_STATUSES)[number];

export interface TwilioMessage {
  sid: string;
  /** One of TWILIO_MESSAGE_STATUSES, or a status added by Twilio since. */
  status: TwilioMessageStatus | (string & {});
  to: string;
  from: string | null;
  body: string;
  dateCreated: Date;
  /** Null while the message waits in its sender's queue. */
  dateSent: Date | null;
  dateUpdated: Date | null;
  direction: string;
  messagingServiceSid: string | null;
  numSegments: number | null;
  /** Twilio's error code (e.g. 30003, 63016) once a message failed; null otherwise. */
  errorCode: number | null;
  errorMessage: string | null;
}

/** RFC 2822 (`Fri, 24 May 2019 17:44:46 +0000`), Twilio's form for every `date_*` field. */
const rfc2822 = z.string().transform((value, ctx) => {
  const t = Date.parse(value);
  if (Number.isNaN(t)) {
    ctx.addIssue({ code: 'custom', message: 'is not a date' });
    return z.NEVER;
  }
  return new Date(t);
});

const optionalDate = rfc2822.nullable().optional().transform((d) => d ?? null);

const count = z
  .union([z.string(), z.number()])
  .nullable()
  .optional()
  .transform((v) => {
    const n = v === null || v === undefined || v === '' ? NaN : Number(v);
    return Number.isFinite(n) ? n : null;
  });

export const messageResourceSchema = z.looseObject({
  sid: z.string().min(1),
  status: z.string().min(1),
  to: z.string(),
  from: z.string().nullable().optional(),
  body: z.string().nullable().optional(),
  date_created: rfc2822,
  date_sent: optionalDate,
  date_updated: optionalDate,
  direction: z.string().nullable().optional(),
  messaging_service_sid: z.string().nullable().optional(),
  num_segments: count,
  error_code: count,
  error_message: z.string().nullable().optional(),
});

export const messagePageSchema = z.looseObject({
  messages: z.array(z.unknown()),
  next_page_uri: z.string().nullable().optional(),
});

export type MessageResourceJson = z.input<typeof messageResourceSchema>;

export function toTwilioMessage(json: unknown): TwilioMessage {
  const m = messageResourceSchema.parse(json);
  return {
    sid: m.sid,
    status: m.status,
    to: m.to,
    from: m.from ?? null,
    body: m.body ?? '',
    dateCreated: m.date_created,
    dateSent: m.date_sent,
    dateUpdated: m.date_updated,
    direction: m.direction ?? 'outbound-api',
    messagingServiceSid: m.messaging_service_sid ?? null,
    numSegments: m.num_segments,
    errorCode: m.error_code,
    errorMessage: m.error_message ?? null,
  };
}

export interface TwilioMessagePage {
  messages: TwilioMessage[];
  /** Path and query of the next page (`/2010-04-01/…?…PageToken=…`), null on the last page. */
  nextPageUri: string | null;
}

export function toTwilioMessagePage(json: unknown): TwilioMessagePage {
  const page = messagePageSchema.parse(json);
  return { messages: page.messages.map(toTwilioMessage), nextPageUri: page.next_page_uri ?? null };
}

/** Form fields of a message create, in Twilio's PascalCase names. */
export interface CreateMessageInput {
  /** E.164 number, or `whatsapp:+E164`. */
  to: string;
  /** A sender of the account: number, alphanumeric ID or `whatsapp:+E164`. */
  from: string;
  body?: string;
  /** Content template (`HX…`): required for WhatsApp outside the 24-hour window. */
  contentSid?: string;
  /** Template variables, e.g. `{ "1": "12 May", "2": "10:30" }`; sent as a JSON string. */
  contentVariables?: Record<string, string>;
  statusCallback?: string;
}

export function toCreateForm(input: CreateMessageInput): URLSearchParams {
  const form = new URLSearchParams();
  form.set('To', input.to);
  form.set('From', input.from);
  if (input.body !== undefined) form.set('Body', input.body);
  if (input.contentSid !== undefined) form.set('ContentSid', input.contentSid);
  if (input.contentVariables !== undefined) form.set('ContentVariables', JSON.stringify(input.contentVariables));
  if (input.statusCallback !== undefined) form.set('StatusCallback', input.statusCallback);
  return form;
}

/** Twilio's list filter format: ISO 8601 in UTC to the second (`2024-05-01T10:00:00Z`). */
export function twilioDateTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Checks a Messages create request the way Twilio does, in Twilio's order, and reads it into a typed form. */
import { twilioErrors } from './errors';
import { channelOf, type Channel } from './model';

export type FormBody = Record<string, string | string[] | undefined>;

export interface CreateRequest {
  to: string;
  from: string | null;
  messagingServiceSid: string | null;
  body: string;
  contentSid: string | null;
  contentVariables: Record<string, string> | null;
  contentVariablesRaw: string | null;
  mediaUrls: string[];
  statusCallback: string | null;
  channel: Channel;
}

const E164 = /^\+[1-9]\d{6,14}$/;
// Alphanumeric sender IDs: up to 11 letters, digits and spaces, at least one letter.
const ALPHANUMERIC_SENDER = /^(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11}$/;
const SHORT_CODE = /^\d{3,8}$/;

/** The last value of a form field (clients may repeat fields; Twilio reads one value for scalars). */
function scalar(form: FormBody, name: string): string | undefined {
  const v = form[name];
  return Array.isArray(v) ? v[v.length - 1] : v;
}

function list(form: FormBody, name: string): string[] {
  const v = form[name];
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

function validAddress(address: string, allowSenderIds: boolean): boolean {
  if (address.startsWith('whatsapp:')) return E164.test(address.slice('whatsapp:'.length));
  if (E164.test(address)) return true;
  return allowSenderIds && (ALPHANUMERIC_SENDER.test(address) || SHORT_CODE.test(address));
}

export interface ValidationContext {
  /** When set, the only `From` values this account owns. */
  senders: ReadonlySet<string> | null;
  isOptedOut: (to: string) => boolean;
}

export function parseCreate(form: FormBody, ctx: ValidationContext): CreateRequest {
  const to = scalar(form, 'To')?.trim();
  const from = scalar(form, 'From')?.trim() || null;
  const messagingServiceSid = scalar(form, 'MessagingServiceSid')?.trim() || null;
  const body = scalar(form, 'Body') ?? '';
  const contentSid = scalar(form, 'ContentSid')?.trim() || null;
  const contentVariablesRaw = scalar(form, 'ContentVariables') ?? null;
  const mediaUrls = list(form, 'MediaUrl');
  const statusCallback = scalar(form, 'StatusCallback')?.trim() || null;

  if (!to) throw twilioErrors.toRequired();
  if (from === null && messagingServiceSid === null) throw twilioErrors.fromRequired();
  if (body === '' && mediaUrls.length === 0 && contentSid === null) throw twilioErrors.bodyRequired();
  if (body.length > 1600) throw twilioErrors.bodyTooLong();
  if (!validAddress(to, false)) throw twilioErrors.invalidTo(to);
  if (from !== null && (!validAddress(from, true) || (ctx.senders !== null && !ctx.senders.has(from))))
    throw twilioErrors.invalidFrom(from);
  if (messagingServiceSid !== null && !/^MG[0-9a-fA-F]{32}$/.test(messagingServiceSid))
    throw twilioErrors.invalidParameter('MessagingServiceSid');
  if (from !== null && channelOf(from) !== channelOf(to)) throw twilioErrors.channelMismatch();
  if (statusCallback !== null && !validCallbackUrl(statusCallback)) throw twilioErrors.invalidStatusCallback();
  if (contentSid !== null && !/^HX[0-9a-fA-F]{32}$/.test(contentSid)) throw twilioErrors.invalidParameter('ContentSid');
  let contentVariables: Record<string, string> | null = null;
  if (contentVariablesRaw !== null) {
    contentVariables = parseContentVariables(contentVariablesRaw);
    if (contentVariables === null) throw twilioErrors.invalidContentVariables();
  }
  if (ctx.isOptedOut(to)) throw twilioErrors.unsubscribed();

  return {
    to,
    from,
    messagingServiceSid,
    body,
    contentSid,
    contentVariables,
    contentVariablesRaw,
    mediaUrls,
    statusCallback,
    channel: channelOf(to),
  };
}

function validCallbackUrl(raw: string): boolean {
  try {
    const url = new URL(raw);
    // Twilio refuses hostnames with underscores.
    return (url.protocol === 'http:' || url.protocol === 'https:') && !url.hostname.includes('_');
  } catch {
    return false;
  }
}

function parseContentVariables(raw: string): Record<string, string> | null {
  try {
    const parsed: unknown = JSON.parse(raw);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return null;
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(parsed)) {
      if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') return null;
      out[k] = String(v);
    }
    return out;
  } catch {
    return null;
  }
}

/** Fills `{{name}}` placeholders of a content template. */
export function renderTemplate(template: string, variables: Record<string, string> | null): string {
  return template.replace(/\{\{\s*([^}\s]+)\s*\}\}/g, (whole, name: string) => variables?.[name] ?? whole);
}

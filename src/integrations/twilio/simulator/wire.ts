/**
 * Twilio's JSON wire format for the 2010-04-01 Messages resource, written from Twilio's public API reference:
 * snake_case fields, RFC 2822 dates in GMT, counts as strings, list pages with `*_page_uri` links.
 */
import type { MessageStatus, SimMessage } from './model';

export const API_VERSION = '2010-04-01';

export interface MessageResourceJson {
  account_sid: string;
  api_version: string;
  body: string;
  date_created: string;
  date_sent: string | null;
  date_updated: string;
  direction: 'outbound-api';
  error_code: number | null;
  error_message: string | null;
  from: string | null;
  messaging_service_sid: string | null;
  num_media: string;
  num_segments: string;
  price: string | null;
  price_unit: string;
  sid: string;
  status: MessageStatus;
  subresource_uris: { media: string; feedback: string };
  to: string;
  uri: string;
}

export interface MessagePageJson {
  messages: MessageResourceJson[];
  first_page_uri: string;
  next_page_uri: string | null;
  previous_page_uri: string | null;
  page: number;
  page_size: number;
  start: number;
  end: number;
  uri: string;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number) => String(n).padStart(2, '0');

/** `Fri, 24 May 2019 17:44:46 +0000`, the form Twilio uses for every date_* field. */
export function rfc2822(epochMs: number): string {
  const d = new Date(epochMs);
  return (
    `${DAYS[d.getUTCDay()]}, ${pad(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`
  );
}

export const messagesListPath = (accountSid: string) => `/${API_VERSION}/Accounts/${accountSid}/Messages.json`;
export const messagePath = (accountSid: string, sid: string) => `/${API_VERSION}/Accounts/${accountSid}/Messages/${sid}.json`;

/** date_sent: the time the message left its sender's queue, shown once its status says it was sent. */
export function dateSentOf(message: SimMessage): number | null {
  const sentStates: MessageStatus[] = ['sending', 'sent', 'delivered', 'undelivered', 'read'];
  return sentStates.includes(message.status) ? message.dispatchedAt : null;
}

export function toMessageJson(message: SimMessage): MessageResourceJson {
  const base = messagePath(message.accountSid, message.sid).replace(/\.json$/, '');
  const sent = dateSentOf(message);
  return {
    account_sid: message.accountSid,
    api_version: API_VERSION,
    body: message.body,
    date_created: rfc2822(message.createdAt),
    date_sent: sent === null ? null : rfc2822(sent),
    date_updated: rfc2822(message.updatedAt),
    direction: 'outbound-api',
    error_code: message.errorCode,
    error_message: message.errorMessage,
    from: message.from,
    messaging_service_sid: message.messagingServiceSid,
    num_media: String(message.mediaUrls.length),
    num_segments: String(message.numSegments),
    price: null,
    price_unit: 'USD',
    sid: message.sid,
    status: message.status,
    subresource_uris: { media: `${base}/Media.json`, feedback: `${base}/Feedback.json` },
    to: message.to,
    uri: messagePath(message.accountSid, message.sid),
  };
}

const GSM7 =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const GSM7_EXTENDED = '^{}\\[~]|€';

/** SMS segments as carriers count them: GSM-7 160/153 characters, otherwise UCS-2 70/67 code units. */
export function smsSegments(body: string): number {
  if (body.length === 0) return 1;
  let septets = 0;
  let gsm = true;
  for (const ch of body) {
    if (GSM7.includes(ch)) septets += 1;
    else if (GSM7_EXTENDED.includes(ch)) septets += 2;
    else {
      gsm = false;
      break;
    }
  }
  if (gsm) return septets <= 160 ? 1 : Math.ceil(septets / 153);
  return body.length <= 70 ? 1 : Math.ceil(body.length / 67);
}

/** Form parameters of a status callback, as Twilio posts them to a message's StatusCallback URL. */
export function statusCallbackParams(
  message: SimMessage,
  status: MessageStatus,
  error: { code: number; message: string } | null,
  at: number,
): Record<string, string> {
  const params: Record<string, string> = {
    AccountSid: message.accountSid,
    ApiVersion: API_VERSION,
    MessageSid: message.sid,
    MessageStatus: status,
    SmsSid: message.sid,
    SmsStatus: status,
    To: message.to,
  };
  if (message.from !== null) params.From = message.from;
  if (message.messagingServiceSid !== null) params.MessagingServiceSid = message.messagingServiceSid;
  if (error !== null) params.ErrorCode = String(error.code);
  if (message.channel === 'whatsapp') {
    params.ChannelPrefix = 'whatsapp';
    params.ChannelInstallSid = channelInstallSid(message.accountSid);
    params.ChannelToAddress = message.to.slice('whatsapp:'.length);
    params.StructuredMessage = 'false';
    if (status === 'delivered' || status === 'read') params.EventType = status.toUpperCase();
    if (error !== null) params.ChannelStatusMessage = error.message;
  } else if (status === 'delivered' || status === 'undelivered') {
    params.RawDlrDoneDate = dlrDate(at);
  }
  return params;
}

/** Form parameters of an incoming message webhook (an SMS or WhatsApp message a recipient sends). */
export function inboundMessageParams(input: {
  accountSid: string;
  sid: string;
  from: string;
  to: string;
  body: string;
  optOutType?: 'STOP' | 'START' | 'HELP';
}): Record<string, string> {
  const params: Record<string, string> = {
    AccountSid: input.accountSid,
    ApiVersion: API_VERSION,
    Body: input.body,
    From: input.from,
    MessageSid: input.sid,
    NumMedia: '0',
    NumSegments: '1',
    SmsMessageSid: input.sid,
    SmsSid: input.sid,
    SmsStatus: 'received',
    To: input.to,
  };
  if (input.optOutType !== undefined) params.OptOutType = input.optOutType;
  if (input.from.startsWith('whatsapp:')) {
    params.WaId = input.from.slice('whatsapp:+'.length);
    params.ProfileName = 'Demo Recipient';
  }
  return params;
}

/** Carrier delivery-receipt time, `YYMMDDhhmm` in UTC. */
function dlrDate(at: number): string {
  const d = new Date(at);
  return `${pad(d.getUTCFullYear() % 100)}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}`;
}

function channelInstallSid(accountSid: string): string {
  // Stable per account, shaped like Twilio's XE SIDs.
  return `XE${accountSid.slice(2).toLowerCase().padEnd(32, '0').slice(0, 32)}`;
}

import { notificationSearchAttributes } from '../src/domain/notifications';
import {
  BusinessStatus,
  RelayChannel,
  RelayEntity,
  RelayEntityId,
  RelayIntegration,
  RelayNextActionAt,
  RelayStatus,
  relaySearchAttributes,
} from '../src/domain/search-attributes';

/** One recipe for the attributes a workflow starts with, in one order, wherever it is started. */
describe('search attributes', () => {
  const pairs = (list: ReturnType<typeof relaySearchAttributes>) => list.map(({ key, value }) => [key.name, value]);

  it('lists integration, entity, entity id, channel, status and next action, leaving out what is not given', () => {
    const at = new Date('2027-01-01T09:00:00Z');
    expect(pairs(relaySearchAttributes({ integration: 'notifications', entity: 'appointment', entityId: 'visit-1', channel: 'sms', status: BusinessStatus.scheduled, nextActionAt: at }))).toEqual([
      ['RelayIntegration', 'notifications'],
      ['RelayEntity', 'appointment'],
      ['RelayEntityId', 'visit-1'],
      ['RelayChannel', 'sms'],
      ['RelayStatus', 'scheduled'],
      ['RelayNextActionAt', at],
    ]);
    expect(pairs(relaySearchAttributes({ integration: 'notifications', entity: 'notification-log', status: BusinessStatus.running }))).toEqual([
      ['RelayIntegration', 'notifications'],
      ['RelayEntity', 'notification-log'],
      ['RelayStatus', 'running'],
    ]);
  });

  it('gives a notification the same pairs, in the same order, as before the recipe (parent workflows start children with them)', () => {
    const now = Date.parse('2027-01-01T08:00:00Z');
    const sendAt = '2027-01-01T09:00:00.000Z';
    expect(notificationSearchAttributes({ id: 'n-1', channel: 'whatsapp', sendAt }, now)).toEqual([
      { key: RelayIntegration, value: 'notifications' },
      { key: RelayEntity, value: 'notification' },
      { key: RelayEntityId, value: 'n-1' },
      { key: RelayChannel, value: 'whatsapp' },
      { key: RelayStatus, value: BusinessStatus.scheduled },
      { key: RelayNextActionAt, value: new Date(sendAt) },
    ]);
    // A send time already past is no scheduled send.
    expect(notificationSearchAttributes({ id: 'n-2', channel: 'sms', sendAt: '2026-12-31T00:00:00.000Z' }, now)).toEqual([
      { key: RelayIntegration, value: 'notifications' },
      { key: RelayEntity, value: 'notification' },
      { key: RelayEntityId, value: 'n-2' },
      { key: RelayChannel, value: 'sms' },
      { key: RelayStatus, value: BusinessStatus.running },
    ]);
  });
});

import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import request from 'supertest';
import { decodeJsonHistory } from '../../scripts/lib/history';
import { PMS_VENDORS } from '../../src/integrations/pms/registry';
import { createDataConverter } from '../../src/temporal/data-converter';
import { EncryptionCodec } from '../../src/temporal/encryption-codec';
import { pmsArrivalsWorkflow } from '../../src/workflows/pms/arrivals';
import { bearer, uniqueId, workflowBundle } from '../helpers/relay';
import { addArrival, addProperty, usePmsRelay } from '../helpers/pms';

/**
 * Replay fixtures of the PMS workflows: an arrivals poll with events, a write whose first answer
 * was lost, a write the PMS never answered, a read-through fetch and a refresh. Each run is
 * replayed at once against today's bundle; `RECORD_HISTORIES=1 npx jest test/pms/histories.test.ts`
 * also saves it under test/histories/, where test/replay.test.ts keeps replaying it.
 */
describe('replay fixtures of the PMS workflows', () => {
  const vendor = PMS_VENDORS[0]!;
  const pms = usePmsRelay({ vendors: [vendor] });
  const api = () => request(pms.relay().app);

  async function replayAndRecord(workflowId: string, fixture: string) {
    const relay = pms.relay();
    const history = await relay.env.client.workflow.getHandle(workflowId).fetchHistory();
    await Worker.runReplayHistory({ workflowBundle: await workflowBundle(), dataConverter: createDataConverter(relay.config.codec.keys) }, history, workflowId);
    if (process.env.RECORD_HISTORIES === '1') {
      const decoded = await decodeJsonHistory(JSON.parse(historyToJSON(history)), new EncryptionCodec(relay.config.codec.keys));
      writeFileSync(path.join(__dirname, '..', 'histories', `${fixture}.json`), `${JSON.stringify(decoded, null, 2)}\n`);
    }
    return history;
  }

  it('an arrivals poll that announces arrivals, and a refresh', async () => {
    const p = await addProperty(pms.relay(), pms.sim(vendor.key));
    await addArrival(p, 0, { firstName: 'Ida', lastName: 'Smits', phone: '06-12345670' });
    const workflowId = uniqueId('pms-arrivals-replay');
    await pms.relay().env.client.workflow.execute(pmsArrivalsWorkflow, { taskQueue: pms.relay().taskQueues.pms!, workflowId, args: [{ propertyId: p.id }] });
    await replayAndRecord(workflowId, 'pms-arrivals-announced');
    const refreshed = await api().post(`/v1/properties/${p.id}/refresh`).set('authorization', bearer('service')).expect(200);
    await replayAndRecord(refreshed.body.workflowId, 'pms-refresh-completed');
  });

  it('a charge whose first answer was lost, one the PMS never answered, and a read-through fetch', async () => {
    const p = await addProperty(pms.relay(), pms.sim(vendor.key));
    const stay = await addArrival(p, 0, { lastName: 'Post' });
    const charge = () =>
      api().post(`/v1/properties/${p.id}/reservations/${stay.reservationVendorId}/charges`).set('authorization', bearer('service')).set('idempotency-key', uniqueId('replay')).send({ amount: { amount: '3.00', currency: 'EUR' }, description: 'Coffee' });
    await pms.sim(vendor.key).control.setFaults({ loseAnswers: 1 });
    const found = await charge().expect(201);
    await replayAndRecord(found.body.workflowId, 'pms-write-charge-found');
    await pms.sim(vendor.key).control.setFaults({ outage: true });
    const unresolved = await charge().expect(503);
    const write = await pms.relay().prisma.pmsWrite.findUniqueOrThrow({ where: { id: unresolved.body.writeId } });
    await replayAndRecord(write.workflowId, 'pms-write-charge-unresolved');
    await pms.sim(vendor.key).control.setFaults({});
    await api().get(`/v1/properties/${p.id}/rooms`).set('authorization', bearer('service')).expect(200);
    await replayAndRecord(`pms-read-${p.id}-rooms`, 'pms-read-rooms');
  });
});

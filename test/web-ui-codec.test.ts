import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import request from 'supertest';
import { freePort, startDevServer, stopProcess, temporalCli, waitForTemporal } from '../scripts/lib/temporal-dev-server';
import { ensureSearchAttributes } from '../src/temporal/search-attributes';
import { bearer, type RelayHarness, startRelay, TEST_KEYS, uniqueId } from './helpers/relay';

/**
 * Acceptance: the Temporal Web UI (served by the dev server, as `npm start` runs it) shows
 * ciphertext to a browser that has not signed in, and the decoded input once the operator
 * has signed in at Relay's /ui/sign-in in the same browser. Screenshots of each step are
 * left in $TMPDIR/relay-web-ui-* /screenshots.
 */

const CHROMIUM = '/usr/bin/chromium';
const NAMESPACE = 'default';

describe('decoded payloads in the Temporal Web UI for a signed-in operator', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'relay-web-ui-'));
  const shots = path.join(dir, 'screenshots');
  let devServer: ChildProcess | undefined;
  let relay: RelayHarness | undefined;
  let api: Server | undefined;
  let browser: BrowserContext | undefined;
  let uiUrl = '';
  let apiUrl = '';

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium (.ci/run does)`);
    const [temporalPort, uiPort, apiPort] = [await freePort(), await freePort(), await freePort()];
    uiUrl = `http://127.0.0.1:${uiPort}`;
    apiUrl = `http://127.0.0.1:${apiPort}`;
    devServer = startDevServer(temporalCli(), {
      port: temporalPort,
      namespace: NAMESPACE,
      uiPort,
      codecEndpoint: `${apiUrl}/codec`,
      logFile: path.join(dir, 'temporal.log'),
    });
    const address = `127.0.0.1:${temporalPort}`;
    await waitForTemporal(address, 90_000, () => devServer!.exitCode !== null);
    const connection = await Connection.connect({ address });
    await ensureSearchAttributes(connection, NAMESPACE);
    await connection.close();

    relay = await startRelay({
      env: {
        TEMPORAL_ADDRESS: address,
        TEMPORAL_NAMESPACE: NAMESPACE,
        TEMPORAL_UI_URL: uiUrl,
        API_PUBLIC_URL: apiUrl,
        CODEC_CORS_ORIGINS: uiUrl,
      },
    });
    api = relay.app.listen(apiPort, '127.0.0.1');
    await new Promise((resolve) => api!.once('listening', resolve));

    browser = await chromium.launchPersistentContext(path.join(dir, 'profile'), {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
      viewport: { width: 1400, height: 1600 },
    });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    api?.closeAllConnections();
    await new Promise((resolve) => (api ? api.close(resolve) : resolve(undefined)));
    await relay?.stop();
    if (devServer) await stopProcess(devServer);
    // Screenshots stay for a look after the run; the rest goes.
    rmSync(path.join(dir, 'profile'), { recursive: true, force: true });
  });

  const ENCRYPTED_B64 = Buffer.from('binary/encrypted').toString('base64');

  /** Opens the workflow page and waits until the UI has tried the codec (decoded, or the error banner). */
  async function workflowPage(page: Page, workflowId: string, want: 'decoded' | 'ciphertext', secret: string): Promise<string> {
    await page.goto(`${uiUrl}/namespaces/${NAMESPACE}/workflows/${encodeURIComponent(workflowId)}`);
    await page.getByRole('heading', { name: 'Input', exact: true }).waitFor({ timeout: 30_000 });
    const shown = want === 'decoded' ? page.getByText(secret) : page.getByText('Codec Server could not connect');
    await shown.filter({ visible: true }).first().waitFor({ timeout: 30_000 });
    await page.waitForLoadState('networkidle');
    return page.locator('body').innerText();
  }

  it('shows ciphertext before sign-in and the decoded input after', async () => {
    const secret = `Guest Jane Doe ${uniqueId('web-ui')}`;
    const id = uniqueId('webui');
    await request(relay!.app).post('/v1/echo').set('authorization', bearer('service')).send({ message: secret, id }).expect(202);
    const workflowId = `echo-${id}`;
    await relay!.env.client.workflow.getHandle(workflowId).result();
    const page = await browser!.newPage();
    // What Relay answered the UI's codec calls (preflights aside).
    const codecStatuses: number[] = [];
    page.on('response', (res) => {
      if (res.url() === `${apiUrl}/codec/decode` && res.request().method() === 'POST') codecStatuses.push(res.status());
    });

    // 1. A browser that has not signed in: the UI calls the codec without credentials, gets 401.
    const anonymous = await workflowPage(page, workflowId, 'ciphertext', secret);
    await page.screenshot({ path: path.join(shots, '1-not-signed-in.png'), fullPage: true });
    expect(anonymous).toContain(ENCRYPTED_B64); // metadata.encoding "binary/encrypted", in base64
    expect(anonymous).not.toContain(secret);

    // 2. The operator's one-time Web UI setting (the dev server cannot set it): the codec
    //    endpoint from this browser, with cross-origin credentials. Still not signed in.
    await page.getByTestId('data-encoder-status-error').first().click();
    await page.getByTestId('override-accordion').click();
    await page.locator('#use-local-endpoint-radio').check({ force: true });
    await page.locator('#data-encoder-endpoint-input').fill(`${apiUrl}/codec`);
    const includeCredentials = page.getByRole('switch', { name: 'Include cross-origin credentials' });
    // The open panel overflows under the page header at this size; use the keyboard as a user would.
    await includeCredentials.focus();
    await page.keyboard.press('Space');
    expect(await includeCredentials.isChecked()).toBe(true);
    await page.screenshot({ path: path.join(shots, '2-codec-settings.png'), fullPage: true });
    await page.getByTestId('confirm-data-encoder-button').focus();
    await page.keyboard.press('Enter');
    // The UI keeps these in the browser's localStorage.
    expect(await page.evaluate('({ ...localStorage })')).toMatchObject({
      overrideRemoteCodecConfiguration: 'true',
      includeCredentials: 'true',
      endpoint: JSON.stringify(`${apiUrl}/codec`),
    });
    const withCredentials = await workflowPage(page, workflowId, 'ciphertext', secret);
    expect(withCredentials).toContain(ENCRYPTED_B64);
    expect(withCredentials).not.toContain(secret);
    expect(codecStatuses.length).toBeGreaterThan(0);
    expect(new Set(codecStatuses)).toEqual(new Set([401]));
    codecStatuses.length = 0;

    // 3. Sign in at Relay with the operator's own key, in the same browser.
    await page.goto(`${apiUrl}/ui/sign-in`);
    await page.locator('#key').fill(TEST_KEYS.operator);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('Signed in as').waitFor();
    await page.screenshot({ path: path.join(shots, '3-signed-in.png'), fullPage: true });
    expect(await page.locator('body').innerText()).toContain('Signed in as alice');

    // 4. The same workflow page now shows the decoded input.
    const decoded = await workflowPage(page, workflowId, 'decoded', secret);
    await page.screenshot({ path: path.join(shots, '4-decoded.png'), fullPage: true });
    expect(decoded).toContain(secret);
    expect(decoded).not.toContain('Codec Server could not connect');
    expect(codecStatuses.length).toBeGreaterThan(0);
    expect(new Set(codecStatuses)).toEqual(new Set([200]));
  }, 180_000);
});

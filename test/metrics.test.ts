import request from 'supertest';
import { bearer, useRelay } from './helpers/relay';

describe('API metrics', () => {
  const relay = useRelay({ withWorker: false });

  it('counts requests per route pattern in Prometheus format', async () => {
    await request(relay().app).get('/v1/echo/echo-metrics-a').set('authorization', bearer('service')).expect(404);
    await request(relay().app).get('/v1/echo/echo-metrics-b').set('authorization', bearer('service')).expect(404);
    const res = await request(relay().app).get('/metrics').set('authorization', bearer('service'));
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.text).toMatch(/relay_api_http_requests_total\{method="GET",route="\/v1\/echo\/:workflowId",status="404"\} 2/);
    expect(res.text).toContain('relay_api_http_request_duration_seconds_bucket');
    expect(res.text).toContain('relay_api_process_cpu_user_seconds_total');
    // The notifications module's domain gauge, read from the log at each scrape.
    expect(res.text).toContain('# TYPE relay_notifications_open gauge');
    // IDs never become labels: cardinality stays bounded.
    expect(res.text).not.toContain('echo-metrics-a');
  });

  it('is not public', async () => {
    await request(relay().app).get('/metrics').expect(401);
  });
});

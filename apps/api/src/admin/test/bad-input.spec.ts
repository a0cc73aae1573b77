import { bootApi, type ApiHarness } from './api-harness';

const SECRET = 'AIzaSyBadInputSecret77777';

describe('admin API: every bad input is a 400 naming the field (HTTP)', () => {
  let api: ApiHarness;
  let projectId: string;
  let keyId: string;
  let clientId: string;

  beforeAll(async () => {
    api = await bootApi();
    projectId = (await api.admin('POST', '/projects', { name: 'p' })).body.id;
    keyId = (await api.admin('POST', `/projects/${projectId}/keys`, { secret: SECRET })).body.id;
    clientId = (await api.admin('POST', '/clients', { name: 'c', allowedIps: ['10.0.0.0/8'] })).body.client
      .id;
  });
  afterAll(() => api.close());

  const cases: Array<[string, string, string, unknown, string]> = [
    [
      'create client: bad CIDR',
      'POST',
      '/clients',
      { name: 'x', allowedIps: ['10.0.0.0/8', '10.0.0.0/33'] },
      'allowedIps[1]: invalid CIDR "10.0.0.0/33"',
    ],
    [
      'create client: not a list',
      'POST',
      '/clients',
      { name: 'x', allowedIps: '10.0.0.0/8' },
      'allowedIps: expected an array of CIDRs',
    ],
    [
      'create client: empty list',
      'POST',
      '/clients',
      { name: 'x', allowedIps: [] },
      'allowedIps: expected at least one CIDR',
    ],
    ['create client: no name', 'POST', '/clients', { allowedIps: ['::/0'] }, 'name: expected a string'],
    [
      'create client: blank name',
      'POST',
      '/clients',
      { name: '  ', allowedIps: ['::/0'] },
      'name: must not be empty',
    ],
    [
      'create client: unknown field',
      'POST',
      '/clients',
      { name: 'x', allowedIps: ['::/0'], allowIps: [] },
      'allowIps: unknown field',
    ],
    ['create client: no body', 'POST', '/clients', undefined, 'body: expected a JSON object'],
    ['create client: invalid JSON', 'POST', '/clients', '{"name": ', ''],
    [
      'create project: limit not an integer',
      'POST',
      '/projects',
      { name: 'y', limits: { 'gemini-2.5-flash': { rpm: 1.5, tpm: 1 } } },
      'limits.gemini-2.5-flash.rpm: expected a positive integer',
    ],
    [
      'create project: negative tpm',
      'POST',
      '/projects',
      { name: 'y', limits: { 'gemini-2.5-flash': { rpm: 1, tpm: -4 } } },
      'limits.gemini-2.5-flash.tpm: expected a positive integer',
    ],
    [
      'create project: rpd zero',
      'POST',
      '/projects',
      { name: 'y', limits: { 'gemini-2.5-flash': { rpm: 1, tpm: 1, rpd: 0 } } },
      'limits.gemini-2.5-flash.rpd: expected a positive integer',
    ],
    [
      'create project: missing rpm',
      'POST',
      '/projects',
      { name: 'y', limits: { 'gemini-2.5-flash': { tpm: 1 } } },
      'limits.gemini-2.5-flash.rpm: expected a positive integer',
    ],
    [
      'create project: bad model name',
      'POST',
      '/projects',
      { name: 'y', limits: { 'Gemini Flash': { rpm: 1, tpm: 1 } } },
      'limits.Gemini Flash: expected a model name',
    ],
    [
      'create project: bad tier',
      'POST',
      '/projects',
      { name: 'y', tier: 'gold' },
      'tier: expected one of free, tier1, tier2, tier3',
    ],
    [
      'create project: bad issuer',
      'POST',
      '/projects',
      { name: 'y', issuer: 'aws' },
      'issuer: expected one of manual, google-api-keys',
    ],
    [
      'create project: bad egress IP',
      'POST',
      '/projects',
      { name: 'y', egressIps: ['203.0.113.7', '10.0.0.0/8'] },
      'egressIps[1]: invalid IP address "10.0.0.0/8"',
    ],
    [
      'create project: google issuer without a GCP project',
      'POST',
      '/projects',
      { name: 'y', issuer: 'google-api-keys' },
      'gcpProjectId: required when issuer is google-api-keys',
    ],
    [
      'create project: bad GCP project id',
      'POST',
      '/projects',
      { name: 'y', gcpProjectId: 'UPPER' },
      'gcpProjectId: expected a Google Cloud project id',
    ],
    [
      'patch project: bad limit',
      'PATCH',
      '/projects/{p}',
      { limits: { 'gemini-2.5-pro': { rpm: 0, tpm: 1 } } },
      'limits.gemini-2.5-pro.rpm: expected a positive integer',
    ],
    ['patch project: unknown field', 'PATCH', '/projects/{p}', { nam: 'z' }, 'nam: unknown field'],
    [
      'put limit: bad model in path',
      'PUT',
      '/projects/{p}/limits/Bad_Model',
      { rpm: 1, tpm: 1 },
      'model: expected a model name',
    ],
    [
      'put limit: string rpm',
      'PUT',
      '/projects/{p}/limits/gemini-2.5-pro',
      { rpm: '5', tpm: 1 },
      'rpm: expected a positive integer',
    ],
    [
      'put limit: tpd fraction',
      'PUT',
      '/projects/{p}/limits/gemini-2.5-pro',
      { rpm: 5, tpm: 1, tpd: 0.5 },
      'tpd: expected a positive integer',
    ],
    ['add key: no secret', 'POST', '/projects/{p}/keys', {}, 'secret: expected the API key as a string'],
    [
      'add key: short secret',
      'POST',
      '/projects/{p}/keys',
      { secret: 'abc' },
      'secret: expected at least 8 characters',
    ],
    [
      'add key: secret with a space',
      'POST',
      '/projects/{p}/keys',
      { secret: 'AIzaSy with space 123' },
      'secret: expected printable characters without spaces',
    ],
    [
      'rotate key: short secret',
      'POST',
      '/keys/{k}/rotate',
      { secret: 'short' },
      'secret: expected at least 8 characters',
    ],
    [
      'list keys: bad status',
      'GET',
      '/keys?status=gone',
      undefined,
      'status: expected one of active, retiring, revoked, disabled',
    ],
    ['list keys: bad due', 'GET', '/keys?due=soon', undefined, 'due: expected a whole number of days'],
    [
      'list keys: bad project id',
      'GET',
      '/keys?projectId=abc',
      undefined,
      'projectId: expected a project id',
    ],
    ['list keys: unknown filter', 'GET', '/keys?project=abc', undefined, 'project: unknown field'],
    [
      'rotate client key: negative overlap',
      'POST',
      '/clients/{c}/rotate-key',
      { overlapSeconds: -1 },
      'overlapSeconds: expected a whole number of seconds',
    ],
    [
      'patch client: bad CIDR',
      'PATCH',
      '/clients/{c}',
      { allowedIps: ['1.2.3.4/40'] },
      'allowedIps[0]: invalid CIDR "1.2.3.4/40"',
    ],
    ['audit: bad limit', 'GET', '/audit?limit=0', undefined, 'limit: expected an integer from 1 to 500'],
    ['audit: bad cursor', 'GET', '/audit?before=abc', undefined, 'before: expected an audit entry id'],
  ];

  it.each(cases)('%s', async (_name, method, pathTemplate, body, expected) => {
    const path = pathTemplate.replace('{p}', projectId).replace('{k}', keyId).replace('{c}', clientId);
    const response = await api.admin(method, path, body);
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe(400);
    expect(response.body.error.status).toBe('INVALID_ARGUMENT');
    expect(response.body.error.message).toContain(expected);
  });

  it('never echoes a secret in an error', async () => {
    const secretLike = 'AIzaSy with the secret 9';
    const response = await api.admin('POST', `/projects/${projectId}/keys`, { secret: secretLike });
    expect(response.status).toBe(400);
    expect(response.text).not.toContain('with the secret');
    const duplicate = await api.admin('POST', `/projects/${projectId}/keys`, { secret: SECRET });
    expect(duplicate.status).toBe(409);
    expect(duplicate.text).not.toContain(SECRET);
  });

  it('wrote no audit entry for a refused input', async () => {
    const rows = await api.sql.query<Array<{ n: number }>>('SELECT count(*)::int AS n FROM audit_log');
    // p created, key added, client created: nothing else got through.
    expect(rows[0]?.n).toBe(3);
  });
});

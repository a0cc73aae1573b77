import { PoolService, ProjectsService, UpstreamKeysService } from '..';
import { bootRegistry, type RegistryHarness } from './registry-harness';

describe('PoolService: a worker uses only keys bound to its egress IPs (KF_EGRESS_IPS)', () => {
  let h: RegistryHarness;

  beforeAll(async () => {
    h = await bootRegistry({ KF_EGRESS_IPS: '203.0.113.7,2001:db8::7' });
    const projects = h.app.get(ProjectsService);
    const keys = h.app.get(UpstreamKeysService);
    const make = async (name: string, egressIps: string[], secret: string) => {
      const project = await projects.create({ name, tier: 'free', egressIps }, 'admin');
      await keys.add(project.id, secret, 'admin');
    };
    await make('bound-here', ['203.0.113.7', '2001:db8::7', '198.51.100.1'], 'AIzaSyEgressBoundHere0001');
    await make('unrestricted', [], 'AIzaSyEgressUnrestricted02');
    await make('elsewhere', ['198.51.100.1'], 'AIzaSyEgressElsewhere00003');
    await make('half-bound', ['203.0.113.7'], 'AIzaSyEgressHalfBound00004');
  });
  afterAll(() => h.close());

  it('keeps projects whose egress IPs cover every address of this worker, or that have none', async () => {
    const names = (await h.app.get(PoolService).poolFor('gemini-2.5-flash')).map((p) => p.name);
    expect(names).toEqual(['bound-here', 'unrestricted']);
  });

  it('without KF_EGRESS_IPS a process uses every project', async () => {
    const peer = await bootRegistry();
    try {
      const projects = peer.app.get(ProjectsService);
      const project = await projects.create(
        { name: 'p', tier: 'free', egressIps: ['198.51.100.1'] },
        'admin',
      );
      await peer.app.get(UpstreamKeysService).add(project.id, 'AIzaSyEgressAnyWorker000005', 'admin');
      expect((await peer.app.get(PoolService).poolFor('gemini-2.5-flash')).map((p) => p.name)).toEqual(['p']);
    } finally {
      await peer.close();
    }
  });
});

import { randomUUID } from 'node:crypto';
import { TcpProxy, TEST_REDIS_URL } from '@keyfleet/testing';
import { createRedis } from './redis.module';
import { RedisChannel } from './redis-channel';

async function until(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('RedisChannel (real Redis)', () => {
  it('reaches listeners here at once and in other processes over Redis; after a lost connection they catch up', async () => {
    const name = `kf-test-channel-${randomUUID()}`;
    const { proxy, url } = await TcpProxy.forUrl(TEST_REDIS_URL);
    const here = createRedis(TEST_REDIS_URL);
    const there = createRedis(url); // the other "process" reaches Redis through a proxy we can cut
    there.on('error', () => undefined);
    const sender = new RedisChannel(here, name);
    const receiver = new RedisChannel(there, name);
    const heard: string[] = [];
    const heardHere: string[] = [];
    let resumed = 0;
    sender.listen((message) => heardHere.push(message));
    receiver.listen((message) => heard.push(message));
    receiver.onResume(() => (resumed += 1));
    try {
      await until(() => receiver.isLive());
      sender.publish('one');
      expect(heardHere).toEqual(['one']); // this process: at once
      await until(() => heard.length === 1);
      expect(heard).toEqual(['one']);

      proxy.cut();
      await until(() => !receiver.isLive());
      sender.publish('lost'); // nobody subscribed through the cut: lost, as pub/sub does
      proxy.restore();
      await until(() => receiver.isLive() && resumed === 1, 20_000);
      sender.publish('two');
      await until(() => heard.length === 2);
      expect(heard).toEqual(['one', 'two']);
    } finally {
      await sender.close();
      await receiver.close();
      here.disconnect();
      there.disconnect();
      await proxy.close();
    }
  }, 30_000);
});

import { AmiClient, type AmiClientOptions } from 'asterisk-agi/ami';
import { FakeAmi, type FakeAmiOptions } from 'asterisk-agi/testing/ami';
import { onTestFinished } from 'vitest';

/** A fake AMI on 127.0.0.1, closed when the test finishes. */
export async function fakeAmi(options: FakeAmiOptions = {}): Promise<FakeAmi> {
  const fake = await FakeAmi.start(options);
  onTestFinished(() => fake.close());
  return fake;
}

/** A client of `fake` with fast, exact backoff and no keepalive, closed when the test finishes. */
export function amiClient(fake: FakeAmi, overrides: Partial<AmiClientOptions> = {}): AmiClient {
  const client = new AmiClient({
    host: '127.0.0.1',
    port: overrides.port ?? fake.port,
    username: 'callfilter',
    secret: 'secret',
    events: 'cdr',
    keepaliveMs: 0,
    backoff: { initialMs: 20, maxMs: 200, factor: 2, jitter: 0 },
    ...overrides,
  });
  onTestFinished(() => client.close());
  return client;
}

/** Resolves with the next emission of `event`. */
export function next<T = unknown>(emitter: NodeJS.EventEmitter, event: string): Promise<T> {
  return new Promise<T>((resolve) => emitter.once(event, (value: T) => resolve(value)));
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

// The code examples of node-redis v5's documentation for transactions, pub/sub, scan
// iterators, programmability, the pool and client-side caching (docs/transactions.md,
// docs/pub-sub.md, docs/scan-iterators.md, docs/programmability.md, docs/pool.md, README.md,
// docs/v5.md "Client Side Caching", and examples/), at tag redis@5.12.1 of redis/node-redis
// (5cdad1b34d1448119673b336086f9db4c3376ddd), run as written with only the imports changed:
//
//   import { createClient, createClientPool, defineScript, WatchError, RESP_TYPES } from 'redis'
//     -> this file's createClient / createClientPool (respkit's, with a `connector` that takes
//        localhost:6379 to this file's own redis-server), respkit's defineScript, WatchError,
//        RESP_TYPES
//   import { CommandParser, RedisArgument } from '@redis/client'     -> respkit's types
//   import { NumberReply } from '@redis/client/dist/lib/RESP/types.js' -> a local type
//   Buffer (a Node global)                                           -> node:buffer's Buffer
//
// What each example prints is captured and checked. Each test says which example it runs.
// Examples that cannot run here, and why (the README lists them too):
// - pool.md `client.createPool()` and examples/transaction-with-watch.js (which uses it, waits
//   5 s, and calls quit() from inside the pool task): RedisClient has no createPool() yet.
// - v5.md "Controllable Cache": `BasicClientSideCache`, `cache.invalidate(key)`,
//   `cache.clear()`, `stats().hitRate()`: respkit's cache class is ClientSideCache, with
//   invalidate([keys] | null), flush(), and plain-number stats.
// - v5.md "Pooled Caching": createClientPool(..., { clientSideCache }) and
//   BasicPooledClientSideCache: the pool takes no cache option.
// - examples/stream-consumer.js: an endless `while (true)` XREAD loop (also uses v4's
//   `commandOptions({ isolated: true })`), never ends by design.
// - pub-sub.md `sharded-channel-moved`: a cluster event, not a client one.
// - README "Blocking Commands" `client.ping(client.commandOptions({ isolated: true }))`: the
//   v4 API the README shows as removed in v5.
// Wrong even on node-redis (run anyway, the difference checked):
// - scan-iterators.md / README `client.mGet(keys)` per batch: a SCAN batch may be empty, and
//   MGET with no key is an error (we give the keyspace keys so that no batch is empty).
// - README `for await (const { field, value } of client.hScanIterator("hash"))` (and the
//   sScan/zScan lines next to it): v5 iterators yield batches (arrays), so these destructure
//   undefined; docs/scan-iterators.md has the v5 form.

import assert from 'node:assert/strict'
import { Buffer } from 'node:buffer'
import { after, before, describe, test } from '../support/runtime.ts'
import { PrintCapture } from '../support/print-capture.ts'
import { startRedis, type RedisServer } from '../support/redis.ts'
import {
  RESP_TYPES, WatchError, createClient as respkitCreateClient, createClientPool as respkitCreateClientPool, defineScript,
  type ClientOptions, type CommandParser, type PoolOptions, type RedisClientType,
} from '../../src/client/index.ts'
import type { RedisArgument } from '../../src/client/commands/index.ts'
import { autoConnector, type Connector } from '../../src/transport/index.ts'

type NumberReply = number

let redis: RedisServer
const made: Array<{ destroy(): void }> = []

/** Every address (the examples' localhost:6379) goes to this file's redis-server. */
const redirect: Connector = (options, handlers) => autoConnector({ ...options, path: undefined, host: '127.0.0.1', port: redis.port }, handlers)

// The documentation's `import { createClient, createClientPool } from 'redis'`.
function createClient<const O extends ClientOptions = {}>(options?: O): RedisClientType<O> {
  const client = respkitCreateClient({ connector: redirect, ...options } as O)
  made.push(client)
  return client
}
function createClientPool(options?: ClientOptions, poolOptions?: PoolOptions) {
  const pool = respkitCreateClientPool({ connector: redirect, ...options }, poolOptions)
  made.push(pool)
  return pool
}

/** What the examples print. */
const printed = new PrintCapture()
const capturing = (fn: () => Promise<void>): Promise<unknown[][]> => printed.capturing(fn)

/** The test's own connection, to prepare data and look at the result (not part of the examples). */
let admin: ReturnType<typeof createClient>
before(async () => {
  redis = await startRedis()
  admin = createClient()
  await admin.connect()
})
after(async () => {
  for (const c of made) c.destroy()
  await redis?.stop()
})
const fresh = (): Promise<unknown> => admin.sendCommand(['FLUSHALL'])

/** A connected client named `client`, as the docs assume. */
async function docsClient() {
  const client = createClient()
  client.on('error', (err: unknown) => console.error(err))
  await client.connect()
  return client
}

describe('node-redis docs: transactions.md', () => {
  test('multi().set().get().exec()', async () => {
    await fresh()
    const client = await docsClient()
    await admin.set('another-key', 'another')
    const [setReply, getReply] = await client.multi()
      .set('key', 'value')
      .get('another-key')
      .exec();
    assert.deepEqual([setReply, getReply], ['OK', 'another'])
  })

  test("exec<'typed'>() and execTyped()", async () => {
    const client = await docsClient()
    const multi = client.multi().ping();
    await multi.exec(); // Array<ReplyUnion>
    await multi.exec<'typed'>(); // [string]
    await multi.execTyped(); // [string]
    assert.deepEqual(await multi.execTyped(), ['PONG'])
  })

  test('execAsPipeline, and the same with Promise.all', async () => {
    await fresh()
    const client = await docsClient()
    await admin.mSet(['a', '1', 'b', '2'])
    const piped = await client.multi()
      .get('a')
      .get('b')
      .execAsPipeline();
    const all = await Promise.all([
      client.get('a'),
      client.get('b')
    ]);
    assert.deepEqual(piped, ['1', '2'])
    assert.deepEqual(all, ['1', '2'])
  })
})

describe('node-redis docs: pub-sub.md', () => {
  test('duplicate(), subscribe / pSubscribe / sSubscribe, publish / sPublish, unsubscribe', async () => {
    const client = await docsClient()
    const out = await capturing(async () => {
      const subscriber = client.duplicate();
      subscriber.on('error', err => console.error(err));
      await subscriber.connect();

      const listener = (message: string, channel: string) => console.log(message, channel);
      await subscriber.subscribe('channel', listener);
      await subscriber.pSubscribe('channe*', listener);
      // Use sSubscribe for sharded Pub/Sub:
      await subscriber.sSubscribe('channel', listener);

      await client.publish('channel', 'message');
      // Use sPublish for sharded Pub/Sub:
      await client.sPublish('channel', 'message');

      await waitFor(() => printed.lines.length >= 3)

      await subscriber.unsubscribe('channel', listener);
      await subscriber.unsubscribe('channel');
      await subscriber.unsubscribe(['1', '2']);
      await subscriber.unsubscribe();
      await subscriber.pUnsubscribe();
      // Use sUnsubscribe for sharded Pub/Sub:
      await subscriber.sUnsubscribe();
      subscriber.destroy()
    })
    assert.deepEqual(out, [['message', 'channel'], ['message', 'channel'], ['message', 'channel']])
    assert.deepEqual(await admin.sendCommand(['PUBSUB', 'NUMSUB', 'channel']), ['channel', 0])
  })

  test('Buffers: subscribe in buffer mode, publish Buffers', async () => {
    const client = await docsClient()
    const subscriber = client.duplicate()
    subscriber.on('error', () => {})
    made.push(subscriber)
    await subscriber.connect()
    const out = await capturing(async () => {
      await subscriber.subscribe('channel', message => {
        console.log(message); // <Buffer 6d 65 73 73 61 67 65>
      }, true); // true = subscribe in `Buffer` mode.

      await subscriber.publish(Buffer.from('channel'), Buffer.from('message'));
      // (RESP2: a subscribed client takes no PUBLISH; the docs' `subscriber` is RESP3 here.)
      await waitFor(() => printed.lines.length >= 1)
    })
    assert.ok(out[0][0] instanceof Uint8Array)
    assert.equal(new TextDecoder().decode(out[0][0] as Uint8Array), 'message')
  })
})

describe('node-redis docs: scan-iterators.md and the README', () => {
  before(async () => {
    await fresh()
    await admin.mSet(['k1', 'v1', 'k2', 'v2', 'k3', 'v3'])
    await admin.hSet('hash', { f: 'v' })
    await admin.sAdd('set', ['a', 'b'])
    await admin.zAdd('sorted-set', [{ score: 1, value: 'one' }])
  })

  test('scanIterator with mGet per batch (scan-iterators.md, README)', async () => {
    const client = await docsClient()
    const values: unknown[] = []
    for await (const keys of client.scanIterator()) {
      const batch = await client.mGet(keys);
      values.push(...batch)
    }
    const out = await capturing(async () => {
      for await (const keys of client.scanIterator()) {
        console.log(keys, await client.mGet(keys));
      }
    })
    assert.ok(values.includes('v1') && values.includes('v3'))
    assert.equal(out.length, 1)
  })

  test('hScanIterator, sScanIterator, zScanIterator and options (scan-iterators.md)', async () => {
    const client = await docsClient()
    let n = 0
    for await (const entries of client.hScanIterator('hash')) { n += entries.length }
    for await (const members of client.sScanIterator('set')) { n += members.length }
    for await (const membersWithScores of client.zScanIterator('sorted-set')) { n += membersWithScores.length }
    assert.equal(n, 4)
    const it = client.scanIterator({
      cursor: '0', // optional, defaults to '0'
      TYPE: 'string', // `SCAN` only
      MATCH: 'patter*',
      COUNT: 100
    });
    const batches = []
    for await (const keys of it) batches.push(...keys)
    assert.deepEqual(batches, [])
  })

  test("README's v4-style destructuring of scan batches gets undefined fields (wrong on node-redis v5 too)", async () => {
    const client = await docsClient()
    const seen: unknown[] = []
    for await (const { field, value } of client.hScanIterator("hash") as AsyncIterable<any>) {
      seen.push(field, value)
    }
    assert.deepEqual(seen, [undefined, undefined])
  })

  test('examples/set-scan.js', async () => {
    await admin.sAdd('setName', ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm', 'n', 'o', 'p', 'q'])
    const out = await capturing(async () => {
      const client = createClient();
      await client.connect();

      const setName = 'setName';

      for await (const members of client.sScanIterator(setName)) {
        console.log('Batch of members:', members);

        // Process each member in the batch if needed
        for (const member of members) {
          console.log('Individual member:', member);
        }
      }

      client.close();
    })
    assert.equal(out.filter((l) => l[0] === 'Individual member:').length, 17)
  })
})

describe('node-redis docs: programmability.md and examples/lua-multi-incr.js', () => {
  test('functions: library.add', async () => {
    await fresh()
    await admin.sendCommand(['FUNCTION', 'LOAD', 'REPLACE', "#!lua name=library\nredis.register_function{function_name='add', callback=function(keys, args) return redis.call('GET', keys[1])+args[1] end, flags={'no-writes'}}"])
    const client = createClient({
      functions: {
        library: {
          add: {
            NUMBER_OF_KEYS: 1,
            parseCommand(
              parser: CommandParser,
              key: RedisArgument,
              toAdd: RedisArgument
            ) {
              parser.pushKey(key)
              parser.push(toAdd)
            },
            transformReply: undefined as unknown as () => NumberReply
          }
        }
      }
    });

    await client.connect();
    await client.set('key', '1');
    assert.equal(await client.library.add('key', '2'), 3); // 3
  })

  test('scripts: defineScript add', async () => {
    const client = createClient({
      scripts: {
        add: defineScript({
          SCRIPT: 'return redis.call("GET", KEYS[1]) + ARGV[1];',
          NUMBER_OF_KEYS: 1,
          FIRST_KEY_INDEX: 1,
          parseCommand(
            parser: CommandParser,
            key: RedisArgument,
            toAdd: RedisArgument
          ) {
            parser.pushKey(key)
            parser.push(toAdd)
          },
          transformReply: undefined as unknown as () => NumberReply
        })
      }
    });

    await client.connect();
    await client.set('key', '1');
    assert.equal(await client.add('key', '2'), 3); // 3
  })

  test('examples/lua-multi-incr.js', async () => {
    await fresh()
    const out = await capturing(async () => {
      const client = createClient({
        scripts: {
          mincr: defineScript({
            NUMBER_OF_KEYS: 2,
            SCRIPT:
              'return {' +
              'redis.pcall("INCRBY", KEYS[1], ARGV[1]),' +
              'redis.pcall("INCRBY", KEYS[2], ARGV[1])' +
              '}',
              parseCommand(parser: CommandParser, key1: string, key2: string, increment: number) {
                parser.pushKey(key1);
                parser.pushKey(key2);
                parser.push(increment.toString());
              },
          }),
        },
      });

      await client.connect();

      await client.set('mykey', '5');
      console.log(await client.mincr('mykey', 'myotherkey', 10)); // [ 15, 10 ]

      client.destroy();
    })
    assert.deepEqual(out, [[[15, 10]]])
  })
})

describe('node-redis docs: pool.md, the README and examples/blocking-list-pop.js', () => {
  test('creating a pool (pool.md), then the simple scenario', async () => {
    const pool = await createClientPool()
      .on('error', err => console.error('Redis Client Pool Error', err));
    // pool.md never calls connect(): the pool connects its clients as they are needed.
    assert.equal(await pool.sendCommand(['PING']), 'PONG'); // 'PONG'
    const client = await docsClient()
    assert.equal(await client.ping(), 'PONG'); // 'PONG'
    const reply = await client.withTypeMapping({
      [RESP_TYPES.SIMPLE_STRING]: Buffer
    }).ping(); // Buffer
    assert.ok(Buffer.isBuffer(reply), `a Buffer, got ${Object.prototype.toString.call(reply)}`)
    pool.destroy()
  })

  test('transactions on the pool (pool.md)', async () => {
    await fresh()
    const pool = createClientPool()
    let outcome = 'none'
    try {
      await pool.execute(async client => {
        await client.watch('key');

        const multi = client.multi()
          .ping()
          .get('key');

        if (Math.random() > 0.5) {
          await client.watch('another-key');
          // @ts-expect-error -- the docs' JavaScript divides a string | null reply
          multi.set('another-key', await client.get('another-key') / 2);
        }

        return multi.exec();
      });
      outcome = 'ran'
    } catch (err) {
      if (err instanceof WatchError) {
        // the transaction aborted
        outcome = 'aborted'
      } else throw err
    }
    assert.equal(outcome, 'ran')
    pool.destroy()
  })

  test('README: createClientPool().on().connect(), pool.ping()', async () => {
    const pool = await createClientPool()
      .on("error", (err) => console.error(err))
      .connect();

    assert.equal(await pool.ping(), 'PONG');
    pool.destroy()
  })

  test('examples/blocking-list-pop.js', async () => {
    await fresh()
    const out = await capturing(async () => {
      const client = createClientPool();

      await client.connect();

      const keyName = 'keyName';

      const blpopPromise = client.blPop(
        keyName,
        0
      );

      await client.lPush(keyName, 'value');

      const listItem = await blpopPromise;

      console.log('blpopPromise resolved');
      // listItem will be:
      // {"key":"keyName","element":"value"}
      console.log(`listItem is '${JSON.stringify(listItem)}'`);

      client.destroy();
    })
    assert.deepEqual(out, [['blpopPromise resolved'], [`listItem is '{"key":"keyName","element":"value"}'`]])
  })
})

describe('node-redis docs: README transactions and auto-pipelining, examples/transaction-with-arbitrary-commands.js', () => {
  test('README: multi with another-key', async () => {
    await fresh()
    const client = await docsClient()
    await client.set("another-key", "another-value");

    const [setKeyReply, otherKeyValue] = await client
      .multi()
      .set("key", "value")
      .get("another-key")
      .exec(); // ['OK', 'another-value']
    assert.deepEqual([setKeyReply, otherKeyValue], ['OK', 'another-value'])
  })

  test('README: auto-pipelining', async () => {
    const client = await docsClient()
    client.set("Tm9kZSBSZWRpcw==", "users:1");
    client.sAdd("users:1:tokens", "Tm9kZSBSZWRpcw==");
    await Promise.all([
      client.set("Tm9kZSBSZWRpcw==", "users:1"),
      client.sAdd("users:1:tokens", "Tm9kZSBSZWRpcw=="),
    ]);
    assert.equal(await admin.get('Tm9kZSBSZWRpcw=='), 'users:1')
  })

  test('examples/transaction-with-arbitrary-commands.js', async () => {
    await fresh()
    const out = await capturing(async () => {
      const client = createClient();

      await client.connect();

      // Build some data fixtures.
      await Promise.all([
        client.hSet('hash1', { name: 'hash1', number: 1}),
        client.hSet('hash2', { name: 'hash2', number: 1}),
        client.hSet('hash3', { name: 'hash3', number: 3})
      ]);

      // Outside of a transaction, use sendCommand to send arbitrary commands.
      await client.sendCommand(['hset', 'hash2', 'number', '3']);

      // In a transaction context, use addCommand to send arbitrary commands.
      // addCommand can be mixed and matched with named command functions as
      // shown.
      const multi = client.multi()
        .hGetAll('hash2')
        .addCommand(['hset', 'hash3', 'number', '4'])
        .hGet('hash3', 'number');

      // exec() returns Array<ReplyUnion>
      const responses = await multi.exec();

      // responses will be:
      // [ [Object: null prototype] { name: 'hash2', number: '3' }, 0, '4' ]
      console.log('Using exec():', responses);

      // This is equivalent to multi.exec<'typed'>()
      const typedResponses = await multi
        .hGetAll('hash2')
        .addCommand(['hset', 'hash3', 'number', '4'])
        .hGet('hash3', 'number')
        .execTyped();

      // typedResponses will have more specific types
      console.log('Using execTyped():', typedResponses);

      // Clean up fixtures.
      await client.del(['hash1', 'hash2', 'hash3']);

      client.close();
    })
    assert.deepEqual(out[0], ['Using exec():', [{ name: 'hash2', number: '3' }, 0, '4']])
    // node-redis's builder keeps its commands after exec(), so the second call sends six.
    assert.deepEqual(out[1], ['Using execTyped():', [{ name: 'hash2', number: '3' }, 0, '4', { name: 'hash2', number: '3' }, 0, '4']])
  })
})

describe('node-redis docs: client-side caching (README, docs/v5.md "Anonymous Cache")', () => {
  test('createClient({ RESP: 3, clientSideCache: { ttl: 0, maxEntries: 0, evictPolicy: "LRU" } })', async () => {
    await fresh()
    // Enable client side caching with RESP3
    const client = createClient({
      RESP: 3,
      clientSideCache: {
        ttl: 0,             // Time-to-live (0 = no expiration)
        maxEntries: 0,      // Maximum entries (0 = unlimited)
        evictPolicy: "LRU"  // Eviction policy: "LRU" or "FIFO"
      }
    });
    await client.connect()
    await admin.set('cached', '1')
    assert.equal(await client.get('cached'), '1')
    assert.equal(await client.get('cached'), '1')
    assert.equal(client.clientSideCache!.stats().hitCount, 1)
  })
})

describe('node-redis examples: pubsub-subscriber.js with pubsub-publisher.js', () => {
  test('four duplicated subscribers; the publisher sends 10 000 messages on each of two channels', async () => {
    const out = await capturing(async () => {
      // --- examples/pubsub-subscriber.js
      const client = createClient();
      await client.connect();

      // Each subscriber needs to connect individually therefore we duplicate the client.
      const channel1Sub = client.duplicate();
      const channel2Sub = client.duplicate();
      const noChannelsSub = client.duplicate();
      const allChannelsSub = client.duplicate();
      made.push(channel1Sub, channel2Sub, noChannelsSub, allChannelsSub)

      await channel1Sub.connect();
      await channel2Sub.connect();
      await noChannelsSub.connect();
      await allChannelsSub.connect();

      // This subscriber only will receive messages from channel 1 as they are using the subscribe method and subscribed to chan1nel.
      await channel1Sub.subscribe('chan1nel', (message) => {
        console.log(`Channel1 subscriber collected message: ${message}`);
      },true);

      // This subscriber only will receive messages from channel 2 as they are using the subscribe method and subscribed to chan2nel.
      await channel2Sub.subscribe('chan2nel', (message) => {
        console.log(`Channel2 subscriber collected message: ${message}`);
      },true);

      // This subscriber will not receive any messages as its channel does not exist.
      await noChannelsSub.subscribe('chan*nel', (message) => {
        console.log(`This message will never be seen as we are not using pSubscribe here. ${message}`);
      },true);

      // This subscriber receive messages from both channel 1 and channel 2 using the pSubscribe method.
      await allChannelsSub.pSubscribe('chan*nel', (message, channel) => {
        console.log(`Channel ${channel} sent message: ${message}`);
      },true);

      // --- examples/pubsub-publisher.js
      {
        const client = createClient();

        await client.connect();

        // Declare constant variables for the name of the clients we will publish to as they will be required for logging.
        const channel1 = 'chan1nel';
        const channel2 = 'chan2nel';

        for (let i = 0; i < 10000; i++) {
          // 1st channel created to publish 10000 messages.
          await client.publish(channel1, `channel1_message_${i}`);
          console.log(`publishing message on ${channel1}`);
          // 2nd channel created to publish 10000 messages.
          await client.publish(channel2, `channel2_message_${i}`);
          console.log(`publishing message on ${channel2}`);
        }
      }
      await waitFor(() => printed.lines.length >= 20_000 + 4 * 10_000, 15_000)
    })
    const count = (re: RegExp): number => out.filter((l) => re.test(String(l[0]))).length
    assert.equal(count(/^publishing message on /), 20_000)
    assert.equal(count(/^Channel1 subscriber collected message: /), 10_000)
    assert.equal(count(/^Channel2 subscriber collected message: /), 10_000)
    assert.equal(count(/^Channel .* sent message: /), 20_000)
    assert.equal(count(/never be seen/), 0)
  }, { timeout: 60_000 })
})

/** Bounded wait for the examples' asynchronous output: each turn awaits a real round trip. */
async function waitFor(done: () => boolean, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`not done within ${ms} ms (${printed.lines.length} lines printed)`)
    await admin.ping()
  }
}

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { OPTIONS } from '../config/index.js';
import { ConfigError } from '../errors/index.js';
import { integer, json, list, UsageError } from './args.js';
import type { CliIo } from './command.js';
import { gatewayConfigFromFlags } from './gateway.js';
import { flagOptions, optionLines, optionValues, usageFromConfig } from './option-flags.js';
import { COMMANDS, runCli, version } from './run.js';

function capture(): CliIo & { out_: string[]; err_: string[] } {
  const out_: string[] = [];
  const err_: string[] = [];
  return { out_, err_, out: (l) => out_.push(l), err: (l) => err_.push(l) };
}

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = capture();
  const code = await runCli(argv, io);
  return { code, out: io.out_.join('\n'), err: io.err_.join('\n') };
}

describe('weft command line', () => {
  it('lists its commands with --help, and exits 2 without a command or with an unknown one', async () => {
    const help = await run('--help');
    assert.equal(help.code, 0);
    for (const name of ['flow', 'executor', 'deployment', 'gateway', 'ping'])
      assert.match(help.out, new RegExp(`  ${name} `));
    assert.equal((await run()).code, 2);
    const unknown = await run('pods');
    assert.equal(unknown.code, 2);
    assert.match(unknown.err, /unknown command 'pods'/);
    assert.deepEqual(await run('--version'), { code: 0, out: version(), err: '' });
  });

  it('explains every command with --help (and weft help <command>)', async () => {
    for (const c of COMMANDS) {
      const r = await run(c.name, '--help');
      assert.equal(r.code, 0);
      assert.match(r.out, new RegExp(`^Usage: weft ${c.name} `));
      assert.equal((await run('help', c.name)).out, r.out);
    }
  });

  it('exits 2 with the mistake and a pointer to --help on a usage error', async () => {
    const cases: [string[], RegExp][] = [
      [['flow'], /--uses is required/],
      [['flow', '--uses', 'f.yml', '--replicas', '2'], /Unknown option '--replicas'/],
      [['executor', '--uses', 'x.ts#X', '--port', 'eighty'], /--port must be an integer, got 'eighty'/],
      // ranges and shapes come from the option schema (the one a Deployment's workers are validated with)
      [['executor', '--uses', 'x.ts#X', '--port', '70000'], /--port: Too big: expected number to be <=65535/],
      [['executor', '--uses', 'x.ts#X', '--uses-with', '[1]'], /--uses-with: .*expected record/],
      [['flow', '--uses', 'f.yml', '--port', '1,70000'], /--port \(1\): Too big/],
      [['gateway', '--deployments-addresses', '{}'], /--graph-description is required/],
      [
        ['gateway', '--graph-description', '{oops', '--deployments-addresses', '{}'],
        /--graph-description must be JSON/,
      ],
      [['ping', 'executor'], /say where the executor is/],
      [['head', '--deployment', 'enc'], /--connection-list is required/],
      [['head', '--deployment', 'enc', '--connection-list', '[1]'], /--connection-list must be a JSON object/],
      [['export', 'flowchart', 'flow.yml'], /needs <flow\.yml> and an output file/],
      [['ping', 'executor', '127.0.0.1:1', '--attempts', '0'], /--attempts must be an integer ≥ 1/],
    ];
    for (const [argv, message] of cases) {
      const r = await run(...argv);
      assert.equal(r.code, 2, argv.join(' '));
      assert.match(r.err, message);
      assert.match(r.err, new RegExp(`See 'weft ${argv[0]} --help'`));
    }
  });

  it('weft ping exits 1 and says why when nothing answers', async () => {
    const r = await run('ping', 'executor', '127.0.0.1:1', '--timeout', '2000');
    assert.equal(r.code, 1);
    assert.match(r.err, /executor at 127\.0\.0\.1:1 does not serve: .*127\.0\.0\.1:1/);
  });
});

describe('weft gateway arguments', () => {
  const graph = JSON.stringify({ 'start-gateway': ['a'], a: ['b'], b: ['end-gateway'] });
  const addresses = JSON.stringify({ a: ['127.0.0.1:5001', '127.0.0.1:5002'], b: 'grpc://10.0.0.2:5003' });

  it("builds the gateway configuration from Jina's flags", () => {
    const config = gatewayConfigFromFlags({
      'graph-description': graph,
      'deployments-addresses': addresses,
      'graph-conditions': '{"b":{"tags__kind":"x"}}',
      'deployments-no-reduce': '["b"]',
      protocol: ['grpc'],
      port: ['8080'],
      prefetch: '10',
      'timeout-send': '500',
      retries: '2',
      'protocol-options': '{"cors":true,"title":"T"}',
    });
    assert.deepEqual(config.protocolOptions, { cors: true, title: 'T' });
    assert.deepEqual(config.graph, JSON.parse(graph));
    assert.deepEqual(config.addresses, { a: ['127.0.0.1:5001', '127.0.0.1:5002'], b: ['grpc://10.0.0.2:5003'] });
    assert.deepEqual(config.conditions, { b: { tags__kind: 'x' } });
    assert.deepEqual(config.noReduce, ['b']);
    assert.deepEqual(config.protocols, [{ protocol: 'grpc', port: 8080 }]);
    assert.equal(config.host, '0.0.0.0');
    assert.deepEqual([config.prefetch, config.timeoutSend, config.retries, config.name], [10, 500, 2, 'gateway']);
  });

  it('defaults to one grpc protocol on a free port, and rejects ports without a protocol', () => {
    const config = gatewayConfigFromFlags({ 'graph-description': graph, 'deployments-addresses': addresses });
    assert.deepEqual(config.protocols, [{ protocol: 'grpc', port: 0 }]);
    assert.throws(
      () =>
        gatewayConfigFromFlags({
          'graph-description': graph,
          'deployments-addresses': addresses,
          port: ['1,2'],
        }),
      /--port lists 2 ports for 1 protocol/,
    );
    assert.throws(
      () =>
        gatewayConfigFromFlags({ 'graph-description': graph, 'deployments-addresses': addresses, protocol: ['smtp'] }),
      /unknown --protocol smtp/,
    );
  });

  it('takes TLS files with --ssl-certfile and --ssl-keyfile, only together', () => {
    const base = { 'graph-description': graph, 'deployments-addresses': addresses };
    const config = gatewayConfigFromFlags({ ...base, 'ssl-certfile': 'cert.pem', 'ssl-keyfile': 'key.pem' });
    assert.equal(config.sslCertfile, 'cert.pem');
    assert.equal(config.sslKeyfile, 'key.pem');
    assert.throws(
      () => gatewayConfigFromFlags({ ...base, 'ssl-certfile': 'cert.pem' }),
      (err: Error) =>
        err instanceof UsageError && /sslCertfile and sslKeyfile go together.*only sslCertfile/.test(err.message),
    );
  });

  it('names an executor of the graph that has no address', () => {
    assert.throws(
      () => gatewayConfigFromFlags({ 'graph-description': graph, 'deployments-addresses': '{"a":["h:1"]}' }),
      (err: Error) =>
        err instanceof UsageError && /executor 'b' of the graph has no entry in the addresses/.test(err.message),
    );
  });
});

describe('flags from the option table', () => {
  it('derives each flag, its help line and how its value is read', () => {
    assert.deepEqual(flagOptions(['timeoutSend', 'cors', 'graph', { id: 'port', list: true }]), {
      'timeout-send': { type: 'string', multiple: false },
      cors: { type: 'boolean' },
      'graph-description': { type: 'string', multiple: false },
      port: { type: 'string', multiple: true },
    });
    const help = optionLines([{ id: 'port', note: '(default 0)' }, 'usesWith']);
    assert.match(help, /^ {2}--port <port> +the port to listen on; 0 picks a free one \(default 0\)$/m);
    assert.ok(help.includes(`--uses-with <json>      ${OPTIONS.usesWith.help}`));
    assert.deepEqual(
      optionValues(['timeoutSend', 'usesWith', 'protocol', 'cors'], {
        'timeout-send': '500',
        'uses-with': '{"a":1}',
        protocol: ['grpc,http'],
        cors: true,
      }),
      { timeoutSend: 500, usesWith: { a: 1 }, protocol: ['grpc', 'http'], cors: true },
    );
    // the schema's complaint names the flag
    const err = usageFromConfig(
      new ConfigError('x', { details: { issues: [{ path: ['timeoutSend'], message: 'Too small' }] } }),
      ['timeoutSend'],
    );
    assert.ok(err instanceof UsageError && err.message === '--timeout-send: Too small');
  });
});

describe('flag values', () => {
  it('reads integers, lists and JSON, naming the flag when a value is wrong', () => {
    assert.equal(integer('8080', 'port', { min: 0, max: 65535 }), 8080);
    assert.equal(integer('-1', 'retries', { min: -1 }), -1);
    assert.throws(() => integer('1.5', 'port'), /--port must be an integer/);
    assert.throws(() => integer('70000', 'port', { min: 0, max: 65535 }), /between 0 and 65535/);
    assert.deepEqual(list(['grpc, http', 'websocket']), ['grpc', 'http', 'websocket']);
    assert.deepEqual(list('8080'), ['8080']);
    assert.deepEqual(list(undefined), []);
    assert.deepEqual(json('{"a":1}', 'x', 'an object'), { a: 1 });
    assert.throws(() => json('{a', 'graph-conditions', 'executor → filter'), /--graph-conditions must be JSON/);
  });
});

describe('docs/reference/cli.md', () => {
  it('documents every command and every flag its --help names', () => {
    const doc = readFileSync(new URL('../../../../docs/reference/cli.md', import.meta.url), 'utf8');
    for (const c of COMMANDS) {
      assert.match(doc, new RegExp(`^## \`weft ${c.name}\`$`, 'm'), `a section for weft ${c.name}`);
      const section = doc.split(/^## /m).find((s) => s.startsWith(`\`weft ${c.name}\``)) ?? '';
      for (const flag of new Set(c.help.match(/--[a-z][a-z-]+/g) ?? [])) {
        if (flag === '--help') continue;
        assert.ok(section.includes(`\`${flag}`), `weft ${c.name} ${flag} is documented`);
      }
    }
  });
});

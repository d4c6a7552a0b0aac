/**
 * `weft flow --uses flow.yml`: start a Flow from its YAML (every executor, then the gateway), print one
 * `protocol://host:port` line per protocol the gateway serves, and serve until SIGINT/SIGTERM; then close the Flow
 * (no process left behind) and exit 0.
 */
import { flowSchemas, validate } from '../config/index.js';
import { Flow, watchSources } from '../orchestrate/index.js';
import { parseFlags, required } from './args.js';
import type { CliIo, Command } from './command.js';
import {
  type FlagSpec,
  flagOptions,
  optionLines,
  optionValues,
  type ParseOptions,
  usageFromConfig,
} from './option-flags.js';
import { serveUntilSignal } from './serve.js';
import { TELEMETRY_FLAGS, type TELEMETRY_IDS } from './telemetry-flags.js';

/** Flow options the command line may set over the YAML's `with:`. */
const FLAGS: readonly FlagSpec[] = [
  { id: 'port', list: true, note: "(one per protocol; over the YAML's with: port)" },
  { id: 'protocol', note: "(over the YAML's with: protocol)" },
  { id: 'host', note: "(over the YAML's with: host)" },
  ...TELEMETRY_FLAGS,
  { id: 'monitoring', note: '(every runtime of the Flow)' },
  { id: 'portMonitoring', note: "(the gateway's; executors get free ones)" },
  { id: 'container', note: '(runs the docker:// executors; over the YAML)' },
];
/** The Flow schema's keys those flags may set. */
const FLAG_PICK = Object.fromEntries(FLAGS.map((f) => [typeof f === 'string' ? f : f.id, true])) as {
  [K in
    | 'port'
    | 'protocol'
    | 'host'
    | 'monitoring'
    | 'portMonitoring'
    | 'container'
    | (typeof TELEMETRY_IDS)[number]]: true;
};

const OPTIONS: ParseOptions = {
  uses: { type: 'string' },
  reload: { type: 'boolean' },
  ...flagOptions(FLAGS),
  help: { type: 'boolean', short: 'h' },
};

export const flowCommand: Command = {
  name: 'flow',
  summary: 'serve a Flow from its YAML until SIGINT/SIGTERM',
  help: `Usage: weft flow --uses <flow.yml> [--reload] [--port <n[,n…]>] [--protocol <grpc|http|websocket[,…]>] [--host <h>]

Start every executor of a Flow YAML (jtype: Flow; \${{ ENV.X }} is substituted) and its gateway, print the
address of each protocol the gateway serves, one protocol://host:port per line on stdout, and serve until
SIGINT or SIGTERM. Then the gateway drains, floating executors finish, every process stops, and weft exits 0.
Exits 1 when the Flow cannot start (the message names the executor and its own error).

Options:
  --uses <flow.yml>       the Flow YAML; relative \`uses:\` paths resolve against its folder
  --reload                watch the executors' source files (a \`uses:\` module, an executor YAML and its
                          modules) and restart only the executors whose sources change; the gateway keeps
                          serving (one line on stderr per reload)
${optionLines(FLAGS)}
  -h, --help              show this help

Example:
  weft flow --uses flow.yml
  weft flow --uses flow.yml --reload
  weft flow --uses flow.yml --container podman
  weft flow --uses flow.yml --protocol grpc,http --port 12345,8080
  weft ping flow 127.0.0.1:12345`,

  async run(argv: string[], io: CliIo): Promise<number> {
    const { values } = parseFlags(argv, OPTIONS);
    const file = required(values.uses as string | undefined, 'uses');
    const given = optionValues(FLAGS, values);
    // one value stays one value (`port: 8080`), several are a list, as in the YAML
    for (const [k, v] of Object.entries(given)) if (Array.isArray(v) && v.length === 1) given[k] = v[0];
    let overrides: Record<string, unknown>;
    try {
      overrides = validate(flowSchemas().flow.pick(FLAG_PICK), given, 'weft flow flags');
    } catch (err) {
      throw usageFromConfig(err, FLAGS);
    }
    return serveUntilSignal('weft flow', io, async () => {
      const flow = Flow.load(file, { overrides });
      try {
        await flow.start();
      } catch (err) {
        await flow.close();
        throw err;
      }
      io.err(`weft flow: ${flow.executors.length} executor(s) ready: ${flow.executors.map((e) => e.name).join(', ')}`);
      const watching = values.reload ? watchSources(flow, flow.cwd, (m) => io.err(`weft flow: ${m}`)) : undefined;
      if (watching) {
        const names = [...watching.sources.keys()];
        io.err(`weft flow: reloading on source changes of ${names.length > 0 ? names.join(', ') : 'no executor'}`);
      }
      const stop = async (): Promise<void> => {
        watching?.close();
        await flow.close();
      };
      return { addresses: flow.endpoints.map((e) => e.url), stop };
    });
  },
};

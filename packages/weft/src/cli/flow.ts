/**
 * `weft flow --uses flow.yml`: start a Flow from its YAML (every executor, then the gateway), print one
 * `protocol://host:port` line per protocol the gateway serves, and serve until SIGINT/SIGTERM; then close the Flow
 * (no process left behind) and exit 0.
 */
import { Flow } from '../orchestrate/index.js';
import { integer, list, parseFlags, required } from './args.js';
import type { CliIo, Command } from './command.js';
import { serveUntilSignal } from './serve.js';

const OPTIONS = {
  uses: { type: 'string' },
  port: { type: 'string' },
  protocol: { type: 'string' },
  host: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export const flowCommand: Command = {
  name: 'flow',
  summary: 'serve a Flow from its YAML until SIGINT/SIGTERM',
  help: `Usage: weft flow --uses <flow.yml> [--port <n[,n…]>] [--protocol <grpc|http|websocket[,…]>] [--host <h>]

Start every executor of a Flow YAML (jtype: Flow; \${{ ENV.X }} is substituted) and its gateway, print the
address of each protocol the gateway serves, one protocol://host:port per line on stdout, and serve until
SIGINT or SIGTERM. Then the gateway drains, floating executors finish, every process stops, and weft exits 0.
Exits 1 when the Flow cannot start (the message names the executor and its own error).

Options:
  --uses <flow.yml>   the Flow YAML; relative \`uses:\` paths resolve against its folder
  --port <n[,n…]>     the gateway's port(s), one per protocol, over the YAML's \`with: port\`
  --protocol <p[,…]>  the gateway's protocol(s) (grpc, http, websocket), over the YAML's \`with: protocol\`
  --host <h>          the address the gateway binds, over the YAML's \`with: host\`
  -h, --help          show this help

Example:
  weft flow --uses flow.yml
  weft flow --uses flow.yml --protocol grpc,http --port 12345,8080
  weft ping flow 127.0.0.1:12345`,

  async run(argv: string[], io: CliIo): Promise<number> {
    const { values } = parseFlags(argv, OPTIONS);
    const file = required(values.uses, 'uses');
    const overrides: Record<string, unknown> = {};
    const ports = list(values.port).map((p) => integer(p, 'port', { min: 0, max: 65535 }));
    const protocols = list(values.protocol);
    if (ports.length > 0) overrides.port = ports.length === 1 ? ports[0] : ports;
    if (protocols.length > 0) overrides.protocol = protocols.length === 1 ? protocols[0] : protocols;
    if (values.host !== undefined) overrides.host = values.host;
    return serveUntilSignal('weft flow', io, async () => {
      const flow = Flow.load(file, { overrides });
      try {
        await flow.start();
      } catch (err) {
        await flow.close();
        throw err;
      }
      io.err(`weft flow: ${flow.executors.length} executor(s) ready: ${flow.executors.map((e) => e.name).join(', ')}`);
      return { addresses: flow.endpoints.map((e) => e.url), stop: () => flow.close() };
    });
  },
};

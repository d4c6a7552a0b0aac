/**
 * The gateway process: reads `WEFT_GATEWAY_CONFIG`, serves the Flow on every configured protocol, and reports
 * readiness over IPC like every weft runtime (see `runtime-main.ts`). `weft gateway …` runs the same code.
 */
import { runRuntimeMain } from '../runtime-main.js';
import { GATEWAY_CONFIG_ENV, parseGatewayConfig } from './gateway-config.js';
import { GatewayServer } from './gateway-server.js';

const config = parseGatewayConfig(process.env[GATEWAY_CONFIG_ENV]);
await runRuntimeMain({
  label: 'weft gateway',
  name: config.name,
  start: async () => {
    const server = new GatewayServer(config);
    const bound = await server.start();
    return {
      port: (bound[0] as { port: number }).port,
      address: bound.map((b) => `${b.protocol}://${config.host}:${b.port}`).join(', '),
      stop: () => server.stop(),
    };
  },
});

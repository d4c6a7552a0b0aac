/**
 * The gateway process: reads `WEFT_GATEWAY_CONFIG`, serves the Flow on every configured protocol, and reports
 * readiness over IPC like every weft runtime (see `runtime-main.ts`). `weft gateway …` runs the same code.
 */
import { runRuntimeMain } from '../runtime-main.js';
import { decodeGatewayConfig, GATEWAY_CONFIG_ENV } from './gateway-config.js';
import { GatewayServer } from './gateway-server.js';

await runRuntimeMain({
  kind: 'weft gateway',
  config: () => decodeGatewayConfig(process.env[GATEWAY_CONFIG_ENV]),
  start: async (config, phase) => {
    const server = new GatewayServer(config);
    phase('construct');
    const bound = await server.start();
    phase('bind');
    return {
      port: (bound[0] as { port: number }).port,
      address: `${bound.map((b) => `${b.protocol}://${config.host}:${b.port}`).join(', ')}${config.sslCertfile ? ' (TLS)' : ''}`,
      stop: () => server.stop(),
    };
  },
});

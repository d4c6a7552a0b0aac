/** docker-compose export: one service per replica/shard/head and the gateway, healthchecks with `weft ping`. */

export { dockerComposeExporter } from './compose-exporter.js';
export { COMPOSE_PORT, composeFile, composeYaml, GATEWAY_PORT } from './compose-file.js';

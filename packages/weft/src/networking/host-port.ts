/**
 * `host:port` addresses both ways, with IPv6 hosts in brackets (`[::1]:50001`): the one place weft formats a host
 * for an address or URL, and parses an address back.
 */

/**
 * A host as it appears before `:port`: an IPv6 literal in brackets, anything else as it is.
 * @example formatHost('::1') // '[::1]'; formatHost('[::1]') // '[::1]'; formatHost('encoder-0') // 'encoder-0'
 */
export function formatHost(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

/**
 * `host:port`, with brackets around an IPv6 host.
 * @example formatHostPort('::', 50001) // '[::]:50001'; `http://${formatHostPort(host, port)}/status`
 */
export function formatHostPort(host: string, port: number): string {
  return `${formatHost(host)}:${port}`;
}

/**
 * `host:port` (IPv6 in brackets) as its parts (the host without brackets); undefined when it is not one.
 * @example parseHostPort('[::1]:50001') // { host: '::1', port: 50001 }
 */
export function parseHostPort(address: string): { host: string; port: number } | undefined {
  const m = /^(?:\[([^\]]*)\]|([^:[\]]*)):(\d{1,5})$/.exec(address.trim());
  if (!m) return undefined;
  const port = Number(m[3]);
  if (port < 1 || port > 65535) return undefined;
  return { host: m[1] ?? m[2] ?? '', port };
}

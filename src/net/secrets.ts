// Which request headers carry credentials, so that nothing the kit prints or records
// shows them: a list of the known names, and a rule for the names a list cannot foresee.
const KNOWN = new Set([
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-auth-token',
  'x-subject-token',
  'x-security-token',
  'x-admin-token',
  'x-api-key',
  'api-key',
  'x-amz-security-token',
]);
const LOOKS_SECRET = /token|secret|passw|credential|session|cookie|api[-_]?key|signature|auth/i;

export const MASK = '***';

/** Whether a header (any case) may carry a credential; the same rule judges query parameter names. */
export const isSecretHeader = (name: string): boolean => KNOWN.has(name.toLowerCase()) || LOOKS_SECRET.test(name);

/** The headers with every credential-bearing value replaced by `***`. */
export function maskHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const masked: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    masked[name] = isSecretHeader(name) ? MASK : Array.isArray(value) ? value.join(', ') : value;
  }
  return masked;
}

/**
 * A request target with the value of every query parameter whose name speaks of a
 * secret (token, signature...) replaced by `***`: the links of SMN notifications
 * (subscribe_url, unsubscribe_url) carry their token in the query, and whoever holds it
 * can confirm or cancel the subscription.
 */
export function maskQuery(target: string): string {
  const start = target.indexOf('?');
  if (start === -1) return target;
  const pairs = target.slice(start + 1).split('&').map((pair) => {
    const equals = pair.indexOf('=');
    if (equals === -1) return pair;
    const name = pair.slice(0, equals);
    let decoded = name;
    try {
      decoded = decodeURIComponent(name.replaceAll('+', ' '));
    } catch {
      // Not percent-encoding: judged as written.
    }
    return isSecretHeader(decoded) ? `${name}=${MASK}` : pair;
  });
  return `${target.slice(0, start + 1)}${pairs.join('&')}`;
}

// Which request headers and query parameters carry credentials, so that nothing the kit
// prints or records shows them: the one rule for every log, record and reproducer. A
// list of the known names, and a rule for the names a list cannot foresee (a header or
// parameter whose name speaks of a token, a key, a secret, a password, a signature, a
// session...).
const KNOWN = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'x-auth-token', 'x-subject-token', 'x-security-token', 'x-admin-token', 'x-api-key', 'api-key', 'x-amz-security-token']);
const LOOKS_SECRET = /token|key|secret|passw|pwd|pass$|credential|auth|jwt|csrf|xsrf|signature|sig$|session|cookie/i;

export const MASK = '***';

/** Whether a header or query parameter name (any case) may carry a credential. */
export const isSecretName = (name: string): boolean => KNOWN.has(name.toLowerCase()) || LOOKS_SECRET.test(name);

/** Whether a header (any case) may carry a credential. */
export const isSecretHeader = isSecretName;

/** The headers with every credential-bearing value replaced by `***`. */
export function maskHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const masked: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    masked[name] = isSecretName(name) ? MASK : Array.isArray(value) ? value.join(', ') : value;
  }
  return masked;
}

const decoded = (text: string): string => {
  try {
    return decodeURIComponent(text.replaceAll('+', ' '));
  } catch {
    return text;
  }
};

/**
 * A request target (`/path?query`) or URL with the value of every credential-bearing
 * query parameter replaced by `***`; everything else left exactly as it was.
 */
export function maskQuery(target: string): string {
  const at = target.indexOf('?');
  if (at === -1) return target;
  const hash = target.indexOf('#', at);
  const query = target.slice(at + 1, hash === -1 ? undefined : hash);
  const masked = query
    .split('&')
    .map((pair) => {
      const equals = pair.indexOf('=');
      return equals !== -1 && isSecretName(decoded(pair.slice(0, equals))) ? `${pair.slice(0, equals)}=${MASK}` : pair;
    })
    .join('&');
  return `${target.slice(0, at + 1)}${masked}${hash === -1 ? '' : target.slice(hash)}`;
}

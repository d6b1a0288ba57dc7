// The secrets of a conformance run (token, SK, AK) never leave it: every text the run
// shows (answers it quotes, messages, reproducers, reports, error lines) goes through a
// mask that replaces them with `***`, in each form a secret can travel in.

export type Mask = (text: string) => string;

/**
 * Values shorter than this are not masked: a one- or three-character "secret" occurs in
 * ordinary text by chance, and replacing it everywhere would garble every message
 * without hiding anything.
 */
const SHORTEST_MASKED = 4;

const xmlEscaped = (text: string): string => text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');

/** A mask for these secrets: as given, JSON-escaped, URL-encoded and XML-escaped. */
export function secretMasker(secrets: readonly (string | undefined)[]): Mask {
  const forms = new Set<string>();
  for (const secret of secrets) {
    if (!secret || secret.length < SHORTEST_MASKED) continue;
    for (const form of [secret, JSON.stringify(secret).slice(1, -1), encodeURIComponent(secret), xmlEscaped(secret)]) forms.add(form);
  }
  // Longest first, so that a secret containing another is replaced whole.
  const ordered = [...forms].sort((a, b) => b.length - a.length);
  if (ordered.length === 0) return (text) => text;
  return (text) => ordered.reduce((masked, form) => masked.replaceAll(form, '***'), text);
}

/** `http://user:password@host` shown as `http://***@host`, in any text (parsed or not). */
export const maskUserinfo = (text: string): string => text.replace(/\/\/[^/@\s]*@/g, '//***@');

/** How an access key is named in a banner: a short key shows nothing of itself. */
export const describeAccessKey = (ak: string): string => (ak.length >= 16 ? `${ak.slice(0, 4)}***` : '***');

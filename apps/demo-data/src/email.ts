/** An email reduced to what the demos use: its decoded subject and its body as plain text. */
export interface ParsedEmail {
  /** The `Subject:` header, unfolded, RFC 2047 encoded-words decoded; `''` when there is none. */
  subject: string;
  /** The body as text: the first `text/plain` part (else `text/html` without markup), decoded. */
  body: string;
}

interface Part {
  headers: Map<string, string>;
  body: string;
}

/**
 * Parses an RFC 822 message: headers (folded lines unfolded) end at the first blank line; the body
 * is decoded from its `Content-Transfer-Encoding` (quoted-printable, base64) and `charset`, and a
 * multipart message gives its first `text/plain` part, else its first `text/html` part with the
 * markup stripped. Line ends become `\n`; runs of blank lines become one.
 * @example parseEmail('Subject: Hi\n\nHello') // { subject: 'Hi', body: 'Hello' }
 */
export function parseEmail(raw: string): ParsedEmail {
  const message = splitPart(raw.replace(/\r\n?/g, '\n'));
  const subject = decodeEncodedWords(message.headers.get('subject') ?? '').trim();
  const text = textOf(message) ?? '';
  const body = text
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  return { subject, body };
}

/** Headers (lower-case names, first occurrence) and the raw body of a message or MIME part. */
function splitPart(text: string): Part {
  const end = text.indexOf('\n\n');
  const head = end === -1 ? text : text.slice(0, end);
  const headers = new Map<string, string>();
  for (const line of head.replace(/\n[ \t]+/g, ' ').split('\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!headers.has(name)) headers.set(name, line.slice(colon + 1).trim());
  }
  return { headers, body: end === -1 ? '' : text.slice(end + 2) };
}

/** A parameter of a structured header: `param('text/plain; charset="utf-8"', 'charset')` → `utf-8`. */
function param(header: string, name: string): string | undefined {
  const match = new RegExp(`;\\s*${name}\\s*=\\s*("([^"]*)"|[^;\\s]+)`, 'i').exec(header);
  return match ? (match[2] ?? match[1]) : undefined;
}

/** The text of a part: its decoded body if text, else the text of its best sub-part (undefined if none). */
function textOf(part: Part, wanted: 'plain' | 'html' | 'any' = 'any'): string | undefined {
  const contentType = part.headers.get('content-type') ?? 'text/plain';
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  if (type.startsWith('multipart/')) {
    const boundary = param(contentType, 'boundary');
    if (!boundary) return decodeBody(part, contentType);
    const parts = part.body
      .split(`--${boundary}`)
      .slice(1)
      .filter((p) => !p.startsWith('--'))
      .map((p) => splitPart(p.replace(/^[ \t]*\n/, '')));
    for (const kind of wanted === 'any' ? (['plain', 'html'] as const) : [wanted])
      for (const sub of parts) {
        const found = textOf(sub, kind);
        if (found !== undefined) return found;
      }
    return undefined;
  }
  if (type === 'text/html' && wanted !== 'plain') return htmlToText(decodeBody(part, contentType));
  if ((type === 'text/plain' || !type.includes('/')) && wanted !== 'html')
    return decodeBody(part, contentType);
  return undefined;
}

function decodeBody(part: Part, contentType: string): string {
  const encoding = (part.headers.get('content-transfer-encoding') ?? '').toLowerCase();
  const charset = param(contentType, 'charset') ?? 'us-ascii';
  if (encoding === 'base64') return decodeBytes(base64Bytes(part.body), charset);
  if (encoding === 'quoted-printable')
    return decodeBytes(quotedPrintableBytes(part.body.replace(/=\n/g, '')), charset);
  return part.body;
}

/** Bytes of base64 text; characters outside the alphabet are skipped and a cut-off tail is dropped. */
function base64Bytes(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, 'base64'));
}

/** Bytes of a quoted-printable text (`=XX` escapes; other characters as their low byte). */
function quotedPrintableBytes(text: string): Uint8Array {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const hex = text[i] === '=' ? text.slice(i + 1, i + 3) : '';
    if (/^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(Number.parseInt(hex, 16));
      i += 2;
    } else bytes.push(text.charCodeAt(i) & 0xff);
  }
  return Uint8Array.from(bytes);
}

/** Bytes in a charset; an unknown charset reads as Latin-1, so no byte is lost. */
function decodeBytes(bytes: Uint8Array, charset: string): string {
  try {
    return new TextDecoder(charset.trim().toLowerCase()).decode(bytes);
  } catch {
    return new TextDecoder('latin1').decode(bytes);
  }
}

/** RFC 2047: `=?charset?Q|B?text?=` words decoded, whitespace between two encoded words dropped. */
export function decodeEncodedWords(header: string): string {
  return header
    .replace(/(\?=)\s+(=\?)/g, '$1$2')
    .replace(/=\?([^?]+)\?([QqBb])\?([^?]*)\?=/g, (_, charset: string, kind: string, text: string) => {
      const bytes =
        kind.toUpperCase() === 'B' ? base64Bytes(text) : quotedPrintableBytes(text.replaceAll('_', ' '));
      return decodeBytes(bytes, charset);
    });
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

/** Visible text of an HTML document: scripts, styles and tags removed, block ends as line breaks. */
export function htmlToText(html: string): string {
  return html
    .replace(/<(script|style|head)[\s\S]*?<\/\1\s*>/gi, '')
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/<(br|\/p|\/div|\/tr|\/h\d|\/li|\/title)\b[^>]*>/gi, '\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (entity, name: string) => {
      if (name[0] === '#') {
        const code =
          name[1] === 'x' || name[1] === 'X' ? Number.parseInt(name.slice(2), 16) : Number(name.slice(1));
        return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : entity;
      }
      return ENTITIES[name.toLowerCase()] ?? entity;
    })
    .replace(/[ \t]+/g, ' ');
}

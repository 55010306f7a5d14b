import { describe, expect, it } from 'vitest';
import { decodeEncodedWords, htmlToText, parseEmail } from './email.js';

describe('parseEmail', () => {
  it('splits headers from the body and unfolds a folded subject', () => {
    const raw =
      'From: a@b.c\r\nSubject: a long\r\n  subject line\r\nTo: d@e.f\r\n\r\nHello,\r\n\r\n\r\n\r\nbye  \r\n';
    expect(parseEmail(raw)).toEqual({ subject: 'a long subject line', body: 'Hello,\n\nbye' });
  });

  it('has an empty subject when there is none', () => {
    expect(parseEmail('From: a@b.c\n\nbody')).toEqual({ subject: '', body: 'body' });
  });

  it('decodes quoted-printable (soft line breaks included) in the declared charset', () => {
    const raw = [
      'Subject: qp',
      'Content-Type: text/plain; charset="iso-8859-1"',
      'Content-Transfer-Encoding: quoted-printable',
      '',
      'caf=E9 au lait, a very long line that was cut=',
      ' here',
    ].join('\n');
    expect(parseEmail(raw).body).toBe('café au lait, a very long line that was cut here');
  });

  it('takes the text/plain part of a multipart message, else the html part without markup', () => {
    const part = (type: string, body: string, encoding = '7bit') =>
      `Content-Type: ${type}\nContent-Transfer-Encoding: ${encoding}\n\n${body}\n`;
    const html = part(
      'text/html',
      '<html><head><title>t</title></head><body><p>Hi&nbsp;&amp; <b>bye</b></p></body></html>',
    );
    const plain = part('text/plain; charset=utf-8', Buffer.from('plain ✓').toString('base64'), 'base64');
    const multipart = (...parts: string[]) =>
      `Subject: m\nContent-Type: multipart/alternative;\n boundary="XYZ"\n\npreamble\n--XYZ\n${parts.join('--XYZ\n')}--XYZ--\n`;
    expect(parseEmail(multipart(html, plain)).body).toBe('plain ✓');
    expect(parseEmail(multipart(html)).body).toBe('Hi & bye');
  });
});

describe('decodeEncodedWords', () => {
  it('decodes Q and B words (RFC 2047 examples) and joins adjacent ones', () => {
    // From RFC 2047, section 8.
    expect(decodeEncodedWords('=?ISO-8859-1?Q?Keld_J=F8rn_Simonsen?=')).toBe('Keld Jørn Simonsen');
    expect(decodeEncodedWords('=?ISO-8859-1?Q?Andr=E9?= Pirard')).toBe('André Pirard');
    expect(decodeEncodedWords('(=?ISO-8859-1?Q?a?= =?ISO-8859-1?Q?b?=)')).toBe('(ab)');
    expect(decodeEncodedWords('=?ISO-8859-1?B?SWYgeW91IGNhbiByZWFkIHRoaXMgeW8=?=')).toBe(
      'If you can read this yo',
    );
    expect(decodeEncodedWords('=?utf-8?B?4pyT?= plain')).toBe('✓ plain');
  });
});

describe('htmlToText', () => {
  it('drops scripts, styles and tags, decodes entities, breaks lines at block ends', () => {
    expect(htmlToText('<style>p{}</style>a<br>b<script>x()</script><div>c&#233;&#x41;</div>d')).toBe(
      'a\nbcéA\nd',
    );
  });
});

const ONES = [
  'zero',
  'one',
  'two',
  'three',
  'four',
  'five',
  'six',
  'seven',
  'eight',
  'nine',
  'ten',
  'eleven',
  'twelve',
  'thirteen',
  'fourteen',
  'fifteen',
  'sixteen',
  'seventeen',
  'eighteen',
  'nineteen',
];
const TENS = ['twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety'];

/** Every word {@link numberToWords} uses (30). */
export const NUMBER_WORDS: readonly string[] = [...ONES, ...TENS, 'hundred', 'thousand'];

/**
 * An integer 0…9999 in English words, American style without "and" or hyphens:
 * `412` → `"four hundred twelve"`, `1005` → `"one thousand five"`, `70` → `"seventy"`.
 * @throws RangeError outside 0…9999 or for a non-integer.
 */
export function numberToWords(n: number): string {
  if (!(Number.isInteger(n) && n >= 0 && n <= 9999))
    throw new RangeError(`numberToWords: expected an integer in 0..9999, got ${n}`);
  if (n === 0) return 'zero';
  const words: string[] = [];
  const thousands = Math.floor(n / 1000);
  const hundreds = Math.floor((n % 1000) / 100);
  const rest = n % 100;
  if (thousands > 0) words.push(ONES[thousands]!, 'thousand');
  if (hundreds > 0) words.push(ONES[hundreds]!, 'hundred');
  if (rest >= 20) words.push(TENS[Math.floor(rest / 10) - 2]!, ...(rest % 10 > 0 ? [ONES[rest % 10]!] : []));
  else if (rest > 0) words.push(ONES[rest]!);
  return words.join(' ');
}

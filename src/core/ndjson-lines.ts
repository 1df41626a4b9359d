import { StringDecoder } from 'node:string_decoder';

/** One line of NDJSON, numbered from 1; a line longer than the limit comes without its text. */
export type NdjsonLine = { line: number; text: string } | { line: number; tooLong: true };

/**
 * Splits a byte stream into lines as it arrives, pulling the next chunk only when the consumer asks for the
 * next line (so a slow consumer slows the upload instead of filling memory). A line longer than
 * `maxLineBytes` is skipped to its end and reported, so one runaway line cannot hold the whole input.
 * Blank lines are counted but not yielded.
 */
export async function* ndjsonLines(
  source: AsyncIterable<Buffer | string>,
  maxLineBytes: number,
): AsyncGenerator<NdjsonLine> {
  const decoder = new StringDecoder('utf8');
  let pending = '';
  let skipping = false;
  let line = 0;
  const finish = (text: string): NdjsonLine | undefined => {
    line++;
    if (skipping) {
      skipping = false;
      return { line, tooLong: true };
    }
    const trimmed = text.endsWith('\r') ? text.slice(0, -1) : text;
    return trimmed.trim() === '' ? undefined : { line, text: trimmed };
  };
  for await (const chunk of source) {
    let text = pending + (typeof chunk === 'string' ? chunk : decoder.write(chunk));
    let start = 0;
    for (let newline = text.indexOf('\n'); newline >= 0; newline = text.indexOf('\n', start)) {
      const done = finish(text.slice(start, newline));
      if (done) yield done;
      start = newline + 1;
    }
    text = text.slice(start);
    if (Buffer.byteLength(text) > maxLineBytes) {
      skipping = true;
      text = '';
    }
    pending = text;
  }
  const rest = pending + decoder.end();
  if (rest !== '' || skipping) {
    const done = finish(rest);
    if (done) yield done;
  }
}

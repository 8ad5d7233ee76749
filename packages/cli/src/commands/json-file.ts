import { readFileSync } from 'node:fs';

/** A flag's FILE read as JSON, or an error naming the flag and the file and saying which step failed. */
export function readJsonFile(flag: string, file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`${flag} ${file}: cannot read it (${err instanceof Error ? err.message : String(err)})`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new Error(`${flag} ${file}: not valid JSON (${err instanceof Error ? err.message : String(err)})`);
  }
}

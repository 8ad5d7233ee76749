import { hashPassword } from './password';

// Reads the password from stdin so it never lands in shell history or the process list.
const chunks: Buffer[] = [];
for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
const password = Buffer.concat(chunks)
  .toString('utf8')
  .replace(/\r?\n$/, '');
if (password.length < 12) {
  console.error('a password needs at least 12 characters');
  process.exit(2);
}
console.log(await hashPassword(password));

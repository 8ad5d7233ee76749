/** A one-line progress bar on stderr, redrawn in place; silent when stderr is not a terminal. */
export function progressBar(label: string, stream: NodeJS.WriteStream = process.stderr) {
  let lastPercent = -1;
  return {
    update(done: number, total: number): void {
      const percent = Math.floor((done / Math.max(1, total)) * 100);
      if (percent === lastPercent && done !== total) return;
      lastPercent = percent;
      const width = 30;
      const filled = Math.round((percent / 100) * width);
      const line = `${label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${percent}% ${done}/${total}`;
      stream.write(stream.isTTY ? `\r${line}` : percent % 10 === 0 || done === total ? `${line}\n` : '');
    },
    done(): void {
      if (stream.isTTY) stream.write('\n');
    },
  };
}

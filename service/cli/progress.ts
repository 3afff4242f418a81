// Progress of a long computation on the terminal: a bar with rate and ETA redrawn in place on a
// TTY, plain lines at every tenth otherwise (logs, pipes, CI).

/** A progress reporter writing to `stream`. */
export function progressReporter(stream: NodeJS.WriteStream, unit: string, now = () => Date.now()): (done: number, total: number) => void {
  const start = now();
  let lastTenth = -1;
  return (done, total) => {
    const fraction = total > 0 ? done / total : 1;
    const seconds = Math.max((now() - start) / 1000, 1e-3);
    const rate = done / seconds;
    const eta = rate > 0 ? Math.ceil((total - done) / rate) : 0;
    const text = `${done}/${total} ${unit} ${Math.round(rate)} ${unit}/s ETA ${eta}s`;
    if (stream.isTTY) {
      const width = 24;
      const filled = Math.round(fraction * width);
      stream.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}% ${text}   `);
      if (done >= total) stream.write('\n');
    } else if (Math.floor(fraction * 10) > lastTenth) {
      lastTenth = Math.floor(fraction * 10);
      stream.write(`progress ${(fraction * 100).toFixed(0)}% ${text}\n`);
    }
  };
}

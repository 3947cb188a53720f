/** A one-line progress bar on stderr: `[#####.....] 48% 4.8M/10M 152k/s`. */
export function progressBar(label: string, total: number) {
  const started = Date.now();
  const human = (n: number): string => (n >= 1e6 ? `${(n / 1e6).toFixed(1)}M` : n >= 1e3 ? `${(n / 1e3).toFixed(0)}k` : String(n));
  return {
    update(done: number): void {
      const share = total === 0 ? 1 : done / total;
      const width = 30;
      const filled = Math.round(share * width);
      const rate = done / Math.max((Date.now() - started) / 1000, 0.001);
      process.stderr.write(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(share * 100).toFixed(0).padStart(3)}% ${human(done)}/${human(total)} ${human(Math.round(rate))}/s   `);
    },
    done(): void {
      process.stderr.write(`\r${label} done in ${((Date.now() - started) / 1000).toFixed(1)} s${' '.repeat(40)}\n`);
    },
  };
}

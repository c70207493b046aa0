// The terminal progress bar of LoggingHandler. cli-progress is required here, lazily, so that
// loading ndgrad (or using the Estimator without a TTY) never loads it.
import type { SingleBar } from 'cli-progress';

export class ProgressReporter {
  private readonly bar: SingleBar;

  constructor(title: string, total: number | undefined) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const cliProgress = require('cli-progress') as typeof import('cli-progress');
    this.bar = new cliProgress.SingleBar(
      { format: `${title} {bar} {value}/{total} batches | eta {eta_formatted} | {status}`, hideCursor: true, etaBuffer: 20 },
      cliProgress.Presets.shades_classic,
    );
    this.bar.start(total ?? 0, 0, { status: '' });
  }

  update(batches: number, status: string): void {
    if (this.bar.getTotal() < batches) this.bar.setTotal(batches);
    this.bar.update(batches, { status });
  }

  stop(): void {
    this.bar.stop();
  }
}

// Devices. This build computes on the CPU only; mx.gpu() says so instead of failing later.
export class Context {
  constructor(
    readonly deviceType: 'cpu',
    readonly deviceId: number = 0,
  ) {}

  toString(): string {
    return `${this.deviceType}(${this.deviceId})`;
  }

  equals(other: Context): boolean {
    return other.deviceType === this.deviceType && other.deviceId === this.deviceId;
  }
}

export function cpu(deviceId = 0): Context {
  if (!Number.isInteger(deviceId) || deviceId < 0) {
    throw new TypeError(`cpu: deviceId must be a non-negative integer, got ${deviceId}`);
  }
  return new Context('cpu', deviceId);
}

export function gpu(_deviceId = 0): never {
  throw new Error('gpu: this build of ndgrad has no GPU backend; use mx.cpu()');
}

export const defaultContext = cpu(0);

export function checkContext(ctx: unknown, fn: string): void {
  if (ctx === undefined || ctx === null) return;
  if (!(ctx instanceof Context)) throw new TypeError(`${fn}: ctx must be a Context such as mx.cpu()`);
}

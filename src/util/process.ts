// Who owns a temporary file: this host's name (safe inside a file name) and whether a pid still runs.
import os from 'node:os';

/** The host name with anything but letters, digits and '-' replaced, so `.<host>.<pid>.` parses back. */
export const thisHost = (): string => os.hostname().replace(/[^A-Za-z0-9-]/g, '_') || 'localhost';

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // exists, but someone else's
  }
}

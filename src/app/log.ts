import { pino, type Logger } from 'pino';

/** JSON lines on stdout; one line per event worth knowing, never one per request by default. */
export function createLogger(level = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({ level, base: { pid: process.pid } });
}

export const silentLogger: Logger = pino({ level: 'silent' });

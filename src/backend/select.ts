// Decides which backends to try, in which order, from the requested choice and what the probes found.

import { LcaError } from '../errors.js';
import { AUTO_ORDER, BACKEND_PACKAGES, type BackendName } from './names.js';

/** What probing one backend found, without loading it. `reason` says why it is unavailable. */
export interface ProbeResult {
  available: boolean;
  reason?: string;
  /** The installed package version, where one was found. */
  version?: string;
}

export type ProbeResults = Readonly<Record<BackendName, ProbeResult>>;

/**
 * The backends to try, first choice first. `auto` keeps the available ones of `order` (default
 * AUTO_ORDER: onnxruntime-cuda → tensorflow-gpu → onnxruntime → tensorflow → wasm → cpu); an explicit
 * choice that is unavailable is an LcaError whose message is the probe's reason (it names what is
 * missing and what to do).
 */
export function selectBackends<N extends BackendName>(choice: N | 'auto', probes: ProbeResults, order: readonly N[] = AUTO_ORDER as readonly N[]): N[] {
  if (choice !== 'auto') {
    const probe = probes[choice];
    if (!probe.available) throw new LcaError(probe.reason ?? `${BACKEND_PACKAGES[choice]} is not available`);
    return [choice];
  }
  const available = order.filter((name) => probes[name].available);
  if (available.length === 0) {
    const reasons = order.map((name) => probes[name].reason ?? `${name} is not available`);
    throw new LcaError(`no backend is available: ${reasons.join('; ')}`);
  }
  return available;
}

/** One line per backend `auto` passes over, for the log: why it was not used. */
export const skippedBackends = (probes: ProbeResults, before: BackendName, order: readonly BackendName[] = AUTO_ORDER): string[] =>
  order.slice(0, order.indexOf(before)).filter((name) => !probes[name].available).map((name) => `${name}: ${probes[name].reason ?? 'not available'}`);

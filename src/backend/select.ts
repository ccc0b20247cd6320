// Decides which backends to try, in which order, from the requested choice and what the probes found.

import { LcaError } from '../errors.js';
import { AUTO_ORDER, BACKEND_PACKAGES, type BackendChoice, type BackendName } from './names.js';

/** What probing one backend found, without loading it. `reason` says why it is unavailable. */
export interface ProbeResult {
  available: boolean;
  reason?: string;
  /** The installed package version, where one was found. */
  version?: string;
}

export type ProbeResults = Readonly<Record<BackendName, ProbeResult>>;

/**
 * The backends to try, first choice first. `auto` keeps the available ones in AUTO_ORDER
 * (tensorflow-gpu → tensorflow → wasm → cpu); an explicit choice that is unavailable is an
 * LcaError whose message is the probe's reason (it names the package and what to do).
 */
export function selectBackends(choice: BackendChoice, probes: ProbeResults): BackendName[] {
  if (choice !== 'auto') {
    const probe = probes[choice];
    if (!probe.available) throw new LcaError(probe.reason ?? `${BACKEND_PACKAGES[choice]} is not available`);
    return [choice];
  }
  const order = AUTO_ORDER.filter((name) => probes[name].available);
  if (order.length === 0) {
    const reasons = AUTO_ORDER.map((name) => probes[name].reason ?? `${name} is not available`);
    throw new LcaError(`no TF.js backend is available: ${reasons.join('; ')}`);
  }
  return order;
}

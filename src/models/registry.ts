// Networks by the name a config uses.
import type { ModelName } from '../config/schema.js';
import type { Network } from './network.js';
import { mnistFc } from './mnist-fc.js';

const networks: Record<ModelName, Network> = { 'mnist-fc': mnistFc };

export const networkNamed = (name: ModelName): Network => networks[name];

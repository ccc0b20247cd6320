// Variable declarations shared by the networks: a bias on every dense and conv layer, zero-
// initialised, and He truncated-normal kernels (original-conventions.md §3, "Shared conventions").
import type { VariableSpec } from './network.js';

export const denseVariables = (layer: string, inputs: number, outputs: number): VariableSpec[] => [
  { name: `${layer}/kernel`, shape: [inputs, outputs], init: 'he_truncated_normal' },
  { name: `${layer}/bias`, shape: [outputs], init: 'zeros' },
];

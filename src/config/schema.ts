// The training configuration: one table of fields that gives the types, the defaults, the
// validation and the help text. YAML files and command-line flags both go through it.

// The paper's networks (original-conventions.md §3): MNIST-FC, MNIST-LeNet, CIFAR-AllCNN,
// CIFAR-ResNet-20, and the original's VGG-half.
export const MODEL_NAMES = ['mnist-fc', 'mnist-lenet', 'cifar-allcnn', 'cifar-resnet20', 'cifar-vgg-half'] as const;
export type ModelName = (typeof MODEL_NAMES)[number];

export const OPTIMIZER_NAMES = ['sgd', 'adam'] as const;
export type OptimizerName = (typeof OPTIMIZER_NAMES)[number];

export interface OptimizerConfig {
  name: OptimizerName;
  lr: number;
  momentum: number; // sgd only (TF1 heavy ball); 0 = plain SGD
  beta1: number; // adam only
  beta2: number;
  epsilon: number;
}

export interface TrainConfig {
  model: ModelName;
  dataset: string;
  data_dir: string | null;
  optimizer: OptimizerConfig;
  batch_size: number;
  epochs: number | null;
  iterations: number | null;
  seed: number;
  eval_batch_size: number;
  backend: string;
}

/** How a field is checked; `choices` doubles as the help text's list of values. */
export type FieldKind =
  | { type: 'int'; min: number }
  | { type: 'number'; min: number; exclusiveMin?: boolean; max?: number }
  | { type: 'string' }
  | { type: 'choice'; choices: readonly string[] };

export interface Field {
  path: string; // dotted key in the YAML file
  kind: FieldKind;
  nullable?: boolean;
  default: unknown;
  help: string;
}

// Defaults follow the original code's train.py (original-conventions.md §4): lr 0.01,
// momentum 0.9, batch 250, one epoch, MNIST evaluation batch 11,000; Adam's TF1 defaults.
export const FIELDS: readonly Field[] = [
  { path: 'model', kind: { type: 'choice', choices: MODEL_NAMES }, default: 'mnist-fc', help: 'network to train' },
  { path: 'dataset', kind: { type: 'string' }, default: 'fashion-mnist', help: 'dataset name (see `lca train --help`)' },
  { path: 'data_dir', kind: { type: 'string' }, nullable: true, default: null, help: 'folder holding the dataset files' },
  { path: 'optimizer.name', kind: { type: 'choice', choices: OPTIMIZER_NAMES }, default: 'sgd', help: 'optimizer (TF1 forms)' },
  { path: 'optimizer.lr', kind: { type: 'number', min: 0, exclusiveMin: true }, default: 0.01, help: 'learning rate' },
  { path: 'optimizer.momentum', kind: { type: 'number', min: 0, max: 1 }, default: 0.9, help: 'SGD momentum (0 = plain SGD)' },
  { path: 'optimizer.beta1', kind: { type: 'number', min: 0, max: 1 }, default: 0.9, help: 'Adam beta1' },
  { path: 'optimizer.beta2', kind: { type: 'number', min: 0, max: 1 }, default: 0.999, help: 'Adam beta2' },
  { path: 'optimizer.epsilon', kind: { type: 'number', min: 0, exclusiveMin: true }, default: 1e-8, help: 'Adam epsilon' },
  { path: 'batch_size', kind: { type: 'int', min: 1 }, default: 250, help: 'minibatch size' },
  { path: 'epochs', kind: { type: 'int', min: 1 }, nullable: true, default: 1, help: 'epochs (floor(N/batch) iterations each)' },
  { path: 'iterations', kind: { type: 'int', min: 1 }, nullable: true, default: null, help: 'iterations (overrides epochs)' },
  { path: 'seed', kind: { type: 'int', min: 0 }, default: 0, help: 'seed for initialisation and shuffling' },
  { path: 'eval_batch_size', kind: { type: 'int', min: 1 }, default: 11000, help: 'full-dataset evaluation batch' },
  { path: 'backend', kind: { type: 'string' }, default: 'auto', help: 'TF.js backend' },
];

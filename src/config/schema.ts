// The training configuration: one table of fields that gives the types, the defaults, the
// validation and the help text. YAML files and command-line flags both go through it.
import { BACKEND_CHOICES, type BackendChoice } from '../backend/names.js';
import { DATASET_NAMES, type DatasetName } from '../data/types.js';

// The paper's networks (original-conventions.md §3): MNIST-FC, MNIST-LeNet, CIFAR-AllCNN,
// CIFAR-ResNet-20, and the original's VGG-half.
export const MODEL_NAMES = ['mnist-fc', 'mnist-lenet', 'cifar-allcnn', 'cifar-resnet20', 'cifar-vgg-half'] as const;
export type ModelName = (typeof MODEL_NAMES)[number];

export const OPTIMIZER_NAMES = ['sgd', 'adam', 'rmsprop'] as const;
export type OptimizerName = (typeof OPTIMIZER_NAMES)[number];

export interface OptimizerConfig {
  name: OptimizerName;
  lr: number;
  momentum: number; // sgd (TF1 heavy ball; 0 = plain SGD) and rmsprop
  beta1: number; // adam only
  beta2: number;
  decay: number; // rmsprop only
  epsilon: number; // adam and rmsprop; after normalize(), never null
  /** The original's --decay_schedule: lr × factor at the start of each listed epoch (0-based), cumulatively. */
  schedule: { epochs: number[]; factor: number };
}

/** A second optimizer of the same type for some variables, at a constant lr (the original's opt2, §9). */
export interface GroupConfig {
  variables: string[]; // globs over variable or layer names
  lr: number;
  momentum: number | null; // null: the main optimizer's
}

export interface TrainConfig {
  model: ModelName;
  dataset: DatasetName;
  data_dir: string | null;
  optimizer: OptimizerConfig;
  batch_size: number;
  epochs: number | null;
  iterations: number | null;
  seed: number;
  eval_batch_size: number; // after normalize(), never null
  backend: BackendChoice;
  /** Variables whose Δθ is 0 from `from_iteration` on (the original's --freeze_layers, §9). */
  freeze: { variables: string[]; from_iteration: number };
  groups: GroupConfig[];
  /** A run directory whose θ_0 this run starts from (the original's --init_weights_h5, §5). */
  init_from: string | null;
}

/** How a field is checked; `choices` doubles as the help text's list of values. */
export type FieldKind =
  | { type: 'int'; min: number }
  | { type: 'number'; min: number; exclusiveMin?: boolean; max?: number }
  | { type: 'string' }
  | { type: 'choice'; choices: readonly string[] }
  | { type: 'strings' } // a list of non-empty strings
  | { type: 'ints'; min: number } // a strictly increasing list of integers
  | { type: 'list'; fields: readonly Field[] }; // a list of mappings, each checked against `fields`

export interface Field {
  path: string; // dotted key in the YAML file
  kind: FieldKind;
  nullable?: boolean;
  required?: boolean; // inside a list item: no default, must be given
  default: unknown;
  help: string;
}

// One entry of `groups` (§9: --opt2_layers with --lr_special and --mom_special).
export const GROUP_FIELDS: readonly Field[] = [
  { path: 'variables', kind: { type: 'strings' }, required: true, default: null, help: 'globs over variable or layer names' },
  { path: 'lr', kind: { type: 'number', min: 0, exclusiveMin: true }, required: true, default: null, help: 'constant learning rate' },
  { path: 'momentum', kind: { type: 'number', min: 0, max: 1 }, nullable: true, default: null, help: 'momentum (null: the main optimizer\'s)' },
];

// Defaults follow the original code's train.py (original-conventions.md §4): lr 0.01,
// momentum 0.9, batch 250, one epoch; Adam's and RMSprop's TF1 defaults. `epsilon` and
// `eval_batch_size` are null here and filled by normalize(): their defaults depend on other keys.
export const FIELDS: readonly Field[] = [
  { path: 'model', kind: { type: 'choice', choices: MODEL_NAMES }, default: 'mnist-fc', help: 'network to train' },
  { path: 'dataset', kind: { type: 'choice', choices: DATASET_NAMES }, default: 'fashion-mnist', help: 'dataset' },
  { path: 'data_dir', kind: { type: 'string' }, nullable: true, default: null, help: 'folder holding the dataset files' },
  { path: 'optimizer.name', kind: { type: 'choice', choices: OPTIMIZER_NAMES }, default: 'sgd', help: 'optimizer (TF1 forms)' },
  { path: 'optimizer.lr', kind: { type: 'number', min: 0, exclusiveMin: true }, default: 0.01, help: 'learning rate' },
  { path: 'optimizer.momentum', kind: { type: 'number', min: 0, max: 1 }, default: 0.9, help: 'SGD and RMSprop momentum (0 = none)' },
  { path: 'optimizer.beta1', kind: { type: 'number', min: 0, max: 1 }, default: 0.9, help: 'Adam beta1' },
  { path: 'optimizer.beta2', kind: { type: 'number', min: 0, max: 1 }, default: 0.999, help: 'Adam beta2' },
  { path: 'optimizer.decay', kind: { type: 'number', min: 0, max: 1 }, default: 0.9, help: 'RMSprop decay (TF1 default)' },
  { path: 'optimizer.epsilon', kind: { type: 'number', min: 0, exclusiveMin: true }, nullable: true, default: null, help: 'epsilon (null: TF1 default, Adam 1e-8, RMSprop 1e-10)' },
  { path: 'optimizer.schedule.epochs', kind: { type: 'ints', min: 1 }, default: [], help: 'epochs at which lr is multiplied by factor (--decay_schedule)' },
  { path: 'optimizer.schedule.factor', kind: { type: 'number', min: 0, exclusiveMin: true, max: 1 }, default: 0.1, help: 'lr factor at each scheduled epoch' },
  { path: 'batch_size', kind: { type: 'int', min: 1 }, default: 250, help: 'minibatch size' },
  { path: 'epochs', kind: { type: 'int', min: 1 }, nullable: true, default: 1, help: 'epochs (floor(N/batch) iterations each)' },
  { path: 'iterations', kind: { type: 'int', min: 1 }, nullable: true, default: null, help: 'iterations (overrides epochs)' },
  { path: 'seed', kind: { type: 'int', min: 0 }, default: 0, help: 'seed for initialisation and shuffling' },
  { path: 'eval_batch_size', kind: { type: 'int', min: 1 }, nullable: true, default: null, help: 'full-dataset evaluation batch (null: MNIST 11000, CIFAR 2500)' },
  { path: 'backend', kind: { type: 'choice', choices: BACKEND_CHOICES }, default: 'auto', help: 'engine and backend (README: Backends)' },
  { path: 'freeze.variables', kind: { type: 'strings' }, default: [], help: 'globs over variable or layer names to freeze' },
  { path: 'freeze.from_iteration', kind: { type: 'int', min: 0 }, default: 0, help: 'first iteration at which they are frozen' },
  { path: 'groups', kind: { type: 'list', fields: GROUP_FIELDS }, default: [], help: 'second optimizers for chosen variables' },
  { path: 'init_from', kind: { type: 'string' }, nullable: true, default: null, help: 'run directory whose θ_0 to start from' },
];

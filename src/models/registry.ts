// Networks by the name a config uses.
import type { ModelName } from '../config/schema.js';
import type { Network } from './network.js';
import { cifarAllcnn } from './cifar-allcnn.js';
import { cifarResnet20 } from './cifar-resnet20.js';
import { cifarVggHalf } from './cifar-vgg-half.js';
import { mnistFc } from './mnist-fc.js';
import { mnistLenet } from './mnist-lenet.js';

const networks: Record<ModelName, Network> = {
  'mnist-fc': mnistFc,
  'mnist-lenet': mnistLenet,
  'cifar-allcnn': cifarAllcnn,
  'cifar-resnet20': cifarResnet20,
  'cifar-vgg-half': cifarVggHalf,
};

export const networkNamed = (name: ModelName): Network => networks[name];

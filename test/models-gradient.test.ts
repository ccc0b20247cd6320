// Gradients of the networks without batch norm (MNIST-FC, MNIST-LeNet, CIFAR-VGG-half) against finite differences.
import { networkNamed } from '../src/models/registry.js';
import { gradientTest } from './helpers/gradient-suite.js';

for (const name of ['mnist-fc', 'mnist-lenet', 'cifar-vgg-half'] as const) gradientTest(networkNamed(name));

// CIFAR-ResNet-20's gradient (batch norm, residual joins, projection shortcuts) against finite differences.
import { networkNamed } from '../src/models/registry.js';
import { gradientTest } from './helpers/gradient-suite.js';

gradientTest(networkNamed('cifar-resnet20'));

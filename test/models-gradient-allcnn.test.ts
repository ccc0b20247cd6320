// CIFAR-AllCNN's gradient (batch norm in training mode, stride-2 'same' convs) against finite differences.
import { networkNamed } from '../src/models/registry.js';
import { gradientTest } from './helpers/gradient-suite.js';

gradientTest(networkNamed('cifar-allcnn'));
